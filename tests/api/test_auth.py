"""Authentication of the API: bearer tokens for scripts, the session (with CSRF) for the
browser."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

from pilothouse.core.roles import Role
from pilothouse.core.tokens import token_create, token_revoke
from pilothouse.portfolio.models import ProductLine
from tests.api.conftest import ApiClient
from tests.api.helpers import assert_error, unchanged
from tests.factories import ProductLineFactory

pytestmark = pytest.mark.django_db

CSRF_SECRET = "a" * 32  # any 32-character secret works as cookie and header value


def session_api(user, *, csrf: bool) -> ApiClient:
    """A browser-like client: logged in by session, CSRF enforced, optionally holding
    the CSRF cookie and sending the matching header."""
    headers = {"HTTP_X_CSRFTOKEN": CSRF_SECRET} if csrf else {}
    client = Client(enforce_csrf_checks=True, **headers)
    if user is not None:
        client.force_login(user)
    if csrf:
        client.cookies[settings.CSRF_COOKIE_NAME] = CSRF_SECRET
    return ApiClient(client=client)


# --- bearer tokens ---------------------------------------------------------------------


def test_a_bearer_token_authenticates_as_its_user(make_user):
    user = make_user(Role.PRODUCT_LEADER)
    _, secret = token_create(user=user)
    response = ApiClient(secret).post("/product-lines", {"name": "By token"})
    assert response.status_code == 201
    assert ProductLine.objects.get(name="By token").created_by == user


def test_a_bearer_token_needs_no_csrf(make_user):
    user = make_user(Role.ADMIN)
    _, secret = token_create(user=user)
    client = Client(enforce_csrf_checks=True, HTTP_AUTHORIZATION=f"Bearer {secret}")
    response = ApiClient(client=client).post("/product-lines", {"name": "Script"})
    assert response.status_code == 201


@pytest.mark.parametrize(
    "header",
    ["Bearer ph_unknown", "Bearer ", "Token something", "Basic YWRtaW46YWRtaW4=", "ph_bare"],
)
def test_bad_authorization_headers_are_401(make_user, header):
    make_user(Role.ADMIN)
    client = Client(HTTP_AUTHORIZATION=header)
    assert_error(ApiClient(client=client).get("/products"), 401)


def test_a_revoked_token_is_401(make_user):
    token, secret = token_create(user=make_user(Role.ADMIN))
    api = ApiClient(secret)
    assert api.get("/products").status_code == 200
    token_revoke(token=token)
    assert_error(api.get("/products"), 401)


def test_the_token_of_a_deactivated_user_is_401(make_user):
    user = make_user(Role.ADMIN)
    _, secret = token_create(user=user)
    user.is_active = False
    user.save()
    with unchanged(ProductLine):
        assert_error(ApiClient(secret).post("/product-lines", {"name": "Ghost"}), 401)


# --- the session -----------------------------------------------------------------------


def test_the_session_reads_without_csrf(make_user):
    ProductLineFactory()
    response = session_api(make_user(Role.VIEWER), csrf=False).get("/product-lines")
    assert response.status_code == 200
    assert response.json()["count"] == 1


def test_session_writes_need_the_csrf_token(make_user):
    api = session_api(make_user(Role.ADMIN), csrf=False)
    line = ProductLineFactory()
    with unchanged(ProductLine):
        assert_error(api.post("/product-lines", {"name": "Forged"}), 403)
        assert_error(api.patch(f"/product-lines/{line.pk}", {"name": "F", "version": 1}), 403)
        assert_error(api.delete(f"/product-lines/{line.pk}"), 403)


def test_session_writes_with_the_csrf_token(make_user):
    api = session_api(make_user(Role.ADMIN), csrf=True)
    response = api.post("/product-lines", {"name": "Browser"})
    assert response.status_code == 201
    pk = response.json()["id"]
    response = api.patch(f"/product-lines/{pk}", {"name": "Browser 2", "version": 1})
    assert response.status_code == 200
    assert api.delete(f"/product-lines/{pk}").status_code == 204


def test_a_wrong_csrf_token_is_refused(make_user):
    api = session_api(make_user(Role.ADMIN), csrf=True)
    api.client.defaults["HTTP_X_CSRFTOKEN"] = "b" * 32
    with unchanged(ProductLine):
        assert_error(api.post("/product-lines", {"name": "Forged"}), 403)


def test_the_session_of_a_deactivated_user_is_401(make_user):
    user = make_user(Role.ADMIN)
    api = session_api(user, csrf=True)
    user.is_active = False
    user.save()
    assert_error(api.get("/product-lines"), 401)
    with unchanged(ProductLine):
        assert_error(api.post("/product-lines", {"name": "Ghost"}), 401)


def test_session_roles_apply_as_for_tokens(make_user):
    api = session_api(make_user(Role.VIEWER), csrf=True)
    with unchanged(ProductLine):
        assert_error(api.post("/product-lines", {"name": "Viewer"}), 403)


def test_without_any_credentials_writes_are_401_not_a_csrf_failure(db):
    """A script that forgot its token must learn that it is not authenticated."""
    api = session_api(None, csrf=False)
    with unchanged(ProductLine):
        assert_error(api.get("/product-lines"), 401)
        assert_error(api.post("/product-lines", {"name": "Anonymous"}), 401)


def test_a_wrong_token_on_a_write_is_401_not_a_csrf_failure(db):
    client = Client(enforce_csrf_checks=True, HTTP_AUTHORIZATION="Bearer ph_wrong")
    with unchanged(ProductLine):
        assert_error(ApiClient(client=client).post("/product-lines", {"name": "X"}), 401)
