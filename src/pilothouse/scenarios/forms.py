"""The forms of scenarios, their changes and auto-plan runs (run through the services)."""

from __future__ import annotations

from typing import Any

from django import forms

from pilothouse.core.forms import VersionedModelForm
from pilothouse.delivery import selectors as delivery_selectors
from pilothouse.delivery.models import Granularity
from pilothouse.prioritization import selectors as prioritization_selectors
from pilothouse.scenarios.models import MAX_TIME_LIMIT_S, Scenario, ScenarioChange
from pilothouse.scenarios.periods import MAX_PERIODS

DATE = forms.DateInput(attrs={"type": "date"})


class ScenarioForm(VersionedModelForm):
    class Meta:
        model = Scenario
        fields = [
            "name",
            "description",
            "granularity",
            "first_period",
            "period_count",
            "scoring_model",
        ]
        widgets = {"first_period": DATE}
        labels = {"period_count": "Number of periods"}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["scoring_model"].queryset = prioritization_selectors.scoring_model_choices()


class ChangeForm(VersionedModelForm):
    """One form for every kind: the kind says which fields count (the model names any
    field a kind needs or does not use)."""

    class Meta:
        model = ScenarioChange
        fields = [
            "kind",
            "feature",
            "period_start",
            "team",
            "team_name",
            "person_weeks",
            "release",
            "target_date",
            "note",
        ]
        widgets = {
            "feature": forms.NumberInput(attrs={"placeholder": "Feature id"}),
            "target_date": DATE,
        }
        help_texts = {"feature": "The feature's id (on its page and in the roadmap)."}

    def __init__(self, *args: Any, scenario: Scenario, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        periods = [(p.start.isoformat(), p.label) for p in scenario.periods()]
        self.fields["period_start"] = forms.TypedChoiceField(
            label="Period",
            choices=[("", "—"), *periods],
            required=False,
            coerce=lambda value: forms.DateField().clean(value),
            empty_value=None,
        )
        self.fields["team"].queryset = delivery_selectors.team_choices()
        # A feature picked by id: a select of 20,000 features would be unusable.
        self.fields["feature"].widget = forms.NumberInput(attrs={"placeholder": "Feature id"})

    def offer(
        self, *, teams: dict[int, str], releases: list[tuple[str, list[tuple[int, str]]]]
    ) -> None:
        """Draw the selects from what the scenario page has read already (no query): every
        team, and the open releases grouped by product. Any team
        or release is still accepted (the querysets check what is sent)."""
        team, release = self.fields["team"], self.fields["release"]
        team.choices = [("", team.empty_label), *teams.items()]
        release.choices = [("", release.empty_label), *releases]


class AutoPlanForm(forms.Form):
    teams = forms.ModelMultipleChoiceField(
        queryset=delivery_selectors.team_choices(),
        required=False,
        help_text="None chosen: every team.",
    )
    granularity = forms.ChoiceField(choices=Granularity.choices, initial=Granularity.QUARTER)
    first_period = forms.DateField(widget=DATE, help_text="The first day of a month or quarter.")
    period_count = forms.IntegerField(min_value=1, max_value=MAX_PERIODS, initial=4)
    scoring_model = forms.ModelChoiceField(
        queryset=prioritization_selectors.scoring_model_choices(),
        required=False,
        help_text="None: every feature is worth 1.",
    )
    time_limit_s = forms.FloatField(
        label="Time limit (seconds)", min_value=0.5, max_value=MAX_TIME_LIMIT_S, initial=5
    )
    keep_committed_dates = forms.BooleanField(
        required=False,
        initial=True,
        help_text="Features whose release date falls in the horizon stay in that period.",
    )


class ApplyForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
