"""A product leader reorders the now / next / later board: drags a card from "next" to
"now" with the mouse, then moves another with the keyboard alone. Each move shows after a
reload, in the feature's history, and (for the drag) in "what changed" against a
snapshot taken before."""

from __future__ import annotations

import pytest

from pilothouse.core.roles import Role
from pilothouse.roadmap.models import Feature, RoadmapSnapshot
from pilothouse.roadmap.snapshots import snapshot_diff, snapshot_take
from tests.factories import FeatureFactory, ProductFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def card(page, feature: Feature, horizon: str | None = None):
    column = f'ol.board-cards[data-horizon="{horizon}"] ' if horizon is not None else ""
    return page.locator(f'{column}li.board-card[data-feature="{feature.pk}"]')


def focus_on(page, feature: Feature) -> None:
    """Wait until the keyboard's focus is on `feature`'s card (set once htmx settles)."""
    page.wait_for_function(
        f"() => document.activeElement.dataset.feature === '{feature.pk}'", timeout=5_000
    )


def column_titles(page, horizon: str) -> list[str]:
    titles = page.locator(f'ol.board-cards[data-horizon="{horizon}"] .board-card__title')
    return [title.strip() for title in titles.all_inner_texts()]


def test_drag_a_card_to_now_and_move_another_with_the_keyboard(page, log_in):
    leader = UserFactory(username="lena", role=Role.PRODUCT_LEADER, first_name="Lena")
    product = ProductFactory(name="Ledger", key="LDG", owner=leader)
    invoices = FeatureFactory(
        title="Multi-currency invoices", product=product, stage="in_progress", horizon="now"
    )
    reminders = FeatureFactory(
        title="Payment reminders",
        product=product,
        stage="planned",
        horizon="next",
        horizon_rank=0,
    )
    FeatureFactory(title="Credit notes", product=product, horizon="next", horizon_rank=1024)
    before = snapshot_take(actor=leader, name="Before the review")

    log_in("lena")
    page.goto("/")
    roadmap = (
        page.get_by_role("navigation", name="Main")
        .get_by_role("listitem")
        .filter(has=page.get_by_role("link", name="Roadmap", exact=True))
    )
    roadmap.hover()
    roadmap.get_by_role("link", name="Now / next / later").click()
    page.wait_for_url("**/roadmap/board/")
    assert column_titles(page, "now") == ["Multi-currency invoices"]
    assert column_titles(page, "next") == ["Payment reminders", "Credit notes"]

    # Drag "Payment reminders" below "Multi-currency invoices" (grabbed by its edge, not
    # its link).
    target = card(page, invoices, "now")
    box = target.bounding_box()
    card(page, reminders, "next").drag_to(
        target, source_position={"x": 4, "y": 4}, target_position={"x": 20, "y": box["height"] - 4}
    )
    card(page, reminders, "now").wait_for()
    assert "Moved “Payment reminders” to Now." in page.locator("#board-message").inner_text()
    assert column_titles(page, "now") == ["Multi-currency invoices", "Payment reminders"]
    assert column_titles(page, "next") == ["Credit notes"]

    page.reload()
    assert column_titles(page, "now") == ["Multi-currency invoices", "Payment reminders"]
    reminders.refresh_from_db()
    assert (reminders.horizon, reminders.version) == ("now", 2)
    moves = [
        (change.title, change.before, change.after)
        for change in snapshot_diff(before=before, after=None).moved
        if change.field == "horizon"
    ]
    assert moves == [("Payment reminders", "next", "now")]

    # The keyboard alone: focus "Credit notes"; Alt+← moves it to the top of "now",
    # Alt+↓ one down, ] back to "next". Focus stays on the moved card.
    notes = Feature.objects.get(title="Credit notes")
    card(page, notes, "next").focus()
    page.keyboard.press("Alt+ArrowLeft")
    card(page, notes, "now").wait_for()
    assert page.url.endswith("/roadmap/board/")  # Alt+← did not go back in history
    assert column_titles(page, "now")[0] == "Credit notes"
    focus_on(page, notes)  # the next key goes to the card only once focus is back on it
    page.keyboard.press("Alt+ArrowDown")
    page.wait_for_function(
        "() => document.querySelectorAll('ol[data-horizon=\"now\"] .board-card')[1]"
        f".dataset.feature === '{notes.pk}'"
    )
    focus_on(page, notes)
    assert column_titles(page, "now") == [
        "Multi-currency invoices",
        "Credit notes",
        "Payment reminders",
    ]
    page.keyboard.press("]")
    card(page, notes, "next").wait_for()
    focus_on(page, notes)
    page.reload()
    assert column_titles(page, "next") == ["Credit notes"]
    notes.refresh_from_db()
    assert (notes.horizon, notes.version) == ("next", 4)

    # The drag is in the feature's history.
    card(page, reminders, "now").get_by_role("link", name="Payment reminders").click()
    page.wait_for_url(f"**/roadmap/features/{reminders.pk}/")
    history = page.locator("#history").inner_text()
    assert "Horizon:" in history
    assert "Next" in history
    assert "Now" in history
    assert "lena" in history.lower()

    # The next snapshot, taken from the snapshots page, says what the review changed.
    page.goto("/roadmap/snapshots/")
    page.fill("#snapshot-name", "After the review")
    page.get_by_role("button", name="Take snapshot").click()
    page.wait_for_url("**/roadmap/snapshots/*/")
    after = RoadmapSnapshot.objects.get(name="After the review")
    page.goto(f"/roadmap/changes/?before={before.pk}&after={after.pk}")
    moved = page.locator(f'li[data-change="moved"][data-feature="{reminders.pk}"]')
    assert "horizon next → now" in moved.inner_text()
    assert page.locator('li[data-change="moved"]').count() == 1  # the keyboard came back
