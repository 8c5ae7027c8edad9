from django.urls import path, re_path

from pilothouse.portfolio import views

# A product's key in a URL (see Product.key); the product page lives in pilothouse.web.
PRODUCT_KEY = r"(?P<key>[A-Z][A-Z0-9]{1,9})"

app_name = "portfolio"
urlpatterns = [
    path("lines/new/", views.product_line_create, name="product_line_create"),
    path("lines/<int:pk>/edit/", views.product_line_edit, name="product_line_edit"),
    path("lines/<int:pk>/delete/", views.product_line_delete, name="product_line_delete"),
    path("products/new/", views.product_create, name="product_create"),
    re_path(rf"^products/{PRODUCT_KEY}/edit/$", views.product_edit, name="product_edit"),
    re_path(rf"^products/{PRODUCT_KEY}/delete/$", views.product_delete, name="product_delete"),
    re_path(
        rf"^products/{PRODUCT_KEY}/areas/new/$",
        views.product_area_create,
        name="product_area_create",
    ),
    path("areas/<int:pk>/edit/", views.product_area_edit, name="product_area_edit"),
    path("areas/<int:pk>/delete/", views.product_area_delete, name="product_area_delete"),
]
