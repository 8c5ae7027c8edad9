"""The form that makes a share link. Its filters are not fields: a link shares the view
its author was looking at, so they arrive in the query string (see RoadmapFilters)."""

from __future__ import annotations

from django import forms

from pilothouse.roadmap.models import ShareAudience, ShareView
from pilothouse.roadmap.sharing import MIN_PASSWORD


class ShareLinkForm(forms.Form):
    name = forms.CharField(max_length=120, help_text="Who it is for, e.g. “Board, Q3 review”.")
    view = forms.ChoiceField(choices=ShareView.choices)
    audience = forms.ChoiceField(choices=ShareAudience.choices, widget=forms.RadioSelect)
    expires_at = forms.DateTimeField(
        required=False,
        label="Expires",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text="Empty: until revoked.",
    )
    password = forms.CharField(
        required=False,
        min_length=MIN_PASSWORD,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=f"Optional, at least {MIN_PASSWORD} characters. Share it separately.",
    )


class SharePasswordForm(forms.Form):
    password = forms.CharField(
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "autofocus": True})
    )
