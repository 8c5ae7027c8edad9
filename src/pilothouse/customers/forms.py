"""Forms of the customer voice's pages: the inbox filters and triage actions, notes,
links to features, customers, contacts and segments.

Every form hands its values to the services (through core.editing or the views);
none of them saves anything itself.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

from pilothouse.core.forms import VersionedModelForm
from pilothouse.customers import segments as segment_rules
from pilothouse.customers import selectors
from pilothouse.customers.models import (
    EXCERPT_MAX,
    Contact,
    Customer,
    Importance,
    Note,
    NoteKind,
    NoteSource,
    NoteState,
    Segment,
)
from pilothouse.customers.services import BulkAction
from pilothouse.roadmap.models import Feature

# The state the inbox shows when none is chosen, and the choice meaning "any state".
DEFAULT_STATE = NoteState.NEW
ANY_STATE = "all"
NO_KIND = "none"


def _date_input() -> forms.DateInput:
    return forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})


class KindChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.name if obj.active else f"{obj.name} (no longer used)"


# --- the inbox ------------------------------------------------------------------------


class InboxFilterForm(forms.Form):
    """The inbox's filters; each optional, a bad value ignored (the list stays usable)."""

    q = forms.CharField(
        required=False,
        label="Search",
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "Title or text"}),
    )
    state = forms.ChoiceField(
        required=False, choices=[*NoteState.choices, (ANY_STATE, "Any state")]
    )
    kind = forms.ChoiceField(required=False)
    source = forms.ChoiceField(required=False, choices=[("", "Any source"), *NoteSource.choices])
    segment = forms.ModelChoiceField(queryset=None, required=False, empty_label="Any segment")
    customer = forms.CharField(
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "Name or external id"}),
    )
    tag = forms.CharField(required=False)
    submitted_from = forms.DateField(required=False, label="From", widget=_date_input())
    submitted_to = forms.DateField(required=False, label="To", widget=_date_input())
    # Set by links from other pages (a customer's notes, a feature's evidence).
    customer_id = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)
    feature = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args: Any, kinds: list[NoteKind], segments: list[Segment], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [
            ("", "Any kind"),
            (NO_KIND, "No kind yet"),
            *((str(kind.pk), kind.name) for kind in kinds),
        ]
        self.fields["segment"].queryset = selectors.segment_list()
        # The segments are already loaded for the page: no query to draw the choices.
        self.fields["segment"].choices = [("", "Any segment"), *((s.pk, s.name) for s in segments)]

    def _valid(self, name: str) -> Any:
        return self.cleaned_data.get(name) if name not in self.errors else None

    def filters(self) -> dict[str, Any]:
        """The valid filters as `selectors.inbox_search` takes them."""
        self.is_valid()
        state = self._valid("state") or DEFAULT_STATE
        kind = self._valid("kind") or ""
        return {
            "state": None if state == ANY_STATE else state,
            "without_kind": kind == NO_KIND,
            "kind_id": int(kind) if kind.isdigit() else None,
            "source": self._valid("source") or None,
            "segment": self._valid("segment"),
            "customer_id": self._valid("customer_id"),
            "customer_text": (self._valid("customer") or "").strip() or None,
            "tag": (self._valid("tag") or "").strip() or None,
            "submitted_from": self._valid("submitted_from"),
            "submitted_to": self._valid("submitted_to"),
            "text": (self._valid("q") or "").strip() or None,
            "feature_id": self._valid("feature"),
        }


class BulkForm(forms.Form):
    """One triage action on the checked notes: the button pressed names the action."""

    note_ids = forms.TypedMultipleChoiceField(coerce=int, choices=(), label="Notes")
    action = forms.ChoiceField(choices=BulkAction.choices)
    kind = forms.ModelChoiceField(
        queryset=NoteKind.objects.filter(active=True), required=False, empty_label="No kind"
    )
    state = forms.ChoiceField(choices=NoteState.choices, required=False)
    tag = forms.CharField(required=False, max_length=200)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Any id may be sent; the service says which notes do not exist.
        ids = self.data.getlist("note_ids") if hasattr(self.data, "getlist") else []
        self.fields["note_ids"].choices = [(i, i) for i in ids]
        self.fields["note_ids"].error_messages["required"] = "Check at least one note."

    def value(self) -> Any:
        """The value of the chosen action, as services.note_bulk takes it."""
        action = self.cleaned_data["action"]
        if action == BulkAction.SET_KIND:
            kind = self.cleaned_data.get("kind")
            return kind.pk if kind else None
        if action == BulkAction.SET_STATE:
            return self.cleaned_data.get("state") or None
        if action == BulkAction.ADD_TAG:
            return self.cleaned_data.get("tag") or ""
        return None


class LinkCreateForm(forms.Form):
    """Link a note to a feature (picked in the feature picker)."""

    feature = forms.ModelChoiceField(
        queryset=None,
        error_messages={"required": "Choose a feature.", "invalid_choice": "No such feature."},
    )
    importance = forms.TypedChoiceField(
        choices=[("", "Not rated"), *Importance.choices],
        coerce=int,
        empty_value=None,
        required=False,
    )
    excerpt = forms.CharField(
        required=False,
        max_length=EXCERPT_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Optional: the passage of the note that asks for it.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["feature"].queryset = Feature.objects.select_related("product")


class LinkUpdateForm(forms.Form):
    importance = LinkCreateForm.base_fields["importance"]
    excerpt = LinkCreateForm.base_fields["excerpt"]


# --- notes ----------------------------------------------------------------------------


def _limited_choices(field: forms.ModelChoiceField, objects, empty: str) -> None:
    """Draw only `objects` as the choices; the queryset still validates any id."""
    field.widget.choices = [("", empty), *((obj.pk, str(obj)) for obj in objects)]


class NoteForm(VersionedModelForm):
    """A note: text, title, source, customer (searched by name), contact, tags as
    comma-separated names, and the kind for those who triage."""

    tags = forms.CharField(
        required=False,
        help_text="Comma-separated, e.g. “exports, performance”; new tags are created.",
    )
    customer_search = forms.CharField(
        required=False,
        label="Find a customer",
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
        help_text="Type part of a name to narrow the customers below.",
    )

    class Meta:
        model = Note
        fields = ["text", "title", "source", "customer_search", "customer", "contact", "kind"]
        field_classes = {"kind": KindChoiceField}
        widgets = {"text": forms.Textarea(attrs={"rows": 10})}
        help_texts = {"text": "Markdown: **bold**, *italic*, lists, links."}

    def __init__(self, *args: Any, can_triage: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["tags"].initial = ", ".join(
            sorted(t.name for t in self.instance.tags.all()) if self.instance.pk else []
        )
        self.order_fields([*self.Meta.fields[:6], "tags", "kind"])
        if not can_triage:
            del self.fields["kind"]
        else:
            self.fields["kind"].queryset = NoteKind.objects.all()
            label = self.fields["kind"].label_from_instance
            kinds = selectors.note_kind_choices(including=self.instance.kind_id)
            self.fields["kind"].widget.choices = [
                ("", "No kind yet"),
                *((k.pk, label(k)) for k in kinds),
            ]
        self.fields["customer"].queryset = Customer.objects.all()
        self.fields["contact"].queryset = Contact.objects.all()
        self.fields["customer"].widget.attrs["data-picker-target"] = "customer"
        customer_id = self._chosen("customer")
        search = (self.data.get("customer_search") or "") if self.is_bound else ""
        shown = selectors.customer_matches(text=search)
        if customer_id and all(c.pk != customer_id for c in shown):
            shown = [*Customer.objects.filter(pk=customer_id), *shown]
        _limited_choices(self.fields["customer"], shown, "No customer")
        contacts = Contact.objects.filter(customer_id=customer_id) if customer_id else []
        _limited_choices(self.fields["contact"], contacts, "No contact")

    def _chosen(self, name: str) -> int | None:
        value = self.data.get(name) if self.is_bound else self.initial.get(name)
        value = getattr(value, "pk", value)
        return int(value) if str(value or "").isdigit() else None

    def clean_tags(self) -> list[str]:
        raw = self.cleaned_data.get("tags") or ""
        return [name.strip() for name in raw.split(",") if name.strip()]

    def service_data(self) -> tuple[dict[str, Any], dict[str, Any]]:
        data, many = super().service_data()
        data["tags"] = many.pop("tags", [])  # names: the service finds or creates them
        return data, many


# --- customers, contacts, segments ----------------------------------------------------


class CustomerFilterForm(forms.Form):
    """The filters and sort of the customer list; a bad value is ignored."""

    q = forms.CharField(
        required=False,
        label="Search",
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "Name or external id"}),
    )
    market_segment = forms.ChoiceField(required=False, label="Market segment")
    plan = forms.ChoiceField(required=False)
    region = forms.ChoiceField(required=False)
    segment = forms.ModelChoiceField(queryset=None, required=False, empty_label="Any segment")
    min_arr = forms.DecimalField(required=False, min_value=0, label="ARR at least")
    sort = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(
        self, *args: Any, labels: dict[str, list[str]], segments: list[Segment], **kwargs
    ) -> None:
        super().__init__(*args, **kwargs)
        for name, anything in (("market_segment", "Any"), ("plan", "Any plan"), ("region", "Any")):
            self.fields[name].choices = [("", anything), *((v, v) for v in labels[name])]
        self.fields["segment"].queryset = selectors.segment_list()
        self.fields["segment"].choices = [("", "Any segment"), *((s.pk, s.name) for s in segments)]

    def filters(self) -> dict[str, Any]:
        """The valid filters as `selectors.customer_search` takes them (without sort)."""
        self.is_valid()

        def valid(name: str) -> Any:
            return self.cleaned_data.get(name) if name not in self.errors else None

        return {
            "text": (valid("q") or "").strip() or None,
            "market_segment": valid("market_segment") or None,
            "plan": valid("plan") or None,
            "region": valid("region") or None,
            "segment": valid("segment"),
            "min_arr": valid("min_arr"),
        }


class CustomerForm(VersionedModelForm):
    user_fields = ("account_owner",)

    class Meta:
        model = Customer
        fields = [
            "name",
            "external_id",
            "market_segment",
            "plan",
            "arr",
            "region",
            "account_owner",
            "created",
        ]
        widgets = {"created": _date_input()}


class ContactForm(VersionedModelForm):
    class Meta:
        model = Contact
        fields = ["name", "email", "role"]


RULES_HELP = (
    'A JSON list of conditions, e.g. [{"field": "arr", "op": ">=", "value": 100000}, '
    '{"field": "region", "op": "in", "value": ["EMEA", "UK"]}]. Fields: arr, '
    "market_segment, plan, region, name, account_owner_id, created (YYYY-MM-DD). "
    "Ops: = != < <= > >= for numbers and dates; = != contains in for text."
)


class SegmentForm(VersionedModelForm):
    class Meta:
        model = Segment
        fields = ["name", "description", "match", "rules"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "rules": forms.Textarea(
                attrs={"rows": 8, "class": "code-input", "spellcheck": "false"}
            ),
        }
        help_texts = {"rules": RULES_HELP}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["rules"].required = False

    def clean_rules(self) -> Any:
        rules = self.cleaned_data.get("rules")
        if rules is None:
            return []
        problems = segment_rules.rule_errors(rules)
        if problems:
            raise ValidationError(list(problems.values()))
        return rules

    def _update_errors(self, errors: ValidationError) -> None:
        # The model names a rule's place ("rules[2].value"): show it on the rules field.
        if hasattr(errors, "error_dict"):
            moved: dict[str, list] = {}
            for name, found in errors.error_dict.items():
                key = "rules" if name.startswith("rules[") else name
                if key not in self.fields and key != NON_FIELD_ERRORS:
                    key = NON_FIELD_ERRORS
                moved.setdefault(key, []).extend(found)
            errors = ValidationError(moved)
        super()._update_errors(errors)
