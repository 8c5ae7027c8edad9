"""Share-link pages: the list, making a link (its address shown once), a link's settings
and access log, revoking; and the shared roadmap itself, open without an account."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from pilothouse.core import permissions
from pilothouse.core.clients import client_address
from pilothouse.roadmap import planning_views, sharing
from pilothouse.roadmap.filters import RoadmapFilters
from pilothouse.roadmap.models import ShareLink, ShareLinkAccess, ShareView
from pilothouse.roadmap.sharing_forms import ShareLinkForm, SharePasswordForm

ACCESSES_SHOWN = 100
UNLOCKED_SESSION_KEY = "shared_roadmaps_unlocked"


def share_link_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(ShareLink.objects.select_related("created_by"), 50).get_page(
        request.GET.get("page")
    )
    context = {
        "page_obj": page,
        "links": page.object_list,
        "can_create": permissions.can_create(request.user, parent=None, model=ShareLink),
    }
    return render(request, "roadmap/share_link_list.html", context)


def share_link_create(request: HttpRequest) -> HttpResponse:
    if not permissions.can_create(request.user, parent=None, model=ShareLink):
        raise PermissionDenied("You may not make share links.")
    source = request.POST if request.method == "POST" else request.GET
    try:
        filters = RoadmapFilters.from_query(source)
    except ValidationError as exc:
        filters, filter_error = RoadmapFilters(), " ".join(exc.messages)
    else:
        filter_error = ""
    view = source.get("view") if source.get("view") in ShareView.values else ShareView.TIMELINE
    form = ShareLinkForm(request.POST or None, initial={"view": view, "audience": "internal"})
    made = None
    if request.method == "POST" and not filter_error and form.is_valid():
        try:
            link, token = sharing.share_link_create(
                actor=request.user, filters=filters.to_json(), **form.cleaned_data
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                for error in errors:
                    form.add_error(field if field in form.fields else None, error)
        else:
            made = (link, request.build_absolute_uri(reverse("roadmap:shared", args=[token])))
    context = {
        "form": form,
        "filters": planning_views.describe_filters(filters),
        "filter_values": filters.to_json(),
        "filter_error": filter_error,
        "made": made,
    }
    return render(request, "roadmap/share_link_form.html", context)


def share_link_detail(request: HttpRequest, pk: int) -> HttpResponse:
    link = get_object_or_404(ShareLink.objects.select_related("created_by"), pk=pk)
    if not permissions.can_change(request.user, link):  # the log holds visitors' addresses
        raise PermissionDenied("Only the link's author and product leaders see its log.")
    context = {
        "link": link,
        "filters": planning_views.describe_filters(RoadmapFilters.parse(link.filters)),
        "accesses": ShareLinkAccess.objects.filter(link=link)[:ACCESSES_SHOWN],
    }
    return render(request, "roadmap/share_link_detail.html", context)


@require_POST
def share_link_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    link = get_object_or_404(ShareLink, pk=pk)
    sharing.share_link_revoke(
        actor=request.user, instance=link, version=_int(request.POST.get("version"))
    )
    messages.success(request, f"“{link.name}” is revoked: its address no longer opens.")
    return redirect("roadmap:share_link_detail", pk=pk)


def _int(raw: str | None) -> int | None:
    return int(raw) if raw and raw.isdigit() else None


@login_not_required
@never_cache
def shared(request: HttpRequest, token: str) -> HttpResponse:
    """The shared roadmap: read-only, the link's view and filters, public fields only for
    a public audience."""
    link = sharing.share_link_find(token)
    if link is None:
        raise Http404("No such link.")
    unlocked = set(request.session.get(UNLOCKED_SESSION_KEY, []))
    form = SharePasswordForm(request.POST or None)
    password = form.data.get("password") if request.method == "POST" else None
    try:
        visit = sharing.share_link_visit(
            link=link,
            password=password,
            unlocked=link.pk in unlocked,
            address=client_address(request),
            user_agent=request.META.get("HTTP_USER_AGENT", ""),
        )
    except sharing.ShareClosed as closed:
        return render(request, "roadmap/shared_closed.html", {"message": str(closed)}, status=410)
    if not visit.shown:
        if password is not None:
            form.add_error("password", "That is not the password.")
        return render(
            request, "roadmap/shared_password.html", {"link": link, "form": form}, status=401
        )
    if link.pk not in unlocked and link.has_password:
        request.session[UNLOCKED_SESSION_KEY] = sorted(unlocked | {link.pk})
    body = planning_views.shared_body(
        request,
        view=link.view,
        filters=RoadmapFilters.parse(link.filters),
        public=link.audience == "public",
    )
    return render(request, "roadmap/shared.html", {"link": link, "body": body})
