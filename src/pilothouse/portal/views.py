"""The portal's pages. Public pages are open without a staff log-in; a visitor signs in
under the portal's own session key, never as a staff user. The manage page is a staff
page (the log-in middleware guards it) for those who look after the product."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from pilothouse.core import permissions
from pilothouse.core.markdown import render_markdown
from pilothouse.portal import selectors, services
from pilothouse.portal.forms import (
    CommentForm,
    HoneypotForm,
    IdeaForm,
    LoginForm,
    ManageForm,
    SignupForm,
)
from pilothouse.portal.models import PortalProduct
from pilothouse.portfolio.models import Product

SESSION_KEY = "portal_visitor_id"
REFUSED = "Your submission could not be accepted."


def _visitor(request: HttpRequest):
    if not hasattr(request, "_portal_visitor"):
        request._portal_visitor = selectors.visitor(request.session.get(SESSION_KEY))
    return request._portal_visitor


def _ip(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


def _render(request, template: str, context: dict, status: int = 200) -> HttpResponse:
    return render(request, template, {"visitor": _visitor(request), **context}, status=status)


def _refused(request: HttpRequest, exc: services.RateLimited) -> HttpResponse:
    return _render(request, "portal/refused.html", {"message": str(exc)}, status=429)


def _form_errors(form, exc: ValidationError) -> None:
    for field, messages in exc.message_dict.items():
        for message in messages:
            form.add_error(field if field in form.fields else None, message)


def _safe_next(request: HttpRequest, fallback: str) -> str:
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if wanted and url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return fallback


def visitor_required(view):
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if _visitor(request) is None:
            return redirect(f"{reverse('portal:login')}?next={request.path}")
        return view(request, *args, **kwargs)

    return wrapped


# --- public pages ------------------------------------------------------------------


@login_not_required
def index(request: HttpRequest) -> HttpResponse:
    return _render(request, "portal/index.html", {"portals": selectors.enabled_portals()})


def _product_page(request, portal: PortalProduct, idea_form, status: int = 200) -> HttpResponse:
    features = list(selectors.public_features(portal.product))
    context = {
        "portal": portal,
        "intro": render_markdown(portal.intro),
        "features": features,
        "voted": selectors.voted_feature_ids(_visitor(request), features),
        "idea_form": idea_form,
    }
    return _render(request, "portal/product.html", context, status=status)


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
                visitor=_visitor(request),
                product=portal.product,
                ip=_ip(request),
                title=form.cleaned_data["title"],
                text=form.cleaned_data["text"],
            )
        except services.RateLimited as exc:
            return _refused(request, exc)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            return redirect(reverse("portal:product", args=[key]) + "?idea=sent")
    return _product_page(request, portal, form, status=400)


def _feature_page(request, key: str, feature_id: int, comment_form, status=200) -> HttpResponse:
    portal = selectors.enabled_portal(key)
    feature = selectors.public_feature(portal.product, feature_id)
    context = {
        "portal": portal,
        "feature": feature,
        "description": render_markdown(feature.description),
        "comments": selectors.feature_comments(feature),
        "voted": bool(selectors.voted_feature_ids(_visitor(request), [feature])),
        "comment_form": comment_form,
    }
    return _render(request, "portal/feature.html", context, status=status)


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
        services.vote_toggle(visitor=_visitor(request), feature=found, ip=_ip(request))
    except services.RateLimited as exc:
        return _refused(request, exc)
    return redirect(_safe_next(request, reverse("portal:feature", args=[key, feature_id])))


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
                visitor=_visitor(request),
                feature=found,
                text=form.cleaned_data["text"],
                ip=_ip(request),
            )
        except services.RateLimited as exc:
            return _refused(request, exc)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            return redirect(reverse("portal:feature", args=[key, feature_id]) + "#comments")
    return _feature_page(request, key, feature_id, form, status=400)


# --- visitor accounts --------------------------------------------------------------


def _sign_in(request: HttpRequest, visitor) -> None:
    request.session.cycle_key()
    request.session[SESSION_KEY] = visitor.pk
    request._portal_visitor = visitor


@login_not_required
@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    form = SignupForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if HoneypotForm.is_bot(request.POST):
            return HttpResponseBadRequest(REFUSED)
        if form.is_valid():
            try:
                created = services.visitor_signup(
                    email=form.cleaned_data["email"],
                    name=form.cleaned_data["name"],
                    password=form.cleaned_data["password"],
                    ip=_ip(request),
                )
            except services.RateLimited as exc:
                return _refused(request, exc)
            except ValidationError as exc:
                _form_errors(form, exc)
            else:
                _sign_in(request, created)
                return redirect(_safe_next(request, reverse("portal:index")))
        status = 400
    return _render(
        request, "portal/signup.html", {"form": form, "next": _safe_next(request, "")}, status
    )


@login_not_required
@require_http_methods(["GET", "POST"])
def login(request: HttpRequest) -> HttpResponse:
    form = LoginForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                found = services.visitor_authenticate(
                    email=form.cleaned_data["email"],
                    password=form.cleaned_data["password"],
                    ip=_ip(request),
                )
            except services.RateLimited as exc:
                return _refused(request, exc)
            if found is not None:
                _sign_in(request, found)
                return redirect(_safe_next(request, reverse("portal:index")))
            form.add_error(None, "The email or password is not right.")
        status = 400
    return _render(
        request, "portal/login.html", {"form": form, "next": _safe_next(request, "")}, status
    )


@login_not_required
@require_POST
def logout(request: HttpRequest) -> HttpResponse:
    request.session.pop(SESSION_KEY, None)
    request.session.cycle_key()
    return redirect("portal:index")


# --- staff page --------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def manage(request: HttpRequest, key: str) -> HttpResponse:
    product_obj = get_object_or_404(Product.objects.select_related("product_line"), key=key)
    portal = PortalProduct.objects.filter(product=product_obj).first()
    if not permissions.can_change(request.user, portal or PortalProduct(product=product_obj)):
        raise PermissionDenied("Only those who look after this product manage its portal.")
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
            _form_errors(form, exc)
        else:
            return redirect("portal:manage", key=key)
    return render(
        request,
        "portal/manage.html",
        {"product": product_obj, "portal": portal, "form": form, "features": features},
        status=400 if form.errors else 200,
    )
