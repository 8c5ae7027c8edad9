"""The demo's customer voice (small scale): customers, contacts, segments, feedback notes,
their links to features, and the demand figures stored on features."""

import datetime as dt
import random
import statistics
from collections import Counter, defaultdict

import pytest
from django.db.models import Count, F

from pilothouse import demo
from pilothouse.core.models import User
from pilothouse.core.roles import Role
from pilothouse.customers import evidence, selectors
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
    Tag,
)
from pilothouse.demo.feedback_phrases import TAGS
from pilothouse.demo.vocabulary import CATALOGUE
from pilothouse.roadmap.models import Feature
from tests.demo.conftest import TODAY
from tests.demo.test_build import row_counts

NOUNS = {product.name: product.nouns for line in CATALOGUE for product in line.products}


def _collapsed(text: str) -> str:
    return " ".join(text.split())


def test_counts_match_the_summary_and_the_scale(small_demo):
    counts = small_demo.counts()
    assert counts["customers"] == Customer.objects.count() == 1_000
    assert counts["notes"] == Note.objects.count() == 5_000
    assert counts["contacts"] == Contact.objects.count()
    assert 1_000 <= counts["contacts"] <= 4_000
    assert counts["segments"] == Segment.objects.count() == 6
    assert counts["tags"] == Tag.objects.count() == len(TAGS)
    assert counts["note_links"] == NoteLink.objects.count()
    assert 1_500 <= counts["note_links"] <= 4_000
    assert counts["note_tag_links"] == Note.tags.through.objects.count()
    per_customer = Counter(Contact.objects.values_list("customer_id", flat=True))
    assert set(per_customer.values()) <= {1, 2, 3, 4}
    assert len(per_customer) == 1_000


def test_customers_look_like_a_b2b_customer_base(small_demo):
    customers = list(Customer.objects.all())
    assert len({c.name for c in customers}) == len(customers)
    assert len({c.external_id for c in customers}) == len(customers)
    assert {c.region for c in customers} == {"EMEA", "North America", "APAC", "LATAM"}
    by_segment = defaultdict(list)
    for customer in customers:
        by_segment[customer.market_segment].append(customer.arr)
    assert set(by_segment) == {"Enterprise", "Mid-market", "SMB"}
    assert len(by_segment["SMB"]) > len(by_segment["Mid-market"]) > len(by_segment["Enterprise"])
    medians = {name: statistics.median(arrs) for name, arrs in by_segment.items()}
    assert medians["Enterprise"] > medians["Mid-market"] > medians["SMB"]
    # Heavy-tailed: the largest enterprise customer is worth several times the median one.
    assert max(by_segment["Enterprise"]) > 3 * medians["Enterprise"]
    assert any(c.arr == 0 and c.plan == "Trial" for c in customers)
    owners = {c.account_owner_id for c in customers} - {None}
    assert owners
    assert set(User.objects.filter(pk__in=owners).values_list("role", flat=True)) == {Role.VIEWER}
    assert all(c.created < TODAY for c in customers)
    assert any(c.created >= TODAY - dt.timedelta(days=180) for c in customers)
    assert any(c.created < TODAY - dt.timedelta(days=5 * 365) for c in customers)


def test_every_kind_source_and_state_is_present(small_demo):
    notes = Note.objects.all()
    assert set(notes.values_list("source", flat=True)) == set(NoteSource.values)
    assert set(notes.values_list("state", flat=True)) == set(NoteState.values)
    kinds = set(notes.exclude(kind=None).values_list("kind__name", flat=True))
    assert kinds == set(NoteKind.objects.values_list("name", flat=True))
    labelled = notes.exclude(kind=None).count() / notes.count()
    assert 0.6 <= labelled <= 0.7
    assert notes.filter(customer=None).exists()  # reviews and anonymous survey answers
    assert set(Tag.objects.filter(notes__isnull=False).values_list("name", flat=True)) == set(TAGS)


def test_note_texts_are_within_the_rules(small_demo):
    rows = list(Note.objects.values_list("text", "title"))
    assert all(text.strip() and len(text) <= NOTE_TEXT_MAX for text, _ in rows)
    assert all(len(title) <= 200 for _, title in rows)
    lengths = sorted(len(text) for text, _ in rows)
    assert lengths[0] < 120  # a one-line review
    assert lengths[-1] > 500  # interview notes in Markdown
    assert any("\n- " in text for text, _ in rows)
    assert any("**" in text for text, _ in rows)
    # A contact always belongs to the note's customer.
    assert not Note.objects.exclude(contact=None).exclude(contact__customer=F("customer")).exists()


def test_notes_span_the_last_year_with_growing_volume(small_demo):
    start = dt.datetime.combine(TODAY - dt.timedelta(days=365), dt.time(0), tzinfo=dt.UTC)
    end = dt.datetime.combine(TODAY, dt.time(0), tzinfo=dt.UTC)
    moments = list(Note.objects.values_list("submitted_at", "state"))
    assert all(start <= moment < end for moment, _ in moments)
    first = sum(1 for m, _ in moments if m < start + dt.timedelta(days=91))
    last = sum(1 for m, _ in moments if m >= end - dt.timedelta(days=91))
    assert last > 1.5 * first
    recent = Counter(s for m, s in moments if m >= end - dt.timedelta(days=14))
    older = Counter(s for m, s in moments if m < end - dt.timedelta(days=60))
    assert recent[NoteState.NEW] > recent.total() / 2
    assert older[NoteState.NEW] < older.total() / 10


def test_links_point_at_features_with_valid_importance_and_excerpts(small_demo):
    links = list(NoteLink.objects.select_related("note", "feature__product"))
    features = set(Feature.objects.values_list("pk", flat=True))
    assert {link.feature_id for link in links} <= features
    importances = Counter(link.importance for link in links)
    assert set(importances) == {None, *Importance.values}
    assert importances[Importance.NICE_TO_HAVE] == max(importances.values())
    assert importances[Importance.CRITICAL] < importances[Importance.NICE_TO_HAVE] / 3
    excerpts = [link for link in links if link.excerpt]
    assert len(links) / 5 < len(excerpts) < len(links)
    for link in excerpts:
        assert _collapsed(link.excerpt) in _collapsed(link.note.text), link.pk
    for link in links:  # the note talks about the feature's product
        text = link.note.text.lower()
        assert any(noun.lower() in text for noun in NOUNS[link.feature.product.name]), link.pk
    sample = random.Random(3).sample(links, 200)
    for link in sample:
        link.full_clean()


def test_popular_features_draw_many_customers(small_demo):
    requests = sorted(Feature.objects.values_list("demand_requests", flat=True), reverse=True)
    assert requests[0] >= 30
    assert requests[0] > 5 * statistics.median(requests)
    assert Feature.objects.filter(demand_customers__gte=10).count() >= 10


def test_customers_ask_again_with_another_importance(small_demo):
    repeated = (
        NoteLink.objects.exclude(note__customer=None)
        .values("note__customer_id", "feature_id")
        .annotate(links=Count("id"), levels=Count("importance", distinct=True))
        .filter(links__gte=2, levels__gte=2)
    )
    assert repeated.count() >= 20


def test_stored_demand_equals_a_fresh_computation(small_demo):
    features = list(Feature.objects.all())
    fresh = evidence.compute([f.pk for f in features])
    for feature in features:
        figures = fresh[feature.pk].demand()
        stored = (
            feature.demand_importance,
            feature.demand_arr,
            feature.demand_requests,
            feature.demand_customers,
        )
        assert stored == (figures.importance, figures.arr, figures.requests, figures.customers)
    # The latest importance of each customer counts once: fewer points than all links give.
    by_feature = defaultdict(int)
    for feature_id, importance in NoteLink.objects.values_list("feature_id", "importance"):
        by_feature[feature_id] += 1 if importance is None else importance
    assert any(f.demand_importance < by_feature[f.pk] for f in features)
    assert sum(f.demand_requests for f in features) == NoteLink.objects.count()


def test_segments_are_valid_and_have_members(small_demo):
    segments = {segment.name: segment for segment in Segment.objects.all()}
    assert {"Enterprise EMEA", "Strategic accounts", "New logos"} <= set(segments)
    for segment in segments.values():
        segment.full_clean()
        members = selectors.segment_customers(segment=segment)
        assert 0 < members.count() < Customer.objects.count(), segment.name
    strategic = selectors.segment_customers(segment=segments["Strategic accounts"])
    assert all(c.arr >= 250_000 for c in strategic)
    new_logos = selectors.segment_customers(segment=segments["New logos"])
    assert all(c.created >= TODAY - dt.timedelta(days=180) for c in new_logos)


def test_full_clean_passes_on_a_sample_of_every_model(small_demo):
    rng = random.Random(5)
    for model in (Customer, Contact, Note, Tag):
        rows = list(model.objects.all())
        for row in rng.sample(rows, min(len(rows), 150)):
            row.full_clean()


@pytest.mark.django_db
def test_clashing_segment_or_customer_is_named_and_nothing_is_written():
    Segment.objects.create(name="Strategic accounts")
    Customer.objects.create(name="Someone", external_id="ACC-10001")
    before = row_counts()
    with pytest.raises(demo.DemoConflict, match=r"customer ids: ACC-10001.*segments: Strategic"):
        demo.build(scale="small", today=TODAY)
    assert row_counts() == before


@pytest.mark.django_db
def test_a_removed_default_kind_is_created_again():
    NoteKind.objects.filter(name="Praise").delete()
    demo.build(scale="small", today=TODAY)
    praise = NoteKind.objects.get(name="Praise")
    assert praise.notes.exists()
