"""Every read of the customer voice used by views and the API, each with the joins
it needs so that a page costs a fixed number of queries."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Count, IntegerField, OuterRef, Prefetch, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from pilothouse.customers import evidence
from pilothouse.customers.models import (
    Contact,
    Customer,
    Decision,
    Note,
    NoteKind,
    NoteLink,
    Segment,
    SuggestionDecision,
    Tag,
)


def _count_of(queryset: QuerySet, field: str) -> Coalesce:
    """A correlated count (cheaper than a join + GROUP BY for a page of rows)."""
    counted = (
        queryset.filter(**{field: OuterRef("pk")})
        .order_by()
        .values(field)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def customer_list() -> QuerySet[Customer]:
    return Customer.objects.select_related("account_owner").annotate(
        note_count=_count_of(Note.objects.all(), "customer"),
        contact_count=_count_of(Contact.objects.all(), "customer"),
    )


def contact_list() -> QuerySet[Contact]:
    return Contact.objects.select_related("customer")


def segment_list() -> QuerySet[Segment]:
    return Segment.objects.all()


def segment_customers(*, segment: Segment) -> QuerySet[Customer]:
    """The segment's members, evaluated now."""
    return customer_list().filter(segment.customer_q())


def note_kind_list() -> QuerySet[NoteKind]:
    return NoteKind.objects.annotate(note_count=_count_of(Note.objects.all(), "kind"))


def tag_list() -> QuerySet[Tag]:
    return Tag.objects.annotate(note_count=_count_of(Note.tags.through.objects.all(), "tag"))


def note_list() -> QuerySet[Note]:
    return Note.objects.select_related(
        "kind", "suggested_kind", "customer", "contact", "author"
    ).prefetch_related(
        Prefetch("tags", queryset=Tag.objects.only("id", "name")),
        Prefetch("links", queryset=NoteLink.objects.only("id", "note_id", "feature_id")),
    )


def note_link_list() -> QuerySet[NoteLink]:
    return NoteLink.objects.select_related("feature", "note__customer")


def feature_evidence(*, feature_id: int) -> tuple[evidence.Evidence, list[Segment]]:
    """A feature's demand with its breakdowns over every segment (two queries for the
    evidence, one for the segments, whatever the number of notes or segments)."""
    segments = list(segment_list())
    return evidence.compute([feature_id], segments=segments)[feature_id], segments


def suggestion_decided_pairs(
    *, kind: str, decision: str | None = Decision.DISMISSED, note_ids: Iterable[int] | None = None
) -> set[tuple[int, int]]:
    """(note id, target id) of the suggestions of this kind the team decided on
    (dismissed by default; None: accepted or dismissed), for the triage engine to
    leave out."""
    qs = SuggestionDecision.objects.filter(kind=kind)
    if decision is not None:
        qs = qs.filter(decision=decision)
    if note_ids is not None:
        qs = qs.filter(note_id__in=list(note_ids))
    return set(qs.values_list("note_id", "target_id"))
