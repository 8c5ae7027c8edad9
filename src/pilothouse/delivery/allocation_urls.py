"""Pages of allocations, team cost and exchange rates (added to the app's urls.py,
under /teams/)."""

from __future__ import annotations

from django.urls import URLPattern, path

from pilothouse.delivery import allocation_views as views

urlpatterns: list[URLPattern] = [
    path("allocations/", views.allocation_grid_page, name="allocation_grid"),
    path("allocations/new/", views.allocation_create, name="allocation_create"),
    path("allocations/<int:pk>/edit/", views.allocation_edit, name="allocation_edit"),
    path("allocations/<int:pk>/delete/", views.allocation_delete, name="allocation_delete"),
    path("cost/", views.team_cost_page, name="team_cost"),
    path("cost/rates/", views.exchange_rate_list, name="exchange_rate_list"),
    path("cost/rates/new/", views.exchange_rate_create, name="exchange_rate_create"),
    path("cost/rates/<int:pk>/edit/", views.exchange_rate_edit, name="exchange_rate_edit"),
    path("cost/rates/<int:pk>/delete/", views.exchange_rate_delete, name="exchange_rate_delete"),
]
