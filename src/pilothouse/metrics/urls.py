from django.urls import include, path

from pilothouse.metrics import entry_views, views

app_name = "metrics"
urlpatterns = [
    path("", views.catalog, name="catalog"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("new/", views.metric_create, name="metric_create"),
    path("import/", entry_views.import_page, name="import"),
    # Data sources and sync runs: their pages live in source_urls.
    path("sources/", include("pilothouse.metrics.source_urls")),
    path("values/<int:pk>/edit/", entry_views.value_edit, name="value_edit"),
    path("values/<int:pk>/delete/", entry_views.value_delete, name="value_delete"),
    path("targets/<int:pk>/edit/", views.target_edit, name="target_edit"),
    path("targets/<int:pk>/delete/", views.target_delete, name="target_delete"),
    path("key-results/<int:pk>/metric/", entry_views.key_result_link, name="key_result_link"),
    path(
        "key-results/<int:pk>/metric/delete/",
        entry_views.key_result_unlink,
        name="key_result_unlink",
    ),
    path("<slug:ident>/", views.metric_detail, name="metric_detail"),
    path("<slug:ident>/edit/", views.metric_edit, name="metric_edit"),
    path("<slug:ident>/delete/", views.metric_delete, name="metric_delete"),
    path("<slug:ident>/values/", entry_views.value_entry, name="value_entry"),
    path("<slug:ident>/targets/new/", views.target_create, name="target_create"),
    path("<slug:ident>/chart.<str:fmt>", views.chart_export, name="chart_export"),
]
