"""Forms shared by every app (the base of the domain-model forms) and the account forms."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import FieldDoesNotExist

from pilothouse.core import selectors
from pilothouse.core.models import ChangeAction
from pilothouse.core.roles import Role


class VersionedModelForm(forms.ModelForm):
    """The form of a versioned model, whose values the views hand to the model's services.

    An edit form carries the version the object had when the form was drawn, so the
    service can refuse to overwrite someone else's later change. Fields that name a
    user (`user_fields`) offer the active users only, plus whoever is chosen already.
    """

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    # Set by core.editing when the service refused the version as stale.
    conflict = False
    user_fields: tuple[str, ...] = ("owner",)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is None:
            del self.fields["version"]  # nothing to be stale against yet
        else:
            self.fields["version"].initial = self.instance.version
        for name in self.user_fields:
            if name in self.fields:
                chosen = getattr(self.initial.get(name), "pk", self.initial.get(name))
                self.fields[name].queryset = selectors.active_users(
                    including=[chosen] if chosen else []
                )

    def service_data(self) -> tuple[dict[str, Any], dict[str, Any]]:
        """The cleaned values as the services take them: (fields, many-to-many fields)."""
        model_meta = self._meta.model._meta
        data: dict[str, Any] = {}
        many: dict[str, Any] = {}
        for name, value in self.cleaned_data.items():
            try:
                field = model_meta.get_field(name)
            except FieldDoesNotExist:
                continue  # a form-only field such as `version`
            (many if field.many_to_many else data)[name] = value
        return data, many


class DeleteForm(forms.Form):
    """The confirmation of a delete: it names the version that was confirmed."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    conflict = False  # set by core.editing, as on VersionedModelForm


class TokenCreateForm(forms.Form):
    name = forms.CharField(
        max_length=100,
        help_text="What the token is for, e.g. “weekly export script”.",
    )


class UserCreateForm(forms.Form):
    username = forms.CharField(max_length=150)
    email = forms.EmailField(required=False)
    role = forms.ChoiceField(choices=Role.choices, initial=Role.VIEWER)
    password = forms.CharField(
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        required=False,
        help_text="Leave blank to create an account that cannot log in with a password yet.",
    )


class UserUpdateForm(forms.Form):
    email = forms.EmailField(required=False)
    role = forms.ChoiceField(choices=Role.choices)
    is_active = forms.BooleanField(
        required=False, label="Active", help_text="Inactive users cannot log in."
    )


class ChangeFilterForm(forms.Form):
    """Filters of the recent-changes page; every one optional."""

    object_type = forms.ChoiceField(required=False, label="Object type")
    actor = forms.ChoiceField(required=False, label="Changed by")
    action = forms.ChoiceField(required=False)

    def __init__(self, *args: Any, object_types: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["object_type"].choices = [("", "Any type"), *object_types]
        self.fields["actor"].choices = [
            ("", "Anyone"),
            *((u.username, str(u)) for u in selectors.user_list()),
        ]
        self.fields["action"].choices = [("", "Any action"), *ChangeAction.choices]
