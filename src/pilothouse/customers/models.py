"""Customers, contacts and segments; feedback notes with their kinds and tags; evidence
links from notes to features; remembered decisions on triage suggestions.

Who may write what (decided in core.permissions from the attributes below):

- Customer, Contact, Segment, NoteLink, SuggestionDecision: product managers, product
  leaders and admins create, change and delete them;
- Note: contributors and above create notes; the author (if still a contributor or
  above) changes and deletes their own; product managers, leaders and admins any note;
- Note.kind and Note.state (triage): only product managers, leaders and admins set them,
  also on a note a contributor wrote;
- NoteKind: product leaders and admins;
- Tag: contributors and above;
- viewers read only; everyone signed in reads everything here.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from pilothouse.core.models import User, VersionedModel
from pilothouse.core.roles import Role
from pilothouse.customers import segments
from pilothouse.roadmap.models import Feature

TRIAGERS = frozenset({Role.PRODUCT_MANAGER})
NOTE_WRITERS = frozenset({Role.PRODUCT_MANAGER, Role.CONTRIBUTOR})

NOTE_TEXT_MAX = 50_000
EXCERPT_MAX = 2_000
TAG_NAME_MAX = 50


class Customer(VersionedModel):
    EDITOR_ROLES = TRIAGERS

    name = models.CharField(max_length=200)
    external_id = models.CharField(
        max_length=100,
        unique=True,
        null=True,
        blank=True,
        help_text="The customer's id in another system (CRM, billing), for imports.",
    )
    market_segment = models.CharField(
        max_length=60, blank=True, help_text='The customer\'s own label, e.g. "Enterprise".'
    )
    plan = models.CharField(max_length=60, blank=True)
    arr = models.DecimalField(
        "ARR",
        max_digits=14,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0)],
        help_text="Annual recurring revenue.",
    )
    region = models.CharField(max_length=60, blank=True)
    account_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_customers",
    )
    created = models.DateField(
        null=True, blank=True, help_text="When the customer relationship started."
    )

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["-arr"], name="customer_arr")]

    def __str__(self) -> str:
        return self.name


class Contact(VersionedModel):
    """A person at a customer."""

    EDITOR_ROLES = TRIAGERS

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(max_length=120)
    email = models.EmailField(blank=True)
    role = models.CharField(max_length=120, blank=True, help_text="Their job at the customer.")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class SegmentMatch(models.TextChoices):
    ALL = segments.MATCH_ALL, "All rules"
    ANY = segments.MATCH_ANY, "Any rule"


class Segment(VersionedModel):
    """A rule-based group of customers, evaluated live (see customers.segments)."""

    EDITOR_ROLES = TRIAGERS

    name = models.CharField(max_length=120, unique=True)
    description = models.TextField(blank=True)
    match = models.CharField(max_length=8, choices=SegmentMatch.choices, default=SegmentMatch.ALL)
    rules = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors = segments.rule_errors(self.rules)
        if not errors:
            owners = segments.account_owner_ids(self.rules)
            known = set(User.objects.filter(pk__in=owners.values()).values_list("pk", flat=True))
            for index, user_id in owners.items():
                if user_id not in known:
                    where = f"rules[{index}].value"
                    errors[where] = f"{where}: no user with id {user_id}"
        if errors:
            raise ValidationError(errors)

    def customer_q(self, *, prefix: str = "") -> models.Q:
        """The Q selecting this segment's customers (prefix: the path to the customer)."""
        return segments.compile_rules(self.rules, self.match, prefix=prefix)


class NoteKind(VersionedModel):
    """A team-editable label of what a note is (bug, feature request, ...).

    A kind that notes use cannot be deleted (409, naming them): deactivate it instead,
    which keeps the labelled notes and takes it out of the choices for new triage.
    """

    name = models.CharField(max_length=60)
    position = models.PositiveIntegerField(default=0)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["position", "name"]
        constraints = [
            models.UniqueConstraint(
                Lower("name"),
                name="note_kind_unique_name",
                violation_error_message="A note kind with this name already exists.",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        _unique_name_ignoring_case(self, "note kind")


class Tag(VersionedModel):
    EDITOR_ROLES = NOTE_WRITERS

    name = models.CharField(max_length=TAG_NAME_MAX)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                Lower("name"),
                name="tag_unique_name",
                violation_error_message="A tag with this name already exists.",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        self.name = (self.name or "").strip()
        _unique_name_ignoring_case(self, "tag")


def _unique_name_ignoring_case(obj: NoteKind | Tag, noun: str) -> None:
    if not obj.name:
        return
    clash = type(obj).objects.filter(name__iexact=obj.name).exclude(pk=obj.pk).first()
    if clash is not None:
        raise ValidationError({"name": f"A {noun} named {clash.name!r} already exists."})


class NoteSource(models.TextChoices):
    INTERVIEW = "interview", "Interview"
    SUPPORT = "support", "Support"
    SALES = "sales", "Sales"
    SURVEY = "survey", "Survey"
    APP_REVIEW = "app_review", "App review"
    PORTAL = "portal", "Portal"
    EMAIL = "email", "Email"
    OTHER = "other", "Other"


class NoteState(models.TextChoices):
    NEW = "new", "New"
    TRIAGED = "triaged", "Triaged"
    ARCHIVED = "archived", "Archived"


class Note(VersionedModel):
    """A piece of customer feedback in the inbox."""

    CREATOR_ROLES = NOTE_WRITERS
    EDITOR_ROLES = TRIAGERS
    EDITOR_FIELDS = frozenset({"kind", "state"})
    # Filled by the triage engine; derived, so left out of the change log.
    BOOKKEEPING_FIELDS = VersionedModel.BOOKKEEPING_FIELDS | {
        "suggested_kind",
        "suggested_kind_confidence",
    }

    title = models.CharField(max_length=200, blank=True)
    text = models.TextField(
        help_text=f"Markdown, at most {NOTE_TEXT_MAX:,} characters.",
        validators=[MaxLengthValidator(NOTE_TEXT_MAX)],
    )
    source = models.CharField(max_length=16, choices=NoteSource.choices, default=NoteSource.OTHER)
    customer = models.ForeignKey(
        Customer, null=True, blank=True, on_delete=models.SET_NULL, related_name="notes"
    )
    contact = models.ForeignKey(
        Contact, null=True, blank=True, on_delete=models.SET_NULL, related_name="notes"
    )
    submitted_at = models.DateTimeField(default=timezone.now)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="authored_notes",
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="notes")
    state = models.CharField(max_length=16, choices=NoteState.choices, default=NoteState.NEW)
    kind = models.ForeignKey(
        NoteKind, null=True, blank=True, on_delete=models.PROTECT, related_name="notes"
    )
    external_id = models.CharField(max_length=200, unique=True, null=True, blank=True)
    suggested_kind = models.ForeignKey(
        NoteKind,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    suggested_kind_confidence = models.FloatField(
        null=True,
        blank=True,
        editable=False,
        validators=[MinValueValidator(0.0), MaxValueValidator(1.0)],
    )

    class Meta:
        ordering = ["-submitted_at", "-id"]
        indexes = [
            models.Index(fields=["state", "-submitted_at"], name="note_state_submitted"),
            models.Index(fields=["-submitted_at"], name="note_submitted"),
            models.Index(fields=["customer", "-submitted_at"], name="note_customer_submitted"),
            models.Index(fields=["kind", "-submitted_at"], name="note_kind_submitted"),
        ]

    def __str__(self) -> str:
        label = self.title or " ".join((self.text or "").split())
        return label if len(label) <= 60 else label[:59] + "…"

    def author_ids(self) -> set[int]:
        return {self.author_id} - {None}

    def clean(self) -> None:
        if self.contact_id and self.customer_id and self.contact.customer_id != self.customer_id:
            raise ValidationError({"contact": "This contact belongs to another customer."})
        if self.contact_id and not self.customer_id:
            raise ValidationError(
                {"contact": "A note with a contact needs the contact's customer."}
            )
        if self.text and not self.text.strip():
            raise ValidationError({"text": "The text is only blank space."})


class Importance(models.IntegerChoices):
    NOT_IMPORTANT = 0, "Not important"
    NICE_TO_HAVE = 1, "Nice to have"
    IMPORTANT = 2, "Important"
    CRITICAL = 3, "Critical"


class NoteLink(VersionedModel):
    """Evidence: a note asks for (or about) a feature, with how much it matters.

    `excerpt` is the highlighted passage: it must appear in the note's text (compared
    with runs of blank space collapsed), at most 2,000 characters. Editing the note
    later does not touch its links; an excerpt the text no longer holds is refused the
    next time the link itself is saved.
    """

    EDITOR_ROLES = TRIAGERS

    note = models.ForeignKey(Note, on_delete=models.CASCADE, related_name="links")
    feature = models.ForeignKey(Feature, on_delete=models.CASCADE, related_name="note_links")
    importance = models.PositiveSmallIntegerField(choices=Importance.choices, null=True, blank=True)
    excerpt = models.TextField(blank=True, validators=[MaxLengthValidator(EXCERPT_MAX)])

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["note", "feature"],
                name="note_link_unique",
                violation_error_message="This note is already linked to this feature.",
            )
        ]

    def __str__(self) -> str:
        try:
            return f"{self.note} → {self.feature}"
        except ObjectDoesNotExist:  # named while its note or feature is being deleted
            return f"note {self.note_id} → feature {self.feature_id}"

    def clean(self) -> None:
        if self.excerpt and self.note_id:
            wanted = " ".join(self.excerpt.split())
            if wanted and wanted not in " ".join((self.note.text or "").split()):
                raise ValidationError(
                    {"excerpt": "The excerpt does not appear in the note's text."}
                )


class SuggestionKind(models.TextChoices):
    KIND = "kind", "Kind"
    FEATURE = "feature", "Feature to link"
    DUPLICATE = "duplicate", "Duplicate of a note"


class Decision(models.TextChoices):
    ACCEPTED = "accepted", "Accepted"
    DISMISSED = "dismissed", "Dismissed"


class SuggestionDecision(VersionedModel):
    """What the team did with one triage suggestion, so it is not suggested again.

    `target_id` is the suggested NoteKind (kind), Feature (feature) or Note (duplicate:
    the note this one repeats).
    """

    EDITOR_ROLES = TRIAGERS

    note = models.ForeignKey(Note, on_delete=models.CASCADE, related_name="suggestion_decisions")
    kind = models.CharField(max_length=16, choices=SuggestionKind.choices)
    target_id = models.PositiveBigIntegerField()
    decision = models.CharField(max_length=16, choices=Decision.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-decided_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["note", "kind", "target_id"], name="suggestion_decision_unique"
            )
        ]
        indexes = [models.Index(fields=["kind", "decision"], name="suggestion_kind_decision")]

    def __str__(self) -> str:
        return f"{self.get_decision_display()} {self.kind} {self.target_id} for note {self.note_id}"


# --- stored triage state (customers.triage) --------------------------------------------
#
# Derived data, rebuilt from the notes: no version, no change log. Who may retrain the
# kind model or compute themes is decided in core.permissions from EDITOR_ROLES (asked
# as "may create one"): product managers, product leaders and admins. The similarity
# index is not here but in a file (settings.DATA_DIR / "triage"): see customers.triage.


class TriageKindModel(models.Model):
    """A trained kind model: the engine's bytes and what it was trained on (`info`).

    The latest few are kept; one at most is `active` (the one suggestions come from).
    The model's labels are NoteKind ids (as strings), so renaming a kind keeps it.
    """

    EDITOR_ROLES = TRIAGERS

    data = models.BinaryField(help_text="KindModel.to_bytes(); only ever written by Pilothouse.")
    info = models.JSONField(default=dict)
    active = models.BooleanField(default=False)
    labels_digest = models.CharField(max_length=64)
    labelled = models.PositiveIntegerField(default=0)
    cv_accuracy = models.FloatField(null=True, blank=True)
    trained_at = models.DateTimeField(default=timezone.now)
    trained_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    training_seconds = models.FloatField(default=0.0)

    class Meta:
        ordering = ["-trained_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["active"], condition=models.Q(active=True), name="triage_one_active_model"
            )
        ]

    def __str__(self) -> str:
        return f"kind model {self.pk} ({self.labelled} labels, {self.trained_at:%Y-%m-%d %H:%M})"


class ThemePeriod(models.TextChoices):
    WEEK = "week", "Week"
    MONTH = "month", "Month"


class TriageThemeReport(models.Model):
    """Themes found among the unlinked notes of a window (the engine's report as JSON)."""

    EDITOR_ROLES = TRIAGERS

    start = models.DateField()
    end = models.DateField()
    period = models.CharField(max_length=8, choices=ThemePeriod.choices, default=ThemePeriod.WEEK)
    computed_at = models.DateTimeField(default=timezone.now)
    computed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    notes = models.PositiveIntegerField(default=0, help_text="Notes in the window")
    seconds = models.FloatField(default=0.0)
    report = models.JSONField(default=dict)

    class Meta:
        ordering = ["-computed_at", "-id"]
        indexes = [
            models.Index(fields=["start", "end", "period", "-computed_at"], name="theme_window")
        ]

    def __str__(self) -> str:
        return f"themes {self.start} to {self.end} by {self.period}"


class TriageJobName(models.TextChoices):
    KIND_SUGGESTIONS = "kind_suggestions", "Retrain the kind model and refresh suggestions"
    SIMILARITY_INDEX = "similarity_index", "Rebuild the similarity index"


class TriageJob(models.Model):
    """The state of one background triage job, and its debounce flag.

    `queued_at` is set while a run is queued and cleared when it starts, so that a burst
    of changes queues one run (see customers.triage).
    """

    name = models.CharField(max_length=32, choices=TriageJobName.choices, unique=True)
    queued_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    runs = models.PositiveIntegerField(default=0)
    last_result = models.JSONField(default=dict, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
