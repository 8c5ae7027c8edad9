"""What the customer voice shows on other apps' pages: the evidence panel on a feature's
page (through core.panels, so the roadmap knows nothing of customers), and the pages
of its objects for the change log's links. Registered by CustomersConfig.ready()."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse

from pilothouse.core import panels
from pilothouse.core.views import register_object_page
from pilothouse.customers import selectors
from pilothouse.customers.models import Contact, Customer, Importance, Note, NoteLink, Segment
from pilothouse.roadmap.models import Feature

EVIDENCE_NOTES_SHOWN = 10


def evidence_context(request: HttpRequest, feature: Feature) -> dict:
    """The evidence panel of a feature: its latest linked notes, its demand and the
    demand by segment and by market segment. A fixed number of queries (four)."""
    found, segments = selectors.feature_evidence(feature_id=feature.pk)
    by_segment = [(segment, found.by_segment.get(segment.pk)) for segment in segments]
    by_market_segment = sorted(
        found.by_market_segment.items(), key=lambda item: (-item[1].arr, item[0])
    )
    return {
        "evidence": found,
        "links": selectors.feature_evidence_links(
            feature_id=feature.pk, limit=EVIDENCE_NOTES_SHOWN
        ),
        "shown": EVIDENCE_NOTES_SHOWN,
        "by_segment": by_segment,
        "by_market_segment": by_market_segment,
        "importance_labels": dict(Importance.choices),
        "inbox_url": reverse("customers:inbox"),
    }


def register() -> None:
    panels.register(
        Feature,
        key="customer-evidence",
        title="Customer evidence",
        template="customers/panels/evidence.html",
        context=evidence_context,
    )
    register_object_page(Customer, lambda c: reverse("customers:customer_detail", args=[c.pk]))
    register_object_page(
        Contact, lambda c: reverse("customers:customer_detail", args=[c.customer_id])
    )
    register_object_page(Note, lambda n: reverse("customers:note_detail", args=[n.pk]))
    register_object_page(
        NoteLink, lambda link: reverse("customers:note_detail", args=[link.note_id])
    )
    register_object_page(Segment, lambda s: reverse("customers:segment_list") + f"#segment-{s.pk}")
