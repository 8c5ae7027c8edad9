"""The demo's feedback notes: what customers said over the last twelve months, linked to
the features they asked about.

Each note is one of:

- about a feature (most of them): a request or an improvement for work not shipped yet,
  a question about something planned, praise, a question or a bug about something
  shipped; it quotes the feature's title or says in the customer's words what they
  want, naming the product, the area and the people who feel it;
- a follow-up: a customer asking again about a feature they asked for before, more or
  less urgently (so that "each customer's latest importance counts once" matters);
- a recurring problem in a product area that is no feature yet: the themes an
  unlinked inbox reveals;
- praise or a question about a product in general; staff asking for internal tools;
  account matters (renewals, billing contacts), labelled "other".

Customers are drawn by how vocal they are (larger ones more), features by a power law
within the products each customer uses, and a few features and problems grow over the
year; the volume grows towards today. The source shapes the text (demo.feedback_text).
Older notes are triaged or archived, mostly labelled and linked; recent ones are mostly
new, unlabelled and unlinked: the triage engine's work.
"""

from __future__ import annotations

import bisect
import datetime as dt
import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from pilothouse.core.models import User
from pilothouse.customers.evidence import DEFAULT_WEIGHT
from pilothouse.customers.models import Note, NoteLink
from pilothouse.demo import feedback_phrases as words
from pilothouse.demo.clock import Clock
from pilothouse.demo.feedback_text import Context, compose
from pilothouse.demo.feedback_topics import (
    Slots,
    Topic,
    Voice,
    cap,
    cumulative,
    pick,
    voice_of,
)
from pilothouse.demo.portfolio import Portfolio
from pilothouse.demo.rows import Rows
from pilothouse.portfolio.models import LifecycleStage, ProductKind
from pilothouse.roadmap.models import Feature, FeatureStage
from pilothouse.roadmap.services import FeatureDemand

S, F = LifecycleStage, FeatureStage
DAYS = 365
# How widely each product is used (and talked about), by its lifecycle stage.
ADOPTION = {
    S.DISCOVERY: 0.15,
    S.BUILD: 0.25,
    S.LAUNCH: 0.5,
    S.GROWTH: 1.0,
    S.MATURE: 1.2,
    S.SUNSET: 0.4,
    S.RETIRED: 0.05,
}
PLATFORM_ADOPTION = 0.6
PRODUCTS_USED = {"Enterprise": (3, 6), "Mid-market": (2, 4), "SMB": (1, 3)}
VOCAL = {"Enterprise": 4.0, "Mid-market": 2.0, "SMB": 1.0}
ONE_SECOND = dt.timedelta(seconds=1)
RISING_SHARE = 0.35  # of a product's notes on the last day: about its rising topics
# What a note is about, and the share of notes.
WHAT = (
    ("follow_up", 0.05),
    ("feature", 0.55),
    ("pain", 0.21),
    ("general", 0.06),
    ("staff", 0.02),
    ("account", 0.11),
)
KIND_BY_STATE = {
    "shipped": (("praise", 0.3), ("question", 0.25), ("bug", 0.25), ("improvement", 0.2)),
    "coming": (("request", 0.5), ("question", 0.35), ("improvement", 0.15)),
    "open": (("request", 0.62), ("improvement", 0.23), ("question", 0.15)),
}
SOURCES = {
    "bug": {"support": 55, "email": 15, "app_review": 12, "survey": 5, "interview": 3,
            "sales": 2, "portal": 3, "other": 5},
    "request": {"portal": 25, "sales": 20, "email": 15, "interview": 15, "survey": 10,
                "support": 10, "other": 5},
    "improvement": {"support": 25, "survey": 20, "email": 15, "interview": 15, "portal": 10,
                    "app_review": 7, "sales": 3, "other": 5},
    "praise": {"survey": 35, "app_review": 25, "email": 15, "interview": 10, "support": 5,
               "sales": 3, "other": 7},
    "question": {"support": 45, "email": 25, "sales": 10, "portal": 8, "interview": 4,
                 "other": 8},
    "other": {"email": 45, "sales": 25, "other": 20, "support": 10},
}  # fmt: skip
ANONYMOUS = {"app_review": 0.85, "portal": 0.15, "survey": 0.1}
CONTEXT_SHARE = {"interview": 0.9, "email": 0.5, "support": 0.4, "sales": 0.3, "other": 0.3}
# Importance of a link (None, not important ... critical), by who asks and how.
IMPORTANCES = (None, 0, 1, 2, 3)
IMPORTANCE_WEIGHTS = {
    "base": (17, 8, 45, 24, 6),
    "Enterprise": (14, 5, 36, 32, 13),
    "sales": (10, 4, 34, 34, 18),
    "mild": (45, 10, 40, 5, 0),  # praise and questions
}
NOTE_FIELDS = (
    "title", "text", "source", "customer", "contact", "submitted_at", "author", "state", "kind",
    "created_at", "updated_at", "created_by", "updated_by", "version",
)  # fmt: skip
LINK_FIELDS = (
    "note", "feature", "importance", "excerpt",
    "created_at", "updated_at", "created_by", "updated_by", "version",
)  # fmt: skip
# By age in days (up to): (share new, share triaged); the rest is archived.
STATES = ((14, 0.8, 0.17), (45, 0.3, 0.55), (DAYS + 1, 0.04, 0.66))
LABELLED = {"new": 0.12, "triaged": 0.8, "archived": 0.55}
LINKED = {"new": 0.12, "triaged": 0.92, "archived": 0.6}
EXCERPT_SHARE = 0.45
FEATURE_SENTENCES = {
    "request": words.REQUEST,
    "improvement": words.IMPROVEMENT,
    "praise": words.PRAISE,
    "bug": words.BUG,
}
QUESTIONS = {
    "shipped": words.QUESTION_SHIPPED,
    "coming": words.QUESTION_COMING,
    "open": words.QUESTION_OPEN,
}
SECOND_TOPIC_SHARE = 0.3  # of interviews about a feature: a second feature discussed
TAG_CUES = (
    ("Month end", "month-end"),
    ("month end", "month-end"),
    ("alternatives at renewal", "churn-risk"),
    ("renewal", "renewal"),
    ("workaround", "workaround"),
    ("training session", "training"),
    ("training material", "training"),
    ("included in our plan", "pricing"),
    ("more seats", "pricing"),
    *((name, "competitor") for name in words.COMPETITORS),
)


@dataclass
class FeedbackCounts:
    notes: int = 0
    note_links: int = 0
    note_tag_links: int = 0


@dataclass(slots=True)
class Draft:
    """One note being written."""

    kind: str
    source: str
    voice: Voice
    account: int | None  # index into the writer's accounts
    said: list[str] = field(default_factory=list)  # sentences a link may quote
    links: list[tuple[Topic, int | None]] = field(default_factory=list)  # one per sentence
    extras: list[str] = field(default_factory=list)
    tags: set[str] = field(default_factory=set)
    idea: str = ""
    area: str = ""
    linked: bool = False  # linked whatever the note's state (a follow-up)


class FeedbackWriter:
    """Writes the notes in chronological order, in batches (see `write`)."""

    def __init__(
        self,
        *,
        accounts: Sequence,  # demo.customers.Account
        portfolio: Portfolio,
        features: Sequence[Feature],
        staff: Sequence[User],
        kinds: dict[str, int],
        tags: dict[str, int],
        clock: Clock,
        rng: random.Random,
    ) -> None:
        self.accounts, self.kinds, self.tags, self.clock, self.rng = (
            accounts,
            kinds,
            tags,
            clock,
            rng,
        )
        self.staff = [user.pk for user in staff]
        by_product: dict[int, list[Feature]] = {}
        for feature in features:
            by_product.setdefault(feature.product_id, []).append(feature)
        voices = [
            voice_of(demo, by_product.get(demo.product.pk, []), rng) for demo in portfolio.products
        ]
        voices = [voice for voice in voices if voice.topics]
        internal = [v for v in voices if v.demo.spec.kind == ProductKind.INTERNAL]
        self.internal = internal
        self.external = [v for v in voices if v.demo.spec.kind != ProductKind.INTERNAL]
        adoption = [
            ADOPTION[v.demo.spec.stage]
            * (PLATFORM_ADOPTION if v.demo.spec.kind == ProductKind.PLATFORM else 1.0)
            for v in self.external
        ]
        self.uses = [self._products_used(account.segment, adoption) for account in accounts]
        self.vocal = cumulative(
            [VOCAL[account.segment] * rng.lognormvariate(0, 0.9) for account in accounts]
        )
        self.sources = {
            kind: (list(weights), cumulative(list(weights.values())))
            for kind, weights in SOURCES.items()
        }
        self.importance = {k: cumulative(w) for k, w in IMPORTANCE_WEIGHTS.items()}
        self.kind_by_state = {
            state: ([k for k, _ in pairs], cumulative([w for _, w in pairs]))
            for state, pairs in KIND_BY_STATE.items()
        }
        self.start = clock.today - dt.timedelta(days=DAYS)
        self.midnight = dt.datetime.combine(self.start, dt.time(0), tzinfo=dt.UTC)
        self.end = dt.datetime.combine(clock.today, dt.time(0), tzinfo=dt.UTC)
        self.asks: list[tuple[int, Voice, Topic, int | None]] = []
        self.counts = FeedbackCounts()
        # The evidence, as customers.evidence counts it (see `demand`).
        self.latest: dict[tuple[int, int], int | None] = {}  # (feature, account) -> importance
        self.anonymous: dict[int, list[int]] = {}  # feature -> [points, requests]
        self.requests: dict[int, int] = {}

    def _products_used(self, segment: str, adoption: list[float]) -> tuple[list[Voice], list]:
        rng, weights = self.rng, cumulative(adoption)
        wanted = min(len(self.external), rng.randint(*PRODUCTS_USED[segment]))
        chosen: list[int] = []
        while len(chosen) < wanted:
            index = bisect.bisect_right(weights, rng.random() * weights[-1])
            if index not in chosen:
                chosen.append(index)
        return [self.external[i] for i in chosen], cumulative([adoption[i] for i in chosen])

    # --- drawing who, what and when ------------------------------------------------------

    def _moment(self) -> int:
        """Seconds since the start of the year covered; more recent is more likely."""
        rng = self.rng
        share = rng.random()
        if rng.random() < 0.55:
            share = math.sqrt(share)
        day = min(DAYS - 1, int(share * DAYS))
        if (self.start + dt.timedelta(days=day)).weekday() >= 5 and rng.random() < 0.7:
            day = min(DAYS - 1, int(math.sqrt(rng.random()) * DAYS))
        if rng.random() < 0.9:
            return day * 86_400 + 25_200 + int(rng.random() * 43_200)  # 7:00 to 19:00
        return day * 86_400 + int(rng.random() * 86_400)

    def _customer(self, day: dt.date) -> tuple[int, bool]:
        """An account (index) by how vocal it is; True if it was not a customer yet."""
        for _ in range(4):
            index = bisect.bisect_right(self.vocal, self.rng.random() * self.vocal[-1])
            if self.accounts[index].created <= day:
                return index, False
        return index, True

    def _topic(self, voice: Voice, growth: float) -> Topic:
        if voice.rising and self.rng.random() < RISING_SHARE * growth**3:
            return self.rng.choice(voice.rising)
        return pick(voice.topics, voice.weights, self.rng)

    def _source(self, kind: str) -> str:
        names, cumulative = self.sources[kind]
        return pick(names, cumulative, self.rng)

    def _importance(self, kind: str, source: str, account: int | None) -> int | None:
        if kind in {"praise", "question"}:
            table = "mild"
        elif source == "sales":
            table = "sales"
        elif account is not None and self.accounts[account].segment == "Enterprise":
            table = "Enterprise"
        else:
            table = "base"
        return pick(IMPORTANCES, self.importance[table], self.rng)

    # --- what a note says ----------------------------------------------------------------

    def _values(self, voice: Voice, topic: Topic | None, area: str) -> Slots:
        product = voice.demo.spec.name
        values = Slots(self.rng, voice.demo.team.line.personas)
        values.update(product=product, Product=product, area=area, Area=area)
        if topic is not None:
            values.update(
                want=topic.want,
                pain=topic.pain,
                Pain=cap(topic.pain),
                title=topic.title,
                title_q=f'"{topic.title}"',
                obj=topic.noun,
                release=topic.release or "last",
            )
        return values

    def _feature_sentence(self, kind: str, topic: Topic, values: dict) -> str:
        rng = self.rng
        pool = QUESTIONS[topic.state] if kind == "question" else FEATURE_SENTENCES[kind]
        if kind == "bug":
            symptom = rng.choice(words.SYMPTOMS)[0].format(obj=topic.noun)
            values.update(symptom=symptom, Symptom=cap(symptom))
        return rng.choice(pool).format_map(values)

    def _about_feature(self, draft: Draft, topic: Topic, values: dict) -> None:
        rng = self.rng
        importance = self._importance(draft.kind, draft.source, draft.account)
        draft.said.append(self._feature_sentence(draft.kind, topic, values))
        draft.links.append((topic, importance))
        draft.idea = topic.title
        if topic.tag and rng.random() < 0.6:
            draft.tags.add(topic.tag)
        if draft.kind == "bug" and rng.random() < 0.4:
            draft.tags.add("regression")
        if draft.source == "interview" and rng.random() < SECOND_TOPIC_SHARE:
            other = self._topic(draft.voice, 0.0)
            if other.feature_id != topic.feature_id:
                kind = "request" if other.state != "shipped" else "improvement"
                draft.said.append(
                    self._feature_sentence(
                        kind, other, self._values(draft.voice, other, other.area or values["area"])
                    )
                )
                draft.links.append((other, self._importance(kind, draft.source, draft.account)))
        if importance is not None and rng.random() < (
            0.5 if draft.source in CONTEXT_SHARE else 0.2
        ):
            draft.extras.append(rng.choice(words.URGENCY[importance]))
        if importance == 3:
            if draft.source == "support":
                draft.tags.add("escalation")
            elif draft.source == "sales":
                draft.tags.add("deal-blocker")

    def _draft(self, what: str, day: dt.date, growth: float) -> Draft:
        rng = self.rng
        if what == "follow_up" and not self.asks:
            what = "feature"
        if what == "staff" and not self.internal:
            what = "general"
        if what == "staff":
            voice = rng.choice(self.internal)
            topic = self._topic(voice, growth)
            kind = "request" if rng.random() < 0.6 else "improvement"
            draft = Draft(kind=kind, source="other", voice=voice, account=None)
            draft.area = topic.area or rng.choice(voice.areas)
            self._about_feature(draft, topic, self._values(voice, topic, draft.area))
            return draft
        if what == "follow_up":
            account, voice, topic, before = self.asks[rng.randrange(len(self.asks))]
            source = rng.choices(("email", "sales", "support"), (5, 3, 2))[0]
            draft = Draft(kind="request", source=source, voice=voice, account=account)
            draft.area = topic.area or rng.choice(voice.areas)
            values = self._values(voice, topic, draft.area)
            previous = 1 if before is None else before
            if previous == 0 or (previous < 3 and rng.random() < 0.65):
                importance = min(3, previous + rng.choice((1, 1, 2)))
                draft.said.append(rng.choice(words.ESCALATIONS).format_map(values))
                if importance == 3:
                    draft.tags.add("escalation")
            else:
                importance = rng.choice([value for value in (0, 1) if value != previous])
                draft.said.append(rng.choice(words.DEESCALATIONS).format_map(values))
            draft.links.append((topic, importance))
            draft.linked = True
            return draft

        account, prospect = self._customer(day)
        voices, cumulative = self.uses[account]
        voice = pick(voices, cumulative, rng)
        if what == "feature":
            topic = self._topic(voice, growth)
            kinds, cumulative = self.kind_by_state[topic.state]
            kind = pick(kinds, cumulative, rng)
            source = "sales" if prospect else self._source(kind)
            draft = Draft(kind=kind, source=source, voice=voice, account=account)
            area = topic.area or rng.choice(voice.areas)
            values = self._values(voice, topic, area)
            self._about_feature(draft, topic, values)
        elif what == "pain":
            if voice.rising_pains and rng.random() < RISING_SHARE * growth**3:
                pain = voice.rising_pains[0]
            else:
                pain = pick(voice.pains, voice.pain_weights, rng)
            kind = rng.choices(("bug", "improvement", "question"), (6, 3, 1))[0]
            source = "sales" if prospect else self._source(kind)
            draft = Draft(kind=kind, source=source, voice=voice, account=account)
            values = self._values(voice, None, pain.area)
            values.update(symptom=pain.symptom, Symptom=cap(pain.symptom))
            pool = {"bug": words.PAIN_BUG, "improvement": words.PAIN_IMPROVEMENT}.get(
                kind, words.PAIN_QUESTION
            )
            draft.said.append(rng.choice(pool).format_map(values))
            if pain.tag:
                draft.tags.add(pain.tag)
        else:
            kind = "other" if what == "account" else rng.choice(("praise", "question"))
            source = "sales" if prospect else self._source(kind)
            draft = Draft(kind=kind, source=source, voice=voice, account=account)
            values = self._values(voice, None, rng.choice(voice.areas))
            pool = {"other": words.ACCOUNT, "praise": words.GENERAL_PRAISE}.get(
                kind, words.GENERAL_QUESTION
            )
            draft.said.append(rng.choice(pool).format_map(values))
        draft.area = str(values["area"])
        if draft.source in ANONYMOUS and rng.random() < ANONYMOUS[draft.source]:
            draft.account = None
        if draft.kind != "other" and rng.random() < CONTEXT_SHARE.get(draft.source, 0.1):
            draft.extras.insert(0, rng.choice(words.CONTEXTS).format_map(values))
        if draft.source == "sales" and rng.random() < 0.7:
            draft.extras.append(rng.choice(words.DEAL_CONTEXTS).format_map(values))
        if draft.source == "interview":
            seen = rng.sample(words.OBSERVATIONS, rng.randint(1, 3))
            draft.extras.extend(line.format_map(values) for line in seen)
        return draft

    # --- the notes -----------------------------------------------------------------------

    def write(
        self, *, total: int, batch_size: int, progress: Callable[[int], None]
    ) -> FeedbackCounts:
        """Write `total` notes, oldest first, `batch_size` at a time with their links and
        tags; `progress` hears how many are written."""
        moments = sorted(self._moment() for _ in range(total))
        what = ([name for name, _ in WHAT], cumulative([share for _, share in WHAT]))
        notes = Rows(Note, NOTE_FIELDS, own_ids=True)
        links = Rows(NoteLink, LINK_FIELDS, own_ids=False)
        tagged = Rows(Note.tags.through, ("note", "tag"), own_ids=False)
        progress(0)
        for start in range(0, total, batch_size):
            batch = moments[start : start + batch_size]
            rows: tuple[list, list, list] = ([], [], [])
            for note_id, offset in zip(notes.ids(len(batch)), batch, strict=True):
                self._note(note_id, offset, what, *rows)
            notes.insert(rows[0])
            links.insert(rows[1])
            tagged.insert(rows[2])
            progress(notes.count)
        notes.finish()
        self.counts.notes = notes.count
        self.counts.note_links = links.count
        self.counts.note_tag_links = tagged.count
        return self.counts

    def _count(self, feature_id: int, account: int | None, importance: int | None) -> None:
        """Keep the evidence of one link; links come in the order of their notes' time."""
        self.requests[feature_id] = self.requests.get(feature_id, 0) + 1
        if account is not None:
            self.latest[feature_id, account] = importance
            return
        points = self.anonymous.setdefault(feature_id, [0, 0])
        points[0] += DEFAULT_WEIGHT if importance is None else importance
        points[1] += 1

    def demand(self) -> dict[int, FeatureDemand]:
        """The demand of every linked feature by the rules of customers.evidence: each
        customer counts once with their latest importance (a link without one counts
        as nice to have) and their ARR, each note without a customer counts once."""
        points = {pk: anonymous[0] for pk, anonymous in self.anonymous.items()}
        arr: dict[int, Decimal] = {}
        customers: dict[int, int] = {}
        for (feature_id, account), importance in self.latest.items():
            weight = DEFAULT_WEIGHT if importance is None else importance
            points[feature_id] = points.get(feature_id, 0) + weight
            arr[feature_id] = arr.get(feature_id, 0) + self.accounts[account].arr
            customers[feature_id] = customers.get(feature_id, 0) + 1
        demand = {
            pk: FeatureDemand(
                importance=points.get(pk, 0),
                arr=Decimal(arr.get(pk, 0)),
                requests=requests,
                customers=customers.get(pk, 0),
            )
            for pk, requests in self.requests.items()
        }
        return demand

    def _state(self, age: int) -> str:
        new, triaged = next((new, triaged) for limit, new, triaged in STATES if age <= limit)
        draw = self.rng.random()
        return "new" if draw < new else "triaged" if draw < new + triaged else "archived"

    def _author(self, source: str, account, teammate: int) -> int | None:
        rng = self.rng
        if source == "interview":
            return teammate
        if source == "sales":
            return account.owner_id if account is not None else teammate
        if source == "support":
            return rng.choice(self.staff) if self.staff and rng.random() < 0.3 else None
        if source == "email":
            return teammate if rng.random() < 0.5 else None
        if source == "other":
            if account is None and self.staff:
                return rng.choice(self.staff)
            return teammate
        return None  # surveys, reviews and the portal arrive by themselves

    def _note(self, note_id: int, offset: int, what, notes: list, links: list, tags: list):
        rng = self.rng
        day_index = offset // 86_400
        day = self.start + dt.timedelta(days=day_index)
        age = DAYS - day_index  # days ago, 1 to 365
        submitted = self.midnight + dt.timedelta(seconds=offset)
        draft = self._draft(pick(*what, rng), day, day_index / DAYS)
        voice, source, kind = draft.voice, draft.source, draft.kind
        state = self._state(age)
        if draft.linked and state == "new" and age > 3:
            state = "triaged"
        labelled = rng.random() < LABELLED[state]
        linked = bool(draft.links) and (
            draft.linked or rng.random() < (0.7 if source == "portal" else LINKED[state])
        )

        account = self.accounts[draft.account] if draft.account is not None else None
        contact = None
        likely = 0.95 if source in {"interview", "email"} else 0.75
        if account is not None and account.contacts and rng.random() < likely:
            contact = rng.choice(account.contacts)
        teammate_id, teammate = voice.team[0] if rng.random() < 0.5 else rng.choice(voice.team)
        author = self._author(source, account, teammate_id)
        if account is not None:
            if (day - account.created).days < 90 and rng.random() < 0.5:
                draft.tags.add("onboarding")
            if voice.demo.spec.stage in {S.DISCOVERY, S.BUILD} and source in {"interview", "sales"}:
                draft.tags.add("design-partner")
        if kind == "improvement" and rng.random() < 0.05:
            draft.tags.add("quick-win")

        context = Context(
            product=voice.demo.spec.name,
            area=draft.area or voice.areas[0],
            company=account.name if account is not None else None,
            segment=account.segment if account is not None else "",
            region=account.region if account is not None else "",
            contact=contact[1] if contact else None,
            role=contact[2] if contact else None,
            teammate=teammate,
            idea=draft.idea,
        )
        title, text = compose(source, kind, draft.said, draft.extras, context, rng)
        for cue, tag in TAG_CUES:
            if cue in text:
                draft.tags.add(tag)

        if state == "new":
            updated, updated_by = submitted, author
        else:
            delay = 3_600 + int(rng.random() * min(age - 1, 10) * 86_400)
            updated = min(submitted + dt.timedelta(seconds=delay), self.end - ONE_SECOND)
            updated_by = teammate_id if rng.random() < 0.7 else voice.team[0][0]
        notes.append(
            (
                note_id,
                title[:200],
                text,
                source,
                account.pk if account is not None else None,
                contact[0] if contact else None,
                submitted,
                author,
                state,
                self.kinds[kind] if labelled else None,
                submitted,
                updated,
                author,
                updated_by,
                1,
            )
        )
        if linked:
            for sentence, (topic, importance) in zip(draft.said, draft.links, strict=False):
                excerpt = sentence if rng.random() < EXCERPT_SHARE else ""
                link = (note_id, topic.feature_id, importance, excerpt)
                links.append((*link, updated, updated, updated_by, updated_by, 1))
                self._count(topic.feature_id, draft.account, importance)
                if account is not None:
                    self.asks.append((draft.account, voice, topic, importance))
        tags.extend((note_id, self.tags[tag]) for tag in sorted(draft.tags))
