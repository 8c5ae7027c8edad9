"""Who may open which page: every page against every role, and anonymous visitors.

Read pages are open to every logged-in user. Create, edit and delete pages follow
core.permissions: admins and product leaders everywhere, a product manager on what
they look after (their line, its products and their items), nobody else. The user
admin is for admins only. The services make the real check on submit: the last
tests here submit forms to make sure a refused write changes nothing.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from pilothouse.core.models import ChangeRecord
from pilothouse.core.roles import Role
from pilothouse.portfolio.forms import ProductAreaForm, ProductForm, ProductLineForm
from pilothouse.roadmap.forms import FeatureForm, ReleaseForm
from pilothouse.roadmap.models import Feature
from pilothouse.strategy.forms import InitiativeForm, KeyResultForm, ObjectiveForm
from tests.web.helpers import form_payload

ROLES = [role.value for role in Role]
PORTFOLIO_WIDE = {Role.ADMIN, Role.PRODUCT_LEADER}

# Pages every logged-in user may read: name -> URL in the world.
READ_PAGES = {
    "home": lambda w: reverse("web:home"),
    "portfolio": lambda w: reverse("web:portfolio"),
    "product": lambda w: reverse("web:product_detail", args=[w.theirs.product.key]),
    "objective_tree": lambda w: reverse("strategy:objective_tree"),
    "objective": lambda w: reverse("web:objective_detail", args=[w.theirs.objective.pk]),
    "initiatives": lambda w: reverse("strategy:initiative_list"),
    "initiative": lambda w: reverse("web:initiative_detail", args=[w.theirs.initiative.pk]),
    "features": lambda w: reverse("roadmap:feature_list"),
    "feature": lambda w: reverse("roadmap:feature_detail", args=[w.theirs.feature.pk]),
    "releases": lambda w: reverse("roadmap:release_list"),
    "release": lambda w: reverse("roadmap:release_detail", args=[w.theirs.release.pk]),
    "people": lambda w: reverse("people:person_list"),
    "person": lambda w: reverse("people:person_detail", args=[w.person.pk]),
    "changes": lambda w: reverse("core:change_list"),
    "tokens": lambda w: reverse("core:token_list"),
}

ADMIN_PAGES = {
    "users": lambda w: reverse("core:user_list"),
    "user": lambda w: reverse("core:user_edit", args=[w.viewer.pk]),
}

# Edit and delete pages of the objects a product manager may hold:
# name -> (URL name, how the URL names the object, which attribute of Holdings).
OBJECT_PAGES = {
    "product_line": ("portfolio:product_line_{}", lambda o: o.pk, "line"),
    "product": ("portfolio:product_{}", lambda o: o.key, "product"),
    "product_area": ("portfolio:product_area_{}", lambda o: o.pk, "area"),
    "objective": ("strategy:objective_{}", lambda o: o.pk, "objective"),
    "key_result": ("strategy:key_result_{}", lambda o: o.pk, "key_result"),
    "initiative": ("strategy:initiative_{}", lambda o: o.pk, "initiative"),
    "feature": ("roadmap:feature_{}", lambda o: o.pk, "feature"),
    "release": ("roadmap:release_{}", lambda o: o.pk, "release"),
}

# Create pages: name -> (URL, who besides the portfolio-wide roles may open it).
CREATE_PAGES = {
    "product_line": (lambda w: reverse("portfolio:product_line_create"), set()),
    "product": (lambda w: reverse("portfolio:product_create"), {Role.PRODUCT_MANAGER}),
    "my_area": (
        lambda w: reverse("portfolio:product_area_create", args=[w.mine.product.key]),
        {Role.PRODUCT_MANAGER},
    ),
    "their_area": (
        lambda w: reverse("portfolio:product_area_create", args=[w.theirs.product.key]),
        set(),
    ),
    "objective": (lambda w: reverse("strategy:objective_create"), {Role.PRODUCT_MANAGER}),
    "my_key_result": (
        lambda w: reverse("strategy:key_result_create", args=[w.mine.objective.pk]),
        {Role.PRODUCT_MANAGER},
    ),
    "their_key_result": (
        lambda w: reverse("strategy:key_result_create", args=[w.theirs.objective.pk]),
        set(),
    ),
    "initiative": (lambda w: reverse("strategy:initiative_create"), set()),
    "feature": (lambda w: reverse("roadmap:feature_create"), {Role.PRODUCT_MANAGER}),
    "release": (lambda w: reverse("roadmap:release_create"), {Role.PRODUCT_MANAGER}),
    "person": (lambda w: reverse("people:person_create"), set()),
}


def _statuses(client, world, url: str) -> dict[str, int]:
    statuses = {}
    for role in ROLES:
        client.force_login(world.user(role))
        statuses[role] = client.get(url).status_code
    return statuses


def _all_pages(world) -> list[str]:
    urls = [page(world) for page in (*READ_PAGES.values(), *ADMIN_PAGES.values())]
    urls += [page(world) for page, _ in CREATE_PAGES.values()]
    for name, to_key, attr in OBJECT_PAGES.values():
        obj = getattr(world.theirs, attr)
        urls += [reverse(name.format(action), args=[to_key(obj)]) for action in ("edit", "delete")]
    return urls


def test_anonymous_visitors_are_sent_to_the_login_page(client, web_world):
    for url in _all_pages(web_world):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url == f"{reverse('core:login')}?next={url}", url


def test_the_login_page_is_open_to_anonymous_visitors(client, db):
    response = client.get(reverse("core:login"))
    assert response.status_code == 200
    assert b'name="username"' in response.content


@pytest.mark.parametrize("page", READ_PAGES)
def test_every_role_may_read(client, web_world, page):
    url = READ_PAGES[page](web_world)
    assert _statuses(client, web_world, url) == dict.fromkeys(ROLES, 200)


@pytest.mark.parametrize("page", ADMIN_PAGES)
def test_only_admins_reach_the_user_admin(client, web_world, page):
    url = ADMIN_PAGES[page](web_world)
    expected = {role: 200 if role == Role.ADMIN else 403 for role in ROLES}
    assert _statuses(client, web_world, url) == expected


@pytest.mark.parametrize("action", ["edit", "delete"])
@pytest.mark.parametrize("side", ["mine", "theirs"])
@pytest.mark.parametrize("model", OBJECT_PAGES)
def test_who_may_open_edit_and_delete_pages(client, web_world, model, side, action):
    name, to_key, attr = OBJECT_PAGES[model]
    obj = getattr(getattr(web_world, side), attr)
    url = reverse(name.format(action), args=[to_key(obj)])
    expected = {
        role: 200
        if role in PORTFOLIO_WIDE or (role == Role.PRODUCT_MANAGER and side == "mine")
        else 403
        for role in ROLES
    }
    assert _statuses(client, web_world, url) == expected


@pytest.mark.parametrize("action", ["edit", "delete"])
def test_only_the_portfolio_wide_roles_may_change_people(client, web_world, action):
    url = reverse(f"people:person_{action}", args=[web_world.person.pk])
    expected = {role: 200 if role in PORTFOLIO_WIDE else 403 for role in ROLES}
    assert _statuses(client, web_world, url) == expected


@pytest.mark.parametrize("page", CREATE_PAGES)
def test_who_may_open_create_pages(client, web_world, page):
    url_of, also_allowed = CREATE_PAGES[page]
    expected = {
        role: 200 if role in PORTFOLIO_WIDE or role in also_allowed else 403 for role in ROLES
    }
    assert _statuses(client, web_world, url_of(web_world)) == expected


def _feature_edit(client, world, feature, user, **changes):
    client.force_login(user)
    data = form_payload(FeatureForm(instance=feature), **changes)
    return client.post(reverse("roadmap:feature_edit", args=[feature.pk]), data)


@pytest.mark.parametrize("role", [Role.VIEWER, Role.CONTRIBUTOR])
def test_a_read_only_role_cannot_submit_an_edit(client, web_world, role):
    feature = web_world.mine.feature
    response = _feature_edit(client, web_world, feature, web_world.user(role), title="Hacked")
    assert response.status_code == 403
    feature.refresh_from_db()
    assert (feature.title, feature.version) == ("MINE feature", 1)
    assert not ChangeRecord.objects.exists()


def test_a_product_manager_cannot_submit_an_edit_of_what_they_do_not_look_after(client, web_world):
    feature = web_world.theirs.feature
    response = _feature_edit(client, web_world, feature, web_world.pm, title="Hacked")
    assert response.status_code == 403
    feature.refresh_from_db()
    assert (feature.title, feature.version) == ("THEIRS feature", 1)


def test_a_product_manager_cannot_make_themselves_owner_of_what_they_do_not_look_after(
    client, web_world
):
    # The form applies the new owner to its copy of the object; the permission is
    # checked against the object as stored.
    feature = web_world.theirs.feature
    response = _feature_edit(client, web_world, feature, web_world.pm, owner=web_world.pm.pk)
    assert response.status_code == 403
    feature.refresh_from_db()
    assert feature.owner_id is None


def test_a_product_manager_edits_what_they_look_after(client, web_world):
    feature = web_world.mine.feature
    response = _feature_edit(client, web_world, feature, web_world.pm, title="Renamed")
    assert response.status_code == 302
    feature.refresh_from_db()
    assert (feature.title, feature.version, feature.updated_by) == ("Renamed", 2, web_world.pm)


@pytest.mark.parametrize("role", [Role.ADMIN, Role.PRODUCT_LEADER])
def test_the_portfolio_wide_roles_edit_everything(client, web_world, role):
    feature = web_world.theirs.feature
    response = _feature_edit(client, web_world, feature, web_world.user(role), title="Renamed")
    assert response.status_code == 302
    feature.refresh_from_db()
    assert feature.title == "Renamed"


def test_a_product_manager_cannot_create_under_a_product_they_do_not_look_after(client, web_world):
    client.force_login(web_world.pm)
    data = form_payload(FeatureForm(), title="Sneaky", product=web_world.theirs.product.pk)
    response = client.post(reverse("roadmap:feature_create"), data)
    assert response.status_code == 403
    assert not Feature.objects.filter(title="Sneaky").exists()


def test_a_product_manager_cannot_move_their_feature_to_a_product_they_do_not_look_after(
    client, web_world
):
    feature = web_world.mine.feature
    response = _feature_edit(
        client, web_world, feature, web_world.pm, product=web_world.theirs.product.pk
    )
    assert response.status_code == 403
    feature.refresh_from_db()
    assert feature.product == web_world.mine.product


@pytest.mark.parametrize("role", [Role.VIEWER, Role.PRODUCT_MANAGER])
def test_a_refused_delete_deletes_nothing(client, web_world, role):
    feature = web_world.theirs.feature
    client.force_login(web_world.user(role))
    response = client.post(reverse("roadmap:feature_delete", args=[feature.pk]), {"version": 1})
    assert response.status_code == 403
    assert Feature.objects.filter(pk=feature.pk).exists()


FORMS = {
    "product_line": ProductLineForm,
    "product": ProductForm,
    "product_area": ProductAreaForm,
    "objective": ObjectiveForm,
    "key_result": KeyResultForm,
    "initiative": InitiativeForm,
    "feature": FeatureForm,
    "release": ReleaseForm,
}


@pytest.mark.parametrize("model", OBJECT_PAGES)
def test_refused_edits_and_deletes_of_every_model_change_nothing(client, web_world, model):
    name, to_key, attr = OBJECT_PAGES[model]
    obj = getattr(web_world.theirs, attr)
    edit = reverse(name.format("edit"), args=[to_key(obj)])
    delete = reverse(name.format("delete"), args=[to_key(obj)])
    data = form_payload(FORMS[model](instance=obj))
    for user in (web_world.viewer, web_world.contributor, web_world.pm):
        client.force_login(user)
        assert client.post(edit, data).status_code == 403, user
        assert client.post(delete, {"version": 1}).status_code == 403, user
    refreshed = type(obj).objects.get(pk=obj.pk)
    assert (refreshed.version, refreshed.updated_by) == (1, None)
    assert not ChangeRecord.objects.exists()
