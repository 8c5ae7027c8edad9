from django.urls import path

from pilothouse.prioritization import views

app_name = "prioritization"
urlpatterns = [
    path("", views.model_list, name="model_list"),
    path("models/new/", views.model_create, name="model_create"),
    path("models/<int:pk>/", views.backlog, name="backlog"),
    path("models/<int:pk>/edit/", views.model_edit, name="model_edit"),
    path("models/<int:pk>/delete/", views.model_delete, name="model_delete"),
    path("formula-check/", views.formula_check_view, name="formula_check"),
    path("compare/", views.compare, name="compare"),
    path(
        "features/<int:feature_pk>/scores/<int:model_pk>/",
        views.score_edit,
        name="score_edit",
    ),
]
