"""The roadmap views: who may open them, their filters, the timeline, and the shared
read-only bodies. The board's moves, the exports, the release plan and milestones, and
the query counts have files of their own."""

from __future__ import annotations

import re

import pytest
from django.test import RequestFactory
from django.urls import reverse

from pilothouse.core.roles import Role
from pilothouse.roadmap import planning_views
from pilothouse.roadmap.filters import RoadmapFilters
from pilothouse.roadmap.periods import period_of
from tests.roadmap.planning_data import build_roadmap, days

ROLES = [role.value for role in Role]
VIEWS = ["timeline", "board", "release_plan", "milestone_list"]


@pytest.fixture
def roadmap(db):
    return build_roadmap()


def timeline_titles(response) -> list[str]:
    return [item.feature.title for item in response.context["timeline"].items]


def board_columns(response) -> dict[str, list[str]]:
    return {
        column.horizon: [card.feature.title for card in column.cards]
        for column in response.context["board"].columns
    }


# --- Who may open them ---------------------------------------------------------------------


@pytest.mark.parametrize("view", VIEWS)
def test_every_role_may_read_the_roadmap_views(client, web_world, view):
    for role in ROLES:
        client.force_login(web_world.user(role))
        assert client.get(reverse(f"roadmap:{view}")).status_code == 200, role


@pytest.mark.parametrize(
    "url",
    [
        reverse("roadmap:timeline"),
        reverse("roadmap:timeline_export", args=["svg"]),
        reverse("roadmap:board"),
        reverse("roadmap:release_plan"),
        reverse("roadmap:milestone_list"),
        reverse("roadmap:milestone_create"),
    ],
)
def test_anonymous_visitors_are_sent_to_log_in(client, db, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response.url == f"{reverse('core:login')}?next={url}"


def test_an_anonymous_move_is_sent_to_log_in(client, roadmap):
    url = reverse("roadmap:board_move", args=[roadmap.running.pk])
    response = client.post(url, {"version": 1, "direction": "down"})
    assert response.status_code == 302
    assert response.url.startswith(reverse("core:login"))
    roadmap.running.refresh_from_db()
    assert roadmap.running.version == 1


def test_the_board_is_movable_only_by_those_who_may_change_the_feature(client, web_world):
    mine, theirs = web_world.mine.feature, web_world.theirs.feature
    for feature in (mine, theirs):
        feature.horizon = "next"
        feature.save()
    expected = {
        "admin": {mine.pk, theirs.pk},
        "product_leader": {mine.pk, theirs.pk},
        "product_manager": {mine.pk},  # a steward of "mine" only
        "contributor": set(),
        "viewer": set(),
    }
    for role in ROLES:
        client.force_login(web_world.user(role))
        html = client.get(reverse("roadmap:board")).content.decode()
        draggable = {int(pk) for pk in re.findall(r'data-feature="(\d+)"[^>]*draggable', html)}
        forms = {int(pk) for pk in re.findall(r'action="/roadmap/board/(\d+)/move/', html)}
        assert draggable == expected[role], role
        assert forms == expected[role], role
        assert ("Drag a card" in html) == bool(expected[role]), role


# --- Filters -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, {"Apple Pay", "Bank transfer", "Contacts import", "Deduplication"}),
        (lambda r: {"product": r.pay.pk}, {"Apple Pay", "Bank transfer"}),
        (lambda r: {"product_line": r.crm.product_line_id}, {"Contacts import", "Deduplication"}),
        (lambda r: {"objective": r.objective.pk}, {"Apple Pay"}),
        (lambda r: {"initiative": r.initiative.pk}, {"Apple Pay"}),
        (lambda r: {"owner": r.crm_planned.owner_id}, {"Deduplication"}),
        ({"stage": "planned"}, {"Bank transfer", "Deduplication"}),
        (lambda r: {"tag": r.tag.pk}, {"Bank transfer"}),
    ],
)
def test_the_filters_narrow_every_view(as_user, viewer, roadmap, query, expected):
    query = query(roadmap) if callable(query) else query
    client = as_user(viewer)
    timeline = client.get(reverse("roadmap:timeline"), query)
    assert set(timeline_titles(timeline)) == expected
    board = client.get(reverse("roadmap:board"), query)
    assert {t for titles in board_columns(board).values() for t in titles} == expected
    plan = client.get(reverse("roadmap:release_plan"), query)
    planned = {
        f.title
        for entry in plan.context["plan"].entries
        if entry.release
        for f in entry.release.features
    }
    assert planned == expected - {"Contacts import"}  # in no release


@pytest.mark.parametrize("view", ["timeline", "board", "release_plan"])
@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"product": "abc"}, "Product: Expected an id, got &#x27;abc&#x27;."),
        ({"stage": "shipped"}, "Stage: Unknown stage &#x27;shipped&#x27;."),
        ({"owner": "999999"}, "Owner: There is no owner #999999."),
    ],
)
def test_a_bad_filter_is_explained_and_left_out(as_user, viewer, roadmap, view, query, message):
    response = as_user(viewer).get(reverse(f"roadmap:{view}"), {**query, "tag": roadmap.tag.pk})
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert "The view is shown without this filter." in html
    assert response.context["query"].filters == RoadmapFilters(tag=roadmap.tag.pk)


def test_the_filter_form_shows_the_filters_and_works_without_javascript(as_user, viewer, roadmap):
    url = reverse("roadmap:board")
    html = as_user(viewer).get(url, {"product": roadmap.pay.pk, "more": "now"}).content.decode()
    start = html.index('<form method="get"')
    form = html[start : html.index("</form>", start)]
    assert f'action="{url}"' in form
    assert f'hx-get="{url}"' in form
    assert 'hx-target="#roadmap-view"' in form
    assert f'<option value="{roadmap.pay.pk}" selected>Pay (PAY)</option>' in form
    assert '<input type="hidden" name="more" value="now">' in form  # kept as filters change
    for name in ("product_line", "product", "objective", "initiative", "owner", "stage", "tag"):
        assert f'name="{name}"' in form


def test_htmx_gets_the_body_only_and_the_view_options(as_user, viewer, roadmap):
    response = as_user(viewer).get(
        reverse("roadmap:timeline"), {"scale": "quarter"}, HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert "<html" not in html
    assert 'id="view-options" hidden hx-swap-oob="true"' in html
    assert '<input type="hidden" name="scale" value="quarter">' in html
    assert "HX-Request" in response["Vary"]


def test_describe_filters_names_what_is_filtered(roadmap):
    filters = RoadmapFilters(product=roadmap.pay.pk, stage="planned", tag=999999)
    assert planning_views.describe_filters(filters) == [
        ("Product:", "Pay (PAY)"),
        ("Tag:", "#999999 (deleted)"),
        ("Stage:", "Planned"),
    ]


# --- Timeline -------------------------------------------------------------------------------


def test_the_timeline_places_features_by_their_window(as_user, viewer, roadmap):
    response = as_user(viewer).get(reverse("roadmap:timeline"))
    items = {item.feature.title: item for item in response.context["timeline"].items}
    assert "Dark mode" not in items  # no dates: nowhere to put it
    running = items["Apple Pay"]
    assert (running.kind, running.start, running.end) == ("window", days(-10), days(20))
    waiting = items["Bank transfer"]  # only its release's date: across that month
    month = period_of(days(60), "month")
    assert (waiting.kind, waiting.start, waiting.end) == ("release", month.start, month.end)
    open_ended = items["Contacts import"]  # started, no end: up to today
    assert (open_ended.kind, open_ended.start, open_ended.end) == ("open", days(-5), days(0))
    assert 0 < running.left < running.left + running.width <= 100


def test_the_timeline_has_swimlanes_milestones_today_and_links(as_user, viewer, roadmap):
    response = as_user(viewer).get(reverse("roadmap:timeline"))
    timeline = response.context["timeline"]
    assert [lane.title for lane in timeline.lanes] == ["Crm", "Pay"]
    assert [flag.label for flag in timeline.flags] == ["Today", "User conference", "Pay audit"]
    html = response.content.decode()
    assert f'href="{reverse("roadmap:feature_detail", args=[roadmap.running.pk])}"' in html
    assert f'href="{reverse("web:product_detail", args=["PAY"])}"' in html
    assert "tl-line--today" in html
    assert "User conference" in html


def test_milestones_follow_the_product_filter(as_user, viewer, roadmap):
    client = as_user(viewer)
    labels = lambda query: [  # noqa: E731
        f.label for f in client.get(reverse("roadmap:timeline"), query).context["timeline"].flags
    ]
    assert "Pay audit" in labels({"product": roadmap.pay.pk})
    assert labels({"product": roadmap.crm.pk}) == ["Today", "User conference"]  # for everyone


def test_a_schedule_conflict_is_flagged_with_its_reason(as_user, viewer, roadmap):
    html = as_user(viewer).get(reverse("roadmap:timeline")).content.decode()
    reason = f"Planned to finish ({days(20).isoformat()}) before its blocker"
    flagged = re.search(r'<span class="conflict" role="img" aria-label="([^"]+)"', html)
    assert flagged
    assert reason in flagged.group(1)
    assert "Bank transfer" in flagged.group(1)


@pytest.mark.parametrize(
    ("lanes", "titles"),
    [
        ("product_line", None),  # two lines, one each
        ("objective", ["2026-Q4 · Grow payments", "No objective"]),
        ("initiative", ["Checkout bet", "No initiative"]),
    ],
)
def test_the_lanes_can_be_by_line_objective_or_initiative(as_user, viewer, roadmap, lanes, titles):
    response = as_user(viewer).get(reverse("roadmap:timeline"), {"lanes": lanes})
    timeline = response.context["timeline"]
    assert timeline.lane_kind.key == lanes
    if titles:
        assert [lane.title for lane in timeline.lanes] == titles
    assert sum(lane.total for lane in timeline.lanes) == 4


def test_a_feature_of_two_objectives_shows_in_both_lanes(as_user, viewer, roadmap):
    from tests.factories import ObjectiveFactory

    roadmap.running.objectives.add(ObjectiveFactory(title="Retention"))
    response = as_user(viewer).get(reverse("roadmap:timeline"), {"lanes": "objective"})
    lanes = {
        lane.title: [i.feature.title for i in lane.items]
        for lane in response.context["timeline"].lanes
    }
    assert lanes["2026-Q4 · Grow payments"] == ["Apple Pay"]
    assert lanes["2026-Q4 · Retention"] == ["Apple Pay"]


def test_the_timeline_pages_through_periods(as_user, viewer, roadmap):
    client = as_user(viewer)
    response = client.get(reverse("roadmap:timeline"), {"scale": "quarter", "from": "2020-Q1"})
    window = response.context["timeline"].window
    assert [p.key for p in window.periods] == ["2020-Q1", "2020-Q2", "2020-Q3", "2020-Q4"]
    assert timeline_titles(response) == []
    html = response.content.decode()
    assert "from=2019-Q1" in html  # earlier
    assert "from=2021-Q1" in html  # later
    assert "No features are planned in Q1 2020 to Q4 2020" in html
    months = client.get(reverse("roadmap:timeline"), {"from": "2027-02", "periods": "3"})
    assert [p.label for p in months.context["timeline"].window.periods] == [
        "Feb 2027",
        "Mar 2027",
        "Apr 2027",
    ]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"scale": "week"}, "Scale: Expected month or quarter, got &#x27;week&#x27;."),
        ({"from": "March"}, "From: Expected a month like 2026-03 or a quarter like 2026-Q1"),
        ({"periods": "99"}, "Periods: Show between 1 and 24 months, not 99."),
        ({"lanes": "owner"}, "Lanes: Lanes are one of product, product_line"),
    ],
)
def test_bad_timeline_options_are_explained(as_user, viewer, roadmap, query, message):
    response = as_user(viewer).get(reverse("roadmap:timeline"), query)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert len(timeline_titles(response)) == 4  # the default window and lanes


def test_a_crowded_lane_says_how_many_more_and_offers_to_show_it_alone(
    as_user, viewer, roadmap, monkeypatch
):
    from pilothouse.roadmap import timeline
    from tests.factories import FeatureFactory

    for n in range(timeline.MIN_PER_LANE + 3):
        FeatureFactory(title=f"Extra {n}", product=roadmap.pay, target_release=roadmap.soon)
    monkeypatch.setattr(timeline, "ITEM_BUDGET", 1)  # every lane at its minimum
    response = as_user(viewer).get(reverse("roadmap:timeline"), {"lanes": "product"})
    pay = next(lane for lane in response.context["timeline"].lanes if lane.title == "Pay")
    assert len(pay.items) == timeline.MIN_PER_LANE
    assert pay.hidden == pay.total - timeline.MIN_PER_LANE > 0
    html = response.content.decode()
    assert f"{pay.hidden} more in this lane" in html
    assert f"product={roadmap.pay.pk}" in pay.focus_query


def test_the_timeline_prints_landscape_without_navigation(client, db):
    response = client.get("/static/roadmap/roadmap.css")
    css = b"".join(response.streaming_content).decode()
    printing = css[css.index("@media print") :]
    assert "size: landscape" in printing
    assert ".site-header" in printing
    assert ".filters" in printing


# --- The shared read-only bodies --------------------------------------------------------------


@pytest.mark.parametrize("view", ["timeline", "board", "releases"])
@pytest.mark.parametrize("public", [False, True])
def test_a_shared_body_is_read_only_and_hides_what_the_audience_may_not_see(roadmap, view, public):
    request = RequestFactory().get("/roadmap/shared/token/")
    request.htmx = False
    html = planning_views.shared_body(
        request, view=view, filters=RoadmapFilters(product=roadmap.crm.pk), public=public
    )
    assert "roadmap/roadmap.css" in html
    assert "Deduplication" in html
    assert "Apple Pay" not in html  # the link's filter
    assert "/roadmap/features/" not in html  # no links into the application
    assert "<form" not in html
    assert 'draggable="true"' not in html
    assert ("Ana Alves" in html) is (not public)
