"""Every read of the customer voice used by views and the API, each with the joins
it needs so that a page costs a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

from django.db.models import (
    BooleanField,
    Case,
    Count,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, RowNumber, Substr
from django.utils import timezone

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
from pilothouse.roadmap.models import Feature


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


# --- the pages of the web UI (inbox, customer pages, evidence panel) ------------------

INBOX_EXCERPT_CHARS = 400


def inbox_note_list() -> QuerySet[Note]:
    """Notes as the inbox lists them: customer, kind and suggested kind, tags, and the
    features they are linked to; the text only as its start (`text_start`)."""
    links = NoteLink.objects.select_related("feature").only(
        "id", "note_id", "feature_id", "importance", "feature__id", "feature__title"
    )
    return (
        Note.objects.select_related("kind", "suggested_kind", "customer")
        .defer("text")
        .annotate(text_start=Substr("text", 1, INBOX_EXCERPT_CHARS))
        .prefetch_related(
            Prefetch("tags", queryset=Tag.objects.only("id", "name")),
            Prefetch("links", queryset=links),
        )
        .order_by("-submitted_at", "-id")
    )


def inbox_search(
    *,
    state: str | None = None,
    kind_id: int | None = None,
    without_kind: bool = False,
    source: str | None = None,
    segment: Segment | None = None,
    customer_id: int | None = None,
    customer_text: str | None = None,
    tag: str | None = None,
    submitted_from: dt.date | None = None,
    submitted_to: dt.date | None = None,
    text: str | None = None,
    feature_id: int | None = None,
) -> QuerySet[Note]:
    """The inbox's notes matching every given filter (None: not filtered), newest first.
    Dates are whole days in the current time zone, both ends included."""
    qs = inbox_note_list()
    if state:
        qs = qs.filter(state=state)
    if without_kind:
        qs = qs.filter(kind__isnull=True)
    elif kind_id:
        qs = qs.filter(kind_id=kind_id)
    if source:
        qs = qs.filter(source=source)
    if segment is not None:
        qs = qs.filter(segment.customer_q(prefix="customer__"))
    if customer_id:
        qs = qs.filter(customer_id=customer_id)
    if customer_text:
        qs = qs.filter(
            Q(customer__name__icontains=customer_text)
            | Q(customer__external_id__iexact=customer_text)
        )
    if tag:
        qs = qs.filter(tags__name__iexact=tag)
    if submitted_from:
        qs = qs.filter(submitted_at__gte=_day_start(submitted_from))
    if submitted_to:
        qs = qs.filter(submitted_at__lt=_day_start(submitted_to + dt.timedelta(days=1)))
    if text:
        qs = qs.filter(Q(title__icontains=text) | Q(text__icontains=text))
    if feature_id:
        qs = qs.filter(links__feature_id=feature_id)
    return qs


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def note_detail(*, pk: int) -> Note:
    """A note with everything its page and the inbox's detail pane show."""
    links = NoteLink.objects.select_related("feature__product").order_by("id")
    return (
        Note.objects.select_related("kind", "suggested_kind", "customer", "contact", "author")
        .prefetch_related(
            Prefetch("tags", queryset=Tag.objects.only("id", "name")),
            Prefetch("links", queryset=links),
        )
        .get(pk=pk)
    )


def note_detail_or_none(*, pk: int) -> Note | None:
    try:
        return note_detail(pk=pk)
    except Note.DoesNotExist:
        return None


def note_kind_choices(*, including: int | None = None) -> list[NoteKind]:
    """The kinds offered for triage (active ones, by position), plus `including`."""
    wanted = Q(active=True) | Q(pk=including) if including else Q(active=True)
    return list(NoteKind.objects.filter(wanted))


def feature_matches(*, text: str, exclude_ids: Iterable[int] = (), limit: int = 8) -> list[Feature]:
    """Features whose title holds `text` (titles starting with it first, then the most
    requested), for the feature picker; one query."""
    text = text.strip()
    if not text:
        return []
    starts = Case(When(title__istartswith=text, then=Value(0)), default=Value(1))
    qs = (
        Feature.objects.filter(title__icontains=text)
        .exclude(pk__in=list(exclude_ids))
        .select_related("product")
        .only("id", "title", "stage", "demand_requests", "product__id", "product__name")
        .order_by(starts, "-demand_requests", "title", "id")
    )
    return list(qs[:limit])


# Sort keys of the customer list -> the ordering they stand for.
CUSTOMER_SORTS = {
    "name": [F("name").asc()],
    "arr": [F("arr").asc()],
    "notes": [F("note_count").asc()],
}
DEFAULT_CUSTOMER_SORT = "name"


def customer_search(
    *,
    text: str | None = None,
    market_segment: str | None = None,
    plan: str | None = None,
    region: str | None = None,
    segment: Segment | None = None,
    min_arr: Decimal | None = None,
    sort: str = DEFAULT_CUSTOMER_SORT,
) -> QuerySet[Customer]:
    qs = customer_list()
    if text:
        qs = qs.filter(Q(name__icontains=text) | Q(external_id__iexact=text))
    if market_segment:
        qs = qs.filter(market_segment__iexact=market_segment)
    if plan:
        qs = qs.filter(plan__iexact=plan)
    if region:
        qs = qs.filter(region__iexact=region)
    if segment is not None:
        qs = qs.filter(segment.customer_q())
    if min_arr is not None:
        qs = qs.filter(arr__gte=min_arr)
    terms = CUSTOMER_SORTS.get(sort.lstrip("-"), CUSTOMER_SORTS[DEFAULT_CUSTOMER_SORT])
    if sort.startswith("-"):
        terms = [term.desc() for term in (t.expression for t in terms)]
    return qs.order_by(*terms, "-id" if sort.startswith("-") else "id")


def customer_labels(*, limit: int = 200) -> dict[str, list[str]]:
    """The distinct market segments, plans and regions customers carry (for filters)."""
    labels = {}
    for name in ("market_segment", "plan", "region"):
        values = (
            Customer.objects.exclude(**{name: ""})
            .order_by(name)
            .values_list(name, flat=True)
            .distinct()
        )
        labels[name] = list(values[:limit])
    return labels


def customer_matches(*, text: str, limit: int = 20) -> list[Customer]:
    """Customers whose name holds `text` (or whose external id is it), biggest first."""
    text = text.strip()
    if not text:
        return list(Customer.objects.order_by("-arr", "name")[:limit])
    qs = Customer.objects.filter(Q(name__icontains=text) | Q(external_id__iexact=text))
    return list(qs.order_by("-arr", "name")[:limit])


def customer_detail(*, pk: int) -> Customer:
    return customer_list().get(pk=pk)


def customer_segments(*, customer: Customer, segments: Iterable[Segment]) -> list[Segment]:
    """The segments the customer belongs to now, in one query whatever their number."""
    segments = list(segments)
    flags = {
        f"in_{segment.pk}": Case(
            When(segment.customer_q(), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
        for segment in segments
    }
    if not flags:
        return []
    row = Customer.objects.filter(pk=customer.pk).annotate(**flags).values(*flags).first() or {}
    return [segment for segment in segments if row.get(f"in_{segment.pk}")]


def customer_features(*, customer: Customer) -> list[NoteLink]:
    """The features the customer's notes ask for, each once: the customer's latest link
    to it (its importance is the one that counts) with `request_count`, the number of
    the customer's notes linked to it; most important first. One query."""
    partition = [F("feature_id")]
    latest = (
        NoteLink.objects.filter(note__customer=customer)
        .select_related("feature__product", "note")
        .defer("note__text")
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=partition,
                order_by=[F("note__submitted_at").desc(), F("id").desc()],
            ),
            request_count=Window(Count("id"), partition_by=partition),
        )
        .filter(rank=1)
        .order_by()
    )
    return sorted(
        latest,
        key=lambda link: (
            -(evidence.DEFAULT_WEIGHT if link.importance is None else link.importance),
            -link.request_count,
            link.feature.title,
        ),
    )


def segment_member_counts(*, segments: Iterable[Segment]) -> dict[int, int]:
    """{segment id: number of customers in it now}, in one query."""
    segments = list(segments)
    counts = {f"n_{s.pk}": Count("pk", filter=s.customer_q()) for s in segments if s.rules}
    totals = Customer.objects.aggregate(everyone=Count("pk"), **counts)
    result = {}
    for segment in segments:
        if segment.rules:
            result[segment.pk] = totals[f"n_{segment.pk}"]
        else:  # no rules: everyone under "all", nobody under "any"
            result[segment.pk] = totals["everyone"] if segment.match == "all" else 0
    return result


def feature_evidence_links(*, feature_id: int, limit: int) -> list[NoteLink]:
    """The latest links to a feature (by the note's date), with their notes' customers."""
    qs = (
        NoteLink.objects.filter(feature_id=feature_id)
        .select_related("note__customer")
        .defer("note__text")
        .annotate(note_text_start=Substr("note__text", 1, INBOX_EXCERPT_CHARS))
        .order_by("-note__submitted_at", "-id")
    )
    return list(qs[:limit])
