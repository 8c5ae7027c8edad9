"""What the demo's customers talk about: each product's features as customers put them
(what they want, how things are today), its recurring problems, and how popular each is.

A product's features draw attention by a power law over a shuffled order, weighted by
their stage (ideas and candidates are asked for, shipped work is praised or questioned);
a few new ideas per product and some problems grow over the year.
"""

from __future__ import annotations

import bisect
import itertools
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from pilothouse.demo import feedback_phrases as words
from pilothouse.demo.phrases import FEATURE_QUALIFIERS, FEATURE_TITLES
from pilothouse.demo.portfolio import DemoProduct
from pilothouse.roadmap.models import Feature, FeatureStage

F = FeatureStage
# How much a feature in each stage is talked about.
STAGE_INTEREST = {
    F.IDEA: 1.0,
    F.CANDIDATE: 1.3,
    F.PLANNED: 1.2,
    F.IN_PROGRESS: 1.0,
    F.RELEASED: 0.8,
    F.MEASURED: 0.6,
    F.REJECTED: 0.3,
}
ZIPF = 0.9  # the n-th most popular feature of a product draws ~ 1 / (n + 3) ** ZIPF
PAIN_POINTS_PER_PRODUCT = 8


@dataclass(slots=True)
class Topic:
    """A feature as customers talk about it."""

    feature_id: int
    title: str
    noun: str
    want: str
    pain: str
    tag: str
    area: str
    release: str
    state: str  # shipped, coming or open


@dataclass(slots=True)
class Pain:
    """A recurring problem in a product area."""

    area: str
    symptom: str
    tag: str


@dataclass
class Voice:
    """One product as its customers talk about it."""

    demo: DemoProduct
    topics: list[Topic]
    weights: list[float]  # cumulative, over topics
    rising: list[Topic]
    pains: list[Pain]
    pain_weights: list[float]
    rising_pains: list[Pain]
    areas: list[str]
    team: list[tuple[int, str]]  # (user id, first name) of its product team, lead first


def cumulative(weights: Sequence[float]) -> list[float]:
    return list(itertools.accumulate(weights))


def pick(items: Sequence, cumulative: Sequence[float], rng: random.Random):
    return items[bisect.bisect_right(cumulative, rng.random() * cumulative[-1])]


def zipf(count: int, rng: random.Random) -> list[float]:
    ranks = list(range(count))
    rng.shuffle(ranks)
    return [1 / (rank + 3) ** ZIPF for rank in ranks]


def cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _topic(feature: Feature, meaning: dict[str, tuple[str, str]]) -> Topic:
    plain = feature.title.split(" (follow-up ")[0]
    qualifier = ""
    for candidate in FEATURE_QUALIFIERS[1:]:
        if plain.endswith(candidate):
            plain, qualifier = plain.removesuffix(candidate), candidate
            break
    pattern, noun = meaning[plain]
    want, pain, tag = words.WANTS[pattern]
    if feature.stage in {F.RELEASED, F.MEASURED}:
        state = "shipped"
    elif feature.stage in {F.PLANNED, F.IN_PROGRESS}:
        state = "coming"
    else:
        state = "open"
    release = feature.target_release
    return Topic(
        feature_id=feature.pk,
        title=feature.title,
        noun=noun,
        want=want.format(obj=noun) + words.QUALIFIER_WANTS.get(qualifier, ""),
        pain=pain.format(obj=noun),
        tag=tag,
        area=feature.area.name if feature.area is not None else "",
        release=release.name if release is not None and state == "shipped" else "",
        state=state,
    )


def voice_of(demo: DemoProduct, features: list[Feature], rng: random.Random) -> Voice:
    meaning = {
        pattern.format(obj=noun): (pattern, noun)
        for pattern in FEATURE_TITLES
        for noun in demo.spec.nouns
    }
    topics = [_topic(feature, meaning) for feature in features]
    popularity = zipf(len(features), rng)
    weights = [STAGE_INTEREST[f.stage] * z for f, z in zip(features, popularity, strict=True)]
    emerging = [
        topic
        for topic, feature in zip(topics, features, strict=True)
        if feature.stage in {F.IDEA, F.CANDIDATE}
    ]
    rising = rng.sample(emerging, min(len(emerging), max(1, round(len(features) * 0.02))))
    areas = [area.name for area in demo.areas] or ["Settings"]
    pains = [
        Pain(
            area=rng.choice(areas), symptom=symptom.format(obj=rng.choice(demo.spec.nouns)), tag=tag
        )
        for symptom, tag in rng.sample(words.SYMPTOMS, PAIN_POINTS_PER_PRODUCT)
    ]
    lead = demo.lead.user
    team = [(lead.pk, lead.first_name)]
    team += [(m.user.pk, m.user.first_name) for m in demo.members if m.user.pk != lead.pk]
    return Voice(
        demo=demo,
        topics=topics,
        weights=cumulative(weights),
        rising=rising,
        pains=pains,
        pain_weights=cumulative(zipf(len(pains), rng)),
        rising_pains=rng.sample(pains, 1) if rng.random() < 0.6 else [],
        areas=areas,
        team=team,
    )


class Slots(dict):
    """The values of a sentence's slots; the random ones are drawn when first used."""

    DRAWS: dict[str, Callable[[random.Random], object]] = {
        "n": lambda rng: 2 + int(rng.random() * 11),
        "users": lambda rng: rng.choice((15, 40, 80, 120, 250, 600)),
        "month": lambda rng: rng.choice(words.MONTHS),
        "city": lambda rng: rng.choice(words.CITIES),
        "competitor": lambda rng: rng.choice(words.COMPETITORS),
        "years": lambda rng: 2 + int(rng.random() * 8),
        "day": lambda rng: rng.choice(words.DAYS),
        "role": lambda rng: rng.choice(words.CONTACT_ROLES),
    }

    def __init__(self, rng: random.Random, personas: Sequence[str]) -> None:
        super().__init__()
        self.rng, self.personas = rng, personas

    def __missing__(self, key: str) -> object:
        value = self.rng.choice(self.personas) if key == "persona" else self.DRAWS[key](self.rng)
        self[key] = value
        return value
