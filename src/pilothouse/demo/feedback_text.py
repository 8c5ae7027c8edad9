"""How a piece of feedback reads, by where it came from: a one-line app review, a support
ticket (sometimes with steps to reproduce and an agent's note), an email, interview notes
in Markdown, a sales call summary, a survey answer, a portal idea.

`compose` keeps the sentences it is given verbatim, so that an excerpt taken from them
is a substring of the note's text.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from pilothouse.demo import feedback_phrases as words


@dataclass(slots=True)
class Context:
    """Who said it, to whom, about what."""

    product: str
    area: str
    company: str | None
    segment: str
    region: str
    contact: str | None  # first name
    role: str | None
    teammate: str  # first name of a product manager at the demo company
    idea: str  # a feature title the note is about, or ""


def headline(sentence: str, *, length: int = 8) -> str:
    """The first words of a sentence, as a subject line."""
    parts = sentence.split()
    head = " ".join(parts[:length]).rstrip(".?!:;,")
    return head + "…" if len(parts) > length else head


def compose(
    source: str,
    kind: str,
    said: list[str],
    extras: list[str],
    ctx: Context,
    rng: random.Random,
) -> tuple[str, str]:
    """(title, Markdown text) of a note saying `said` (the sentences a link may quote,
    the main one first) with `extras` around them."""
    return _BY_SOURCE[source](kind, said, extras, ctx, rng)


def _signature(ctx: Context, rng: random.Random) -> str:
    sign_off = rng.choice(words.SIGN_OFFS)
    if ctx.contact is None:
        return sign_off
    if ctx.role and ctx.company:
        return f"{sign_off}\n{ctx.contact}\n{ctx.role}, {ctx.company}"
    return f"{sign_off}\n{ctx.contact}"


def _support(kind, said, extras, ctx, rng):
    ticket = rng.randint(18_000, 99_999)
    title = f"#{ticket} {ctx.product}: {headline(said[0])}"
    parts = [rng.choice(words.GREETINGS), " ".join([*said, *extras])]
    if kind == "bug" and rng.random() < 0.35:
        steps = [words.STEPS_TO_REPRODUCE[0], *rng.sample(words.STEPS_TO_REPRODUCE[1:], 2)]
        numbered = "\n".join(
            f"{n}. {step.format(product=ctx.product, area=ctx.area)}"
            for n, step in enumerate(steps, 1)
        )
        parts.append(f"**Steps to reproduce**\n\n{numbered}")
        parts.append("**Expected:** the change is saved and shown. **Actual:** as above.")
    parts.append(_signature(ctx, rng))
    if rng.random() < 0.25:
        parts.append(f"---\n\n*Agent note:* {rng.choice(words.AGENT_NOTES)}")
    return title, "\n\n".join(parts)


def _email(kind, said, extras, ctx, rng):
    title = f"{ctx.product}: {headline(said[0])}" if rng.random() < 0.6 else ""
    parts = [f"Hi {ctx.teammate},", " ".join(said)]
    if extras:
        parts.append(" ".join(extras))
    parts.append(_signature(ctx, rng))
    return title, "\n\n".join(parts)


def _interview(kind, said, extras, ctx, rng):
    who = ctx.company or "a prospect"
    if ctx.contact:
        head = f"**Interview with {ctx.contact} ({ctx.role}), {who}**"
    else:
        head = f"**Customer interview, {who}**"
    title = f"Interview: {who}"
    parts = [head]
    rest = list(extras)
    if rest:
        parts.append(rest.pop(0))
    quotes = [f'- "{sentence}"' for sentence in said]
    parts.append("\n".join([*quotes, *(f"- {sentence}" for sentence in rest)]))
    parts.append(f"Next step: {rng.choice(words.NEXT_STEPS)}")
    return title, "\n\n".join(parts)


def _sales(kind, said, extras, ctx, rng):
    who = ctx.company or "a prospect"
    title = f"Call with {who}"
    body = " ".join([*said, *extras])
    if rng.random() < 0.3:
        return title, f"{who}: {body}"
    head = f"**Call with {who}** ({ctx.segment}, {ctx.region})"
    text = f"{head}\n\n{body}"
    if rng.random() < 0.6:
        text += f"\n\nNext step: {rng.choice(words.NEXT_STEPS)}"
    return title, text


SCORES = {"praise": (9, 10), "bug": (2, 6), "other": (6, 8)}


def _survey(kind, said, extras, ctx, rng):
    body = " ".join([*said, *extras[:1]])
    if kind == "praise" or rng.random() < 0.5:
        score = rng.randint(*SCORES.get(kind, (5, 8)))
        return "", f"NPS {score}. {body}"
    return "", f"**{rng.choice(words.SURVEY_PROMPTS)}**\n\n{body}"


STARS = {"praise": (4, 5), "bug": (1, 2), "improvement": (3, 3), "question": (3, 4)}


def _app_review(kind, said, extras, ctx, rng):
    stars = words.STARS[rng.randint(*STARS.get(kind, (3, 3)))]
    return "", " ".join([stars, *said, *extras[:1]])


def _portal(kind, said, extras, ctx, rng):
    title = ctx.idea if ctx.idea and rng.random() < 0.6 else headline(said[0])
    text = " ".join([*said, *extras[:1]])
    if rng.random() < 0.4:
        text += " " + rng.choice(words.PORTAL_ENDINGS).format(n=rng.randint(5, 200))
    return title, text


def _other(kind, said, extras, ctx, rng):
    if ctx.company is None:
        opener = rng.choice(words.STAFF_OPENERS)
    else:
        opener = rng.choice(words.OTHER_OPENERS).format(
            city=rng.choice(words.CITIES), company=ctx.company
        )
    return "", " ".join([opener, *said, *extras])


_BY_SOURCE = {
    "support": _support,
    "email": _email,
    "interview": _interview,
    "sales": _sales,
    "survey": _survey,
    "app_review": _app_review,
    "portal": _portal,
    "other": _other,
}
