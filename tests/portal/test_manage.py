"""The staff side: switching a product's portal on and marking features public, with
who may and who may not."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from pilothouse.core.models import ChangeRecord
from pilothouse.core.roles import Role
from pilothouse.portal import services
from pilothouse.portal.models import PortalFeature, PortalProduct
from tests.factories import FeatureFactory, ProductFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_product(make_user):
    steward = make_user(Role.PRODUCT_MANAGER, username="steward")
    made = ProductFactory(key="CRM", name="CRM", owner=steward)
    return made


ALLOWED = {Role.ADMIN, Role.PRODUCT_LEADER}


@pytest.mark.parametrize("role", [role.value for role in Role])
def test_who_may_set_a_portal(make_user, staff_product, role):
    actor = make_user(role, username=f"someone-{role}")
    feature = FeatureFactory(product=staff_product)
    if role in ALLOWED:
        services.portal_product_set(actor=actor, product=staff_product, enabled=True)
        services.portal_feature_set(actor=actor, feature=feature, public=True)
        assert PortalProduct.objects.get().enabled
        assert PortalFeature.objects.get().public
    else:
        with pytest.raises(PermissionDenied):
            services.portal_product_set(actor=actor, product=staff_product, enabled=True)
        with pytest.raises(PermissionDenied):
            services.portal_feature_set(actor=actor, feature=feature, public=True)
        assert not PortalProduct.objects.exists()
        assert not PortalFeature.objects.exists()


def test_the_products_steward_sets_its_portal_and_is_change_logged(staff_product):
    steward = staff_product.owner
    feature = FeatureFactory(product=staff_product)
    portal = services.portal_product_set(
        actor=steward, product=staff_product, enabled=True, title="CRM ideas", intro="**Hi**"
    )
    services.portal_product_set(actor=steward, product=staff_product, enabled=False)
    services.portal_feature_set(actor=steward, feature=feature, public=True)
    services.portal_feature_set(actor=steward, feature=feature, public=False)
    portal.refresh_from_db()
    assert not portal.enabled
    assert portal.version == 2
    assert ChangeRecord.objects.filter(actor=steward).count() == 4


def test_a_product_manager_of_another_product_may_not(make_user, staff_product):
    other = make_user(Role.PRODUCT_MANAGER, username="other-pm")
    ProductFactory(key="OWN", owner=other)
    with pytest.raises(PermissionDenied):
        services.portal_product_set(actor=other, product=staff_product, enabled=True)


def test_portal_is_off_by_default(staff_product):
    portal = PortalProduct.objects.create(product=staff_product)
    assert portal.enabled is False


@pytest.mark.parametrize("role", [role.value for role in Role])
def test_manage_page_permissions(client, make_user, staff_product, role):
    client.force_login(make_user(role, username=f"page-{role}"))
    url = reverse("portal:manage", args=["CRM"])
    answer = client.get(url)
    assert answer.status_code == (200 if role in ALLOWED else 403)
    answer = client.post(url, {"enabled": "on"})
    assert answer.status_code == (302 if role in ALLOWED else 403)
    assert PortalProduct.objects.filter(enabled=True).exists() == (role in ALLOWED)


def test_manage_page_needs_a_staff_log_in(client, staff_product):
    answer = client.get(reverse("portal:manage", args=["CRM"]))
    assert answer.status_code == 302
    assert answer.url.startswith(reverse("core:login"))
    assert client.get(reverse("portal:manage", args=["NOPE"])).status_code == 302


def test_manage_page_switches_on_and_marks_features_public(client, staff_product):
    first, second = FeatureFactory(product=staff_product), FeatureFactory(product=staff_product)
    client.force_login(staff_product.owner)
    url = reverse("portal:manage", args=["CRM"])
    assert client.get(url).status_code == 200
    answer = client.post(url, {"enabled": "on", "title": "CRM", "public": [str(first.pk)]})
    assert answer.status_code == 302
    assert PortalProduct.objects.get().enabled
    assert list(PortalFeature.objects.values_list("feature_id", "public")) == [(first.pk, True)]
    client.post(url, {"enabled": "on", "public": [str(second.pk)]})
    assert dict(PortalFeature.objects.values_list("feature_id", "public")) == {
        first.pk: False,
        second.pk: True,
    }
    page = client.get(reverse("portal:product", args=["CRM"]))
    assert second.title in page.text
    assert first.title not in page.text
    assert client.get(url).status_code == 200


def test_manage_page_shows_field_errors(client, staff_product):
    client.force_login(staff_product.owner)
    answer = client.post(reverse("portal:manage", args=["CRM"]), {"title": "t" * 201})
    assert answer.status_code == 400
    assert "at most 200 characters" in answer.text
    assert not PortalProduct.objects.exists()


def test_intro_markdown_is_sanitized(client, staff_product):
    services.portal_product_set(
        actor=None,
        product=staff_product,
        enabled=True,
        intro="**Welcome** <script>alert(1)</script> [x](javascript:alert(1))",
    )
    page = client.get(reverse("portal:product", args=["CRM"])).text
    assert "<strong>Welcome</strong>" in page
    assert "<script>alert(1)" not in page
    assert 'href="javascript:' not in page
