"""Moving cards on the now / next / later board: by drop (horizon and the card before),
by button or key (a direction on the board as filtered), from the list of features not
on the board, off the board; who may; stale versions; the change log; snapshots."""

from __future__ import annotations

import pytest
from django.urls import reverse

from pilothouse.core.models import ChangeRecord
from pilothouse.core.roles import Role
from pilothouse.roadmap import planning
from pilothouse.roadmap.models import Feature
from pilothouse.roadmap.snapshots import snapshot_diff, snapshot_take
from tests.factories import FeatureFactory, ProductFactory
from tests.roadmap.planning_data import build_roadmap

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def roadmap(db):
    return build_roadmap()


def move_url(feature: Feature, query: str = "") -> str:
    url = reverse("roadmap:board_move", args=[feature.pk])
    return f"{url}?{query}" if query else url


def column(horizon: str) -> list[str]:
    return list(
        Feature.objects.filter(horizon=horizon)
        .order_by("horizon_rank", "pk")
        .values_list("title", flat=True)
    )


def test_a_drop_puts_the_card_after_the_one_above_it(as_user, leader, roadmap):
    feature = roadmap.waiting  # in "next"
    response = as_user(leader).post(
        move_url(feature),
        {"version": 1, "horizon": "now", "after": roadmap.running.pk},
        **HTMX,
    )
    assert response.status_code == 200
    assert column("now") == ["Apple Pay", "Bank transfer", "Contacts import"]
    assert column("next") == []
    html = response.content.decode()
    assert "<html" not in html  # the board's body, for #roadmap-view
    assert 'id="board-message" hx-swap-oob="innerHTML"' in html
    assert "Moved “Bank transfer” to Now." in html
    assert f'data-moved="{feature.pk}"' in html
    now = response.context["board"].columns[0]
    assert [card.feature.title for card in now.cards] == column("now")


def test_the_change_log_records_the_horizon_it_left_and_joined(as_user, leader, roadmap):
    client = as_user(leader)
    client.post(move_url(roadmap.waiting), {"version": 1, "horizon": "now", "after": ""}, **HTMX)
    record = ChangeRecord.objects.get()
    assert (record.action, record.actor) == ("update", leader)
    assert record.before["horizon"] == "next"
    assert record.after["horizon"] == "now"
    page = client.get(reverse("roadmap:feature_detail", args=[roadmap.waiting.pk]))
    history = page.content.decode()
    history = history[history.index('id="history"') :]
    assert "Next" in history
    assert "Now" in history


def test_a_snapshot_taken_before_sees_the_card_moved(as_user, leader, roadmap):
    before = snapshot_take(actor=leader)
    as_user(leader).post(
        move_url(roadmap.waiting), {"version": 1, "horizon": "now", "after": ""}, **HTMX
    )
    moved = [
        (change.title, change.before, change.after)
        for change in snapshot_diff(before=before, after=None).moved
        if change.field == "horizon"
    ]
    assert moved == [("Bank transfer", "next", "now")]


def test_without_javascript_the_board_is_reloaded_with_the_message(as_user, leader, roadmap):
    client = as_user(leader)
    query = f"product={roadmap.pay.pk}&more=now"
    response = client.post(move_url(roadmap.waiting, query), {"version": 1, "direction": "left"})
    assert response.status_code == 302
    assert response.url == f"{reverse('roadmap:board')}?{query}"
    assert column("now")[0] == "Bank transfer"  # to the top of the column on its left
    page = client.get(response.url).content.decode()
    assert "Moved “Bank transfer” to Now." in page


@pytest.mark.parametrize(
    ("direction", "expected"),
    [
        ("up", ["Fourth", "First", "Second", "Third"]),
        ("down", ["Second", "Third", "Fourth", "First"]),
    ],
)
def test_up_and_down_step_over_the_cards_shown(as_user, leader, db, direction, expected):
    shown, hidden = ProductFactory(), ProductFactory()
    cards = {}
    for rank, (title, product) in enumerate(
        [("First", shown), ("Second", hidden), ("Third", hidden), ("Fourth", shown)]
    ):
        cards[title] = FeatureFactory(
            title=title, product=product, horizon="now", horizon_rank=rank * 1024
        )
    mover = cards["Fourth"] if direction == "up" else cards["First"]
    response = as_user(leader).post(
        move_url(mover, f"product={shown.pk}"),
        {"version": 1, "direction": direction},
        **HTMX,
    )
    assert response.status_code == 200
    # On the board filtered to `shown`, "Fourth" was right below "First": up puts it
    # above "First"; "First" down goes after "Fourth", past the cards filtered out.
    assert column("now") == expected


def test_a_card_that_cannot_go_further_stays(as_user, leader, roadmap):
    response = as_user(leader).post(
        move_url(roadmap.running), {"version": 1, "direction": "left"}, **HTMX
    )
    assert response.status_code == 200
    assert "“Apple Pay” cannot move that way." in response.content.decode()
    roadmap.running.refresh_from_db()
    assert (roadmap.running.horizon, roadmap.running.version) == ("now", 1)


def test_a_feature_is_pulled_onto_the_board_and_taken_off_it(as_user, leader, roadmap):
    client = as_user(leader)
    html = client.get(reverse("roadmap:board"), {"backlog": "open"}).content.decode()
    backlog = html[html.index('id="board-backlog"') :]
    assert "1 planned or candidate feature not on the board." in backlog
    assert "Dark mode" in backlog
    client.post(move_url(roadmap.undated), {"version": 1, "horizon": "later", "after": ""}, **HTMX)
    assert column("later") == ["Dark mode", "Deduplication"]
    response = client.post(move_url(roadmap.undated), {"version": 2, "horizon": ""}, **HTMX)
    assert "“Dark mode” is off the board." in response.content.decode()
    assert column("later") == ["Deduplication"]


def test_the_list_off_the_board_is_read_only_when_unfolded(as_user, leader, roadmap):
    client = as_user(leader)
    folded = client.get(reverse("roadmap:board")).content.decode()
    assert "Dark mode" not in folded
    assert 'hx-trigger="toggle once" hx-target="#board-backlog-list"' in folded
    assert 'href="?backlog=open"' in folded  # without JavaScript: the page with it open
    unfolded = client.get(
        reverse("roadmap:board"),
        {"product": roadmap.crm.pk},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="board-backlog-list",
    )
    html = unfolded.content.decode()
    assert "<details" not in html  # the list alone
    assert "Dark mode" in html
    assert 'name="horizon" value="now"' in html


def test_a_stale_version_moves_nothing_and_reloads_the_board(as_user, leader, roadmap):
    Feature.objects.filter(pk=roadmap.waiting.pk).update(version=2)
    response = as_user(leader).post(
        move_url(roadmap.waiting), {"version": 1, "horizon": "now", "after": ""}, **HTMX
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert "was changed by someone else since the board was loaded" in html
    assert 'class="board"' in html  # the reloaded board comes with it
    assert column("next") == ["Bank transfer"]
    assert not ChangeRecord.objects.exists()


@pytest.mark.parametrize(
    ("side", "role", "status"),
    [
        ("mine", Role.PRODUCT_MANAGER, 200),
        ("theirs", Role.PRODUCT_MANAGER, 403),
        ("theirs", Role.PRODUCT_LEADER, 200),
        ("theirs", Role.ADMIN, 200),
        ("mine", Role.CONTRIBUTOR, 403),
        ("mine", Role.VIEWER, 403),
    ],
)
def test_only_those_who_may_change_the_feature_move_it(client, web_world, side, role, status):
    feature = getattr(web_world, side).feature
    Feature.objects.filter(pk=feature.pk).update(horizon="next")
    client.force_login(web_world.user(role))
    response = client.post(move_url(feature), {"version": 1, "direction": "left"}, **HTMX)
    assert response.status_code == status
    feature.refresh_from_db()
    if status == 403:
        assert "You may not move “" in response.content.decode()
        assert (feature.horizon, feature.version) == ("next", 1)
        assert not ChangeRecord.objects.exists()
    else:
        assert (feature.horizon, feature.version) == ("now", 2)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"horizon": "soon", "after": ""}, "Unknown horizon"),
        ({"horizon": "now", "after": "x"}, "Expected the id of a card"),
        ({"direction": "sideways"}, "Unknown direction"),
        ({}, "Say where to move the card."),
        ({"horizon": "now", "after": "999999"}, "is not in the now column"),
    ],
)
def test_a_bad_move_is_refused_with_a_reason(as_user, leader, roadmap, data, message):
    response = as_user(leader).post(move_url(roadmap.waiting), {"version": 1, **data}, **HTMX)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert column("next") == ["Bank transfer"]


def test_a_move_without_a_version_is_refused(as_user, leader, roadmap):
    response = as_user(leader).post(move_url(roadmap.waiting), {"direction": "left"}, **HTMX)
    assert response.status_code == 400
    assert "version is missing" in response.content.decode()


def test_a_move_is_a_post(as_user, leader, roadmap):
    assert as_user(leader).get(move_url(roadmap.waiting)).status_code == 405


def test_a_full_column_shows_its_first_cards_and_offers_more(as_user, viewer, db, monkeypatch):
    monkeypatch.setattr(planning, "COLUMN_CAP", 3)
    monkeypatch.setattr(planning, "EXPANDED_CAP", 5)
    product = ProductFactory()
    for rank in range(7):
        FeatureFactory(title=f"Card {rank}", product=product, horizon="next", horizon_rank=rank)
    client = as_user(viewer)
    response = client.get(reverse("roadmap:board"))
    nxt = response.context["board"].columns[1]
    assert [card.feature.title for card in nxt.cards] == ["Card 0", "Card 1", "Card 2"]
    assert (nxt.total, nxt.hidden) == (7, 4)
    html = response.content.decode()
    assert "4 more." in html
    assert "?more=next" in html
    expanded = client.get(reverse("roadmap:board"), {"more": "next"}).context["board"]
    assert len(expanded.columns[1].cards) == 5
    assert expanded.columns[1].cards[-1].last is False  # more below: it may move down


def test_the_cards_show_product_stage_owner_and_conflicts(as_user, viewer, roadmap):
    html = as_user(viewer).get(reverse("roadmap:board")).content.decode()
    card = html[html.index(f'data-feature="{roadmap.crm_planned.pk}"') :]
    card = card[: card.index("</li>")]
    assert "Crm" in card
    assert "Planned" in card
    assert "Ana Alves" in card
    running = html[html.index(f'data-feature="{roadmap.running.pk}"') :]
    assert 'class="conflict"' in running[: running.index("</li>")]


def test_the_keys_are_explained_on_the_page(as_user, leader, roadmap):
    html = as_user(leader).get(reverse("roadmap:board")).content.decode()
    assert 'id="board-keys"' in html
    assert "<kbd>Alt</kbd>+<kbd>←</kbd>" in html
    assert "<kbd>[</kbd>" in html
    assert "roadmap/board.js" in html
