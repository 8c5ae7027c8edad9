"""Promotion readiness: how a person's latest assessment stands against the expectations
of the next level on their track, as a verdict (ready, nearly, not yet) and the
competencies holding it back, in words.

The latest assessment may be against the next level (the usual promotion case review)
or against the person's own level. Against the next level, "meets" or "exceeds" is at
the bar, "partly meets" a step short, "below" further. Against their own level,
"exceeds" counts as at the next level's bar, "meets" a step short (doing the job, not
yet the next one), anything less further. A competency the next level expects that the
assessment does not rate is a step short. `evaluate` holds the rule (no database);
`readiness_of` reads what it needs for any number of people in a fixed number of queries.

Readiness comes from assessments, so it is private like them: callers show it only for
people whose private data the user may see.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.db.models import OuterRef, Subquery

from pilothouse.people.models import (
    Assessment,
    CareerLevel,
    Competency,
    Expectation,
    Person,
    Rating,
)

READY = "ready"
NEARLY = "nearly"
NOT_YET = "not_yet"
UNKNOWN = "unknown"  # no verdict: no level, the top of the track, no usable assessment
VERDICT_LABELS = {
    READY: "Ready",
    NEARLY: "Nearly ready",
    NOT_YET: "Not yet",
    UNKNOWN: "No verdict",
}
VERDICT_ORDER = (READY, NEARLY, NOT_YET, UNKNOWN)
# "Nearly": no competency further than a step short, and at most this many a step short.
NEARLY_SHORT = 2


@dataclass(frozen=True)
class LevelRef:
    id: int
    key: str
    name: str
    track: str
    rank: int


@dataclass(frozen=True)
class CompetencyRef:
    id: int
    name: str
    position: int


@dataclass(frozen=True)
class AssessmentRef:
    id: int
    period: str
    level: LevelRef
    ratings: dict[int, int]  # competency id -> Rating value


@dataclass(frozen=True)
class Gap:
    competency: CompetencyRef
    far: bool  # more than a step short
    reason: str  # e.g. "partly meets the Senior PM expectation"

    @property
    def text(self) -> str:
        return f"{self.competency.name} ({self.reason})"


@dataclass(frozen=True)
class Readiness:
    verdict: str
    sentence: str
    next_level: LevelRef | None = None
    assessment: AssessmentRef | None = None
    gaps: list[Gap] = field(default_factory=list)

    @property
    def label(self) -> str:
        return VERDICT_LABELS[self.verdict]


def next_level(current: LevelRef, levels: Iterable[LevelRef]) -> LevelRef | None:
    """The lowest level above `current` on the same track."""
    above = [
        level for level in levels if level.track == current.track and level.rank > current.rank
    ]
    return min(above, key=lambda level: (level.rank, level.name), default=None)


_AGAINST = {
    Rating.BELOW: "below the {level} expectation",
    Rating.PARTLY: "partly meets the {level} expectation",
    Rating.MEETS: "meets the {level} expectation",
    Rating.EXCEEDS: "exceeds the {level} expectation",
}


def _against(rating: int, level: LevelRef) -> str:
    return _AGAINST[Rating(rating)].format(level=level.name)


def _standing(
    *, rating: int | None, assessment: AssessmentRef, target: LevelRef
) -> tuple[int, str]:
    """0 at the target's bar, 1 a step short, 2 further; with the reason in words."""
    against = assessment.level
    if rating is None:
        return 1, f"not rated in the {assessment.period} assessment"
    if against.rank >= target.rank:
        if rating >= Rating.MEETS:
            return 0, _against(rating, against)
        return (1 if rating == Rating.PARTLY else 2), _against(rating, against)
    if rating == Rating.EXCEEDS:
        return 0, _against(rating, against)
    if rating == Rating.MEETS:
        return 1, f"{_against(rating, against)}, not yet shown at {target.name}"
    return 2, _against(rating, against)


def _joined(texts: Sequence[str]) -> str:
    if len(texts) == 1:
        return texts[0]
    return ", ".join(texts[:-1]) + " and " + texts[-1]


def _names(gaps: Sequence[Gap]) -> str:
    """The gaps in words, those with the same reason named together so that a person
    short in seven competencies for one reason reads as one clause, not seven."""
    groups: dict[str, list[str]] = {}
    for gap in gaps:
        groups.setdefault(gap.reason, []).append(gap.competency.name)
    return _joined(
        [
            f"{names[0]} ({reason})" if len(names) == 1 else f"{_joined(names)} (each {reason})"
            for reason, names in groups.items()
        ]
    )


def evaluate(
    *,
    current: LevelRef | None,
    levels: Sequence[LevelRef],
    assessment: AssessmentRef | None,
    expected: Sequence[CompetencyRef],
) -> Readiness:
    """The verdict for someone at `current`, from their latest `assessment`, against the
    competencies the next level `expected`s (those with an expectation there)."""
    if current is None:
        return Readiness(UNKNOWN, "No level is set, so there is no next level to be ready for.")
    target = next_level(current, levels)
    if target is None:
        track = "manager" if current.track == "manager" else "individual-contributor"
        return Readiness(UNKNOWN, f"{current.name} is the top of the {track} track.")
    if assessment is None:
        return Readiness(
            UNKNOWN,
            f"No assessment yet: assess against {current.name} or {target.name} to see readiness.",
            next_level=target,
        )
    if assessment.level.rank < current.rank:
        return Readiness(
            UNKNOWN,
            f"The latest assessment ({assessment.period}) is against {assessment.level.name}, "
            f"below {current.name}: assess against {current.name} or {target.name}.",
            next_level=target,
            assessment=assessment,
        )
    gaps = []
    for competency in sorted(expected, key=lambda c: (c.position, c.name)):
        step, reason = _standing(
            rating=assessment.ratings.get(competency.id), assessment=assessment, target=target
        )
        if step:
            gaps.append(Gap(competency=competency, far=step > 1, reason=reason))
    gaps.sort(key=lambda gap: (not gap.far, gap.competency.position, gap.competency.name))
    source = f"by the {assessment.period} assessment against {assessment.level.name}"
    if not gaps:
        count = len(expected)
        sentence = (
            f"Ready for {target.name}: at the {target.name} bar in all {count} "
            f"competenc{'y' if count == 1 else 'ies'}, {source}."
        )
        verdict = READY
    elif not any(gap.far for gap in gaps) and len(gaps) <= NEARLY_SHORT:
        sentence = f"Nearly ready for {target.name}, {source}: held back by {_names(gaps)}."
        verdict = NEARLY
    else:
        sentence = f"Not yet ready for {target.name}, {source}: held back by {_names(gaps)}."
        verdict = NOT_YET
    return Readiness(verdict, sentence, next_level=target, assessment=assessment, gaps=gaps)


def readiness_of(people: Sequence[Person]) -> dict[int, Readiness]:
    """Each person's readiness (by Person id), in five queries however many people."""
    levels = [
        LevelRef(id=pk, key=key, name=name, track=track, rank=rank)
        for pk, key, name, track, rank in CareerLevel.objects.values_list(
            "id", "key", "name", "track", "rank"
        )
    ]
    level_by_id = {level.id: level for level in levels}
    level_by_key = {level.key: level for level in levels}
    competencies = {
        pk: CompetencyRef(id=pk, name=name, position=position)
        for pk, name, position in Competency.objects.values_list("id", "name", "position")
    }
    expected: dict[int, list[CompetencyRef]] = {}
    for level_id, competency_id in Expectation.objects.values_list("level_id", "competency_id"):
        expected.setdefault(level_id, []).append(competencies[competency_id])

    latest = (
        Assessment.objects.filter(person=OuterRef("pk"))
        .order_by("-assessed_on", "-id")
        .values("pk")
    )
    latest_of = dict(
        Person.objects.filter(pk__in=[p.pk for p in people])
        .annotate(latest=Subquery(latest[:1]))
        .values_list("pk", "latest")
    )
    ratings: dict[int, dict[int, int]] = {}
    details: dict[int, tuple[str, int]] = {}
    wanted = {pk for pk in latest_of.values() if pk is not None}
    for assessment_id, period, level_id, competency_id, rating in (
        Assessment.objects.filter(pk__in=wanted)
        .values_list("id", "period", "level_id", "ratings__competency_id", "ratings__rating")
        .order_by()
    ):
        details[assessment_id] = (period, level_id)
        if competency_id is not None:
            ratings.setdefault(assessment_id, {})[competency_id] = rating

    result = {}
    for person in people:
        current = level_by_key.get(person.level_id) if person.level_id else None
        assessment = None
        assessment_id = latest_of.get(person.pk)
        if assessment_id in details:
            period, level_id = details[assessment_id]
            assessment = AssessmentRef(
                id=assessment_id,
                period=period,
                level=level_by_id[level_id],
                ratings=ratings.get(assessment_id, {}),
            )
        target = next_level(current, levels) if current else None
        wanted_competencies = (
            expected.get(target.id) or list(competencies.values()) if target else []
        )
        result[person.pk] = evaluate(
            current=current, levels=levels, assessment=assessment, expected=wanted_competencies
        )
    return result
