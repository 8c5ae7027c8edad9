"""A generator of labelled B2B product feedback, for tests, quality measurement and the demo.

    sample = generate_feedback(n=2_000, seed=7)
    sample.notes        # Note objects, each labelled with a kind (some labels deliberately wrong)
    sample.features     # FeatureText objects the notes talk about
    sample.topic_of     # note id -> the product area it was written about
    sample.feature_of   # note id -> the feature it asks about (requests and some questions)

Notes read like what reaches a product team: a greeting or a ticket reference, a sentence
in the phrasing typical of its kind (a bug report, a feature request, an improvement,
praise, a question or something else) about one product area (`sample_topics.py`),
sometimes a detail, context about the customer, a sign-off, and noise: typos, text
speak, lower case. Kinds overlap as they do in real inboxes: "Is it possible to ...?" is
a question or a request, "It would be nicer if ..." an improvement or a request;
`mixed_share` of the notes carry a second sentence in another kind's voice ("Love the
pick list! Could we ..."), and `label_noise` relabels a share of notes at random, as a
busy team does. Same arguments, same feedback.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from pilothouse.engines.triage.sample_phrases import (
    ACCOUNT_NOTES,
    CITIES,
    CONTEXTS,
    DAYS,
    DETAILS,
    DUPLICATE_OPENERS,
    ENTITIES,
    NAMES,
    PREFIXES,
    SUFFIXES,
    TEAMS,
    TEMPLATES,
    TEXT_SPEAK,
    WHEN,
)
from pilothouse.engines.triage.sample_topics import ACCOUNT_TOPIC, TOPICS, TopicSpec
from pilothouse.engines.triage.types import FeatureText, Note

KINDS: tuple[str, ...] = ("bug", "feature request", "improvement", "praise", "question", "other")
KIND_WEIGHTS: dict[str, float] = {
    "bug": 0.2,
    "feature request": 0.33,
    "improvement": 0.18,
    "praise": 0.08,
    "question": 0.13,
    "other": 0.08,
}


@dataclass(frozen=True)
class SampleFeedback:
    """Generated notes with what the generator knows about each of them.

    `true_kind_of` is the kind a note was written as (its label may be noise),
    `feature_of` the feature a note asks for (linked or not), `duplicate_of` the note a
    near-copy was made from, `feature_topic` each feature's topic.
    """

    notes: tuple[Note, ...]
    features: tuple[FeatureText, ...]
    topic_of: Mapping[int, str]
    true_kind_of: Mapping[int, str]
    feature_of: Mapping[int, int]
    duplicate_of: Mapping[int, int]
    feature_topic: Mapping[int, str]


def sample_features(*, first_id: int = 1) -> tuple[FeatureText, ...]:
    """The features of the sample topics, numbered from `first_id` in topic order."""
    features = []
    for topic in TOPICS:
        for spec in topic.features:
            features.append(FeatureText(first_id + len(features), spec.title, spec.description))
    return tuple(features)


def _capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]


def _typo(word: str, rng: random.Random) -> str:
    if len(word) < 5 or not word.isalpha():
        return word
    i = rng.randrange(1, len(word) - 2)
    if rng.random() < 0.5:
        return word[:i] + word[i + 1 :]
    return word[:i] + word[i + 1] + word[i] + word[i + 2 :]


def _add_noise(text: str, rng: random.Random) -> str:
    if rng.random() < 0.15:
        words = text.split(" ")
        for _ in range(rng.choice((1, 1, 2))):
            i = rng.randrange(len(words))
            words[i] = _typo(words[i], rng)
        text = " ".join(words)
    if rng.random() < 0.08:
        text = " ".join(TEXT_SPEAK.get(word, word) for word in text.split(" "))
    if rng.random() < 0.08:
        text = text.lower()
    return text


def _fill(template: str, rng: random.Random, values: dict[str, str]) -> str:
    values = dict(values)
    values.setdefault("number", str(rng.choice((12, 40, 85, 150, 300, 1200))))
    values.setdefault("small", str(rng.randint(2, 9)))
    values.setdefault("name", rng.choice(NAMES))
    values.setdefault("day", rng.choice(DAYS))
    values.setdefault("team", rng.choice(TEAMS))
    values.setdefault("city", rng.choice(CITIES))
    values.setdefault("entity", rng.choice(ENTITIES))
    values.setdefault("share", rng.choice(("half", "a third", "most", "a quarter")))
    values.setdefault("season", rng.choice(("spring", "summer", "autumn", "Christmas")))
    values.setdefault("frequency", rng.choice(("daily", "every week", "at every month end")))
    return template.format(**values)


def _compose(
    kind: str, topic: TopicSpec | None, rng: random.Random, mixed_share: float
) -> tuple[str, int | None, str]:
    """One note's text, the index of the feature it asks about (or None) and its topic."""
    if kind == "other" and (topic is None or rng.random() < 0.75):
        body = rng.choice(ACCOUNT_NOTES)
        return body, None, ACCOUNT_TOPIC
    assert topic is not None
    template = rng.choice(TEMPLATES[kind])
    feature_index = rng.randrange(len(topic.features)) if "{want}" in template else None
    wants = topic.features[feature_index].wants if feature_index is not None else ("",)
    values = {
        "thing": rng.choice(topic.things),
        "use": rng.choice(topic.uses),
        "symptom": rng.choice(topic.symptoms),
        "role": rng.choice(topic.roles),
        "when": rng.choice(WHEN),
        "want": rng.choice(wants),
    }
    text = _capitalise(_fill(template, rng, values))
    if rng.random() < mixed_share:
        # A second sentence in another kind's voice ("Love the pick list! Could we ...").
        other_kind = rng.choice([k for k in KINDS if k not in (kind, "other")])
        values["want"] = rng.choice(rng.choice(topic.features).wants)
        aside = _capitalise(_fill(rng.choice(TEMPLATES[other_kind]), rng, values))
        text = f"{aside} {text}" if rng.random() < 0.5 else f"{text} {aside}"
    if rng.random() < 0.15:
        text = f"{text} {_fill(rng.choice(DETAILS), rng, values)}"
    return text, feature_index, topic.key


def _wrap(body: str, rng: random.Random) -> str:
    parts = []
    if rng.random() < 0.35:
        prefix = _fill(rng.choice(PREFIXES), rng, {})
        # A greeting stands on its own line; a reference runs into the text.
        parts.append(prefix + "\n" if prefix[-1] in ",!-" else prefix)
    parts.append(body)
    if rng.random() < 0.12:
        parts.append(_fill(rng.choice(CONTEXTS), rng, {}))
    if rng.random() < 0.3:
        parts.append(_fill(rng.choice(SUFFIXES), rng, {}))
    return _add_noise(" ".join(parts).replace("\n ", "\n"), rng)


def lightly_edit(text: str, rng: random.Random) -> str:
    """A near-copy of a note, as when two people report the same thing in the same words."""
    edited = f"{rng.choice(DUPLICATE_OPENERS)} {text}"
    if rng.random() < 0.5:
        edited = edited.rstrip(".!?") + rng.choice((" - thanks", "!!", " ...", ". Thank you."))
    if rng.random() < 0.3:
        edited = edited.lower()
    return edited


def generate_feedback(
    *,
    n: int,
    seed: int = 0,
    start: dt.date = dt.date(2025, 1, 6),
    days: int = 182,
    kind_weights: Mapping[str, float] | None = None,
    topic_weights: Mapping[str, float] | None = None,
    growing_topics: Sequence[str] = (),
    label_noise: float = 0.05,
    mixed_share: float = 0.2,
    link_share: float = 0.35,
    duplicate_share: float = 0.0,
    first_id: int = 1,
    first_feature_id: int = 1,
) -> SampleFeedback:
    """Generate `n` labelled notes dated within `days` days from `start` (UTC).

    A topic in `growing_topics` becomes more frequent over the window: its weight goes from
    a fifth of its base weight on the first day to three times on the last. `link_share`
    of the notes that ask about a feature are linked to it. `duplicate_share` of the notes
    are light edits of an earlier note (recorded in `duplicate_of`).
    """
    if n < 0:
        raise ValueError("n: must not be negative")
    if not 0 <= label_noise <= 1:
        raise ValueError("label_noise: must be between 0 and 1")
    if not 0 <= duplicate_share < 1:
        raise ValueError("duplicate_share: must be in [0, 1)")
    keys = [topic.key for topic in TOPICS]
    for key in growing_topics:
        if key not in keys:
            raise ValueError(f"growing_topics: unknown topic {key!r}")
    kind_weights = dict(kind_weights or KIND_WEIGHTS)
    for kind in kind_weights:
        if kind not in TEMPLATES:
            raise ValueError(f"kind_weights: unknown kind {kind!r} (known: {', '.join(KINDS)})")
    kinds = list(kind_weights)
    kind_cum = _cumulative([kind_weights[k] for k in kinds])
    base = [float((topic_weights or {}).get(key, 1.0)) for key in keys]
    growing = [key in growing_topics for key in keys]

    rng = random.Random(seed)
    features = sample_features(first_id=first_feature_id)
    feature_offsets: dict[str, int] = {}
    feature_topic: dict[int, str] = {}
    next_id = first_feature_id
    for topic in TOPICS:
        feature_offsets[topic.key] = next_id
        for _ in topic.features:
            feature_topic[next_id] = topic.key
            next_id += 1

    originals = n - round(n * duplicate_share)
    start_at = dt.datetime.combine(start, dt.time(), tzinfo=dt.UTC)
    span = days * 86_400
    notes: list[Note] = []
    topic_of: dict[int, str] = {}
    true_kind_of: dict[int, str] = {}
    feature_of: dict[int, int] = {}
    duplicate_of: dict[int, int] = {}
    for position in range(originals):
        note_id = first_id + position
        offset_s = rng.random() * span
        share = offset_s / span
        weights = [
            weight * (0.2 + 2.8 * share if grows else 1.0)
            for weight, grows in zip(base, growing, strict=True)
        ]
        topic = TOPICS[_pick(_cumulative(weights), rng)]
        kind = kinds[_pick(kind_cum, rng)]
        body, feature_index, topic_key = _compose(kind, topic, rng, mixed_share)
        text = _wrap(body, rng)
        label = kind
        if rng.random() < label_noise:
            label = rng.choice([k for k in kinds if k != kind])
        feature_ids: tuple[int, ...] = ()
        if feature_index is not None:
            feature_id = feature_offsets[topic_key] + feature_index
            feature_of[note_id] = feature_id
            if rng.random() < link_share:
                feature_ids = (feature_id,)
        created = start_at + dt.timedelta(seconds=int(offset_s))
        notes.append(Note(note_id, text, label, created, feature_ids))
        topic_of[note_id] = topic_key
        true_kind_of[note_id] = kind
    for position in range(originals, n):
        note_id = first_id + position
        source = notes[rng.randrange(originals)]
        created = min(
            source.created_at + dt.timedelta(days=rng.randint(0, 14)),
            start_at + dt.timedelta(seconds=span - 1),
        )
        notes.append(Note(note_id, lightly_edit(source.text, rng), source.kind, created, ()))
        topic_of[note_id] = topic_of[source.id]
        true_kind_of[note_id] = true_kind_of[source.id]
        if source.id in feature_of:
            feature_of[note_id] = feature_of[source.id]
        duplicate_of[note_id] = source.id
    return SampleFeedback(
        notes=tuple(notes),
        features=features,
        topic_of=topic_of,
        true_kind_of=true_kind_of,
        feature_of=feature_of,
        duplicate_of=duplicate_of,
        feature_topic=feature_topic,
    )


def _cumulative(weights: Sequence[float]) -> list[float]:
    total = float(sum(weights))
    if total <= 0:
        raise ValueError("weights: must add up to more than zero")
    running, out = 0.0, []
    for weight in weights:
        running += weight / total
        out.append(running)
    return out


def _pick(cumulative: Sequence[float], rng: random.Random) -> int:
    draw = rng.random()
    for index, edge in enumerate(cumulative):
        if draw < edge:
            return index
    return len(cumulative) - 1
