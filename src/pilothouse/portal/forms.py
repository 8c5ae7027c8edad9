"""The portal's forms. The visitor forms carry a honeypot field that people never see
(`website`): a form that arrives with it filled is refused without a word."""

from __future__ import annotations

from django import forms
from django.contrib.auth import password_validation

from pilothouse.portal.models import COMMENT_MAX, IDEA_TEXT_MAX, IDEA_TITLE_MAX, NAME_MAX

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

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        password_validation.validate_password(password)
        return password


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
