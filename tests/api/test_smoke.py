import pytest


@pytest.mark.django_db
def test_products_list_requires_authentication(client):
    response = client.get("/api/v1/products")
    assert response.status_code == 401
    assert response.json()["detail"].startswith("Authentication required")
