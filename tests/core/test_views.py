"""Pages of core: log in and out, the change log, API tokens, the user admin."""

from __future__ import annotations

import pytest
from django.urls import reverse

from pilothouse.core.models import ApiToken, ChangeRecord, User
from pilothouse.core.roles import Role
from pilothouse.core.tokens import token_authenticate, token_create
from pilothouse.portfolio import services as portfolio_services
from pilothouse.roadmap import services as roadmap_services
from tests.factories import ProductFactory, UserFactory
from tests.web.helpers import assert_same_queries

PASSWORD = "correct horse battery staple"

# --- Logging in and out ---------------------------------------------------------------


def test_logging_in_leads_to_the_dashboard(client, viewer):
    response = client.post(reverse("core:login"), {"username": "viewer", "password": PASSWORD})
    assert response.status_code == 302
    assert response.url == reverse("web:home")
    assert client.get(reverse("web:home")).status_code == 200


def test_logging_in_goes_back_to_the_page_asked_for(client, viewer):
    url = reverse("core:login") + "?next=/people/"
    response = client.post(url, {"username": "viewer", "password": PASSWORD, "next": "/people/"})
    assert response.url == "/people/"


def test_a_wrong_password_is_refused_with_a_message(client, viewer):
    response = client.post(reverse("core:login"), {"username": "viewer", "password": "nope"})
    assert response.status_code == 200
    assert b"Please enter a correct username and password" in response.content
    assert "_auth_user_id" not in client.session


def test_logging_out_takes_a_post(as_user, viewer):
    client = as_user(viewer)
    assert client.get(reverse("core:logout")).status_code == 405
    response = client.post(reverse("core:logout"))
    assert response.status_code == 302
    assert response.url == reverse("core:login")
    assert client.get(reverse("web:home")).status_code == 302


# --- Change log -------------------------------------------------------------------------


@pytest.fixture
def changes(leader):
    """Two products created and one updated by the leader, one deleted by an admin."""
    admin = UserFactory(username="root", role=Role.ADMIN)
    line = portfolio_services.product_line.create(actor=leader, data={"name": "Money"})
    kept = portfolio_services.product.create(
        actor=leader, data={"name": "Wallet", "key": "WAL", "product_line": line}
    )
    gone = portfolio_services.product.create(
        actor=leader, data={"name": "Vault", "key": "VLT", "product_line": line}
    )
    kept = portfolio_services.product.update(
        actor=leader, instance=kept, version=1, data={"stage": "growth"}
    )
    portfolio_services.product.delete(actor=admin, instance=gone)
    return {"kept": kept, "line": line, "admin": admin}


def test_the_change_list_shows_who_did_what(as_user, viewer, changes):
    response = as_user(viewer).get(reverse("core:change_list"))
    assert response.status_code == 200
    records = response.context["records"]
    assert [(r.action, r.object_repr) for r in records] == [
        ("delete", "Vault (VLT)"),
        ("update", "Wallet (WAL)"),
        ("create", "Vault (VLT)"),
        ("create", "Wallet (WAL)"),
        ("create", "Money"),
    ]
    html = response.content.decode()
    # The update shows the change with choice labels, not codes.
    assert "Discovery" in html
    assert "Growth" in html


def test_the_change_list_links_to_objects_that_still_exist(as_user, viewer, changes):
    response = as_user(viewer).get(reverse("core:change_list"))
    urls = {(r.action, r.object_repr): r.object_url for r in response.context["records"]}
    product_url = reverse("web:product_detail", args=["WAL"])
    assert urls[("update", "Wallet (WAL)")] == product_url
    assert urls[("create", "Vault (VLT)")] is None
    assert urls[("delete", "Vault (VLT)")] is None
    assert f'href="{product_url}"' in response.content.decode()


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"object_type": "productline"}, {"Money"}),
        ({"action": "delete"}, {"Vault (VLT)"}),
        ({"actor": "root"}, {"Vault (VLT)"}),
        ({"object_type": "product", "action": "create"}, {"Wallet (WAL)", "Vault (VLT)"}),
    ],
)
def test_the_change_list_filters(as_user, viewer, changes, query, expected):
    response = as_user(viewer).get(reverse("core:change_list"), query)
    assert {r.object_repr for r in response.context["records"]} == expected


def test_an_unknown_filter_value_is_ignored_with_a_message(as_user, viewer, changes):
    response = as_user(viewer).get(reverse("core:change_list"), {"action": "explode"})
    assert response.status_code == 200
    assert len(response.context["records"]) == 5
    assert "Select a valid choice" in response.content.decode()


def test_the_change_list_is_paginated(as_user, viewer, leader):
    line = portfolio_services.product_line.create(actor=leader, data={"name": "Line"})
    for n in range(55):
        portfolio_services.product_area.create(
            actor=leader,
            data={"name": f"Area {n}", "product": ProductFactory(product_line=line)},
        )
    client = as_user(viewer)
    first = client.get(reverse("core:change_list"))
    second = client.get(reverse("core:change_list"), {"page": 2})
    assert len(first.context["records"]) == 50
    assert len(second.context["records"]) == 6
    assert "Page 1 of 2" in first.content.decode()


def test_the_change_list_costs_the_same_queries_whatever_its_length(as_user, viewer, leader):
    product = ProductFactory()  # not through the services: only features are in the log
    client = as_user(viewer)

    def add_features(n):
        for i in range(n):
            feature = roadmap_services.feature.create(
                actor=leader, data={"title": f"Feature {i}", "product": product, "owner": leader}
            )
            roadmap_services.feature.update(
                actor=leader, instance=feature, version=1, data={"stage": "candidate"}
            )

    add_features(5)
    assert_same_queries(lambda: client.get(reverse("core:change_list")), lambda: add_features(45))


# --- API tokens -------------------------------------------------------------------------


def test_a_new_token_is_shown_once(as_user, viewer):
    client = as_user(viewer)
    response = client.post(reverse("core:token_list"), {"name": "export script"})
    assert response.status_code == 200
    secret = response.context["secret"]
    html = response.content.decode()
    assert secret in html
    assert "will not be shown again" in html
    assert "no-store" in response["Cache-Control"]
    assert token_authenticate(secret) == viewer
    # Later visits show the token, never its secret.
    later = client.get(reverse("core:token_list")).content.decode()
    assert "export script" in later
    assert secret not in later


def test_a_token_needs_a_name(as_user, viewer):
    response = as_user(viewer).post(reverse("core:token_list"), {"name": ""})
    assert response.status_code == 200
    assert response.context["form"].errors == {"name": ["This field is required."]}
    assert not ApiToken.objects.exists()


def test_the_token_list_shows_only_ones_own_tokens(as_user, viewer, leader):
    token_create(user=leader, name="leader's")
    token_create(user=viewer, name="mine")
    response = as_user(viewer).get(reverse("core:token_list"))
    assert [t.name for t in response.context["tokens"]] == ["mine"]


def test_revoking_a_token(as_user, viewer):
    token, secret = token_create(user=viewer, name="old")
    client = as_user(viewer)
    url = reverse("core:token_revoke", args=[token.pk])
    assert client.get(url).status_code == 405
    response = client.post(url)
    assert response.status_code == 302
    token.refresh_from_db()
    assert not token.is_active
    assert token_authenticate(secret) is None
    assert "Revoked" in client.get(reverse("core:token_list")).content.decode()


def test_nobody_revokes_someone_elses_token(as_user, viewer, admin_user):
    token, secret = token_create(user=viewer, name="mine")
    response = as_user(admin_user).post(reverse("core:token_revoke", args=[token.pk]))
    assert response.status_code == 404
    assert token_authenticate(secret) == viewer


# --- User admin -------------------------------------------------------------------------


def test_an_admin_creates_a_user(as_user, admin_user):
    response = as_user(admin_user).post(
        reverse("core:user_list"),
        {"username": "newbie", "email": "n@example.com", "role": Role.PRODUCT_MANAGER},
    )
    assert response.status_code == 302
    user = User.objects.get(username="newbie")
    assert (user.role, user.has_usable_password()) == (Role.PRODUCT_MANAGER, False)
    record = ChangeRecord.objects.get(object_repr="newbie")
    assert (record.action, record.actor) == ("create", admin_user)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"username": "admin", "role": Role.VIEWER}, "username"),
        ({"username": "weak", "role": Role.VIEWER, "password": "123"}, "password"),
        ({"username": "", "role": Role.VIEWER}, "username"),
        ({"username": "odd", "role": "emperor"}, "role"),
    ],
)
def test_bad_user_input_names_the_field_and_creates_nothing(as_user, admin_user, data, field):
    count = User.objects.count()
    response = as_user(admin_user).post(reverse("core:user_list"), data)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert User.objects.count() == count


def test_an_admin_changes_a_role_and_deactivates(as_user, admin_user, viewer):
    response = as_user(admin_user).post(
        reverse("core:user_edit", args=[viewer.pk]),
        {"email": "v@example.com", "role": Role.CONTRIBUTOR},  # unchecked: inactive
    )
    assert response.status_code == 302
    viewer.refresh_from_db()
    assert (viewer.role, viewer.is_active, viewer.email) == (
        Role.CONTRIBUTOR,
        False,
        "v@example.com",
    )
    page = as_user(admin_user).get(reverse("core:user_edit", args=[viewer.pk]))
    assert "Contributor" in page.content.decode()  # in the history panel


def test_an_admin_cannot_demote_themselves(as_user, admin_user):
    response = as_user(admin_user).post(
        reverse("core:user_edit", args=[admin_user.pk]),
        {"email": "", "role": Role.VIEWER, "is_active": "on"},
    )
    assert response.status_code == 200
    assert "cannot demote" in response.context["form"].errors["role"][0]
    admin_user.refresh_from_db()
    assert admin_user.role == Role.ADMIN


@pytest.mark.parametrize("role", [Role.PRODUCT_LEADER, Role.PRODUCT_MANAGER, Role.VIEWER])
def test_only_admins_change_users(as_user, make_user, viewer, role):
    client = as_user(make_user(role, username="someone"))
    assert (
        client.post(reverse("core:user_list"), {"username": "x", "role": "admin"}).status_code
        == 403
    )
    response = client.post(reverse("core:user_edit", args=[viewer.pk]), {"role": "admin"})
    assert response.status_code == 403
    viewer.refresh_from_db()
    assert viewer.role == Role.VIEWER
    assert not User.objects.filter(username="x").exists()
