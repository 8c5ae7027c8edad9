"""Change log pages, API tokens, users (admin)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.apps import apps
from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from pilothouse.core import accounts, permissions, selectors, tokens
from pilothouse.core.editing import apply_validation_error
from pilothouse.core.forms import ChangeFilterForm, TokenCreateForm, UserCreateForm, UserUpdateForm
from pilothouse.core.models import ChangeRecord, User, VersionedModel

CHANGES_PER_PAGE = 50

# --- Links from the change log to the pages of the objects --------------------------
# The pages belong to the apps above core, so they register here how to reach an
# object (the web app does so when it starts); core itself knows none of them.


@dataclass(frozen=True)
class ObjectPage:
    url: Callable[[models.Model], str]
    # The queryset to load the objects with, when building the URL needs a relation.
    queryset: Callable[[], models.QuerySet] | None = None


_object_pages: dict[type[models.Model], ObjectPage] = {}


def register_object_page(
    model: type[models.Model],
    url: Callable[[models.Model], str],
    queryset: Callable[[], models.QuerySet] | None = None,
) -> None:
    _object_pages[model] = ObjectPage(url=url, queryset=queryset)


def link_objects(records: Iterable[ChangeRecord]) -> None:
    """Set `object_url` on each record whose object still exists and has a page.

    One query per type of object among the records, whatever their number.
    """
    wanted: dict[type[models.Model], list[ChangeRecord]] = defaultdict(list)
    for record in records:
        record.object_url = None
        model = ContentType.objects.get_for_id(record.content_type_id).model_class()
        if model in _object_pages:
            wanted[model].append(record)
    for model, group in wanted.items():
        page = _object_pages[model]
        found = selectors.existing_objects(
            model,
            {record.object_id for record in group},
            page.queryset() if page.queryset else None,
        )
        for record in group:
            if record.object_id in found:
                record.object_url = page.url(found[record.object_id])


def _object_types() -> list[tuple[str, str]]:
    """The kinds of object the change log records: every versioned model, and users."""
    logged = [m for m in apps.get_models() if issubclass(m, VersionedModel) or m is User]
    return sorted((m._meta.model_name, str(m._meta.verbose_name).capitalize()) for m in logged)


def change_list(request: HttpRequest) -> HttpResponse:
    form = ChangeFilterForm(request.GET or None, object_types=_object_types())
    filters = form.cleaned_data if form.is_valid() else {}
    records = selectors.change_list(
        model=filters.get("object_type") or None,
        actor=filters.get("actor") or None,
        action=filters.get("action") or None,
        viewer=request.user,
    )
    page = Paginator(records, CHANGES_PER_PAGE).get_page(request.GET.get("page"))
    shown = list(page.object_list)
    selectors.describe_changes(shown, viewer=request.user)
    link_objects(shown)
    context = {"form": form, "page_obj": page, "records": shown}
    return render(request, "core/change_list.html", context)


# --- API tokens ----------------------------------------------------------------------


@never_cache  # the page may show a secret, once
def token_list(request: HttpRequest) -> HttpResponse:
    new_token, secret = None, None
    if request.method == "POST":
        form = TokenCreateForm(request.POST)
        if form.is_valid():
            new_token, secret = tokens.token_create(
                user=request.user, name=form.cleaned_data["name"]
            )
            form = TokenCreateForm()
    else:
        form = TokenCreateForm()
    context = {
        "form": form,
        "new_token": new_token,
        "secret": secret,
        "tokens": selectors.token_list(user=request.user),
    }
    return render(request, "core/token_list.html", context)


@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(selectors.token_list(user=request.user), pk=pk)
    tokens.token_revoke(token=token)
    messages.success(request, f"Revoked the token “{token.name}”; it no longer works.")
    return redirect("core:token_list")


# --- Users (admin only) --------------------------------------------------------------


def _require_admin(request: HttpRequest) -> None:
    permissions.require(permissions.is_admin(request.user), "Only an admin may manage users.")


def user_list(request: HttpRequest) -> HttpResponse:
    _require_admin(request)
    form = UserCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = accounts.user_create(
                actor=request.user,
                username=form.cleaned_data["username"],
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                password=form.cleaned_data["password"] or None,
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, f"Created the user “{user.username}”.")
            return redirect("core:user_list")
    context = {"form": form, "users": selectors.user_list()}
    return render(request, "core/user_list.html", context)


def user_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _require_admin(request)
    user = get_object_or_404(selectors.user_list(), pk=pk)
    initial = {"email": user.email, "role": user.role, "is_active": user.is_active}
    form = UserUpdateForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            accounts.user_update(
                actor=request.user,
                user=user,
                role=form.cleaned_data["role"],
                is_active=form.cleaned_data["is_active"],
                email=form.cleaned_data["email"],
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, f"Saved the user “{user.username}”.")
            return redirect("core:user_list")
    context = {
        "form": form,
        "edited_user": user,
        "history": selectors.object_history_described(instance=user, viewer=request.user),
    }
    return render(request, "core/user_edit.html", context)
