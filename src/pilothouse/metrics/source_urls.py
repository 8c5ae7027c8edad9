"""Data sources and syncs, under /metrics/sources/ in the metrics namespace."""

from django.urls import path

from pilothouse.metrics import source_views

urlpatterns = [
    path("", source_views.source_list, name="source_list"),
    path("new/", source_views.source_create, name="source_create"),
    path("<int:pk>/edit/", source_views.source_edit, name="source_edit"),
    path("<int:pk>/delete/", source_views.source_delete, name="source_delete"),
    path("<int:pk>/test/", source_views.source_test, name="source_test"),
    path("preview/", source_views.query_preview, name="query_preview"),
    path("syncs/", source_views.sync_list, name="sync_list"),
    path("syncs/metric/<int:pk>/", source_views.metric_sync, name="metric_sync"),
]
