"""The forms of delivery (run through the services by core.editing)."""

from __future__ import annotations

from typing import Any

from django import forms

from pilothouse.core.forms import VersionedModelForm
from pilothouse.core.models import User
from pilothouse.delivery.models import CapacityPeriod, FeatureAssignment, Team, TeamMember, TimeOff
from pilothouse.delivery.selectors import DONE_STAGES
from pilothouse.people import privacy
from pilothouse.people.selectors import public_person_choices
from pilothouse.roadmap.models import Feature

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
# A picker lists at most this many features (the rest: through the API).
MAX_FEATURE_CHOICES = 500


class TeamForm(VersionedModelForm):
    # Who opens the form (see `for_viewer`); None: someone who may list no private person.
    viewer: User | None = None

    class Meta:
        model = Team
        fields = ["name", "description", "products", "lead"]
        help_texts = {
            "products": "The products this team works on.",
            "lead": "A product manager who leads the team may edit it.",
        }

    @classmethod
    def for_viewer(cls, viewer: User | None) -> type[TeamForm]:
        """The form as `viewer` opens it."""
        return type(cls.__name__, (cls,), {"viewer": viewer})

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        lead = self.instance.lead if self.instance.lead_id else None
        visible = privacy.visible_among(self.viewer, [lead])
        if lead is not None and not privacy.is_listed(visible, lead):
            # A private lead the viewer may not list is neither named nor changed.
            del self.fields["lead"]
            return
        # Anyone who may edit a team opens this form: private people are not offered.
        self.fields["lead"].queryset = public_person_choices(
            including=[lead.pk] if lead is not None else []
        )


class TeamMemberForm(VersionedModelForm):
    class Meta:
        model = TeamMember
        fields = ["person", "allocation", "role"]
        help_texts = {"allocation": "Percent of their time on this team, 1 to 100."}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = public_person_choices(
            including=[self.instance.person_id] if self.instance.person_id else []
        )


class TimeOffForm(VersionedModelForm):
    class Meta:
        model = TimeOff
        fields = ["person", "start", "end", "note"]
        widgets = {"start": DATE, "end": DATE}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = public_person_choices(
            including=[self.instance.person_id] if self.instance.person_id else []
        )


class CapacityPeriodForm(VersionedModelForm):
    class Meta:
        model = CapacityPeriod
        fields = ["granularity", "start", "person_weeks", "note"]
        widgets = {"start": DATE}


class AssignmentForm(VersionedModelForm):
    """Put a feature at the end of a team's queue. The team travels in a hidden field
    (whoever may change the feature assigns it, so the page is open before the feature is
    chosen); the features offered are the not-done, unassigned ones of its products."""

    class Meta:
        model = FeatureAssignment
        fields = ["team", "feature", "note"]
        widgets = {"team": forms.HiddenInput}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        raw = str(self.data.get("team") or self.initial.get("team") or self.instance.team_id)
        team_id = int(raw) if raw.isdigit() else None
        features = (
            Feature.objects.filter(product__teams=team_id, assignment__isnull=True)
            .exclude(stage__in=DONE_STAGES)
            .only("id", "title")
            .order_by("title", "id")
        )
        field = self.fields["feature"]
        field.queryset = features  # what a submission is checked against
        # What is drawn: a bounded list, read lean.
        field.widget.choices = [
            ("", "---------"),
            *features.values_list("id", "title")[:MAX_FEATURE_CHOICES],
        ]
        field.help_text = (
            "Features of the team's products that are not done and not in a queue "
            f"(the first {MAX_FEATURE_CHOICES} by title)."
        )
