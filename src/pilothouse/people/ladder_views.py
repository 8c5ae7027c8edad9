"""The career ladder: levels by track with what each is expected to do per competency, as
a grid, and the pages that edit levels, competencies and expectations (product leaders
and admins: the services decide)."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse

from pilothouse.core import permissions
from pilothouse.core.editing import EditPages
from pilothouse.people import services
from pilothouse.people.forms import CareerLevelForm, CompetencyForm, ExpectationForm
from pilothouse.people.models import CareerLevel, Competency, Expectation, Track


def _ladder_url(_obj: object = None) -> str:
    return reverse("people:ladder")


level_pages = EditPages(
    form_class=CareerLevelForm, writes=services.career_level, detail_url=_ladder_url
)
competency_pages = EditPages(
    form_class=CompetencyForm, writes=services.competency, detail_url=_ladder_url
)
expectation_pages = EditPages(
    form_class=ExpectationForm, writes=services.expectation, detail_url=_ladder_url
)


@dataclass(frozen=True)
class Cell:
    level: CareerLevel
    competency: Competency
    expectation: Expectation | None


@dataclass(frozen=True)
class TrackGrid:
    key: str
    label: str
    levels: list[CareerLevel]
    rows: list[tuple[Competency, list[Cell]]]


def ladder_grids() -> list[TrackGrid]:
    """Each track's levels (by rank) against the competencies, in three queries."""
    levels = list(CareerLevel.objects.order_by("rank", "name"))
    competencies = list(Competency.objects.order_by("position", "name"))
    found = {(e.level_id, e.competency_id): e for e in Expectation.objects.all()}
    grids = []
    for track in Track:
        on_track = [level for level in levels if level.track == track.value]
        if not on_track:
            continue
        rows = [
            (
                competency,
                [
                    Cell(level, competency, found.get((level.pk, competency.pk)))
                    for level in on_track
                ],
            )
            for competency in competencies
        ]
        grids.append(TrackGrid(key=track.value, label=track.label, levels=on_track, rows=rows))
    return grids


def ladder(request: HttpRequest) -> HttpResponse:
    context = {
        "section": "ladder",
        "grids": ladder_grids(),
        "can_edit": permissions.can_create(request.user, parent=None, model=CareerLevel),
    }
    return render(request, "people/ladder.html", context)


def level_create(request: HttpRequest) -> HttpResponse:
    return level_pages.create(request, cancel_url=_ladder_url(), title="New ladder level")


def level_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return level_pages.edit(request, get_object_or_404(CareerLevel, pk=pk))


def level_delete(request: HttpRequest, pk: int) -> HttpResponse:
    return level_pages.delete(
        request, get_object_or_404(CareerLevel, pk=pk), done_url=_ladder_url()
    )


def competency_create(request: HttpRequest) -> HttpResponse:
    return competency_pages.create(request, cancel_url=_ladder_url(), title="New competency")


def competency_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return competency_pages.edit(request, get_object_or_404(Competency, pk=pk))


def competency_delete(request: HttpRequest, pk: int) -> HttpResponse:
    return competency_pages.delete(
        request, get_object_or_404(Competency, pk=pk), done_url=_ladder_url()
    )


def expectation_edit(request: HttpRequest, level: int, competency: int) -> HttpResponse:
    """The words of one cell of the grid: edited if written, else written anew."""
    level_obj = get_object_or_404(CareerLevel, pk=level)
    competency_obj = get_object_or_404(Competency, pk=competency)
    existing = Expectation.objects.filter(level=level_obj, competency=competency_obj).first()
    if existing is not None:
        return expectation_pages.edit(request, existing)
    return expectation_pages.create(
        request,
        cancel_url=_ladder_url(),
        fixed={"level": level_obj, "competency": competency_obj},
        title=f"{level_obj.name}: {competency_obj.name}",
    )


def expectation_delete(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        expectation = Expectation.objects.select_related("level", "competency").get(pk=pk)
    except Expectation.DoesNotExist as exc:
        raise Http404("No such expectation.") from exc
    return expectation_pages.delete(request, expectation, done_url=_ladder_url())
