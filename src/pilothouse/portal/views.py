"""The portal's public pages: products, features and ideas, with voting, comments and
new ideas for signed-in visitors. Open without a staff log-in; a visitor signs in under
the portal's own session keys (portal.sessions), never as a staff user. The visitor
accounts' pages are in account_views, the staff pages in staff_views."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from pilothouse.core.clients import client_address
from pilothouse.core.markdown import render_markdown
from pilothouse.portal import selectors, services
from pilothouse.portal.errors import Refused
from pilothouse.portal.forms import CommentForm, HoneypotForm, IdeaForm
from pilothouse.portal.models import PortalProduct
from pilothouse.portal.pages import form_errors, refused_page, render_page, safe_next
from pilothouse.portal.sessions import current_visitor, visitor_required

REFUSED = "Your submission could not be accepted."
IDEAS_PER_PAGE = 20


@login_not_required
def index(request: HttpRequest) -> HttpResponse:
    return render_page(request, "portal/index.html", {"portals": selectors.enabled_portals()})


def _product_page(request, portal: PortalProduct, idea_form, status: int = 200) -> HttpResponse:
    features = list(selectors.public_features(portal.product))
    visitor = current_visitor(request)
    page = Paginator(selectors.public_ideas(portal.product), IDEAS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    ideas = selectors.with_status(page.object_list)
    context = {
        "portal": portal,
        "intro": render_markdown(portal.intro),
        "features": features,
        "voted": selectors.voted_feature_ids(visitor, features),
        "ideas": ideas,
        "page_obj": page,
        "voted_ideas": selectors.voted_idea_ids(visitor, ideas),
        "idea_form": idea_form,
        "blocked": selectors.is_blocked(visitor, portal.product),
    }
    return render_page(request, "portal/product.html", context, status=status)


@login_not_required
def product(request: HttpRequest, key: str) -> HttpResponse:
    portal = selectors.enabled_portal(key)
    return _product_page(request, portal, IdeaForm())


@login_not_required
@require_POST
@visitor_required
def idea(request: HttpRequest, key: str) -> HttpResponse:
    portal = selectors.enabled_portal(key)
    if HoneypotForm.is_bot(request.POST):
        return HttpResponseBadRequest(REFUSED)
    form = IdeaForm(request.POST)
    if form.is_valid():
        try:
            services.idea_add(
                visitor=current_visitor(request),
                product=portal.product,
                ip=client_address(request),
                title=form.cleaned_data["title"],
                text=form.cleaned_data["text"],
            )
        except Refused as exc:
            return refused_page(request, exc)
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            return redirect(reverse("portal:product", args=[key]) + "?idea=sent#ideas")
    return _product_page(request, portal, form, status=400)


@login_not_required
def idea_detail(request: HttpRequest, key: str, idea_id: int) -> HttpResponse:
    portal = selectors.enabled_portal(key)
    found = selectors.public_idea(portal.product, idea_id)
    context = {
        "portal": portal,
        "idea": found,
        "voted": bool(selectors.voted_idea_ids(current_visitor(request), [found])),
        "blocked": selectors.is_blocked(current_visitor(request), portal.product),
    }
    return render_page(request, "portal/idea.html", context)


@login_not_required
@require_POST
@visitor_required
def idea_vote(request: HttpRequest, key: str, idea_id: int) -> HttpResponse:
    portal = selectors.enabled_portal(key)
    found = selectors.public_idea(portal.product, idea_id)
    try:
        services.idea_vote_toggle(
            visitor=current_visitor(request), idea=found, ip=client_address(request)
        )
    except Refused as exc:
        return refused_page(request, exc)
    return redirect(safe_next(request, reverse("portal:idea_detail", args=[key, idea_id])))


def _feature_page(request, key: str, feature_id: int, comment_form, status=200) -> HttpResponse:
    portal = selectors.enabled_portal(key)
    feature = selectors.public_feature(portal.product, feature_id)
    context = {
        "portal": portal,
        "feature": feature,
        "description": render_markdown(feature.description),
        "comments": selectors.feature_comments(feature),
        "voted": bool(selectors.voted_feature_ids(current_visitor(request), [feature])),
        "comment_form": comment_form,
        "blocked": selectors.is_blocked(current_visitor(request), portal.product),
    }
    return render_page(request, "portal/feature.html", context, status=status)


@login_not_required
def feature(request: HttpRequest, key: str, feature_id: int) -> HttpResponse:
    return _feature_page(request, key, feature_id, CommentForm())


@login_not_required
@require_POST
@visitor_required
def vote(request: HttpRequest, key: str, feature_id: int) -> HttpResponse:
    portal = selectors.enabled_portal(key)
    found = selectors.public_feature(portal.product, feature_id)
    try:
        services.vote_toggle(
            visitor=current_visitor(request), feature=found, ip=client_address(request)
        )
    except Refused as exc:
        return refused_page(request, exc)
    return redirect(safe_next(request, reverse("portal:feature", args=[key, feature_id])))


@login_not_required
@require_POST
@visitor_required
def comment(request: HttpRequest, key: str, feature_id: int) -> HttpResponse:
    portal = selectors.enabled_portal(key)
    found = selectors.public_feature(portal.product, feature_id)
    if HoneypotForm.is_bot(request.POST):
        return HttpResponseBadRequest(REFUSED)
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            services.comment_add(
                visitor=current_visitor(request),
                feature=found,
                text=form.cleaned_data["text"],
                ip=client_address(request),
            )
        except Refused as exc:
            return refused_page(request, exc)
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            return redirect(reverse("portal:feature", args=[key, feature_id]) + "#comments")
    return _feature_page(request, key, feature_id, form, status=400)
