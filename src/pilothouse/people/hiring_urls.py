"""Pages of the hiring plan and of ownership coverage (added to the app's urls.py)."""

from __future__ import annotations

from django.urls import URLPattern, path

from pilothouse.people import coverage_views, hiring_views

urlpatterns: list[URLPattern] = [
    path("coverage/", coverage_views.coverage_page, name="coverage"),
    path("hiring/", hiring_views.hiring_plan, name="hiring_plan"),
    path("hiring/new/", hiring_views.open_role_create, name="open_role_create"),
    path("hiring/<int:pk>/", hiring_views.open_role_detail, name="open_role_detail"),
    path("hiring/<int:pk>/edit/", hiring_views.open_role_edit, name="open_role_edit"),
    path("hiring/<int:pk>/delete/", hiring_views.open_role_delete, name="open_role_delete"),
    path("hiring/<int:pk>/status/", hiring_views.open_role_move, name="open_role_move"),
]
