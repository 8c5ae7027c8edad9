"""The reads of a person's page, in a fixed number of queries whatever the size of the
organization and however many records the person has.

One read of the reporting lines gives whom the reader may list (people.privacy), the
person's management chain and their direct reports. The private records (read only after
the page has asked core.permissions.can_view_private) come one query per table, with the
figures the page shows of the older ones (a count of ratings, the latest check-in, the
number of one-to-ones) computed in the same queries, and the promotion readiness is
evaluated (people.readiness.evaluate) from the assessment already read.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from django.db.models import (
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Window,
)
from django.db.models.functions import Coalesce

from pilothouse.core.models import User
from pilothouse.people import privacy, readiness
from pilothouse.people.models import (
    ActionItem,
    Assessment,
    AssessmentRating,
    CareerLevel,
    CheckIn,
    Competency,
    Expectation,
    GrowthGoal,
    GrowthPlan,
    OneOnOne,
    Person,
)
from pilothouse.people.selectors import person_list

# The page shows the latest one-to-ones, this many at most (the total says the rest).
ONE_ON_ONES_SHOWN = 25


class Someone(NamedTuple):
    """A person in the reporting lines, as the page names them (the chain, the reports)."""

    pk: int
    manager_id: int | None
    user_id: int | None
    name: str
    job_title: str
    private: bool


@dataclass(frozen=True)
class Around:
    person: Person
    visible: set[int] | None  # people.privacy.visible_person_ids of the reader
    chain: list[Someone]  # the managers the reader may list, nearest first
    reports: list[Someone]  # the direct reports the reader may list, by name


def person_around(*, pk: int, user: User | None) -> Around:
    """The person if `user` may list them (Person.DoesNotExist otherwise), with their
    chain and reports as `user` may see them. Two queries."""
    rows = [
        Someone(*row)
        for row in Person.objects.order_by("name", "id").values_list(
            "id", "manager_id", "user_id", "name", "job_title", "private"
        )
    ]
    visible = privacy.visible_in(((row.pk, row.manager_id, row.user_id) for row in rows), user)
    person = person_list().get(pk=pk)
    if not privacy.is_listed(visible, person):
        raise Person.DoesNotExist("No such person.")
    by_id = {row.pk: row for row in rows}
    chain: list[Someone] = []
    seen: set[int] = {person.pk}
    current = person.manager_id
    # The model refuses cycles, but a chain read while being edited must still end.
    while current is not None and current not in seen and current in by_id:
        seen.add(current)
        if privacy.is_listed(visible, by_id[current]):
            chain.append(by_id[current])
        current = by_id[current].manager_id
    reports = [
        row for row in rows if row.manager_id == person.pk and privacy.is_listed(visible, row)
    ]
    return Around(person=person, visible=visible, chain=chain, reports=reports)


# --- Private records: the caller has checked core.permissions.can_view_private ----------


@dataclass(frozen=True)
class PrivateRecords:
    assessments: list[Assessment]  # newest first, each with `rating_count`
    latest_ratings: list[AssessmentRating]  # of the newest assessment
    growth_plans: list[GrowthPlan]  # with goals, `check_in_count` and the latest check-in
    one_on_ones: list[OneOnOne]  # the latest ONE_ON_ONES_SHOWN, with their action items
    one_on_ones_total: int
    readiness: readiness.Readiness


def private_records(*, person: Person) -> PrivateRecords:
    """The person's private records as their page shows them. Eight queries at most."""
    assessments = list(
        Assessment.objects.filter(person=person)
        .select_related("level", "assessor")
        .annotate(rating_count=Count("ratings"))
        .order_by("-assessed_on", "-id")
    )
    latest = assessments[0] if assessments else None
    latest_ratings = (
        list(
            AssessmentRating.objects.filter(assessment=latest)
            .select_related("competency")
            .order_by("competency__position", "competency__name", "id")
        )
        if latest is not None
        else []
    )
    check_ins = CheckIn.objects.filter(plan=OuterRef("pk")).order_by("-held_on", "-id")
    check_in_count = (
        CheckIn.objects.filter(plan=OuterRef("pk"))
        .order_by()
        .values("plan")
        .annotate(n=Count("pk"))
        .values("n")
    )
    plans = list(
        GrowthPlan.objects.filter(person=person)
        .select_related("target_level")
        .prefetch_related(
            Prefetch(
                "goals",
                queryset=GrowthGoal.objects.select_related("competency").order_by("due", "id"),
            )
        )
        .annotate(
            check_in_count=Coalesce(Subquery(check_in_count, output_field=IntegerField()), 0),
            latest_check_in_on=Subquery(check_ins.values("held_on")[:1]),
            latest_check_in_notes=Subquery(check_ins.values("notes")[:1]),
        )
        .order_by("-start", "-id")
    )
    meetings = list(
        OneOnOne.objects.filter(Q(person=person) | Q(with_person=person))
        .select_related("person", "with_person")
        .prefetch_related(
            Prefetch(
                "actions",
                queryset=ActionItem.objects.select_related("owner").order_by("done", "due", "id"),
            )
        )
        # The number of them all, computed before the slice: no count query.
        .annotate(total=Window(Count("pk")))
        .order_by("-held_on", "-id")[:ONE_ON_ONES_SHOWN]
    )
    return PrivateRecords(
        assessments=assessments,
        latest_ratings=latest_ratings,
        growth_plans=plans,
        one_on_ones=meetings,
        one_on_ones_total=meetings[0].total if meetings else 0,
        readiness=readiness_from(person=person, latest=latest, ratings=latest_ratings),
    )


def readiness_from(
    *, person: Person, latest: Assessment | None, ratings: list[AssessmentRating]
) -> readiness.Readiness:
    """The person's promotion readiness (as people.readiness.readiness_of finds it) from
    their latest assessment and its ratings, already read: two queries (the ladder's
    levels, and the competencies with whether the next level expects them)."""
    levels = [
        readiness.LevelRef(id=pk, key=key, name=name, track=track, rank=rank)
        for pk, key, name, track, rank in CareerLevel.objects.values_list(
            "id", "key", "name", "track", "rank"
        )
    ]
    by_key = {level.key: level for level in levels}
    by_id = {level.id: level for level in levels}
    current = by_key.get(person.level_id) if person.level_id else None
    target = readiness.next_level(current, levels) if current is not None else None
    expected: list[readiness.CompetencyRef] = []
    if target is not None:
        wanted = Expectation.objects.filter(level_id=target.id, competency=OuterRef("pk"))
        competencies = [
            (readiness.CompetencyRef(id=pk, name=name, position=position), is_expected)
            for pk, name, position, is_expected in Competency.objects.annotate(
                is_expected=Exists(wanted)
            ).values_list("id", "name", "position", "is_expected")
        ]
        # A level without expectations is held to every competency.
        expected = [ref for ref, is_expected in competencies if is_expected] or [
            ref for ref, _ in competencies
        ]
    assessment = None
    if latest is not None and latest.level_id in by_id:
        assessment = readiness.AssessmentRef(
            id=latest.pk,
            period=latest.period,
            level=by_id[latest.level_id],
            ratings={rating.competency_id: rating.rating for rating in ratings},
        )
    return readiness.evaluate(
        current=current, levels=levels, assessment=assessment, expected=expected
    )
