"""/api/v1/share-links and the shared page: the token shown once, expiry, password,
revocation, the access log, and a public audience that hides internal fields."""

from __future__ import annotations

import datetime as dt
from contextlib import nullcontext

import pytest
from django.test import Client
from django.utils import timezone

from pilothouse.roadmap.models import ShareAccessOutcome, ShareLink, ShareLinkAccess
from pilothouse.roadmap.sharing import WRONG_PASSWORD_LIMIT
from tests.api.helpers import assert_error, unchanged
from tests.factories import FeatureFactory

pytestmark = pytest.mark.django_db


def _make(api, **body):
    response = api.post("/share-links", {"name": "Board review", **body})
    assert response.status_code == 201, response.content
    return response.json()


def _path(url: str) -> str:
    return url[url.index("/roadmap/shared/") :]


def test_a_link_opens_the_roadmap_without_an_account_and_logs_the_visit(world, admin_api):
    FeatureFactory(product=world.product, title="Offline mode", horizon="now")
    made = _make(admin_api, view="board")
    assert made["url"].startswith("http://testserver/roadmap/shared/")
    link = ShareLink.objects.get(pk=made["id"])
    assert made["url"].split("/")[-2] not in (link.token_digest, link.token_prefix)

    page = Client().get(_path(made["url"]))
    assert page.status_code == 200
    assert "Offline mode" in page.content.decode()
    assert "url" not in admin_api.get(f"/share-links/{made['id']}").json()
    log = admin_api.get(f"/share-links/{made['id']}/accesses").json()
    assert [a["outcome"] for a in log["items"]] == ["shown"]
    assert admin_api.get(f"/share-links/{made['id']}").json()["access_count"] == 1


def test_an_unknown_token_is_not_found(db):
    assert Client().get("/roadmap/shared/not-a-real-token/").status_code == 404


def test_a_revoked_or_expired_link_is_closed(world, admin_api):
    made = _make(admin_api)
    revoked = admin_api.post(f"/share-links/{made['id']}/revoke", {})
    assert revoked.status_code == 200
    assert revoked.json()["revoked_at"]
    page = Client().get(_path(made["url"]))
    assert page.status_code == 410
    assert "revoked" in page.content.decode()

    soon = _make(admin_api, expires_at=(timezone.now() + dt.timedelta(hours=1)).isoformat())
    ShareLink.objects.filter(pk=soon["id"]).update(expires_at=timezone.now())
    page = Client().get(_path(soon["url"]))
    assert page.status_code == 410
    assert "expired" in page.content.decode()
    outcomes = set(ShareLinkAccess.objects.values_list("outcome", flat=True))
    assert outcomes == {ShareAccessOutcome.REVOKED, ShareAccessOutcome.EXPIRED}


def test_a_link_cannot_be_made_already_expired(world, admin_api):
    past = (timezone.now() - dt.timedelta(days=1)).isoformat()
    with unchanged(ShareLink):
        response = admin_api.post("/share-links", {"name": "Old", "expires_at": past})
    assert_error(response, 422, "expires_at")


def test_a_bad_filter_or_short_password_is_refused(world, admin_api):
    with unchanged(ShareLink):
        assert_error(
            admin_api.post("/share-links", {"name": "X", "filters": {"colour": "red"}}),
            422,
            "filters",
        )
        assert_error(
            admin_api.post("/share-links", {"name": "X", "filters": {"product": "abc"}}),
            422,
            "product",
        )
        assert_error(
            admin_api.post("/share-links", {"name": "X", "password": "short"}), 422, "password"
        )


def test_a_password_is_asked_once_per_session(world, admin_api):
    made = _make(admin_api, password="correct horse")
    visitor = Client()
    path = _path(made["url"])
    assert visitor.get(path).status_code == 401
    wrong = visitor.post(path, {"password": "wrong horse"})
    assert wrong.status_code == 401
    assert "not the password" in wrong.content.decode()
    assert visitor.post(path, {"password": "correct horse"}).status_code == 200
    assert visitor.get(path).status_code == 200  # remembered by the session
    assert Client().get(path).status_code == 401  # not by anyone else
    outcomes = list(
        ShareLinkAccess.objects.order_by("time", "id").values_list("outcome", flat=True)
    )
    assert outcomes == ["password_asked", "wrong_password", "shown", "shown", "password_asked"]


def test_changing_only_the_password_is_saved_and_never_logged(world, admin_api):
    made = _make(admin_api, password="correct horse")
    path = _path(made["url"])
    changed = admin_api.patch(
        f"/share-links/{made['id']}", {"password": "battery staple", "version": 1}
    )
    assert changed.status_code == 200, changed.content
    assert changed.json()["version"] == 2
    visitor = Client()
    assert "not the password" in visitor.post(path, {"password": "correct horse"}).content.decode()
    assert visitor.post(path, {"password": "battery staple"}).status_code == 200
    history = admin_api.get(f"/changes?model=roadmap.sharelink&object_id={made['id']}").json()
    logged = str(history)
    assert "password_hash" not in logged
    assert ShareLink.objects.get(pk=made["id"]).password_hash not in logged


def test_wrong_passwords_are_limited_per_address(world, admin_api):
    made = _make(admin_api, password="correct horse")
    path = _path(made["url"])
    visitor = Client()
    for _ in range(WRONG_PASSWORD_LIMIT):
        visitor.post(path, {"password": "guess"})
    refused = visitor.post(path, {"password": "correct horse"})
    assert refused.status_code == 410
    assert "Too many wrong passwords" in refused.content.decode()


def test_a_public_link_hides_internal_fields(world, admin_api, make_user):
    owner = make_user("product_manager", username="ownerperson", first_name="Olga")
    FeatureFactory(
        product=world.product,
        title="Public thing",
        horizon="now",
        owner=owner,
        effort_low=3,
        effort_high=5,
    )
    internal = Client().get(_path(_make(admin_api, view="board", audience="internal")["url"]))
    public = Client().get(_path(_make(admin_api, view="board", audience="public")["url"]))
    assert "Public thing" in internal.content.decode()
    assert "Public thing" in public.content.decode()
    assert "Olga" in internal.content.decode()
    assert "Olga" not in public.content.decode()


def test_a_link_shows_only_what_its_filter_keeps(world, admin_api):
    FeatureFactory(product=world.product, title="Inside", horizon="now")
    FeatureFactory(product=world.other_product, title="Outside", horizon="now")
    made = _make(admin_api, view="board", filters={"product": world.product.pk})
    page = Client().get(_path(made["url"])).content.decode()
    assert "Inside" in page
    assert "Outside" not in page


@pytest.mark.parametrize(
    ("role", "may"),
    [
        ("admin", True),
        ("product_leader", True),
        ("product_manager", True),
        ("contributor", False),
        ("viewer", False),
    ],
)
def test_who_may_make_and_revoke_links(role, may, world, make_user, api_as, admin_api):
    api = api_as(make_user(role, username=f"u-{role}"))
    with nullcontext() if may else unchanged(ShareLink):
        response = api.post("/share-links", {"name": "Mine"})
    assert response.status_code == (201 if may else 403)
    someone_elses = _make(admin_api)
    revoke = api.post(f"/share-links/{someone_elses['id']}/revoke", {})
    expected = 200 if role in {"admin", "product_leader"} else 403
    assert revoke.status_code == expected
    assert api.get("/share-links").status_code == 200
