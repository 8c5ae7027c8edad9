"""The pages of private growth records: assessments (and their ratings), growth plans
(goals, check-ins), one-to-ones (action items), and the promotion-readiness list.

Every record is private (core.permissions.can_view_private): a page of a record the
reader may not see answers 404, as if it did not exist. The forms go through
core.editing and the services, which decide who may write: a person's managers, product
leaders and admins; the person too for their growth plans and one-to-ones.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Model
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from pilothouse.core import permissions
from pilothouse.core import selectors as core_selectors
from pilothouse.core.editing import EditPages, apply_validation_error
from pilothouse.core.errors import ConflictError
from pilothouse.people import privacy, readiness, selectors, services
from pilothouse.people.assessment_ratings import rate
from pilothouse.people.forms import (
    ActionItemForm,
    AssessmentForm,
    CheckInForm,
    GrowthGoalForm,
    GrowthPlanForm,
    OneOnOneForm,
    RatingsForm,
    ReadinessFilterForm,
)
from pilothouse.people.models import (
    ActionItem,
    Assessment,
    CheckIn,
    Competency,
    Expectation,
    GrowthGoal,
    GrowthPlan,
    OneOnOne,
    Person,
)


def _assessment_url(assessment: Assessment) -> str:
    return reverse("people:assessment_detail", args=[assessment.pk])


def _plan_url(plan: GrowthPlan) -> str:
    return reverse("people:growth_plan_detail", args=[plan.pk])


def _of_plan(record: GrowthGoal | CheckIn) -> str:
    return reverse("people:growth_plan_detail", args=[record.plan_id])


def _one_on_one_url(meeting: OneOnOne) -> str:
    return reverse("people:one_on_one_detail", args=[meeting.pk])


def _of_one_on_one(item: ActionItem) -> str:
    return reverse("people:one_on_one_detail", args=[item.one_on_one_id])


def _person_url(person_id: int) -> str:
    return reverse("people:person_detail", args=[person_id])


assessment_pages = EditPages(
    form_class=AssessmentForm, writes=services.assessment, detail_url=_assessment_url
)
plan_pages = EditPages(form_class=GrowthPlanForm, writes=services.growth_plan, detail_url=_plan_url)
goal_pages = EditPages(form_class=GrowthGoalForm, writes=services.growth_goal, detail_url=_of_plan)
check_in_pages = EditPages(form_class=CheckInForm, writes=services.check_in, detail_url=_of_plan)
one_on_one_pages = EditPages(
    form_class=OneOnOneForm, writes=services.one_on_one, detail_url=_one_on_one_url
)
action_pages = EditPages(
    form_class=ActionItemForm, writes=services.action_item, detail_url=_of_one_on_one
)


def _visible(request: HttpRequest, record: Model) -> Model:
    if not permissions.can_view_private(request.user, record):
        raise Http404("Not found.")
    return record


def _get(request: HttpRequest, model: type[Model], pk: int, **related: str) -> Model:
    try:
        record = model.objects.select_related(*related.values()).get(pk=pk)
    except model.DoesNotExist as exc:
        raise Http404("Not found.") from exc
    return _visible(request, record)


def _subject(request: HttpRequest, pk: int) -> Person:
    """The person a new record is for: one the reader may see the private data of."""
    try:
        person = privacy.listed_people(Person.objects.all(), request.user).get(pk=pk)
    except Person.DoesNotExist as exc:
        raise Http404("No such person.") from exc
    return _visible(request, person)


# --- Assessments -------------------------------------------------------------------------


def assessment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        assessment = _visible(request, selectors.assessment_detail(pk=pk))
    except Assessment.DoesNotExist as exc:
        raise Http404("Not found.") from exc
    expectations = dict(
        Expectation.objects.filter(level_id=assessment.level_id).values_list(
            "competency_id", "text"
        )
    )
    rated = {rating.competency_id for rating in assessment.ratings.all()}
    unrated = [c for c in Competency.objects.order_by("position", "name") if c.pk not in rated]
    context = {
        "section": "people",
        "assessment": assessment,
        "person": assessment.person,
        "ratings": [(r, expectations.get(r.competency_id, "")) for r in assessment.ratings.all()],
        "unrated": unrated,
        "can_edit": permissions.can_change(request.user, assessment),
        "history": core_selectors.object_history_described(
            instance=assessment, viewer=request.user
        ),
    }
    return render(request, "people/assessment_detail.html", context)


def assessment_create(request: HttpRequest, pk: int) -> HttpResponse:
    person = _subject(request, pk)
    initial = {"level": person.level_id, "assessed_on": timezone.localdate()}
    assessor = getattr(request.user, "person", None)
    if assessor is not None and assessor.pk != person.pk:
        initial["assessor"] = assessor.pk
    return assessment_pages.create(
        request,
        cancel_url=_person_url(person.pk),
        fixed={"person": person},
        initial=initial,
        title=f"New assessment of {person.name}",
    )


def assessment_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return assessment_pages.edit(request, _get(request, Assessment, pk, person="person"))


def assessment_delete(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = _get(request, Assessment, pk, person="person")
    return assessment_pages.delete(request, assessment, done_url=_person_url(assessment.person_id))


def assessment_ratings(request: HttpRequest, pk: int) -> HttpResponse:
    """Rate every competency of an assessment on one page."""
    try:
        assessment = _visible(request, selectors.assessment_detail(pk=pk))
    except Assessment.DoesNotExist as exc:
        raise Http404("Not found.") from exc
    permissions.require(permissions.can_change(request.user, assessment))
    competencies = list(Competency.objects.order_by("position", "name"))
    current = {rating.competency_id: rating for rating in assessment.ratings.all()}
    form = RatingsForm(
        request.POST if request.method == "POST" else None,
        competencies=competencies,
        current=current,
    )
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            written = rate(actor=request.user, assessment=assessment, ratings=form.ratings())
        except ValidationError as exc:
            apply_validation_error(form, exc)
        except ConflictError:
            form.add_error(
                None,
                "A rating was changed by someone else meanwhile, so nothing was saved. "
                "Reload the page and rate again.",
            )
            status = 409
        else:
            messages.success(request, f"Saved {written} rating{'s' if written != 1 else ''}.")
            return redirect(_assessment_url(assessment))
    expectations = dict(
        Expectation.objects.filter(level_id=assessment.level_id).values_list(
            "competency_id", "text"
        )
    )
    rows = [
        (competency, rating, evidence, expectations.get(competency.pk, ""))
        for competency, rating, evidence in form.rows()
    ]
    context = {
        "section": "people",
        "assessment": assessment,
        "person": assessment.person,
        "form": form,
        "rows": rows,
    }
    return render(request, "people/assessment_ratings.html", context, status=status)


# --- Growth plans ------------------------------------------------------------------------


def growth_plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        plan = _visible(request, selectors.growth_plan_detail(pk=pk))
    except GrowthPlan.DoesNotExist as exc:
        raise Http404("Not found.") from exc
    can_edit = permissions.can_change(request.user, plan)
    context = {
        "section": "people",
        "plan": plan,
        "person": plan.person,
        "can_edit": can_edit,
        # Goals and check-ins hang under the plan and share its stewards.
        "can_edit_parts": can_edit,
        "history": core_selectors.object_history_described(instance=plan, viewer=request.user),
    }
    return render(request, "people/growth_plan_detail.html", context)


def growth_plan_create(request: HttpRequest, pk: int) -> HttpResponse:
    person = _subject(request, pk)
    return plan_pages.create(
        request,
        cancel_url=_person_url(person.pk),
        fixed={"person": person},
        initial={"start": timezone.localdate()},
        title=f"New growth plan for {person.name}",
    )


def growth_plan_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return plan_pages.edit(request, _get(request, GrowthPlan, pk, person="person"))


def growth_plan_delete(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _get(request, GrowthPlan, pk, person="person")
    return plan_pages.delete(request, plan, done_url=_person_url(plan.person_id))


def goal_create(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _get(request, GrowthPlan, pk, person="person")
    return goal_pages.create(
        request, cancel_url=_plan_url(plan), fixed={"plan": plan}, title="New goal"
    )


def goal_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return goal_pages.edit(request, _get(request, GrowthGoal, pk, plan="plan__person"))


def goal_delete(request: HttpRequest, pk: int) -> HttpResponse:
    goal = _get(request, GrowthGoal, pk, plan="plan__person")
    return goal_pages.delete(request, goal, done_url=_of_plan(goal))


def check_in_create(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _get(request, GrowthPlan, pk, person="person")
    return check_in_pages.create(
        request,
        cancel_url=_plan_url(plan),
        fixed={"plan": plan},
        initial={"held_on": timezone.localdate()},
        title="New check-in",
    )


def check_in_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return check_in_pages.edit(request, _get(request, CheckIn, pk, plan="plan__person"))


def check_in_delete(request: HttpRequest, pk: int) -> HttpResponse:
    check_in = _get(request, CheckIn, pk, plan="plan__person")
    return check_in_pages.delete(request, check_in, done_url=_of_plan(check_in))


# --- One-to-ones -------------------------------------------------------------------------


def one_on_one_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        meeting = _visible(request, selectors.one_on_one_detail(pk=pk))
    except OneOnOne.DoesNotExist as exc:
        raise Http404("Not found.") from exc
    can_edit = permissions.can_change(request.user, meeting)
    context = {
        "section": "people",
        "meeting": meeting,
        "person": meeting.person,
        "can_edit": can_edit,
        "can_edit_parts": can_edit,
        "history": core_selectors.object_history_described(instance=meeting, viewer=request.user),
    }
    return render(request, "people/one_on_one_detail.html", context)


def one_on_one_create(request: HttpRequest, pk: int) -> HttpResponse:
    person = _subject(request, pk)
    own = getattr(request.user, "person", None)
    with_person = own.pk if own is not None and own.pk != person.pk else person.manager_id
    return one_on_one_pages.create(
        request,
        cancel_url=_person_url(person.pk),
        fixed={"person": person},
        initial={"held_on": timezone.localdate(), "with_person": with_person},
        title=f"New one-to-one with {person.name}",
    )


def one_on_one_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return one_on_one_pages.edit(
        request, _get(request, OneOnOne, pk, person="person", other="with_person")
    )


def one_on_one_delete(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _get(request, OneOnOne, pk, person="person", other="with_person")
    return one_on_one_pages.delete(request, meeting, done_url=_person_url(meeting.person_id))


def action_create(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _get(request, OneOnOne, pk, person="person", other="with_person")
    return action_pages.create(
        request,
        cancel_url=_one_on_one_url(meeting),
        fixed={"one_on_one": meeting},
        title="New action item",
    )


def action_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return action_pages.edit(request, _get(request, ActionItem, pk, meeting="one_on_one__person"))


def action_delete(request: HttpRequest, pk: int) -> HttpResponse:
    item = _get(request, ActionItem, pk, meeting="one_on_one__person")
    return action_pages.delete(request, item, done_url=_of_one_on_one(item))


# --- Promotion readiness -----------------------------------------------------------------


READINESS_PER_PAGE = 100


def readiness_list(request: HttpRequest) -> HttpResponse:
    """Everyone whose private data the reader may see, with their readiness."""
    form = ReadinessFilterForm(request.GET or None)
    verdict = form.cleaned_data["verdict"] if form.is_valid() else ""
    people = list(
        # Those whose private data the reader may see are all listed to them too.
        privacy.restrict(Person.objects.select_related("level"), request.user, "pk").order_by(
            "name", "id"
        )
    )
    found = readiness.readiness_of(people)
    counts = dict.fromkeys(readiness.VERDICT_ORDER, 0)
    for result in found.values():
        counts[result.verdict] += 1
    rank = {key: index for index, key in enumerate(readiness.VERDICT_ORDER)}
    rows = sorted(
        ((person, found[person.pk]) for person in people),
        key=lambda row: (rank[row[1].verdict], row[0].name, row[0].pk),
    )
    if verdict:
        rows = [row for row in rows if row[1].verdict == verdict]
    page = Paginator(rows, READINESS_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "section": "readiness",
        "form": form,
        "page_obj": page,
        "rows": page.object_list,
        "counts": [(key, readiness.VERDICT_LABELS[key], counts[key]) for key in counts],
        "verdict": verdict,
        "total": len(people),
    }
    return render(request, "people/readiness_list.html", context)
