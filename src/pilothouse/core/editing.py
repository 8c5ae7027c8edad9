"""Forms run through the services: the create, edit and delete pages of every model.

A view never writes to a model. It hands the bound form to `save_form` (or
`delete_with_form`), which calls the model's services (`core.writes.ModelWrites`)
and maps what they refuse back onto the form: a ValidationError onto the fields
it names (other keys become errors of the whole form), a stale version onto a
message that nothing was saved. PermissionDenied is left to propagate, and
Django answers 403.

`EditPages` builds the three pages of a model on top of these, with the shared
templates `core/edit_form.html` and `core/confirm_delete.html`.
"""

from __future__ import annotations

import copy
from collections import Counter
from collections.abc import Callable, Mapping
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import ProtectedError, RestrictedError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from pilothouse.core import permissions, selectors
from pilothouse.core.errors import ConflictError
from pilothouse.core.forms import DeleteForm, VersionedModelForm
from pilothouse.core.models import User, VersionedModel
from pilothouse.core.writes import ModelWrites

CONFLICT_MESSAGE = (
    "This {noun} was changed by someone else since you opened this page, so nothing "
    "was saved. Reload the page to see the current version, then make your change again."
)


def apply_validation_error(form: forms.Form, error: ValidationError) -> None:
    """Put a service's ValidationError on the form: on the fields it names, if the form
    has them, otherwise on the form as a whole (prefixed with the field's name)."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, errors in error.error_dict.items():
        if name in form.fields:
            form.add_error(name, errors)
        elif name == NON_FIELD_ERRORS:
            form.add_error(None, errors)
        else:
            label = name.replace("_", " ")
            form.add_error(None, [f"{label}: {m}" for m in ValidationError(errors).messages])


def edit_form(
    form_class: type[VersionedModelForm],
    instance: VersionedModel,
    data: Mapping[str, Any] | None = None,
) -> VersionedModelForm:
    """An edit form bound to a copy of `instance`.

    A ModelForm writes the submitted values onto its instance while validating; the
    service must still see the object as stored, or it would check the permission
    against the values the user asked for.
    """
    return form_class(data, instance=copy.copy(instance))


def save_form(
    form: VersionedModelForm,
    *,
    writes: ModelWrites,
    actor: User,
    instance: VersionedModel | None = None,
    fixed: Mapping[str, Any] | None = None,
) -> VersionedModel | None:
    """Create (instance None) or update `instance` from a bound form through `writes`.

    `fixed` adds values the form does not show (the product of a new area, say).
    Returns the saved object, or None with the reasons on the form.
    """
    if not form.is_valid():
        return None
    data, many = form.service_data()
    data.update(fixed or {})
    try:
        if instance is None:
            return writes.create(actor=actor, data=data, m2m=many)
        return writes.update(
            actor=actor,
            instance=instance,
            version=form.cleaned_data["version"],
            data=data,
            m2m=many,
        )
    except ValidationError as exc:
        apply_validation_error(form, exc)
    except ConflictError:
        form.conflict = True
        form.add_error(None, CONFLICT_MESSAGE.format(noun=form._meta.model._meta.verbose_name))
    return None


def _blockers_message(noun: str, blockers: set) -> str:
    counts = Counter(type(obj)._meta for obj in blockers)
    parts = [
        f"{n} {meta.verbose_name if n == 1 else meta.verbose_name_plural}"
        for meta, n in sorted(counts.items(), key=lambda item: str(item[0].verbose_name))
    ]
    return (
        f"This {noun} cannot be deleted: it is still used by {', '.join(parts)}. "
        "Move or delete those first; nothing was deleted."
    )


def delete_with_form(
    form: DeleteForm, *, writes: ModelWrites, actor: User, instance: VersionedModel
) -> bool:
    """Delete `instance` if the confirmation form is valid and still current."""
    if not form.is_valid():
        return False
    noun = instance._meta.verbose_name
    try:
        writes.delete(actor=actor, instance=instance, version=form.cleaned_data["version"])
    except ConflictError:
        form.conflict = True
        form.add_error(None, CONFLICT_MESSAGE.format(noun=noun))
        return False
    except ProtectedError as exc:
        form.add_error(None, _blockers_message(noun, exc.protected_objects))
        return False
    except RestrictedError as exc:
        form.add_error(None, _blockers_message(noun, exc.restricted_objects))
        return False
    return True


def int_param(request: HttpRequest, name: str) -> int | None:
    """A whole-number query parameter such as the `?line=3` preselecting a new product's
    line; None when absent or malformed (a bad link should not break the page)."""
    value = request.GET.get(name, "")
    return int(value) if value.isdigit() else None


class EditPages:
    """The create, edit and delete pages of one model.

    `detail_url(obj)` is where to go after a save. Before anything is submitted the
    pages are guarded with core.permissions, so nobody fills in a form they may not
    send: an edit or delete page needs `can_change`; a create page needs `can_create`
    under the parent its `fixed` values imply (none: a top-level object), or, when
    `parent_chosen_in_form` (a feature's product is picked in its form), merely
    `can_create_any`; both with the model, so that a model opening itself to more roles
    (EDITOR_ROLES, CREATOR_ROLES) is honoured. The services make the real check on submit.
    """

    form_template = "core/edit_form.html"
    delete_template = "core/confirm_delete.html"

    def __init__(
        self,
        *,
        form_class: type[VersionedModelForm],
        writes: ModelWrites,
        detail_url: Callable[[Any], str],
        parent_chosen_in_form: bool = False,
    ) -> None:
        self.form_class = form_class
        self.writes = writes
        self.detail_url = detail_url
        self.parent_chosen_in_form = parent_chosen_in_form
        self.noun = str(form_class._meta.model._meta.verbose_name)

    def create(
        self,
        request: HttpRequest,
        *,
        cancel_url: str,
        fixed: Mapping[str, Any] | None = None,
        initial: Mapping[str, Any] | None = None,
        title: str | None = None,
    ) -> HttpResponse:
        fixed = dict(fixed or {})
        model = self.form_class._meta.model
        draft = model(**fixed)
        if self.parent_chosen_in_form and not fixed:
            permissions.require(permissions.can_create_any(request.user, model=model))
        else:
            permissions.require(
                permissions.can_create(request.user, parent=draft.permission_parent(), model=model)
            )
        if request.method == "POST":
            form = self.form_class(request.POST, instance=draft)
            saved = save_form(form, writes=self.writes, actor=request.user, fixed=fixed)
            if saved is not None:
                messages.success(request, f"Created {self.noun} “{saved}”.")
                return redirect(self.detail_url(saved))
        else:
            form = self.form_class(instance=draft, initial=dict(initial or {}))
        context = {
            "title": title or f"New {self.noun}",
            "form": form,
            "cancel_url": cancel_url,
            "submit_label": f"Create {self.noun}",
        }
        return render(request, self.form_template, context)

    def edit(
        self, request: HttpRequest, instance: VersionedModel, *, cancel_url: str | None = None
    ) -> HttpResponse:
        permissions.require(permissions.can_change(request.user, instance))
        status = 200
        if request.method == "POST":
            form = edit_form(self.form_class, instance, request.POST)
            saved = save_form(form, writes=self.writes, actor=request.user, instance=instance)
            if saved is not None:
                messages.success(request, f"Saved {self.noun} “{saved}”.")
                return redirect(self.detail_url(saved))
            status = 409 if form.conflict else 200
        else:
            form = edit_form(self.form_class, instance)
        context = {
            "title": f"Edit {self.noun} “{instance}”",
            "form": form,
            "object": instance,
            "cancel_url": cancel_url or self.detail_url(instance),
            "submit_label": "Save changes",
            "history": selectors.object_history_described(instance=instance, viewer=request.user),
        }
        return render(request, self.form_template, context, status=status)

    def delete(
        self, request: HttpRequest, instance: VersionedModel, *, done_url: str
    ) -> HttpResponse:
        permissions.require(permissions.can_change(request.user, instance))
        status = 200
        if request.method == "POST":
            form = DeleteForm(request.POST)
            if delete_with_form(form, writes=self.writes, actor=request.user, instance=instance):
                messages.success(request, f"Deleted {self.noun} “{instance}”.")
                return redirect(done_url)
            status = 409 if form.conflict else 200
        else:
            form = DeleteForm(initial={"version": instance.version})
        context = {
            "title": f"Delete {self.noun} “{instance}”?",
            "form": form,
            "object": instance,
            "noun": self.noun,
            "cancel_url": self.detail_url(instance),
        }
        return render(request, self.delete_template, context, status=status)
