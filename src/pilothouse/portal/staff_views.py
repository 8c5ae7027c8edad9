"""The staff pages of a product's portal: its settings (manage) and its moderation.
Behind the staff log-in (the log-in middleware guards them); only those `may_manage`
allows reach them, every other staff user is answered 403."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from pilothouse.portal import moderation, selectors, services
from pilothouse.portal.forms import BlockForm, ManageForm, ModerationFilterForm
from pilothouse.portal.models import (
    BLOCK_REASON_MAX,
    PortalBlock,
    PortalComment,
    PortalIdea,
    PortalProduct,
    PortalVisitor,
)
from pilothouse.portal.pages import form_errors, safe_next
from pilothouse.portfolio.models import Product

NOT_ALLOWED = "Only those who look after this product manage its portal."
ITEMS_PER_PAGE = 25


def _require_manager(request: HttpRequest, product: Product) -> None:
    if not services.may_manage(request.user, product):
        raise PermissionDenied(NOT_ALLOWED)


@require_http_methods(["GET", "POST"])
def manage(request: HttpRequest, key: str) -> HttpResponse:
    product_obj = get_object_or_404(Product.objects.select_related("product_line"), key=key)
    _require_manager(request, product_obj)
    portal = PortalProduct.objects.filter(product=product_obj).first()
    features = list(selectors.manage_features(product_obj))
    initial = {"enabled": False, "title": "", "intro": ""}
    if portal is not None:
        initial = {"enabled": portal.enabled, "title": portal.title, "intro": portal.intro}
    form = ManageForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        wanted = set(request.POST.getlist("public"))
        try:
            with transaction.atomic():
                services.portal_product_set(
                    actor=request.user, product=product_obj, **form.cleaned_data
                )
                for item in features:
                    public = str(item.pk) in wanted
                    current = getattr(item, "portal", None)
                    if public != (current.public if current else False):
                        services.portal_feature_set(actor=request.user, feature=item, public=public)
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            return redirect("portal:manage", key=key)
    return render(
        request,
        "portal/manage.html",
        {"product": product_obj, "portal": portal, "form": form, "features": features},
        status=400 if form.errors else 200,
    )


# --- moderation --------------------------------------------------------------------


def _moderated_portal(request: HttpRequest, key: str) -> PortalProduct:
    """The portal of the product with this key, if the user may moderate it: 404 for a
    product without a portal (nothing to moderate), 403 for those who may not."""
    portal = get_object_or_404(PortalProduct.objects.select_related("product"), product__key=key)
    _require_manager(request, portal.product)
    return portal


def moderation_page(request: HttpRequest, key: str) -> HttpResponse:
    portal = _moderated_portal(request, key)
    filters = ModerationFilterForm(request.GET or None)
    chosen = filters.cleaned_data if filters.is_valid() else {}
    feed = selectors.moderation_feed(
        portal.product, shown=chosen.get("shown", ""), kind=chosen.get("kind", "")
    )
    page = Paginator(feed, ITEMS_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "portal": portal,
        "product": portal.product,
        "filters": filters,
        "page_obj": page,
        "items": selectors.moderation_items(portal, page.object_list),
        "blocks": selectors.portal_blocks(portal),
        "reason_max": BLOCK_REASON_MAX,
        "here": request.get_full_path(),
    }
    return render(request, "portal/moderation.html", context)


def _back(request: HttpRequest, key: str) -> HttpResponse:
    return redirect(safe_next(request, reverse("portal:moderation", args=[key])))


def _wants_hidden(request: HttpRequest) -> bool:
    return request.POST.get("hidden") == "1"


@require_POST
def comment_hidden(request: HttpRequest, key: str, comment_id: int) -> HttpResponse:
    portal = _moderated_portal(request, key)
    comment = get_object_or_404(
        PortalComment.objects.select_related("feature__product"),
        pk=comment_id,
        feature__product=portal.product,
    )
    hidden = _wants_hidden(request)
    moderation.comment_set_hidden(actor=request.user, comment=comment, hidden=hidden)
    messages.success(request, "The comment is hidden." if hidden else "The comment is shown again.")
    return _back(request, key)


@require_POST
def idea_hidden(request: HttpRequest, key: str, idea_id: int) -> HttpResponse:
    portal = _moderated_portal(request, key)
    idea = get_object_or_404(
        PortalIdea.objects.select_related("product"), pk=idea_id, product=portal.product
    )
    hidden = _wants_hidden(request)
    moderation.idea_set_hidden(actor=request.user, idea=idea, hidden=hidden)
    messages.success(request, "The idea is hidden." if hidden else "The idea is shown again.")
    return _back(request, key)


@require_POST
def visitor_block(request: HttpRequest, key: str, visitor_id: int) -> HttpResponse:
    portal = _moderated_portal(request, key)
    visitor = get_object_or_404(PortalVisitor, pk=visitor_id)
    form = BlockForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors.get("reason", ["The block was refused."])))
        return _back(request, key)
    try:
        moderation.visitor_block(
            actor=request.user,
            portal=portal,
            visitor=visitor,
            reason=form.cleaned_data["reason"],
            hide_content=form.cleaned_data["hide_content"],
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return _back(request, key)
    done = f"{visitor.name} ({visitor.email}) is blocked on this portal"
    hidden = (
        " and everything they wrote here is hidden." if form.cleaned_data["hide_content"] else "."
    )
    messages.success(request, done + hidden)
    return _back(request, key)


@require_POST
def visitor_unblock(request: HttpRequest, key: str, visitor_id: int) -> HttpResponse:
    portal = _moderated_portal(request, key)
    block = get_object_or_404(
        PortalBlock.objects.select_related("visitor"), portal=portal, visitor_id=visitor_id
    )
    moderation.visitor_unblock(actor=request.user, block=block)
    messages.success(request, f"{block.visitor.name} ({block.visitor.email}) may post again.")
    return _back(request, key)
