from django.urls import path

from pilothouse.strategy import views

# The objective and initiative pages themselves (they show features too) are in
# pilothouse.web: web:objective_detail, web:initiative_detail.
app_name = "strategy"
urlpatterns = [
    path("", views.objective_tree, name="objective_tree"),
    path("objectives/new/", views.objective_create, name="objective_create"),
    path("objectives/<int:pk>/edit/", views.objective_edit, name="objective_edit"),
    path("objectives/<int:pk>/delete/", views.objective_delete, name="objective_delete"),
    path(
        "objectives/<int:pk>/key-results/new/",
        views.key_result_create,
        name="key_result_create",
    ),
    path("key-results/<int:pk>/edit/", views.key_result_edit, name="key_result_edit"),
    path("key-results/<int:pk>/delete/", views.key_result_delete, name="key_result_delete"),
    path("initiatives/", views.initiative_list, name="initiative_list"),
    path("initiatives/new/", views.initiative_create, name="initiative_create"),
    path("initiatives/<int:pk>/edit/", views.initiative_edit, name="initiative_edit"),
    path("initiatives/<int:pk>/delete/", views.initiative_delete, name="initiative_delete"),
]
