from django.urls import path

from pilothouse.experiments import statistics_views, views

app_name = "experiments"
urlpatterns = [
    path("", views.experiment_list, name="experiment_list"),
    path("new/", views.experiment_create, name="experiment_create"),
    path("<int:pk>/", views.experiment_detail, name="experiment_detail"),
    path("<int:pk>/edit/", views.experiment_edit, name="experiment_edit"),
    path("<int:pk>/delete/", views.experiment_delete, name="experiment_delete"),
    path("<int:pk>/variants/", views.variants_edit, name="variants_edit"),
    path("<int:pk>/start/", views.experiment_start, name="experiment_start"),
    path("<int:pk>/stop/", views.experiment_stop, name="experiment_stop"),
    path("<int:pk>/decide/", views.experiment_decide, name="experiment_decide"),
    path("<int:pk>/metrics/new/", views.metric_create, name="metric_create"),
    path("<int:pk>/statistics/import/", views.statistics_import, name="statistics_import"),
    path(
        "<int:pk>/statistics/refresh/",
        statistics_views.statistics_refresh,
        name="statistics_refresh",
    ),
    path("metrics/<int:pk>/edit/", views.metric_edit, name="metric_edit"),
    path("metrics/<int:pk>/delete/", views.metric_delete, name="metric_delete"),
    path("metrics/<int:pk>/statistics/", views.statistics_edit, name="statistics_edit"),
    path("metrics/<int:pk>/query/", statistics_views.metric_query, name="metric_query"),
]
