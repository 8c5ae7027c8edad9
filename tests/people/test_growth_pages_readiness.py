"""Promotion readiness: the rule (hand-built levels and assessments) and the reading of
it for many people at once, shown on the person page and the readiness list."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from pilothouse.people import readiness, services
from pilothouse.people.models import CareerLevel, Competency, Rating
from pilothouse.people.readiness import (
    NEARLY,
    NEARLY_SHORT,
    NOT_YET,
    READY,
    UNKNOWN,
    AssessmentRef,
    CompetencyRef,
    LevelRef,
    evaluate,
    next_level,
)
from tests.factories import PersonFactory
from tests.web.helpers import count_queries

PM = LevelRef(id=1, key="pm", name="PM", track="ic", rank=2)
SENIOR = LevelRef(id=2, key="senior", name="Senior PM", track="ic", rank=3)
PRINCIPAL = LevelRef(id=3, key="principal", name="Principal PM", track="ic", rank=4)
GROUP = LevelRef(id=4, key="group", name="Group PM", track="manager", rank=4)
DIRECTOR = LevelRef(id=5, key="director", name="Director", track="manager", rank=5)
LEVELS = [PM, SENIOR, PRINCIPAL, GROUP, DIRECTOR]
DISCOVERY = CompetencyRef(id=10, name="Discovery", position=0)
DELIVERY = CompetencyRef(id=11, name="Delivery", position=1)
STRATEGY = CompetencyRef(id=12, name="Strategy", position=2)
ANALYTICS = CompetencyRef(id=13, name="Analytics", position=3)
ALL = [DISCOVERY, DELIVERY, STRATEGY, ANALYTICS]


def _assessed(level: LevelRef, **ratings: int) -> AssessmentRef:
    by_name = {c.name.lower(): c.id for c in ALL}
    return AssessmentRef(
        id=1,
        period="2026 H1",
        level=level,
        ratings={by_name[name]: value for name, value in ratings.items()},
    )


def _verdict(current, assessment, expected=ALL):
    return evaluate(current=current, levels=LEVELS, assessment=assessment, expected=expected)


def test_the_next_level_is_on_the_same_track():
    assert next_level(PM, LEVELS) == SENIOR
    assert next_level(SENIOR, LEVELS) == PRINCIPAL
    assert next_level(PRINCIPAL, LEVELS) is None  # not the group PM of the other track
    assert next_level(GROUP, LEVELS) == DIRECTOR


def test_meeting_every_expectation_of_the_next_level_is_ready():
    result = _verdict(PM, _assessed(SENIOR, discovery=3, delivery=4, strategy=3, analytics=3))
    assert result.verdict == READY
    assert result.next_level == SENIOR
    assert result.gaps == []
    assert result.sentence == (
        "Ready for Senior PM: at the Senior PM bar in all 4 competencies, by the 2026 H1 "
        "assessment against Senior PM."
    )


def test_a_step_short_in_a_few_competencies_is_nearly_and_names_them():
    result = _verdict(PM, _assessed(SENIOR, discovery=3, delivery=2, strategy=3, analytics=3))
    assert result.verdict == NEARLY
    assert [gap.competency for gap in result.gaps] == [DELIVERY]
    assert result.sentence == (
        "Nearly ready for Senior PM, by the 2026 H1 assessment against Senior PM: held back "
        "by Delivery (partly meets the Senior PM expectation)."
    )


def test_more_than_a_few_steps_short_or_one_far_off_is_not_yet():
    partly = dict.fromkeys(["discovery", "delivery", "strategy"], Rating.PARTLY)
    many = _verdict(PM, _assessed(SENIOR, analytics=3, **partly))
    assert NEARLY_SHORT < 3
    assert many.verdict == NOT_YET
    below = _verdict(PM, _assessed(SENIOR, discovery=4, delivery=4, strategy=1, analytics=4))
    assert below.verdict == NOT_YET
    assert below.sentence.endswith("held back by Strategy (below the Senior PM expectation).")


def test_against_their_own_level_exceeding_counts_as_the_next_bar():
    ready = _verdict(PM, _assessed(PM, discovery=4, delivery=4, strategy=4, analytics=4))
    assert ready.verdict == READY
    nearly = _verdict(PM, _assessed(PM, discovery=4, delivery=4, strategy=3, analytics=4))
    assert nearly.verdict == NEARLY
    assert nearly.gaps[0].reason == "meets the PM expectation, not yet shown at Senior PM"
    not_yet = _verdict(PM, _assessed(PM, discovery=4, delivery=2, strategy=4, analytics=4))
    assert not_yet.verdict == NOT_YET


def test_far_gaps_are_named_first_and_unrated_competencies_hold_back():
    result = _verdict(PM, _assessed(SENIOR, discovery=2, strategy=1, analytics=3))
    assert [gap.competency.name for gap in result.gaps] == ["Strategy", "Discovery", "Delivery"]
    assert result.gaps[2].reason == "not rated in the 2026 H1 assessment"
    assert result.sentence.endswith(
        "held back by Strategy (below the Senior PM expectation), Discovery (partly meets "
        "the Senior PM expectation) and Delivery (not rated in the 2026 H1 assessment)."
    )


def test_gaps_for_the_same_reason_are_named_together():
    result = _verdict(PM, _assessed(PM, discovery=3, delivery=3, strategy=1, analytics=3))
    assert result.verdict == NOT_YET
    assert result.sentence.endswith(
        "held back by Strategy (below the PM expectation) and Discovery, Delivery and "
        "Analytics (each meets the PM expectation, not yet shown at Senior PM)."
    )


def test_only_the_competencies_the_next_level_expects_count():
    result = _verdict(PM, _assessed(SENIOR, discovery=3, delivery=1), expected=[DISCOVERY])
    assert result.verdict == READY


@pytest.mark.parametrize(
    ("current", "assessment", "words"),
    [
        (None, None, "No level is set"),
        (PRINCIPAL, None, "Principal PM is the top of the individual-contributor track."),
        (DIRECTOR, None, "Director is the top of the manager track."),
        (PM, None, "No assessment yet: assess against PM or Senior PM"),
        (SENIOR, "stale", "is against PM, below Senior PM"),
    ],
)
def test_no_verdict_says_why(current, assessment, words):
    if assessment == "stale":
        assessment = _assessed(PM, discovery=4, delivery=4, strategy=4, analytics=4)
    result = _verdict(current, assessment)
    assert result.verdict == UNKNOWN
    assert words in result.sentence


# --- Read from the database --------------------------------------------------------------


def _assess(person, *, level_key: str, rating: int, period: str, on: dt.date, skip=()):
    assessment = services.assessment.create(
        actor=None,
        data={
            "person": person,
            "level": CareerLevel.objects.get(key=level_key),
            "period": period,
            "assessed_on": on,
        },
    )
    for competency in Competency.objects.exclude(key__in=skip):
        services.assessment_rating.create(
            actor=None,
            data={"assessment": assessment, "competency": competency, "rating": rating},
        )
    return assessment


def test_readiness_reads_the_latest_assessment_against_the_default_ladder(db):
    pia = PersonFactory(name="Pia", level_id="pm")
    _assess(pia, level_key="pm", rating=Rating.BELOW, period="2025 H2", on=dt.date(2025, 12, 1))
    _assess(
        pia,
        level_key="senior_pm",
        rating=Rating.MEETS,
        period="2026 H1",
        on=dt.date(2026, 6, 1),
        skip=["ux"],
    )
    cpo = PersonFactory(name="Cy", level_id="cpo")
    nobody = PersonFactory(name="Nobody")
    found = readiness.readiness_of([pia, cpo, nobody])
    assert found[pia.pk].verdict == NEARLY
    assert found[pia.pk].next_level.key == "senior_pm"
    assert [gap.competency.name for gap in found[pia.pk].gaps] == ["User experience"]
    assert found[cpo.pk].verdict == UNKNOWN
    assert "top of the manager track" in found[cpo.pk].sentence
    assert found[nobody.pk].verdict == UNKNOWN


def test_readiness_reads_any_number_of_people_in_five_queries(db):
    people = [PersonFactory(level_id="pm") for _ in range(3)]
    for person in people:
        _assess(person, level_key="pm", rating=4, period="P", on=dt.date(2026, 1, 1))
    assert count_queries(lambda: readiness.readiness_of(people)) == 5
    more = people + [PersonFactory(level_id="senior_pm") for _ in range(20)]
    assert count_queries(lambda: readiness.readiness_of(more)) == 5
    assert {r.verdict for r in readiness.readiness_of(people).values()} == {READY}


def test_the_person_page_and_the_list_show_the_verdict(client, leader, db):
    pia = PersonFactory(name="Pia", level_id="pm")
    _assess(pia, level_key="pm", rating=Rating.EXCEEDS, period="2026 H1", on=dt.date(2026, 6, 1))
    PersonFactory(name="Quinn", level_id="pm")
    client.force_login(leader)
    page = client.get(reverse("people:person_detail", args=[pia.pk])).content.decode()
    assert "Ready for Senior PM" in page
    listing = client.get(reverse("people:readiness"))
    rows = [(person.name, result.verdict) for person, result in listing.context["rows"]]
    assert rows == [("Pia", READY), ("Quinn", UNKNOWN)]
    only_ready = client.get(reverse("people:readiness"), {"verdict": READY}).context["rows"]
    assert [person.name for person, _ in only_ready] == ["Pia"]
