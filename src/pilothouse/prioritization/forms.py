"""Forms of the prioritization pages: a scoring model, the filters of a backlog and of a
comparison, and a feature's inputs under one model.

The forms only carry values: the model's validation (ScoringModel.clean, with the
engine) and the services decide what is valid, and their errors land on the fields.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

from pilothouse.core import selectors as core_selectors
from pilothouse.core.forms import VersionedModelForm
from pilothouse.engines import scoring
from pilothouse.portfolio import selectors as portfolio_selectors
from pilothouse.prioritization import backlogs, selectors
from pilothouse.prioritization.models import ScoringModel
from pilothouse.roadmap.models import FeatureStage

FIELD_PARTS = ("name", "label", "min", "max", "help")
INPUT_FIELDS_HELP = (
    "Custom models only. One input per line: name | label | min | max | help, e.g. "
    "“strategic_fit | Strategic fit | 0 | 5”. Only the name is required; the formula "
    "refers to the inputs by name."
)
FORMULA_HELP = (
    "Custom models only. Numbers, the inputs' names, + - * / and ^ (power), parentheses, "
    "min(a, b, …), max(a, b, …), abs(x), sqrt(x), log(x) and log(x, base). It may also "
    "read each feature's "
    + ", ".join(field.name for field in scoring.COMPUTED_FIELDS)
    + " (those scores are computed when shown)."
)


def fields_as_text(definitions: Any) -> str:
    """A custom model's input definitions as the lines the form shows."""
    if not isinstance(definitions, list):
        return ""
    lines = []
    for item in definitions:
        if not isinstance(item, dict):
            continue
        parts = ["" if item.get(key) is None else str(item.get(key)) for key in FIELD_PARTS]
        while parts and not parts[-1]:
            parts.pop()
        lines.append(" | ".join(parts))
    return "\n".join(lines)


def fields_from_text(text: str) -> list[dict[str, str]]:
    """The input definitions written one per line as "name | label | min | max | help"
    (the values are checked by the model, as they are when they come through the API)."""
    definitions = []
    for line in (text or "").splitlines():
        if not line.strip():
            continue
        parts = [part.strip() for part in line.split("|", len(FIELD_PARTS) - 1)]
        definitions.append(
            {key: value for key, value in zip(FIELD_PARTS, parts, strict=False) if value}
        )
    return definitions


def _formula_position(errors: list[ValidationError]) -> int | None:
    for error in errors:
        if error.code == "formula" and error.params:
            return error.params.get("position")
    return None


class ScoringModelForm(VersionedModelForm):
    input_fields = forms.CharField(
        required=False,
        label="Inputs",
        help_text=INPUT_FIELDS_HELP,
        widget=forms.Textarea(attrs={"rows": 5, "class": "code-input", "spellcheck": "false"}),
    )

    class Meta:
        model = ScoringModel
        fields = ["name", "framework", "product", "description", "formula", "input_fields"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "formula": forms.Textarea(
                attrs={"rows": 4, "class": "code-input", "spellcheck": "false"}
            ),
        }
        help_texts = {"formula": FORMULA_HELP}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        product = self.fields["product"]
        product.queryset = portfolio_selectors.product_list()
        product.empty_label = "Whole portfolio"
        if self.instance.pk is not None:
            self.fields["framework"].disabled = True
            self.fields["framework"].help_text = "Fixed: its scores' inputs belong to it."
        if not self.is_bound:
            self.initial["input_fields"] = fields_as_text(self.instance.input_fields)

    def clean_input_fields(self) -> list[dict[str, str]]:
        return fields_from_text(self.cleaned_data.get("input_fields") or "")

    def _update_errors(self, errors: ValidationError) -> None:
        # The model names a definition's place ("input_fields[2].max"): say it by line.
        if hasattr(errors, "error_dict"):
            moved: dict[str, list] = {}
            for name, found in errors.error_dict.items():
                key, prefix = name, ""
                if name.startswith("input_fields["):
                    index, _, part = name[len("input_fields[") :].partition("]")
                    key = "input_fields"
                    prefix = f"line {int(index) + 1}" + (f", {part.lstrip('.')}" if part else "")
                if key not in self.fields and key != NON_FIELD_ERRORS:
                    key = NON_FIELD_ERRORS
                for error in found:
                    if prefix:
                        error = ValidationError(f"{prefix}: {' '.join(error.messages)}")
                    moved.setdefault(key, []).append(error)
            errors = ValidationError(moved)
        super()._update_errors(errors)

    def formula_caret(self) -> tuple[str, str] | None:
        """(the line of the formula, a caret under the error) when the formula was refused."""
        position = _formula_position(self.errors.as_data().get("formula", []))
        if position is None:
            return None
        return scoring.caret_lines(self["formula"].value() or "", position)


def formula_check(*, formula: str, input_fields_text: str) -> dict[str, Any]:
    """The live check of a custom formula being typed: its error with the caret, or the
    fields it reads."""
    probe = ScoringModel(
        framework=scoring.CUSTOM,
        formula=(formula or "").strip(),
        input_fields=fields_from_text(input_fields_text),
    )
    problems = probe.definition_errors()
    if not problems:
        scheme = scoring.custom_scheme(probe.input_fields, probe.formula)
        return {"ok": True, "reads": scheme.required, "computed": scheme.computed}
    messages = []
    caret = None
    for name, found in problems.items():
        error = found if isinstance(found, ValidationError) else ValidationError(found)
        messages += [f"{name.replace('_', ' ')}: {message}" for message in error.messages]
        position = _formula_position(error.error_list)
        if position is not None:
            caret = scoring.caret_lines(probe.formula, position)
    return {"ok": False, "messages": messages, "caret": caret}


# --- backlog and comparison filters ------------------------------------------------------------

OPEN_LABEL = "Open (idea, candidate, planned)"


class BacklogFilterForm(forms.Form):
    """The filters of a backlog; each optional, a bad value ignored."""

    product_line = forms.ModelChoiceField(
        queryset=None, required=False, empty_label="Any product line"
    )
    product = forms.ModelChoiceField(queryset=None, required=False, empty_label="Any product")
    stage = forms.ChoiceField(
        required=False,
        choices=[("", OPEN_LABEL), *FeatureStage.choices, (backlogs.ANY_STAGE, "Any stage")],
    )
    owner = forms.ModelChoiceField(queryset=None, required=False, empty_label="Anyone")
    sort = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["product_line"].queryset = portfolio_selectors.product_line_list()
        self.fields["product"].queryset = portfolio_selectors.product_list()
        self.fields["owner"].queryset = core_selectors.user_list()

    def _valid(self, name: str) -> Any:
        return self.cleaned_data.get(name) if name not in self.errors else None

    def filters(self) -> selectors.BacklogFilters:
        self.is_valid()

        def pk(name: str) -> int | None:
            value = self._valid(name)
            return value.pk if value else None

        return selectors.BacklogFilters(
            product_line_id=pk("product_line"),
            product_id=pk("product"),
            stage=self._valid("stage") or None,
            owner_id=pk("owner"),
        )

    def sort_key(self) -> str:
        """The valid sort asked for (a key of BACKLOG_SORTS, "-" first to descend)."""
        sort = self._valid("sort") or ""
        if sort.lstrip("-") not in backlogs.BACKLOG_SORTS:
            return backlogs.DEFAULT_BACKLOG_SORT
        return sort


class CompareForm(BacklogFilterForm):
    first = forms.ModelChoiceField(queryset=None, label="Scoring model")
    second = forms.ModelChoiceField(queryset=None, label="Compared with")

    field_order = ["first", "second"]

    def __init__(self, *args: Any, models: list[ScoringModel], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("first", "second"):
            self.fields[name].queryset = ScoringModel.objects.all()
            # The models are loaded for the page already: no query to draw the choices.
            self.fields[name].choices = [("", "Choose a model"), *((m.pk, str(m)) for m in models)]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("first") and data.get("first") == data.get("second"):
            self.add_error("second", "Choose another model to compare with.")
        return data


# --- a feature's inputs under one model -------------------------------------------------------


def choice_value(value: Any) -> str:
    """The form value of an allowed input value (0.8 -> "0.8", 2 -> "2.0")."""
    return repr(float(value))


class ScoreInputsForm(forms.Form):
    """A feature's inputs under one scoring model: one field per input of its scheme.
    The values go to services.feature_score_set, which validates them."""

    version = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)

    def __init__(
        self,
        *args: Any,
        scheme: scoring.Scheme,
        inputs: dict[str, Any] | None = None,
        version: int | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.scheme = scheme
        inputs = inputs or {}
        self.fields["version"].initial = version
        for spec in scheme.inputs:
            value = inputs.get(spec.name)
            if spec.choices:
                help_text = spec.help  # the scale is in the choices
            else:
                accepts = spec.describe()
                accepts = accepts[0].upper() + accepts[1:] + "."
                help_text = f"{spec.help} {accepts}" if spec.help else accepts
            if spec.choices:
                field = forms.ChoiceField(
                    label=spec.label,
                    required=False,
                    choices=[
                        ("", "Not given"),
                        *((choice_value(c.value), c.label) for c in spec.choices),
                    ],
                    help_text=help_text,
                )
                initial = choice_value(value) if value is not None else ""
            else:
                attrs: dict[str, Any] = {"step": "1" if spec.integer else "any"}
                if spec.minimum is not None:
                    attrs["min"] = f"{spec.minimum:.15g}"
                if spec.maximum is not None:
                    attrs["max"] = f"{spec.maximum:.15g}"
                field = forms.CharField(
                    label=spec.label,
                    required=False,
                    help_text=help_text,
                    widget=forms.NumberInput(attrs=attrs),
                )
                initial = "" if value is None else str(value)
            field.initial = initial
            self.fields[spec.name] = field

    @classmethod
    def for_view(cls, view: selectors.ScoreView, data: Any = None) -> ScoreInputsForm:
        """The form of a feature's inputs under one model (prefixed by the model, so the
        forms of several models live on one page)."""
        return cls(
            data,
            scheme=view.scheme,
            inputs=view.inputs,
            version=view.version,
            prefix=f"model-{view.scoring_model.pk}",
        )

    def inputs(self) -> dict[str, Any]:
        """The values as given (strings; empty ones are missing inputs)."""
        return {spec.name: self.cleaned_data.get(spec.name) for spec in self.scheme.inputs}

    def apply_error(self, error: ValidationError) -> None:
        """Put a service's refusal on the fields: "inputs.reach" on reach, the rest on
        the form as a whole."""
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        for name, found in error.error_dict.items():
            field = name.removeprefix("inputs.")
            if field in self.fields and field != "version":
                self.add_error(field, found)
            else:
                self.add_error(None, ValidationError(found).messages)
