"""The import page, under /people/ (added to the app's urls.py, namespace "people")."""

from __future__ import annotations

from django.urls import URLPattern, path

from pilothouse.people import import_views

urlpatterns: list[URLPattern] = [
    path("import/", import_views.import_page, name="import"),
]
