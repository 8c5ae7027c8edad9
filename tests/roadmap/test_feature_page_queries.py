"""The feature page with every panel showing (dependencies, scores, delivery team,
experiments, customer evidence): what it shows of objectives and tags, and its exact,
fixed number of queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from pilothouse.customers.models import Importance
from pilothouse.delivery import workdays
from pilothouse.delivery.models import (
    Allocation,
    CapacityPeriod,
    FeatureAssignment,
    Team,
    TeamMember,
    TimeOff,
)
from pilothouse.roadmap.models import Dependency, FeatureTag
from pilothouse.roadmap.selectors import feature_labels
from tests.experiments.builders import experiment
from tests.factories import (
    CustomerFactory,
    FeatureFactory,
    NoteFactory,
    NoteLinkFactory,
    ObjectiveFactory,
    PersonFactory,
    ProductFactory,
    SegmentFactory,
)
from tests.prioritization.factories import FeatureScoreFactory, ScoringModelFactory
from tests.web.helpers import assert_same_queries

pytestmark = pytest.mark.django_db

# The session and its user; the feature, its objectives and tags (one query), its
# history, its dependencies and the blockers one may add; the scores; the team's queue
# and its periods with their people; the experiments; the segments, the demand by
# customer, the notes of no customer and the latest notes.
FEATURE_PAGE_QUERIES = 15


def _this_quarter() -> dt.date:
    return workdays.period_containing(timezone.localdate(), "quarter")[0]


class Featured:
    """A feature with one of everything its page shows, and `grow` to add more."""

    def __init__(self) -> None:
        self.product = ProductFactory()
        self.feature = FeatureFactory(
            product=self.product,
            title="Bulk export",
            horizon="now",
            started_on=_this_quarter(),
            effort_low=2,
            effort_high=4,
        )
        self.team = Team.objects.create(name="Exporters")
        self.team.products.add(self.product)
        start = _this_quarter()
        CapacityPeriod.objects.create(
            team=self.team, start=start, end=workdays.period_end(start, "quarter")
        )
        FeatureAssignment.objects.create(team=self.team, feature=self.feature, queue_rank=10)
        self.rounds = 0
        self.grow(1)

    def grow(self, n: int) -> None:
        """`n` more objectives, tags, blockers, dependents, scores, team members (with
        time off and an allocation), queued features, experiments, segments and notes
        (from customers and from nobody)."""
        feature, product = self.feature, self.product
        today = timezone.localdate()
        for _ in range(n):
            self.rounds += 1
            i = self.rounds
            feature.objectives.add(ObjectiveFactory(title=f"Objective {i:02d}"))
            feature.tags.add(FeatureTag.objects.create(name=f"tag-{i:02d}"))
            Dependency.objects.create(
                blocker=FeatureFactory(product=product, title=f"Before {i}"), blocked=feature
            )
            Dependency.objects.create(
                blocker=feature, blocked=FeatureFactory(product=product, title=f"After {i}")
            )
            FeatureScoreFactory(feature=feature, scoring_model=ScoringModelFactory())
            person = PersonFactory()
            TeamMember.objects.create(team=self.team, person=person, allocation=50)
            TimeOff.objects.create(person=person, start=today, end=today + dt.timedelta(days=2))
            Allocation.objects.create(
                person=person,
                team=self.team,
                start=_this_quarter(),
                end=workdays.period_end(_this_quarter(), "quarter"),
                percent=40,
            )
            FeatureAssignment.objects.create(
                team=self.team,
                feature=FeatureFactory(product=product, horizon="next", effort_low=1),
                queue_rank=100 + i,
            )
            experiment(product, feature=feature, name=f"Test {i}")
            SegmentFactory(name=f"Segment {i}")
            customer = CustomerFactory(arr=1000 * i)
            NoteLinkFactory(
                feature=feature,
                note=NoteFactory(customer=customer, text=f"Export please, {i}"),
                importance=Importance.CRITICAL,
            )
            NoteLinkFactory(
                feature=feature,
                note=NoteFactory(text=f"Anonymous wish {i}"),
                importance=Importance.IMPORTANT,
            )


@pytest.fixture
def featured() -> Featured:
    return Featured()


def test_the_feature_page_costs_the_same_exact_queries_with_1_and_10_of_everything(
    featured, as_user, make_user
):
    client = as_user(make_user("admin", username="boss"))
    url = reverse("roadmap:feature_detail", args=[featured.feature.pk])

    def page():
        response = client.get(url)
        assert response.status_code == 200
        return response

    panels = [panel.key for panel in page().context["panels"]]
    assert panels == ["scores", "team", "experiments", "customer-evidence"]
    assert assert_same_queries(page, lambda: featured.grow(9)) == FEATURE_PAGE_QUERIES
    html = page().content.decode()
    assert "Objective 10" in html
    assert "tag-10" in html
    assert "Before 10" in html
    assert "Exporters" in html


def test_the_page_shows_the_objectives_and_tags_in_their_order(featured, as_user, make_user):
    feature = featured.feature
    feature.objectives.add(ObjectiveFactory(title="Earlier", period="2020-Q1"))
    feature.tags.add(FeatureTag.objects.create(name="aardvark"))
    html = as_user(make_user()).get(reverse("roadmap:feature_detail", args=[feature.pk]))
    html = html.content.decode()
    objectives = html.split("<dt>Objectives</dt>")[1].split("</dd>")[0]
    tags = html.split("<dt>Tags</dt>")[1].split("</dd>")[0]
    assert objectives.index("Earlier") < objectives.index("Objective 01")
    assert tags.index("aardvark") < tags.index("tag-01")
    assert "Anonymous wish" not in objectives + tags


def test_feature_labels_reads_objectives_and_tags_apart_in_one_query(
    django_assert_num_queries,
):
    feature = FeatureFactory()
    late = ObjectiveFactory(title="Alpha", period="2031-Q2")
    early_b = ObjectiveFactory(title="Beta", period="2030-Q1")
    early_a = ObjectiveFactory(title="Zulu", period="2029-Q4")
    feature.objectives.add(late, early_b, early_a)
    tags = [FeatureTag.objects.create(name=name) for name in ("mobile", "api", "beta")]
    feature.tags.add(*tags)
    FeatureFactory().tags.add(FeatureTag.objects.create(name="elsewhere"))
    with django_assert_num_queries(1):
        objectives, labels = feature_labels(feature_id=feature.pk)
    assert [(o.pk, o.name) for o in objectives] == [
        (early_a.pk, "Zulu"),
        (early_b.pk, "Beta"),
        (late.pk, "Alpha"),
    ]
    assert [t.name for t in labels] == ["api", "beta", "mobile"]


def test_a_feature_with_no_objectives_or_tags_says_none(as_user, make_user):
    feature = FeatureFactory()
    assert feature_labels(feature_id=feature.pk) == ([], [])
    html = as_user(make_user()).get(reverse("roadmap:feature_detail", args=[feature.pk]))
    html = html.content.decode()
    assert "<dt>Objectives</dt><dd>none</dd>" in html
    assert "<dt>Tags</dt><dd>none</dd>" in html


def test_a_missing_feature_is_not_found(as_user, make_user):
    response = as_user(make_user()).get(reverse("roadmap:feature_detail", args=[999_999]))
    assert response.status_code == 404
