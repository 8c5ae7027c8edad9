"""The forms of people, the career ladder and the private growth records (run through the
services by core.editing), and the filters of the people pages."""

from __future__ import annotations

from typing import Any

from django import forms

from pilothouse.core.forms import VersionedModelForm
from pilothouse.people import readiness, selectors
from pilothouse.people.models import (
    ActionItem,
    Assessment,
    CareerLevel,
    CheckIn,
    Competency,
    EmploymentType,
    Expectation,
    GrowthGoal,
    GrowthPlan,
    OneOnOne,
    Person,
    Rating,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MARKDOWN = forms.Textarea(attrs={"rows": 6})


def _people_field(form: forms.ModelForm, name: str, *, exclude: int | None = None) -> None:
    """A picker of people: everyone not private, and whoever is chosen already (a private
    person is not offered to everyone who opens a form)."""
    if name not in form.fields:
        return
    chosen = form.initial.get(name)
    chosen = getattr(chosen, "pk", chosen)
    choices = selectors.public_person_choices(including=[chosen] if chosen else [])
    if exclude is not None:
        choices = choices.exclude(pk=exclude)
    form.fields[name].queryset = choices


class PersonForm(VersionedModelForm):
    user_fields = ("user",)

    class Meta:
        model = Person
        fields = [
            "name",
            "email",
            "job_title",
            "level",
            "manager",
            "user",
            "location",
            "start_date",
            "employment_type",
            "fte",
            "cost_per_year",
            "cost_currency",
            "private",
        ]
        labels = {"user": "Login", "cost_per_year": "Cost per year"}
        help_texts = {
            "user": "The account this person logs in with, if any.",
            "cost_per_year": (
                "Fully loaded yearly cost. Private: shown only to this person, their "
                "managers, product leaders and admins."
            ),
        }
        widgets = {"start_date": DATE}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _people_field(self, "manager", exclude=self.instance.pk)
        self.fields["level"].queryset = CareerLevel.objects.order_by("track", "rank", "name")


class AssessmentForm(VersionedModelForm):
    class Meta:
        model = Assessment
        fields = ["level", "period", "assessed_on", "assessor", "summary"]
        labels = {"level": "Assessed against"}
        help_texts = {
            "level": "Their own level, or the next one for a promotion case.",
            "summary": "Markdown. Private to the person, their managers and product leaders.",
        }
        widgets = {"assessed_on": DATE, "summary": MARKDOWN}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["level"].queryset = CareerLevel.objects.order_by("track", "rank", "name")
        _people_field(self, "assessor", exclude=self.instance.person_id)


class RatingsForm(forms.Form):
    """The ratings of an assessment, one rating and its evidence per competency; a blank
    rating leaves the competency unrated (and removes a rating given before)."""

    def __init__(self, *args: Any, competencies: list[Competency], current: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.competencies = competencies
        choices = [("", "Not rated"), *Rating.choices]
        for competency in competencies:
            rated = current.get(competency.pk)
            self.fields[f"rating_{competency.pk}"] = forms.TypedChoiceField(
                label=competency.name,
                choices=choices,
                coerce=int,
                empty_value=None,
                required=False,
                initial=rated.rating if rated else "",
                help_text=competency.description,
            )
            self.fields[f"evidence_{competency.pk}"] = forms.CharField(
                label=f"Evidence: {competency.name}",
                required=False,
                widget=forms.Textarea(attrs={"rows": 3}),
                initial=rated.evidence if rated else "",
                help_text="What was observed. Markdown.",
            )

    def rows(self) -> list[tuple[Competency, forms.BoundField, forms.BoundField]]:
        return [(c, self[f"rating_{c.pk}"], self[f"evidence_{c.pk}"]) for c in self.competencies]

    def ratings(self) -> dict[int, tuple[int | None, str]]:
        """Competency id -> (rating or None, evidence), as submitted."""
        return {
            c.pk: (
                self.cleaned_data.get(f"rating_{c.pk}"),
                self.cleaned_data.get(f"evidence_{c.pk}", ""),
            )
            for c in self.competencies
        }


class GrowthPlanForm(VersionedModelForm):
    class Meta:
        model = GrowthPlan
        fields = ["title", "target_level", "start", "end", "status", "summary"]
        widgets = {"start": DATE, "end": DATE, "summary": MARKDOWN}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["target_level"].queryset = CareerLevel.objects.order_by("track", "rank", "name")


class GrowthGoalForm(VersionedModelForm):
    class Meta:
        model = GrowthGoal
        fields = ["description", "competency", "status", "due"]
        widgets = {"due": DATE, "description": forms.Textarea(attrs={"rows": 3})}


class CheckInForm(VersionedModelForm):
    class Meta:
        model = CheckIn
        fields = ["held_on", "notes"]
        labels = {"held_on": "Date"}
        widgets = {"held_on": DATE, "notes": MARKDOWN}


class OneOnOneForm(VersionedModelForm):
    class Meta:
        model = OneOnOne
        fields = ["with_person", "held_on", "notes"]
        labels = {"held_on": "Date", "with_person": "With"}
        widgets = {"held_on": DATE, "notes": MARKDOWN}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _people_field(self, "with_person", exclude=self.instance.person_id)


class ActionItemForm(VersionedModelForm):
    user_fields = ()  # its owner is a person, picked among people

    class Meta:
        model = ActionItem
        fields = ["text", "owner", "due", "done"]
        widgets = {"due": DATE}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _people_field(self, "owner")


class CareerLevelForm(VersionedModelForm):
    class Meta:
        model = CareerLevel
        fields = ["name", "key", "track", "rank", "summary"]
        widgets = {"summary": forms.Textarea(attrs={"rows": 3})}


class CompetencyForm(VersionedModelForm):
    class Meta:
        model = Competency
        fields = ["name", "key", "description", "position"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class ExpectationForm(VersionedModelForm):
    """The words of one cell of the ladder (its level and competency are fixed)."""

    class Meta:
        model = Expectation
        fields = ["text"]
        labels = {"text": "Expectation"}
        help_texts = {"text": "What someone at this level does in this area, observably."}
        widgets = {"text": forms.Textarea(attrs={"rows": 4})}


class PeopleFilterForm(forms.Form):
    q = forms.CharField(required=False, label="Search", max_length=200)
    level = forms.ChoiceField(required=False)
    employment_type = forms.ChoiceField(required=False, label="Employment")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["level"].choices = [("", "Any level"), *selectors.level_choices()]
        self.fields["employment_type"].choices = [("", "Any"), *EmploymentType.choices]

    def filters(self) -> selectors.PeopleFilters:
        """The filters asked for; one that is not valid (a level that no longer exists
        in a bookmarked link) is left out rather than voiding the others."""
        if not self.is_bound:
            return selectors.PeopleFilters()
        self.is_valid()
        values = self.cleaned_data
        return selectors.PeopleFilters(
            search=values.get("q", "").strip(),
            level=values.get("level", ""),
            employment_type=values.get("employment_type", ""),
        )


class OrgChartFilterForm(forms.Form):
    q = forms.CharField(required=False, label="Find a person", max_length=200)
    line = forms.TypedChoiceField(
        required=False, label="Product line", coerce=int, empty_value=None
    )

    def __init__(self, *args: Any, lines: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["line"].choices = [("", "All product lines"), *lines]


class ReadinessFilterForm(forms.Form):
    verdict = forms.ChoiceField(required=False, label="Readiness")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["verdict"].choices = [
            ("", "Any"),
            *((verdict, readiness.VERDICT_LABELS[verdict]) for verdict in readiness.VERDICT_ORDER),
        ]
