"""The roadmap views: the timeline (and its exports), the now / next / later board (and
its moves), the release plan, and the milestone pages.

Every view reads the same filters (filters.RoadmapFilters) from its query string; a bad
value is named on the page and left out, never a server error. As the filters change,
htmx asks for the view's body only (templates/roadmap/partials/<view>.html); the shared
read-only roadmap (sharing_views) renders the same bodies through `shared_body`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from itertools import groupby
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    QueryDict,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_POST

from pilothouse.core import permissions
from pilothouse.core.editing import EditPages
from pilothouse.core.errors import ConflictError
from pilothouse.core.markdown import render_markdown
from pilothouse.core.models import User
from pilothouse.roadmap import charts, planning, services
from pilothouse.roadmap.filters import ID_FIELDS, RoadmapFilters
from pilothouse.roadmap.forms import MilestoneForm
from pilothouse.roadmap.models import (
    Feature,
    FeatureStage,
    Horizon,
    Milestone,
    Release,
    ShareLink,
    ShareView,
)
from pilothouse.roadmap.periods import SCALES, time_window
from pilothouse.roadmap.timeline import LANE_KINDS, lane_kind, timeline_build

# Query parameters that are not filters, kept by each view as its filters change.
VIEW_OPTIONS = {
    "timeline": ("scale", "from", "periods", "lanes"),
    "board": ("more", "backlog"),
    "release_plan": ("show",),
}
MOVE_DIRECTIONS = {"left", "right", "up", "down"}
EXPORT_LABELS = {"svg": "SVG", "png": "PNG", "pdf": "PDF", "json": "Vega-Lite JSON"}
# The share link made from a view shows that view.
SHARE_VIEWS = {
    "timeline": ShareView.TIMELINE,
    "board": ShareView.BOARD,
    "release_plan": ShareView.RELEASES,
}


def describe_filters(filters: RoadmapFilters) -> list[tuple[str, str]]:
    """The filters in words, as (label, value) pairs (also shown by share links)."""
    return planning.describe_filters(filters)


# --- Reading the query string --------------------------------------------------------------


@dataclass(frozen=True)
class FilterField:
    """One select of the filter form. Its options are drawn here, escaped, in one pass:
    through Django's widget templates the six hundred options of a large portfolio cost
    more than the rest of the page."""

    name: str
    label: str
    options: SafeString

    @property
    def id(self) -> str:
        return f"filter-{self.name}"


@dataclass
class ViewQuery:
    """What a roadmap view was asked for: the valid filters, the fields that draw them,
    and a sentence for each value that was left out."""

    filters: RoadmapFilters
    fields: list[FilterField] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def note(self, error: ValidationError, fallback: str) -> None:
        for name, texts in error.message_dict.items():
            label = planning.FILTER_LABELS.get(name, name.capitalize())
            self.problems.append(f"{label}: {' '.join(texts)} {fallback}")


def read_query(query: QueryDict) -> ViewQuery:
    """The filters of `query`. A malformed value (RoadmapFilters refuses it) or an id of
    nothing that exists (not among the filter's options) is left out and explained."""
    raw = {name: query.get(name) for name in planning.FILTER_LABELS if query.get(name)}
    left_out: list[ValidationError] = []
    while True:
        try:
            filters = RoadmapFilters.from_query(raw)
            break
        except ValidationError as exc:
            left_out.append(exc)
            for name in exc.message_dict:
                raw.pop(name, None)
            if not set(exc.message_dict) & set(planning.FILTER_LABELS):
                filters = RoadmapFilters()
                break
    options = planning.filter_options()
    for name, value in filters.to_json().items():
        if name != "stage" and value not in options.ids(name):
            label = planning.FILTER_LABELS[name].lower()
            left_out.append(ValidationError({name: f"There is no {label} #{value}."}))
            filters = replace(filters, **{name: None})
    found = ViewQuery(filters=filters, fields=_filter_fields(filters, options))
    for error in left_out:
        found.note(error, "The view is shown without this filter.")
    return found


def _option_tags(rows: Iterable[tuple[Any, str]], selected: Any) -> SafeString:
    return format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        ((value, SELECTED if value == selected else "", label) for value, label in rows),
    )


SELECTED = mark_safe(" selected")


def _filter_fields(filters: RoadmapFilters, options: planning.FilterOptions) -> list[FilterField]:
    def select(name: str, anyone: str, rows: Iterable[tuple[Any, str]]) -> FilterField:
        selected = getattr(filters, name)
        empty = format_html('<option value="">{}</option>', anyone)
        return FilterField(name, planning.FILTER_LABELS[name], empty + _option_tags(rows, selected))

    products = FilterField(
        "product",
        planning.FILTER_LABELS["product"],
        format_html('<option value="">{}</option>', "Any product")
        + SafeString(
            "".join(
                format_html(
                    '<optgroup label="{}">{}</optgroup>',
                    line,
                    _option_tags(((pk, label) for pk, label, _ in group), filters.product),
                )
                for line, group in groupby(options.products, key=lambda row: row[2])
            )
        ),
    )
    return [
        select("product_line", "Any product line", options.product_lines),
        products,
        select("objective", "Any objective", options.objectives),
        select("initiative", "Any initiative", options.initiatives),
        select("owner", "Anyone", options.owners),
        select("stage", "Any stage", FeatureStage.choices),
        select("tag", "Any tag", options.tags),
    ]


def _options(request: HttpRequest, view: str) -> list[tuple[str, str]]:
    return [
        (name, value) for name in VIEW_OPTIONS[view] for value in request.GET.getlist(name) if value
    ]


def _render_view(
    request: HttpRequest, view: str, context: dict[str, Any], *, status: int = 200
) -> HttpResponse:
    """The whole page, or for htmx (a filter change, a move) the view's body only."""
    query: ViewQuery = context["query"]
    share = {"view": SHARE_VIEWS[view], **query.filters.to_json()}
    context = {
        "view": view,
        "view_url": reverse(f"roadmap:{view}"),
        "view_partial": f"roadmap/partials/{view}.html",
        "view_options": _options(request, view),
        "share_query": "?" + urlencode(share),
        "link_items": True,
        "show_owner": True,
        "show_conflicts": True,
        "show_exports": True,
        "can_share": permissions.can_create(request.user, parent=None, model=ShareLink),
        **context,
    }
    partial = request.htmx and not request.htmx.history_restore_request
    template = f"roadmap/partials/{view}.html" if partial else f"roadmap/{view}.html"
    response = render(request, template, context, status=status)
    patch_vary_headers(response, ["HX-Request"])
    return response


# --- Timeline --------------------------------------------------------------------------------


def _timeline_context(request: HttpRequest, query: ViewQuery) -> dict[str, Any]:
    today = timezone.localdate()
    try:
        window = time_window(
            today=today,
            scale=request.GET.get("scale"),
            start=request.GET.get("from"),
            periods=request.GET.get("periods"),
        )
    except ValidationError as exc:
        query.note(exc, "The default window is shown.")
        window = time_window(today=today)
    try:
        lanes = lane_kind(request.GET.get("lanes"))
    except ValidationError as exc:
        query.note(exc, "Lanes are by product.")
        lanes = lane_kind(None)
    built = timeline_build(filters=query.filters, window=window, lanes=lanes, today=today)
    for lane in built.lanes:
        # Lanes of a kind that is also a filter (product, objective, ...) can be shown
        # alone; lanes registered by other apps (teams) link to their own page instead.
        if lane.hidden and lane.id is not None and lanes.key in ID_FIELDS:
            focus = request.GET.copy()
            focus[lanes.key] = str(lane.id)
            lane.focus_query = "?" + focus.urlencode()
    return {
        "timeline": built,
        "show_lane_notes": True,
        "export_formats": list(EXPORT_LABELS.items()),
        "scales": SCALES,
        "lane_kinds": LANE_KINDS,
        "query": query,
    }


def timeline(request: HttpRequest) -> HttpResponse:
    query = read_query(request.GET)
    return _render_view(request, "timeline", _timeline_context(request, query))


def _export_format(fmt: str) -> None:
    if fmt not in charts.FORMATS:
        raise Http404(f"No export as {fmt!r}: svg, png, pdf or json.")


def _refused(query: ViewQuery) -> HttpResponse | None:
    """A bad parameter is refused (400), not left out: a file that silently shows
    something else than asked is worse than none."""
    if not query.problems:
        return None
    return HttpResponseBadRequest(
        " ".join(query.problems), content_type="text/plain; charset=utf-8"
    )


def _chart_response(spec: dict[str, Any], fmt: str, *, stem: str) -> HttpResponse:
    """The chart `spec` as a download in `fmt`: every view's export answers through here."""
    response = HttpResponse(charts.render(spec, fmt), content_type=charts.FORMATS[fmt])
    filename = charts.export_filename(stem, fmt)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def timeline_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """timeline.svg, .png, .pdf, or .json (the Vega-Lite specification), with the page's
    filters, window and lanes. A bad parameter is refused (400)."""
    _export_format(fmt)
    query = read_query(request.GET)
    context = _timeline_context(request, query)
    if refused := _refused(query):
        return refused
    built = context["timeline"]
    if built.per_lane > charts.EXPORT_MAX_ITEMS:  # one lane: draw no more than the chart
        built = timeline_build(
            filters=query.filters,
            window=built.window,
            lanes=built.lane_kind,
            today=built.today,
            item_budget=charts.EXPORT_MAX_ITEMS,
        )
    spec = charts.timeline_spec(built, filters=describe_filters(query.filters))
    return _chart_response(spec, fmt, stem=charts.timeline_stem(built))


# --- Board -----------------------------------------------------------------------------------


# The element the unfolded "not on the board" list is loaded into (htmx names it).
BACKLOG_TARGET = "board-backlog-list"


def _board_context(request: HttpRequest, query: ViewQuery, user: User | None) -> dict[str, Any]:
    with_backlog = request.GET.get("backlog") == "open"
    board = planning.board_build(
        filters=query.filters,
        user=user,
        expanded=request.GET.getlist("more"),
        with_backlog=with_backlog,
    )
    unfolded = request.GET.copy()
    unfolded["backlog"] = "open"
    return {
        "board": board,
        "query": query,
        # The filters and expanded column, which a move keeps.
        "board_query": request.GET.urlencode(),
        "backlog_query": "?" + unfolded.urlencode(),
        "expanded_cap": planning.EXPANDED_CAP,
        "export_formats": list(EXPORT_LABELS.items()),
    }


def board(request: HttpRequest) -> HttpResponse:
    query = read_query(request.GET)
    if request.htmx and request.htmx.target == BACKLOG_TARGET:
        # The list of features not on the board, read as it is unfolded.
        backlog = planning.backlog_with_conflicts(filters=query.filters, user=request.user)
        context = {
            "backlog": backlog,
            "board_query": request.GET.urlencode(),
            "link_items": True,
            "show_owner": True,
            "show_conflicts": True,
        }
        return render(request, "roadmap/partials/board_backlog.html", context)
    return _render_view(request, "board", _board_context(request, query, request.user))


def _move_target(
    request: HttpRequest, feature: Feature, filters: RoadmapFilters
) -> tuple[str, int | None] | None:
    """Where the request asks to put the card: (horizon, after id or None), from a drop
    (`horizon` and `after`) or a button or key (`direction`). None: it cannot go there."""
    direction = request.POST.get("direction")
    if direction:
        if direction not in MOVE_DIRECTIONS:
            raise ValidationError({"direction": f"Unknown direction {direction!r}."})
        return planning.board_neighbours(feature=feature, filters=filters, direction=direction)
    if "horizon" not in request.POST:
        raise ValidationError({"horizon": "Say where to move the card."})
    after = request.POST.get("after") or ""
    if after and not after.isdigit():
        raise ValidationError({"after": f"Expected the id of a card, got {after!r}."})
    return request.POST["horizon"], int(after) if after else None


def _moved_message(feature: Feature) -> str:
    place = dict(Horizon.choices).get(feature.horizon)
    if not place:
        return f"“{feature.title}” is off the board."
    return f"Moved “{feature.title}” to {place}."


@require_POST
def board_move(request: HttpRequest, pk: int) -> HttpResponse:
    """Move a card (POST): `version` of the feature, then `horizon` and `after` (the card
    it was dropped after; empty for the top) or `direction` (left, right, up, down, on
    the board as filtered by the query string). htmx gets the board back, with a message
    and the status: 403 (not allowed), 409 (changed meanwhile), 400 (bad request);
    without JavaScript the board is reloaded with the message."""
    feature = get_object_or_404(
        Feature.objects.select_related("product__product_line", "area", "owner"), pk=pk
    )
    query = read_query(request.GET)
    status, level, text = 200, messages.SUCCESS, ""
    version = request.POST.get("version", "")
    try:
        if not permissions.can_change(request.user, feature):
            raise PermissionDenied
        if not version.isdigit():
            raise ValidationError({"version": "The card's version is missing; reload the board."})
        target = _move_target(request, feature, query.filters)
        if target is None:
            status, level, text = 200, messages.INFO, f"“{feature.title}” cannot move that way."
        else:
            horizon, after = target
            moved = services.feature_move(
                actor=request.user,
                instance=feature,
                version=int(version),
                horizon=horizon,
                after_id=after,
            )
            text = _moved_message(moved)
    except PermissionDenied:
        status, level = 403, messages.ERROR
        text = (
            f"You may not move “{feature.title}”: only its owner, the owners of its product "
            "and product line, and product leaders may."
        )
    except ConflictError:
        status, level = 409, messages.ERROR
        text = (
            f"“{feature.title}” was changed by someone else since the board was loaded, so "
            "it was not moved. The board is reloaded: try again."
        )
    except ValidationError as exc:
        status, level = 400, messages.ERROR
        text = f"“{feature.title}” was not moved: {' '.join(exc.messages)} The board is reloaded."
    if not request.htmx:
        messages.add_message(request, level, text)
        url = reverse("roadmap:board")
        return redirect(f"{url}?{request.GET.urlencode()}" if request.GET else url)
    context = _board_context(request, query, request.user)
    context["move_message"] = {"text": text, "error": status >= 400}
    context["moved_id"] = feature.pk
    return _render_view(request, "board", context, status=status)


def board_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """board.svg, .png, .pdf or .json: the board's three columns with the page's filters
    and caps (`more` expands a column as on the page). A bad parameter is refused (400)."""
    _export_format(fmt)
    query = read_query(request.GET)
    if refused := _refused(query):
        return refused
    board = planning.board_build(
        filters=query.filters, user=request.user, expanded=request.GET.getlist("more")
    )
    spec = charts.board_spec(board, filters=describe_filters(query.filters))
    return _chart_response(spec, fmt, stem="roadmap-board")


# --- Release plan ----------------------------------------------------------------------------


def _plan_context(request: HttpRequest, query: ViewQuery) -> dict[str, Any]:
    try:
        show = planning.plan_show(request.GET.get("show"))
    except ValidationError as exc:
        query.note(exc, "Upcoming releases are shown.")
        show = "upcoming"
    plan = planning.release_plan_build(
        filters=query.filters,
        show=show,
        page_number=request.GET.get("page"),
        today=timezone.localdate(),
    )
    return {
        "plan": plan,
        "plan_shows": planning.PLAN_SHOWS,
        "export_formats": list(EXPORT_LABELS.items()),
        "query": query,
    }


def release_plan(request: HttpRequest) -> HttpResponse:
    query = read_query(request.GET)
    context = _plan_context(request, query)
    context["can_create_release"] = permissions.can_create_any(request.user, model=Release)
    return _render_view(request, "release_plan", context)


def release_plan_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """plan.svg, .png, .pdf or .json: the releases of the page (its filters, `show` and
    `page`) over time. A bad parameter is refused (400)."""
    _export_format(fmt)
    query = read_query(request.GET)
    context = _plan_context(request, query)
    if refused := _refused(query):
        return refused
    plan = context["plan"]
    spec = charts.release_plan_spec(
        plan, filters=describe_filters(query.filters), today=timezone.localdate()
    )
    return _chart_response(spec, fmt, stem=charts.release_plan_stem(plan))


# --- The shared read-only roadmap ------------------------------------------------------------

SHARED_PARTIALS = {
    ShareView.TIMELINE: "timeline",
    ShareView.BOARD: "board",
    ShareView.RELEASES: "release_plan",
}


def shared_body(
    request: HttpRequest, *, view: str, filters: RoadmapFilters, public: bool
) -> SafeString:
    """The body of a roadmap view for a share link: the link's filters (not the query
    string's), read-only, without links into the application; a public audience also
    sees no owners and no schedule conflicts. The query string may still page through
    time (timeline) or releases (release plan)."""
    name = SHARED_PARTIALS.get(view)
    if name is None:
        raise Http404("No such view.")
    query = ViewQuery(filters=filters)
    if name == "timeline":
        context = _timeline_context(request, query)
    elif name == "board":
        context = _board_context(request, query, user=None)  # nobody moves a shared card
    else:
        context = _plan_context(request, query)
    context.update(
        view=name,
        shared=True,
        link_items=False,
        show_owner=not public,
        show_conflicts=not public,
        show_lane_notes=not public,  # a team's over-commitment is internal
        show_exports=False,
    )
    stylesheet = format_html('<link rel="stylesheet" href="{}">', static("roadmap/roadmap.css"))
    body = render_to_string(f"roadmap/partials/{name}.html", context, request=request)
    return stylesheet + SafeString(body)


# --- Milestones ------------------------------------------------------------------------------


def _milestone_list_url(milestone: Milestone | None = None) -> str:
    return reverse("roadmap:milestone_list")


milestone_pages = EditPages(
    form_class=MilestoneForm, writes=services.milestone, detail_url=_milestone_list_url
)


def milestone_list(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    upcoming = planning.milestone_rows(user=request.user, today=today, upcoming=True)
    past = planning.milestone_rows(user=request.user, today=today, upcoming=False)
    for row in [*upcoming, *past]:
        row.description = render_markdown(row.milestone.description)
    context = {
        "sections": [("Upcoming", upcoming), ("Past", past)],
        "past_cap": planning.PAST_MILESTONES_SHOWN,
        "can_create": permissions.can_create(request.user, parent=None, model=Milestone),
    }
    return render(request, "roadmap/milestone_list.html", context)


def _milestone(pk: int) -> Milestone:
    return get_object_or_404(planning.milestone_list(), pk=pk)


def milestone_create(request: HttpRequest) -> HttpResponse:
    return milestone_pages.create(request, cancel_url=_milestone_list_url())


def milestone_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return milestone_pages.edit(request, _milestone(pk), cancel_url=_milestone_list_url())


def milestone_delete(request: HttpRequest, pk: int) -> HttpResponse:
    return milestone_pages.delete(request, _milestone(pk), done_url=_milestone_list_url())
