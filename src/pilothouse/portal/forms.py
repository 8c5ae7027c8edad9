"""The portal's forms. The visitor forms carry a honeypot field that people never see
(`website`): a form that arrives with it filled is refused without a word."""

from __future__ import annotations

from django import forms
from django.contrib.auth import password_validation

from pilothouse.portal.models import (
    BLOCK_REASON_MAX,
    COMMENT_MAX,
    IDEA_TEXT_MAX,
    IDEA_TITLE_MAX,
    NAME_MAX,
    PortalVisitor,
)

HONEYPOT = "website"


class HoneypotForm(forms.Form):
    website = forms.CharField(
        required=False,
        label="Leave this field empty",
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    @classmethod
    def is_bot(cls, data) -> bool:
        return bool((data.get(HONEYPOT) or "").strip())


class SignupForm(HoneypotForm):
    name = forms.CharField(max_length=NAME_MAX)
    email = forms.EmailField(max_length=254)
    password = forms.CharField(
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        max_length=200,
        help_text="At least 8 characters.",
    )

    field_order = ["name", "email", "password", HONEYPOT]

    def clean(self) -> dict:
        cleaned = super().clean()
        password = cleaned.get("password")
        if password:
            # The visitor as they would be, so that a password like their address is refused.
            would_be = PortalVisitor(email=cleaned.get("email", ""), name=cleaned.get("name", ""))
            try:
                password_validation.validate_password(password, user=would_be)
            except forms.ValidationError as exc:
                self.add_error("password", exc)
        return cleaned


class LoginForm(forms.Form):
    email = forms.EmailField(max_length=254)
    password = forms.CharField(
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}), max_length=200
    )


class CommentForm(HoneypotForm):
    text = forms.CharField(
        label="Comment",
        max_length=COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=f"Plain text, at most {COMMENT_MAX:,} characters.",
    )

    field_order = ["text", HONEYPOT]


class IdeaForm(HoneypotForm):
    title = forms.CharField(max_length=IDEA_TITLE_MAX)
    text = forms.CharField(
        label="Describe your idea",
        max_length=IDEA_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=f"Plain text, at most {IDEA_TEXT_MAX:,} characters.",
    )

    field_order = ["title", "text", HONEYPOT]


class ManageForm(forms.Form):
    enabled = forms.BooleanField(required=False, label="Portal switched on")
    title = forms.CharField(max_length=200, required=False)
    intro = forms.CharField(
        required=False,
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Markdown.",
    )


class ForgotPasswordForm(HoneypotForm):
    email = forms.EmailField(max_length=254, help_text="The address you signed up with.")

    field_order = ["email", HONEYPOT]


class SetPasswordForm(forms.Form):
    password = forms.CharField(
        label="New password",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        max_length=200,
        help_text="At least 8 characters.",
    )
    password_again = forms.CharField(
        label="New password again",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        max_length=200,
    )

    def clean(self) -> dict:
        cleaned = super().clean()
        first, second = cleaned.get("password"), cleaned.get("password_again")
        if first and second and first != second:
            self.add_error("password_again", "The two passwords differ.")
        return cleaned


class ModerationFilterForm(forms.Form):
    shown = forms.ChoiceField(
        label="Show",
        required=False,
        choices=[
            ("", "Visible and hidden"),
            ("visible", "Visible only"),
            ("hidden", "Hidden only"),
        ],
    )
    kind = forms.ChoiceField(
        label="Kind",
        required=False,
        choices=[("", "Comments and ideas"), ("comment", "Comments"), ("idea", "Ideas")],
    )


class BlockForm(forms.Form):
    reason = forms.CharField(
        required=False,
        max_length=BLOCK_REASON_MAX,
        help_text="For the team: why. The visitor does not see it.",
    )
    hide_content = forms.BooleanField(
        required=False, label="Also hide everything they wrote on this portal"
    )
