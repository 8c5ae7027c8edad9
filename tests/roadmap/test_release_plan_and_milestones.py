"""The release plan (releases by date with their features, conflicts and the milestones
between them) and the milestone pages; the roadmap fields of the feature form."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from pilothouse.core.models import ChangeRecord
from pilothouse.core.roles import Role
from pilothouse.roadmap import planning
from pilothouse.roadmap.forms import FeatureForm, MilestoneForm, ReleaseForm
from pilothouse.roadmap.models import Feature, FeatureTag, Milestone, Release
from tests.factories import FeatureFactory, ProductFactory, ReleaseFactory, UserFactory
from tests.roadmap.planning_data import build_roadmap, days
from tests.web.helpers import form_payload

PLAN = reverse("roadmap:release_plan")
ROLES = [role.value for role in Role]


@pytest.fixture
def roadmap(db):
    return build_roadmap()


def plan_rows(response) -> list[str]:
    rows = []
    for entry in response.context["plan"].entries:
        if entry.milestone:
            rows.append(f"milestone {entry.milestone.name}")
        else:
            rows.append(f"release {entry.release.release.name}")
    return rows


# --- Release plan ---------------------------------------------------------------------------


def test_releases_come_by_date_with_the_milestones_between_them(as_user, viewer, roadmap):
    response = as_user(viewer).get(PLAN)
    assert plan_rows(response) == [
        "milestone User conference",  # in 15 days
        "release Pay 1",  # 20
        "release Crm 1",  # 30
        "milestone Pay audit",  # 40
        "release Pay 2",  # 60
    ]
    html = response.content.decode()
    assert "Milestone: User conference" in html
    assert "(every product)" in html
    assert "1 schedule conflict" in html  # Apple Pay waits for Bank transfer


def test_each_release_shows_its_status_and_features_by_stage(as_user, viewer, roadmap):
    FeatureFactory(title="Zeta", product=roadmap.pay, target_release=roadmap.soon, stage="idea")
    FeatureFactory(title="Alpha", product=roadmap.pay, target_release=roadmap.soon, stage="idea")
    response = as_user(viewer).get(PLAN)
    soon = next(e.release for e in response.context["plan"].entries if e.release)
    assert soon.release == roadmap.soon
    # The furthest along first, then by title.
    assert [f.title for f in soon.features] == ["Apple Pay", "Alpha", "Zeta"]
    assert soon.total == 3
    assert soon.features[0].schedule_conflicts
    html = response.content.decode()
    assert '<span class="badge badge--planned">Planned</span>' in html  # the release's status


def test_a_product_filter_keeps_its_releases_and_milestones(as_user, viewer, roadmap):
    response = as_user(viewer).get(PLAN, {"product": roadmap.crm.pk})
    assert plan_rows(response) == ["milestone User conference", "release Crm 1"]


def test_a_feature_filter_keeps_the_releases_with_such_features(as_user, viewer, roadmap):
    ReleaseFactory(product=roadmap.pay, name="Empty", target_date=days(25))
    client = as_user(viewer)
    assert "release Empty" in plan_rows(client.get(PLAN))
    response = client.get(PLAN, {"stage": "planned"})
    assert [r for r in plan_rows(response) if r.startswith("release")] == [
        "release Crm 1",
        "release Pay 2",
    ]


def test_upcoming_leaves_out_old_shipped_releases_and_all_shows_them(as_user, viewer, roadmap):
    ReleaseFactory(product=roadmap.pay, name="Old", target_date=days(-200), status="released")
    ReleaseFactory(product=roadmap.pay, name="Late", target_date=days(-200), status="planned")
    ReleaseFactory(product=roadmap.pay, name="Someday")  # no date: last
    client = as_user(viewer)
    upcoming = [r for r in plan_rows(client.get(PLAN)) if r.startswith("release")]
    assert upcoming[0] == "release Late"  # still planned: it is overdue, not history
    assert "release Old" not in upcoming
    assert upcoming[-1] == "release Someday"
    every = plan_rows(client.get(PLAN, {"show": "all"}))
    assert "release Old" in every
    response = client.get(PLAN, {"show": "soon"})
    assert "Show: Show upcoming or all releases, not &#x27;soon&#x27;." in (
        response.content.decode()
    )


def test_the_plan_pages_its_releases_and_shows_each_milestone_once(
    as_user, viewer, roadmap, monkeypatch
):
    monkeypatch.setattr(planning, "RELEASES_PER_PAGE", 2)
    client = as_user(viewer)
    first = plan_rows(client.get(PLAN))
    second = plan_rows(client.get(PLAN, {"page": 2}))
    assert first == ["milestone User conference", "release Pay 1", "release Crm 1"]
    assert second == ["milestone Pay audit", "release Pay 2"]


def test_a_release_before_its_products_launch_is_refused(as_user, leader, db):
    product = ProductFactory(launch_date=dt.date(2027, 3, 1))
    with pytest.raises(ValidationError, match="before"):
        Release(product=product, name="Early", target_date=dt.date(2027, 2, 1)).full_clean()
    data = form_payload(ReleaseForm(), product=product.pk, name="Early", target_date="2027-02-01")
    response = as_user(leader).post(reverse("roadmap:release_create"), data)
    assert response.status_code == 200
    assert "launch date (2027-03-01)" in response.context["form"].errors["target_date"][0]
    assert not Release.objects.exists()


# --- Milestones -----------------------------------------------------------------------------


def test_the_milestone_list_has_upcoming_and_past(as_user, viewer, roadmap):
    Milestone.objects.create(name="Kick-off", date=days(-30), description="*Done*")
    response = as_user(viewer).get(reverse("roadmap:milestone_list"))
    html = response.content.decode()
    assert html.index("User conference") < html.index("Pay audit") < html.index("Kick-off")
    assert "<em>Done</em>" in html
    assert "Every product" in html
    # Viewers read only.
    assert reverse("roadmap:milestone_edit", args=[roadmap.conference.pk]) not in html
    assert reverse("roadmap:milestone_create") not in html


def test_creating_a_milestone_through_its_form(as_user, make_user, roadmap):
    pm = make_user(Role.PRODUCT_MANAGER)
    client = as_user(pm)
    data = form_payload(
        MilestoneForm(), name="Launch event", date="2027-05-04", products=[str(roadmap.pay.pk)]
    )
    response = client.post(reverse("roadmap:milestone_create"), data)
    assert response.status_code == 302
    assert response.url == reverse("roadmap:milestone_list")
    milestone = Milestone.objects.get(name="Launch event")
    assert list(milestone.products.all()) == [roadmap.pay]
    assert milestone.created_by == pm
    assert ChangeRecord.objects.filter(action="create").count() == 1
    # Its author may edit it, and only theirs.
    assert client.get(reverse("roadmap:milestone_edit", args=[milestone.pk])).status_code == 200
    other = reverse("roadmap:milestone_edit", args=[roadmap.conference.pk])
    assert client.get(other).status_code == 403


def test_bad_milestone_input_names_the_field(as_user, leader, db):
    data = form_payload(MilestoneForm(), name="", date="not a date")
    response = as_user(leader).post(reverse("roadmap:milestone_create"), data)
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"name", "date"}
    assert not Milestone.objects.exists()


def test_editing_and_deleting_a_milestone(as_user, leader, roadmap):
    client = as_user(leader)
    milestone = roadmap.conference
    url = reverse("roadmap:milestone_edit", args=[milestone.pk])
    data = form_payload(MilestoneForm(instance=milestone), name="Summit")
    assert client.post(url, data).status_code == 302
    milestone.refresh_from_db()
    assert (milestone.name, milestone.version) == ("Summit", 2)
    stale = client.post(url, data)  # version 1 again
    assert stale.status_code == 409
    delete = reverse("roadmap:milestone_delete", args=[milestone.pk])
    assert client.post(delete, {"version": 2}).url == reverse("roadmap:milestone_list")
    assert not Milestone.objects.filter(pk=milestone.pk).exists()


@pytest.mark.parametrize("action", ["create", "edit", "delete"])
def test_who_may_open_the_milestone_pages(client, web_world, action):
    milestone = Milestone.objects.create(name="Audit", date=days(10))
    milestone.products.add(web_world.mine.product)
    url = (
        reverse("roadmap:milestone_create")
        if action == "create"
        else reverse(f"roadmap:milestone_{action}", args=[milestone.pk])
    )
    statuses = {}
    for role in ROLES:
        client.force_login(web_world.user(role))
        statuses[role] = client.get(url).status_code
    # Product managers create milestones, and change those of products they look after.
    allowed = {"admin", "product_leader", "product_manager"}
    assert statuses == {role: 200 if role in allowed else 403 for role in ROLES}
    client.force_login(web_world.other_pm)
    expected = 200 if action == "create" else 403
    assert client.get(url).status_code == expected


# --- The feature form's roadmap fields --------------------------------------------------------


def test_the_feature_form_sets_horizon_kano_and_tags(as_user, leader, db):
    tag = FeatureTag.objects.create(name="mobile")
    top = FeatureFactory(horizon="now", horizon_rank=-50)
    feature = FeatureFactory(title="Offline mode")
    data = form_payload(
        FeatureForm(instance=feature), horizon="now", kano="attractive", tags=[str(tag.pk)]
    )
    response = as_user(leader).post(reverse("roadmap:feature_edit", args=[feature.pk]), data)
    assert response.status_code == 302
    feature.refresh_from_db()
    assert (feature.horizon, feature.kano) == ("now", "attractive")
    assert list(feature.tags.all()) == [tag]
    assert feature.horizon_rank < top.horizon_rank  # on top of its new column
    record = ChangeRecord.objects.get(object_id=feature.pk)
    assert record.after["horizon"] == "now"


def test_an_unchanged_horizon_keeps_the_cards_place(as_user, leader, db):
    feature = FeatureFactory(horizon="next", horizon_rank=7.0)
    FeatureFactory(horizon="next", horizon_rank=1.0)
    data = form_payload(FeatureForm(instance=feature), title="Renamed")
    as_user(leader).post(reverse("roadmap:feature_edit", args=[feature.pk]), data)
    feature.refresh_from_db()
    assert (feature.title, feature.horizon_rank) == ("Renamed", 7.0)


def test_new_features_may_start_on_the_board(as_user, leader, db):
    product = ProductFactory()
    owner = UserFactory()
    data = form_payload(
        FeatureForm(), title="Fresh", product=product.pk, owner=owner.pk, horizon="later"
    )
    assert as_user(leader).post(reverse("roadmap:feature_create"), data).status_code == 302
    assert Feature.objects.get(title="Fresh").horizon == "later"
