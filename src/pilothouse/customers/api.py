"""/api/v1 routers of the customer voice: /customers, /contacts, /segments (with
/segments/{id}/customers), /notes (with POST /notes/bulk), /note-links, /note-kinds,
/tags, and GET /features/{feature_id}/evidence (a customers router mounted beside the
roadmap's own /features router, so roadmap needs to know nothing of customers).
"""

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, FilterLookup, FilterSchema, Query, Router, Schema

from pilothouse.api import crud
from pilothouse.core.markdown import render_markdown
from pilothouse.core.models import User
from pilothouse.customers import selectors, services
from pilothouse.customers.evidence import Share
from pilothouse.customers.models import (
    NOTE_TEXT_MAX,
    Contact,
    Customer,
    Importance,
    Note,
    NoteKind,
    NoteLink,
    NoteSource,
    NoteState,
    Segment,
    SegmentMatch,
    Tag,
)
from pilothouse.roadmap.models import Feature


def _segment(segment_id: int) -> Segment:
    found = Segment.objects.filter(pk=segment_id).first()
    if found is None:
        raise ValidationError({"segment_id": f"no segment with id {segment_id}"})
    return found


# --- customers -----------------------------------------------------------------------


class CustomerIn(Schema):
    name: str
    external_id: str | None = None
    market_segment: str = Field("", description='The customer\'s own label, e.g. "Enterprise"')
    plan: str = ""
    arr: Decimal = Field(Decimal(0), description="Annual recurring revenue, >= 0")
    region: str = ""
    account_owner_id: int | None = None
    created: dt.date | None = Field(None, description="When the relationship started")


class CustomerOut(crud.VersionedOut, CustomerIn):
    note_count: int = 0
    contact_count: int = 0


class CustomerFilters(FilterSchema):
    q: Annotated[str | None, FilterLookup(["name__icontains", "external_id__iexact"])] = None
    market_segment: Annotated[str | None, FilterLookup("market_segment__iexact")] = None
    plan: Annotated[str | None, FilterLookup("plan__iexact")] = None
    region: Annotated[str | None, FilterLookup("region__iexact")] = None
    segment_id: int | None = Field(None, description="Members of this segment")
    min_arr: Annotated[Decimal | None, FilterLookup("arr__gte")] = None
    account_owner_id: int | None = None

    def filter_segment_id(self, value: int | None) -> Q:
        return Q() if value is None else _segment(value).customer_q()


CUSTOMER_ORDERING = (
    "id",
    "name",
    "arr",
    "market_segment",
    "plan",
    "region",
    "created",
    "created_at",
    "updated_at",
)

customers = Router(tags=["customers"])
crud.register(
    customers,
    crud.Resource(
        model=Customer,
        out=CustomerOut,
        create_in=CustomerIn,
        update_in=crud.patch_schema(CustomerIn, name="CustomerPatch"),
        filters=CustomerFilters,
        select=selectors.customer_list,
        create=services.customer.create,
        update=services.customer.update,
        delete=services.customer.delete,
        ordering=CUSTOMER_ORDERING,
        default_ordering="name",
        refs={"account_owner_id": ("account_owner", User)},
    ),
)


# --- contacts ------------------------------------------------------------------------


class ContactIn(Schema):
    customer_id: int
    name: str
    email: str = ""
    role: str = Field("", description="Their job at the customer")


class ContactOut(crud.VersionedOut, ContactIn):
    pass


class ContactFilters(FilterSchema):
    q: Annotated[str | None, FilterLookup(["name__icontains", "email__icontains"])] = None
    customer_id: int | None = None


contacts = Router(tags=["customers"])
crud.register(
    contacts,
    crud.Resource(
        model=Contact,
        out=ContactOut,
        create_in=ContactIn,
        update_in=crud.patch_schema(ContactIn, name="ContactPatch"),
        filters=ContactFilters,
        select=selectors.contact_list,
        create=services.contact.create,
        update=services.contact.update,
        delete=services.contact.delete,
        ordering=("id", "name", "email", "created_at", "updated_at"),
        default_ordering="name",
        refs={"customer_id": ("customer", Customer)},
    ),
)


# --- segments ------------------------------------------------------------------------

RULES_HELP = (
    "Conditions {field, op, value} on customers, joined by `match`. Fields and ops: "
    "arr (=, !=, <, <=, >, >= a number); market_segment, plan, region, name (=, !=, "
    "contains a string, in a list of strings; ignoring case); account_owner_id (= a user "
    "id or null); created (=, !=, <, <=, >, >= a date YYYY-MM-DD). Errors name the rule: "
    "rules[1].op."
)


class SegmentIn(Schema):
    name: str
    description: str = ""
    match: SegmentMatch = SegmentMatch.ALL
    rules: list[Any] = Field(
        [],
        description=RULES_HELP,
        examples=[[{"field": "arr", "op": ">=", "value": 100000}]],
    )


class SegmentOut(crud.VersionedOut, SegmentIn):
    pass


class SegmentFilters(FilterSchema):
    q: Annotated[str | None, FilterLookup("name__icontains")] = None
    match: SegmentMatch | None = None


segments = Router(tags=["customers"])
crud.register(
    segments,
    crud.Resource(
        model=Segment,
        out=SegmentOut,
        create_in=SegmentIn,
        update_in=crud.patch_schema(SegmentIn, name="SegmentPatch"),
        filters=SegmentFilters,
        select=selectors.segment_list,
        create=services.segment.create,
        update=services.segment.update,
        delete=services.segment.delete,
        ordering=("id", "name", "created_at", "updated_at"),
        default_ordering="name",
    ),
)


@segments.get(
    "/{int:pk}/customers",
    response={200: crud.Page[CustomerOut], **crud.ERRORS},
    summary="List the customers of a segment",
    operation_id="segment_customers",
)
def segment_customers(
    request: HttpRequest,
    pk: int,
    limit: int = Query(crud.DEFAULT_LIMIT, ge=1, le=crud.MAX_LIMIT),
    offset: int = Query(0, ge=0),
    ordering: str | None = Query(
        None,
        description="Comma-separated fields, '-' for descending: " + ", ".join(CUSTOMER_ORDERING),
    ),
):
    segment = get_object_or_404(selectors.segment_list(), pk=pk)
    order = crud.parse_ordering(ordering, allowed=CUSTOMER_ORDERING, default="name")
    qs = selectors.segment_customers(segment=segment).order_by(*order)
    return {"items": list(qs[offset : offset + limit]), "count": qs.count()}


# --- note kinds and tags -------------------------------------------------------------


class NoteKindIn(Schema):
    name: str
    position: int = Field(0, ge=0, description="Where it sorts in pickers")
    active: bool = Field(True, description="Inactive kinds stay on their notes")


class NoteKindOut(crud.VersionedOut, NoteKindIn):
    note_count: int = 0


class NoteKindFilters(FilterSchema):
    q: Annotated[str | None, FilterLookup("name__icontains")] = None
    active: bool | None = None


note_kinds = Router(tags=["customers"])
crud.register(
    note_kinds,
    crud.Resource(
        model=NoteKind,
        out=NoteKindOut,
        create_in=NoteKindIn,
        update_in=crud.patch_schema(NoteKindIn, name="NoteKindPatch"),
        filters=NoteKindFilters,
        select=selectors.note_kind_list,
        create=services.note_kind.create,
        update=services.note_kind.update,
        delete=services.note_kind.delete,
        ordering=("id", "name", "position", "created_at", "updated_at"),
        default_ordering="position",
    ),
)


class TagIn(Schema):
    name: str


class TagOut(crud.VersionedOut, TagIn):
    note_count: int = 0


class TagFilters(FilterSchema):
    q: Annotated[str | None, FilterLookup("name__icontains")] = None
    note_id: Annotated[int | None, FilterLookup("notes__id")] = None


tags = Router(tags=["customers"])
crud.register(
    tags,
    crud.Resource(
        model=Tag,
        out=TagOut,
        create_in=TagIn,
        update_in=crud.patch_schema(TagIn, name="TagPatch"),
        filters=TagFilters,
        select=selectors.tag_list,
        create=services.tag.create,
        update=services.tag.update,
        delete=services.tag.delete,
        ordering=("id", "name", "created_at", "updated_at"),
        default_ordering="name",
    ),
)


# --- notes ---------------------------------------------------------------------------


class NoteIn(Schema):
    text: str = Field(description=f"Markdown, at most {NOTE_TEXT_MAX:,} characters")
    title: str = ""
    source: NoteSource = NoteSource.OTHER
    customer_id: int | None = None
    contact_id: int | None = Field(None, description="Brings its customer if none is given")
    submitted_at: dt.datetime | None = Field(None, description="Default: now")
    tags: list[str] = Field([], description="Tag names; new ones are created")
    state: NoteState = NoteState.NEW
    kind_id: int | None = None
    external_id: str | None = Field(None, description="The note's id in its source system")


class NoteOut(crud.VersionedOut, NoteIn):
    submitted_at: dt.datetime
    kind: str | None = Field(None, description="The kind's name")
    suggested_kind_id: int | None = Field(None, description="Set by the triage engine")
    suggested_kind: str | None = None
    suggested_kind_confidence: float | None = None
    text_html: str
    author_id: int | None = None
    customer_name: str | None = None
    feature_ids: list[int] = Field([], description="Features the note is linked to")

    @staticmethod
    def resolve_tags(obj: Note) -> list[str]:
        return sorted(tag.name for tag in obj.tags.all())

    @staticmethod
    def resolve_kind(obj: Note) -> str | None:
        return obj.kind.name if obj.kind_id else None

    @staticmethod
    def resolve_suggested_kind(obj: Note) -> str | None:
        return obj.suggested_kind.name if obj.suggested_kind_id else None

    @staticmethod
    def resolve_text_html(obj: Note) -> str:
        return str(render_markdown(obj.text))

    @staticmethod
    def resolve_customer_name(obj: Note) -> str | None:
        return obj.customer.name if obj.customer_id else None

    @staticmethod
    def resolve_feature_ids(obj: Note) -> list[int]:
        return sorted(link.feature_id for link in obj.links.all())


class NoteFilters(FilterSchema):
    q: Annotated[str | None, FilterLookup(["title__icontains", "text__icontains"])] = None
    state: NoteState | None = None
    kind_id: int | None = None
    source: NoteSource | None = None
    segment_id: int | None = Field(None, description="Notes of the segment's customers")
    customer_id: int | None = None
    contact_id: int | None = None
    author_id: int | None = None
    tag: Annotated[str | None, FilterLookup("tags__name__iexact")] = None
    submitted_after: Annotated[dt.datetime | None, FilterLookup("submitted_at__gte")] = None
    submitted_before: Annotated[dt.datetime | None, FilterLookup("submitted_at__lte")] = None
    has_links: bool | None = Field(None, description="Linked to at least one feature, or none")

    def filter_segment_id(self, value: int | None) -> Q:
        return Q() if value is None else _segment(value).customer_q(prefix="customer__")

    def filter_has_links(self, value: bool | None) -> Q:
        if value is None:
            return Q()
        linked = Exists(NoteLink.objects.filter(note=OuterRef("pk")))
        return Q(linked) if value else ~Q(linked)


notes = Router(tags=["customers"])


class NoteBulkIn(Schema):
    note_ids: list[int] = Field(description=f"At most {services.BULK_MAX} notes")
    action: services.BulkAction
    value: int | str | None = Field(
        None, description="set_kind: a kind id or null; set_state: a state; add_tag: a name"
    )


@notes.post(
    "/bulk",
    response={200: crud.Page[NoteOut], **crud.ERRORS},
    summary="Triage many notes at once (all or nothing)",
    operation_id="note_bulk",
)
def note_bulk(request: HttpRequest, payload: NoteBulkIn):
    try:
        ids = services.note_bulk(
            actor=request.user,
            note_ids=payload.note_ids,
            action=payload.action,
            value=payload.value,
        )
    except services.BulkRefused as refused:
        errors = [{"field": name, "message": message} for name, message in refused.errors]
        return refused.status, {"detail": refused.detail, "errors": errors}
    items = list(selectors.note_list().filter(pk__in=ids))
    return 200, {"items": items, "count": len(items)}


crud.register(
    notes,
    crud.Resource(
        model=Note,
        out=NoteOut,
        create_in=NoteIn,
        update_in=crud.patch_schema(NoteIn, name="NotePatch"),
        filters=NoteFilters,
        select=selectors.note_list,
        create=services.note.create,
        update=services.note.update,
        delete=services.note.delete,
        ordering=("id", "submitted_at", "title", "state", "source", "created_at", "updated_at"),
        default_ordering="-submitted_at",
        refs={
            "customer_id": ("customer", Customer),
            "contact_id": ("contact", Contact),
            "kind_id": ("kind", NoteKind),
        },
    ),
)


# --- evidence links ------------------------------------------------------------------


class NoteLinkIn(Schema):
    note_id: int
    feature_id: int
    importance: Importance | None = Field(
        None,
        description="0 not important, 1 nice to have, 2 important, 3 critical; null counts like 1",
    )
    excerpt: str = Field("", description="A passage of the note's text, at most 2,000 characters")


class NoteLinkOut(crud.VersionedOut, NoteLinkIn):
    feature_title: str
    customer_id: int | None = None

    @staticmethod
    def resolve_feature_title(obj: NoteLink) -> str:
        return obj.feature.title

    @staticmethod
    def resolve_customer_id(obj: NoteLink) -> int | None:
        return obj.note.customer_id


class NoteLinkFilters(FilterSchema):
    note_id: int | None = None
    feature_id: int | None = None
    importance: Importance | None = None
    customer_id: Annotated[int | None, FilterLookup("note__customer_id")] = None


note_links = Router(tags=["customers"])
crud.register(
    note_links,
    crud.Resource(
        model=NoteLink,
        out=NoteLinkOut,
        create_in=NoteLinkIn,
        update_in=crud.patch_schema(NoteLinkIn, name="NoteLinkPatch"),
        filters=NoteLinkFilters,
        select=selectors.note_link_list,
        create=services.note_link.create,
        update=services.note_link.update,
        delete=services.note_link.delete,
        ordering=("id", "importance", "created_at", "updated_at"),
        default_ordering="id",
        refs={"note_id": ("note", Note), "feature_id": ("feature", Feature)},
    ),
)


# --- the evidence summary of a feature -----------------------------------------------


class ShareOut(Schema):
    importance_score: int
    arr_demand: Decimal
    customer_count: int
    request_count: int


class SegmentShareOut(ShareOut):
    segment_id: int
    segment_name: str


class MarketSegmentShareOut(ShareOut):
    market_segment: str = Field(description='"" for customers without a label')


class ImportanceCountOut(Schema):
    importance: Importance | None
    label: str
    count: int


class FeatureEvidenceOut(Schema):
    feature_id: int
    importance_score: int
    arr_demand: Decimal
    request_count: int
    customer_count: int
    anonymous_request_count: int = Field(description="Linked notes without a customer")
    by_importance: list[ImportanceCountOut] = Field(
        description="The counted links: each customer's latest and every anonymous one"
    )
    by_segment: list[SegmentShareOut]
    by_market_segment: list[MarketSegmentShareOut]


def _share(share: Share) -> dict:
    return {
        "importance_score": share.importance,
        "arr_demand": share.arr,
        "customer_count": share.customers,
        "request_count": share.requests,
    }


feature_evidence_router = Router(tags=["customers"])


@feature_evidence_router.get(
    "/{int:feature_id}/evidence",
    response={200: FeatureEvidenceOut, **crud.ERRORS},
    summary="The customer evidence of a feature",
    operation_id="feature_evidence",
)
def feature_evidence(request: HttpRequest, feature_id: int):
    get_object_or_404(Feature.objects.only("id"), pk=feature_id)
    found, segment_objects = selectors.feature_evidence(feature_id=feature_id)
    empty = Share()
    labels = dict(Importance.choices)
    return {
        "feature_id": feature_id,
        "importance_score": found.importance,
        "arr_demand": found.arr,
        "request_count": found.requests,
        "customer_count": found.customers,
        "anonymous_request_count": found.anonymous_requests,
        "by_importance": [
            {"importance": key, "label": labels.get(key, "Not rated"), "count": n}
            for key, n in sorted(found.by_importance.items(), key=lambda kv: (kv[0] is None, kv[0]))
        ],
        "by_segment": [
            {
                "segment_id": segment.pk,
                "segment_name": segment.name,
                **_share(found.by_segment.get(segment.pk, empty)),
            }
            for segment in segment_objects
        ],
        "by_market_segment": [
            {"market_segment": label, **_share(share)}
            for label, share in sorted(
                found.by_market_segment.items(), key=lambda kv: (-kv[1].arr, kv[0])
            )
        ],
    }


ROUTERS = {
    "/customers": customers,
    "/contacts": contacts,
    "/segments": segments,
    "/notes": notes,
    "/note-links": note_links,
    "/note-kinds": note_kinds,
    "/tags": tags,
    "/features": feature_evidence_router,
}
