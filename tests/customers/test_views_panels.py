"""The suggestion block of the inbox's note pane (customers.triage's suggestions, each
with its score, accepted or dismissed in one action) and the customer evidence panel
on a feature's page (registered through core.panels)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from pilothouse.core.models import ChangeRecord
from pilothouse.customers import inbox_views, triage
from pilothouse.customers.models import Note, NoteKind, NoteLink, SuggestionDecision
from tests.factories import (
    CustomerFactory,
    FeatureFactory,
    NoteFactory,
    NoteLinkFactory,
    SegmentFactory,
)
from tests.web.helpers import assert_same_queries

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert('x')</script>"


def kind(name: str) -> NoteKind:
    return NoteKind.objects.get(name=name)


def at(days_ago: int) -> dt.datetime:
    return timezone.now() - dt.timedelta(days=days_ago)


def _fingerprint() -> tuple:
    return (
        list(Note.objects.order_by("pk").values_list("kind_id", "state", "version")),
        list(NoteLink.objects.order_by("pk").values_list("feature_id", "importance")),
        SuggestionDecision.objects.count(),
        ChangeRecord.objects.count(),
    )


@pytest.fixture
def triage_world(web_world):
    web_world.note = NoteFactory(text="Exports are slow, please fix exports", author=web_world.pm)
    web_world.feature = FeatureFactory(title="Faster exports")
    return web_world


# --- suggestions ----------------------------------------------------------------------------


def _advice(note, praise, other, feature):
    return triage.NoteSuggestions(
        note_id=note.pk,
        kind=triage.KindAdvice(
            "ready",
            kind_id=praise.pk,
            kind="Praise",
            confidence=0.91,
            alternatives=({"kind_id": kind("Bug").pk, "kind": "Bug", "confidence": 0.05},),
        ),
        similar_notes=[
            triage.SimilarNoteAdvice(
                note_id=other.pk,
                score=0.88,
                is_likely_duplicate=True,
                title=SCRIPT,
                excerpt="x",
                state="new",
                kind=None,
                submitted_at=timezone.now(),
            )
        ],
        features=[
            triage.FeatureAdvice(
                feature_id=feature.pk,
                title=feature.title,
                stage=feature.stage,
                score=0.42,
                reasons=({"signal": "feature_text", "score": 0.42, "note_ids": []},),
            )
        ],
        index_ready=True,
    )


def test_the_pane_shows_each_suggestion_with_its_score_and_actions(
    client, triage_world, monkeypatch
):
    note, other = triage_world.note, NoteFactory()
    advice = _advice(note, kind("Praise"), other, triage_world.feature)
    monkeypatch.setattr(triage, "note_suggestions", lambda *, note, limit: advice)
    client.force_login(triage_world.pm)
    url = reverse("customers:note_pane", args=[note.pk])
    html = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    block = html[html.index('class="suggestions"') :]
    for label, score in [("Praise", "91%"), ("Bug", "5%"), ("Faster exports", "42%")]:
        assert label in block
        assert score in block
    assert "88%" in block
    assert "likely the same request" in block
    assert "<script>alert(" not in block
    assert block.count('value="accept"') == 4
    assert block.count('value="dismiss"') == 4
    # Viewers see no suggestion block at all.
    client.force_login(triage_world.viewer)
    assert 'class="suggestions"' not in client.get(url, HTTP_HX_REQUEST="true").content.decode()


def test_the_suggestion_block_follows_the_triage_engine(client, triage_world):
    client.force_login(triage_world.pm)
    block = inbox_views._suggestions(triage_world.note)
    found = triage.note_suggestions(note=triage_world.note, limit=inbox_views.SUGGESTIONS_SHOWN)
    assert [s.target_id for s in block.kinds] == (
        [found.kind.kind_id] if found.kind.status == "ready" else []
    )
    assert [s.target_id for s in block.features] == [f.feature_id for f in found.features]


@pytest.mark.parametrize("decision", ["accept", "dismiss"])
def test_accepting_or_dismissing_a_kind_suggestion(client, triage_world, decision):
    note = triage_world.note
    client.force_login(triage_world.pm)
    url = reverse("customers:note_suggestion", args=[note.pk])
    data = {"kind": "kind", "target_id": kind("Praise").pk, "decision": decision}
    client.post(url, data, HTTP_HX_REQUEST="true")
    note.refresh_from_db()
    remembered = SuggestionDecision.objects.get(note=note)
    assert remembered.decision == {"accept": "accepted", "dismiss": "dismissed"}[decision]
    assert note.kind == (kind("Praise") if decision == "accept" else None)


def test_accepting_a_feature_suggestion_links_it(client, triage_world):
    note, feature = triage_world.note, triage_world.feature
    client.force_login(triage_world.pm)
    url = reverse("customers:note_suggestion", args=[note.pk])
    client.post(url, {"kind": "feature", "target_id": feature.pk, "decision": "accept"})
    assert NoteLink.objects.filter(note=note, feature=feature).exists()


def test_a_bad_suggestion_changes_nothing(client, triage_world):
    client.force_login(triage_world.pm)
    url = reverse("customers:note_suggestion", args=[triage_world.note.pk])
    before = _fingerprint()
    for data in [
        {"kind": "kind", "target_id": "999999", "decision": "accept"},
        {"kind": "mood", "target_id": "1", "decision": "accept"},
        {"kind": "kind", "target_id": "1", "decision": "maybe"},
    ]:
        html = client.post(url, data, HTTP_HX_REQUEST="true").content.decode()
        assert 'role="alert"' in html
    assert _fingerprint() == before


# --- the evidence panel on a feature's page -----------------------------------------------------


def test_the_feature_page_shows_its_evidence(client, viewer):
    feature = FeatureFactory(title="Exports")
    big = CustomerFactory(name="Big", arr=Decimal("100000"), market_segment="Enterprise")
    small = CustomerFactory(name="Small", arr=Decimal("500"), market_segment="SMB")
    SegmentFactory(name="Whales", rules=[{"field": "arr", "op": ">=", "value": 50000}])
    NoteLinkFactory(
        note=NoteFactory(customer=big, text="We need exports now", submitted_at=at(9)),
        feature=feature,
        importance=1,
    )
    NoteLinkFactory(
        note=NoteFactory(customer=big, text="Exports, please", submitted_at=at(1)),
        feature=feature,
        importance=3,
        excerpt="Exports, please",
    )
    NoteLinkFactory(note=NoteFactory(customer=small, submitted_at=at(2)), feature=feature)
    NoteLinkFactory(note=NoteFactory(submitted_at=at(3)), feature=feature, importance=2)
    client.force_login(viewer)
    response = client.get(reverse("roadmap:feature_detail", args=[feature.pk]))
    html = response.content.decode()
    panel = html[html.index('id="customer-evidence"') :]
    (rendered,) = response.context["panels"]
    assert rendered.key == "customer-evidence"
    # Big counts once with its latest importance (3), Small 1, the anonymous note 2.
    assert "<dt>Importance score</dt><dd>6</dd>" in panel
    assert "<dt>ARR demand</dt><dd>100,500</dd>" in panel
    assert "<dt>Requests</dt><dd>4</dd>" in panel
    assert panel.index("Exports, please") < panel.index("We need exports now")  # latest first
    assert "Critical" in panel
    assert "Whales" in panel
    assert "Enterprise" in panel
    assert "SMB" in panel


def _grow_evidence(feature, n: int) -> None:
    for i in range(n):
        customer = CustomerFactory(arr=1000 * i, market_segment=f"M{i % 3}")
        NoteLinkFactory(note=NoteFactory(customer=customer), feature=feature, importance=i % 4)


def test_the_evidence_panel_costs_the_same_queries_for_5_and_50_notes(client, viewer):
    feature = FeatureFactory()
    SegmentFactory.create_batch(3, rules=[{"field": "arr", "op": ">", "value": 2000}])
    _grow_evidence(feature, 5)
    client.force_login(viewer)
    url = reverse("roadmap:feature_detail", args=[feature.pk])
    assert_same_queries(lambda: client.get(url), lambda: _grow_evidence(feature, 45))


def test_a_feature_without_evidence_says_so(client, viewer):
    feature = FeatureFactory()
    client.force_login(viewer)
    html = client.get(reverse("roadmap:feature_detail", args=[feature.pk])).content.decode()
    assert "No customer note is linked to this feature yet" in html


# --- the panel registry (core.panels) ---------------------------------------------------------


def test_apps_add_panels_to_a_models_page_in_order(client, viewer):
    from pilothouse.core import panels
    from pilothouse.roadmap.models import Feature

    feature = FeatureFactory(title="Exports")
    shown = []

    def first(request, obj):
        shown.append(obj)
        return {"words": f"first about {obj.title}"}

    panels.register(
        Feature,
        key="zz-first",
        title="First",
        template="core/partials/pagination.html",
        context=first,
        order=1,
    )
    panels.register(
        Feature,
        key="zz-skipped",
        title="Skipped",
        template="missing.html",
        context=lambda request, obj: None,
    )
    try:
        keys = [panel.key for panel in panels.registered(Feature)]
        assert keys[0] == "zz-first"
        assert "customer-evidence" in keys
        client.force_login(viewer)
        response = client.get(reverse("roadmap:feature_detail", args=[feature.pk]))
        rendered = [panel.key for panel in response.context["panels"]]
        assert rendered == ["zz-first", "customer-evidence"]  # None: left out
        assert shown == [feature]
    finally:
        panels.unregister(Feature, "zz-first")
        panels.unregister(Feature, "zz-skipped")
    keys = [panel.key for panel in panels.registered(Feature)]
    assert "customer-evidence" in keys
    assert not {"zz-first", "zz-skipped"} & set(keys)
