"""The demo's private growth records: assessments, growth plans and one-to-ones.

Assessments: most people on the PM ladder are assessed for each of the last two
half-years by their manager, against their level, with a rating and a short evidence
note per competency. Ratings vary by person (some strong, some struggling), by
competency (each has strengths) and by level (juniors are rated lower on strategy,
leadership and business acumen; managers higher on leadership), and improve a little
from one half to the next. The strongest are also assessed
against the next level (promotion readiness).

Growth plans: about half of the assessed people have an active plan agreed after their
last assessment, aimed at the next level, with goals on their weakest competencies and
monthly check-ins; some also have an older completed or stopped plan.

One-to-ones: the demo user's direct reports and a sample of everyone else meet their
manager every two weeks; each meeting has notes and a few action items.

Everything is private (core.permissions.can_view_private); the demo user, the CPO, sees
it all. Runs from its own random stream; rows are inserted in bulk (no change records).
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from dataclasses import dataclass, field

from pilothouse.demo import growth_phrases as words
from pilothouse.demo.clock import Clock, historic_timestamps
from pilothouse.demo.people import Member, Org
from pilothouse.demo.portfolio import Portfolio
from pilothouse.demo.private_people import Details
from pilothouse.demo.rows import Rows
from pilothouse.people.models import (
    ActionItem,
    Assessment,
    AssessmentRating,
    CareerLevel,
    CheckIn,
    Competency,
    GoalStatus,
    GrowthGoal,
    GrowthPlan,
    Level,
    OneOnOne,
    PlanStatus,
)

MODELS = (Assessment, AssessmentRating, GrowthPlan, GrowthGoal, CheckIn, OneOnOne, ActionItem)
# The level a person grows towards, on their track (a VP's growth is not a promotion).
NEXT_LEVEL = {
    Level.ASSOCIATE_PM: Level.PM,
    Level.PM: Level.SENIOR_PM,
    Level.SENIOR_PM: Level.PRINCIPAL_PM,
    Level.GROUP_PM: Level.DIRECTOR,
    Level.DIRECTOR: Level.VP,
}
# How each level tends to be rated against its own expectations, per competency.
PROFILES: dict[str, dict[str, float]] = {
    Level.ASSOCIATE_PM: {"strategy": -0.5, "leadership": -0.5, "business": -0.45, "delivery": 0.2},
    Level.PM: {"strategy": -0.2, "leadership": -0.25, "business": -0.2, "delivery": 0.1},
    Level.SENIOR_PM: {"strategy": 0.05, "analytics": 0.1},
    Level.PRINCIPAL_PM: {"strategy": 0.2, "leadership": -0.1, "discovery": 0.15},
    Level.GROUP_PM: {"leadership": 0.2, "ux": -0.15},
    Level.DIRECTOR: {"leadership": 0.25, "strategy": 0.15, "ux": -0.2, "analytics": -0.1},
    Level.VP: {"leadership": 0.3, "strategy": 0.25, "ux": -0.25, "delivery": -0.1},
}
ASSESSED_SHARE = 0.9  # of those eligible, per half-year
READINESS_AVERAGE = 3.4  # a latest average at least this high: assessed for the next level
PLAN_SHARE = 0.5
OLDER_PLAN_SHARE = 0.3  # of those with a plan
ONE_ON_ONE_SHARE = 0.3  # of the people with a manager (the demo user's reports: all)
ONE_ON_ONES = 6  # every two weeks over the last three months
# The leaf tables go in as tuples (demo.rows): these fields, then STAMPS.
STAMPS = ("version", "created_at", "updated_at", "created_by", "updated_by")
RATING_FIELDS = ("assessment", "competency", "rating", "evidence", *STAMPS)
CHECK_IN_FIELDS = ("plan", "held_on", "notes", *STAMPS)
ACTION_FIELDS = ("one_on_one", "text", "owner", "due", "done", *STAMPS)


@dataclass(frozen=True)
class Half:
    label: str  # "2026 H1"
    start: dt.date
    end: dt.date


@dataclass
class Subject:
    """A person whose growth records the demo writes, with their manager."""

    member: Member
    manager: Member
    topic: str  # their product, line or lines, for the notes
    talent: float = 0.0
    strengths: dict[str, float] = field(default_factory=dict)
    latest: Assessment | None = None
    ratings: dict[str, int] = field(default_factory=dict)  # of the latest assessment


@dataclass(frozen=True)
class GrowthSummary:
    assessments: int
    assessment_ratings: int
    growth_plans: int
    growth_goals: int
    check_ins: int
    one_on_ones: int
    action_items: int


def last_halves(today: dt.date) -> list[Half]:
    """The last two complete half-years before `today`, oldest first."""
    index = today.year * 2 + (today.month > 6)
    halves = []
    for back in (2, 1):
        year, second = divmod(index - back, 2)
        start = dt.date(year, 7 if second else 1, 1)
        end = dt.date(year, 12, 31) if second else dt.date(year, 6, 30)
        halves.append(Half(f"{year} H{second + 1}", start, end))
    return halves


def create_growth(
    *,
    org: Org,
    portfolio: Portfolio,
    details: Details,
    today: dt.date,
    seed: int,
    batch_size: int,
) -> GrowthSummary:
    rng = random.Random(f"growth-{seed}")
    clock = Clock(today=today, rng=rng)
    levels = {level.key: level for level in CareerLevel.objects.all()}
    competencies = list(Competency.objects.order_by("position", "pk"))
    subjects = _subjects(org, portfolio=portfolio, details=details, rng=rng, keys=competencies)
    peers = sorted({s.member.person.name.split()[0] for s in subjects})
    writer = _Writer(clock=clock, rng=rng, levels=levels, competencies=competencies, peers=peers)
    with historic_timestamps(MODELS):
        assessments, ratings = writer.assessments(
            subjects, halves=last_halves(today), reports_of=org.cpo, batch_size=batch_size
        )
        plans, goals, check_ins = writer.growth_plans(
            subjects, reports_of=org.cpo, batch_size=batch_size
        )
        meetings, actions = writer.one_on_ones(
            _one_on_one_people(subjects, org=org, rng=rng),
            batch_size=batch_size,
        )
    return GrowthSummary(
        assessments=assessments,
        assessment_ratings=ratings,
        growth_plans=plans,
        growth_goals=goals,
        check_ins=check_ins,
        one_on_ones=meetings,
        action_items=actions,
    )


def _subjects(
    org: Org,
    *,
    portfolio: Portfolio,
    details: Details,
    rng: random.Random,
    keys: Sequence[Competency],
) -> list[Subject]:
    """Everyone with a manager (the CPO has none here), with what their notes are about."""
    names = {demo.spec.key: demo.spec.name for demo in portfolio.products}
    members = {id(m.person): m for m in _members(org)}
    topics: dict[int, str] = {}
    for vp in org.vps:
        lines = [t.line.name for t in org.lines if t.director.person.manager is vp.person]
        topics[id(vp.person)] = " and ".join(lines[:2]) or "the portfolio"
    for team in org.lines:
        for member in [team.director, *team.group_pms, *team.contributors]:
            topics[id(member.person)] = team.line.name
        for key, pms in team.product_pms.items():
            for member in pms:
                topics[id(member.person)] = names.get(key, team.line.name)
    unannounced = {id(m.person) for m in details.unannounced}
    subjects = []
    for person_id, member in members.items():
        manager = member.person.manager
        if manager is None or person_id in unannounced:
            continue
        subjects.append(
            Subject(
                member=member,
                manager=members[id(manager)],
                topic=topics.get(person_id, "the portfolio"),
                talent=rng.gauss(0.05, 0.45),
                strengths={c.key: rng.gauss(0, 0.3) for c in keys},
            )
        )
    return subjects


def _members(org: Org) -> list[Member]:
    members = [org.cpo, *org.vps]
    for team in org.lines:
        members += [team.director, *team.group_pms, *team.contributors]
        members += [m for pms in team.product_pms.values() for m in pms]
    return members


def _one_on_one_people(
    subjects: Sequence[Subject], *, org: Org, rng: random.Random
) -> list[Subject]:
    return [
        subject
        for subject in subjects
        if subject.manager is org.cpo or rng.random() < ONE_ON_ONE_SHARE
    ]


class _Writer:
    def __init__(
        self,
        *,
        clock: Clock,
        rng: random.Random,
        levels: dict[str, CareerLevel],
        competencies: list[Competency],
        peers: list[str],
    ) -> None:
        self.clock, self.rng, self.peers = clock, rng, peers
        self.levels, self.competencies = levels, competencies
        self.today = clock.today

    def _stamps(self, day: dt.date, author: Member, touched: int = 0) -> dict:
        return {
            **self.clock.stamps(day, day + dt.timedelta(days=touched)),
            "created_by": author.user,
            "updated_by": author.user,
        }

    def _stamp_values(self, day: dt.date, author: Member) -> tuple:
        """STAMPS for a row inserted as a tuple (demo.rows)."""
        stamps = self.clock.stamps(day)
        return (1, stamps["created_at"], stamps["updated_at"], author.user.pk, author.user.pk)

    def _text(self, template: str, subject: Subject) -> str:
        peer = self.rng.choice(self.peers) if self.peers else "Sam"
        return template.format(product=subject.topic, peer=peer)

    # --- assessments -----------------------------------------------------------------------

    def assessments(
        self,
        subjects: Sequence[Subject],
        *,
        halves: Sequence[Half],
        reports_of: Member,
        batch_size: int,
    ) -> tuple[int, int]:
        assessments: list[Assessment] = []
        pending: list[tuple[Assessment, Subject, dict[str, int]]] = []
        for subject in subjects:
            level = subject.member.level
            if not level or level not in self.levels:
                continue  # designers, researchers, analysts: not on the PM ladder
            must = subject.manager is reports_of
            for index, half in enumerate(halves):
                started = subject.member.person.start_date
                if started > half.end - dt.timedelta(days=90):
                    continue  # too new to assess for that half
                if not must and self.rng.random() > ASSESSED_SHARE:
                    continue
                growth = 0.15 * index
                ratings = self._ratings(subject, level=level, shift=growth)
                assessment = self._assessment(subject, half=half, level=level, ratings=ratings)
                assessments.append(assessment)
                pending.append((assessment, subject, ratings))
                if index == len(halves) - 1:
                    subject.latest, subject.ratings = assessment, ratings
                    average = sum(ratings.values()) / len(ratings)
                    following = NEXT_LEVEL.get(level)
                    if average >= READINESS_AVERAGE and following in self.levels:
                        ready = self._ratings(subject, level=level, shift=growth - 0.7)
                        extra = self._assessment(
                            subject, half=half, level=following, ratings=ready, readiness=True
                        )
                        assessments.append(extra)
                        pending.append((extra, subject, ready))
        Assessment.objects.bulk_create(assessments, batch_size=batch_size)
        rows = Rows(AssessmentRating, RATING_FIELDS, own_ids=False)
        batch = []
        for assessment, subject, ratings in pending:
            stamps = (
                1,
                assessment.created_at,
                assessment.updated_at,
                assessment.created_by_id,
                assessment.updated_by_id,
            )
            for competency in self.competencies:
                rating = ratings[competency.key]
                band = 0 if rating <= 2 else rating - 2
                notes = words.EVIDENCE.get(competency.key, words.EVIDENCE["delivery"])[band]
                evidence = self._text(self.rng.choice(notes), subject)
                batch.append((assessment.pk, competency.pk, rating, evidence, *stamps))
        for start in range(0, len(batch), batch_size):
            rows.insert(batch[start : start + batch_size])
        return len(assessments), rows.count

    def _ratings(self, subject: Subject, *, level: str, shift: float) -> dict[str, int]:
        profile = PROFILES.get(level, {})
        ratings = {}
        for competency in self.competencies:
            score = (
                3
                + subject.talent
                + shift
                + profile.get(competency.key, 0.0)
                + subject.strengths.get(competency.key, 0.0)
                + self.rng.gauss(0, 0.4)
            )
            ratings[competency.key] = min(4, max(1, round(score)))
        return ratings

    def _assessment(
        self,
        subject: Subject,
        *,
        half: Half,
        level: str,
        ratings: dict[str, int],
        readiness: bool = False,
    ) -> Assessment:
        day = min(
            half.end + dt.timedelta(days=self.rng.randint(8, 40)), self.today - dt.timedelta(days=1)
        )
        names = {c.key: c.name.lower() for c in self.competencies}
        ordered = sorted(ratings, key=lambda key: (ratings[key], key))
        average = sum(ratings.values()) / len(ratings)
        if readiness:
            verdict = f"Readiness for {self.levels[level].name}: " + (
                "ready now." if average >= 3 else "not yet; about two halves away."
            )
        elif average >= 3.5:
            verdict = "Above the level overall."
        elif average >= 2.75:
            verdict = "Meets the level overall."
        else:
            verdict = "Below the level in several areas; a growth plan is agreed."
        summary = (
            f"{verdict} Strongest in **{names[ordered[-1]]}**; to develop: **{names[ordered[0]]}**."
        )
        return Assessment(
            person=subject.member.person,
            level=self.levels[level],
            period=half.label,
            assessed_on=day,
            assessor=subject.manager.person,
            summary=summary,
            **self._stamps(day, subject.manager, touched=self.rng.randint(0, 4)),
        )

    # --- growth plans ----------------------------------------------------------------------

    def growth_plans(
        self, subjects: Sequence[Subject], *, reports_of: Member, batch_size: int
    ) -> tuple[int, int, int]:
        assessed = [s for s in subjects if s.latest is not None]
        chosen = [s for s in assessed if self.rng.random() < PLAN_SHARE]
        leaders = [s for s in assessed if s.manager is reports_of]
        if leaders and not any(s.manager is reports_of for s in chosen):
            chosen.append(leaders[0])  # the demo user sees a plan of a direct report
        plans: list[tuple[GrowthPlan, Subject, list[str]]] = []
        for subject in chosen:
            focus = sorted(subject.ratings, key=lambda k: (subject.ratings[k], self.rng.random()))
            plans.append(self._plan(subject, focus=focus[: self.rng.randint(2, 3)], current=True))
            if self.rng.random() < OLDER_PLAN_SHARE:
                earlier = self.rng.sample(sorted(subject.ratings), 2)
                plans.append(self._plan(subject, focus=earlier, current=False))
        self._every_status([plan for plan, _s, _f in plans], PlanStatus, "status")
        GrowthPlan.objects.bulk_create([plan for plan, _s, _f in plans], batch_size=batch_size)
        goals: list[GrowthGoal] = []
        check_ins: list[tuple] = []
        for plan, subject, focus in plans:
            goals += self._goals(plan, subject, focus)
            check_ins += self._check_ins(plan, subject)
        self._every_status(goals, GoalStatus, "status")
        GrowthGoal.objects.bulk_create(goals, batch_size=batch_size)
        rows = Rows(CheckIn, CHECK_IN_FIELDS, own_ids=False)
        for start in range(0, len(check_ins), batch_size):
            rows.insert(
                [(plan.pk, *values) for plan, *values in check_ins[start : start + batch_size]]
            )
        return len(plans), len(goals), rows.count

    def _plan(
        self, subject: Subject, *, focus: list[str], current: bool
    ) -> tuple[GrowthPlan, Subject, list[str]]:
        names = {c.key: c.name.lower() for c in self.competencies}
        latest = subject.latest
        following = NEXT_LEVEL.get(subject.member.level)
        target = self.levels.get(following) if following else None
        if current:
            start = min(
                latest.assessed_on + dt.timedelta(days=self.rng.randint(5, 20)),
                self.today - dt.timedelta(days=10),
            )
            status = PlanStatus.ACTIVE
            title = f"Towards {target.name}" if target else f"Deepen {names[focus[0]]}"
        else:
            start = latest.assessed_on - dt.timedelta(days=self.rng.randint(330, 380))
            status = PlanStatus.COMPLETED if self.rng.random() < 0.7 else PlanStatus.STOPPED
            title = f"Strengthen {' and '.join(names[key] for key in focus)}"
            target = None
        kind = "earlier" if not current else "next_level" if target else "focus"
        template = words.PLAN_SUMMARIES[kind]
        summary = template.format(
            period=latest.period, focus=", ".join(names[key] for key in focus) or "delivery"
        )
        plan = GrowthPlan(
            person=subject.member.person,
            title=title,
            target_level=target,
            start=start,
            end=start + dt.timedelta(days=180),
            status=status,
            summary=summary,
            **self._stamps(start, subject.manager, touched=self.rng.randint(0, 30)),
        )
        return plan, subject, focus

    def _goals(self, plan: GrowthPlan, subject: Subject, focus: list[str]) -> list[GrowthGoal]:
        competencies = {c.key: c for c in self.competencies}
        goals = []
        for key in focus or ["delivery"]:
            due = plan.start + dt.timedelta(days=self.rng.randint(60, 175))
            if plan.status == PlanStatus.COMPLETED:
                status = GoalStatus.DONE
            elif plan.status == PlanStatus.STOPPED:
                status = self.rng.choice([GoalStatus.DONE, GoalStatus.DROPPED])
            elif due < self.today:
                status = self.rng.choices(
                    [GoalStatus.DONE, GoalStatus.IN_PROGRESS, GoalStatus.DROPPED], [7, 2, 1]
                )[0]
            else:
                status = self.rng.choices([GoalStatus.IN_PROGRESS, GoalStatus.NOT_STARTED], [6, 4])[
                    0
                ]
            text = self.rng.choice(words.GOALS.get(key, words.GOALS["delivery"]))
            goals.append(
                GrowthGoal(
                    plan=plan,
                    competency=competencies.get(key),
                    description=self._text(text, subject),
                    status=status,
                    due=due,
                    **self._stamps(plan.start, subject.manager, touched=self.rng.randint(0, 40)),
                )
            )
        return goals

    def _check_ins(self, plan: GrowthPlan, subject: Subject) -> list[tuple]:
        """Monthly check-ins (the plan, then CHECK_IN_FIELDS but the first): the plan's id
        is known once it is saved."""
        rows = []
        last = min(plan.end, self.today - dt.timedelta(days=2))
        day = plan.start + dt.timedelta(days=self.rng.randint(21, 35))
        while day <= last:
            author = subject.member if self.rng.random() < 0.5 else subject.manager
            notes = self._text(self.rng.choice(words.CHECK_INS), subject)
            rows.append((plan, day, notes, *self._stamp_values(day, author)))
            day += dt.timedelta(days=self.rng.randint(26, 36))
        return rows

    def _every_status(self, rows: list, choices, name: str) -> None:
        """Make sure every status shows (the last rows take the missing ones), so that a
        small organization still shows each."""
        present = {getattr(row, name) for row in rows}
        missing = [value for value in choices.values if value not in present]
        for row, value in zip(reversed(rows), missing, strict=False):
            setattr(row, name, value)

    # --- one-to-ones -------------------------------------------------------------------------

    def one_on_ones(self, subjects: Sequence[Subject], *, batch_size: int) -> tuple[int, int]:
        meetings: list[tuple[OneOnOne, Subject]] = []
        for subject in subjects:
            started = subject.member.person.start_date
            for index in range(ONE_ON_ONES):
                day = self.today - dt.timedelta(days=5 + 14 * index + self.rng.randint(-2, 2))
                day -= dt.timedelta(days=max(0, day.weekday() - 4))  # on a weekday
                if day < started:
                    break
                topics = self.rng.sample(words.ONE_ON_ONE_TOPICS, 2)
                notes = "\n".join(f"- {self._text(topic, subject)}" for topic in topics)
                meetings.append(
                    (
                        OneOnOne(
                            person=subject.member.person,
                            with_person=subject.manager.person,
                            held_on=day,
                            notes=notes,
                            **self._stamps(day, subject.manager, touched=self.rng.randint(0, 2)),
                        ),
                        subject,
                    )
                )
        OneOnOne.objects.bulk_create([meeting for meeting, _s in meetings], batch_size=batch_size)
        rows = Rows(ActionItem, ACTION_FIELDS, own_ids=False)
        batch = []
        for meeting, subject in meetings:
            for _ in range(self.rng.choice((0, 1, 1, 2, 2, 3))):
                due = meeting.held_on + dt.timedelta(days=self.rng.randint(5, 14))
                owner = subject.member if self.rng.random() < 0.7 else subject.manager
                text = self._text(self.rng.choice(words.ACTIONS), subject)
                done = due < self.today and self.rng.random() < 0.8
                stamps = self._stamp_values(meeting.held_on, subject.manager)
                batch.append((meeting.pk, text, owner.person.pk, due, done, *stamps))
            if len(batch) >= batch_size:
                rows.insert(batch)
                batch = []
        rows.insert(batch)
        return len(meetings), rows.count
