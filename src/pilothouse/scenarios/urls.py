from django.urls import path

from pilothouse.scenarios import views

app_name = "scenarios"
urlpatterns = [
    path("", views.scenario_list, name="scenario_list"),
    path("new/", views.scenario_create, name="scenario_create"),
    path("auto-plan/", views.auto_plan, name="auto_plan"),
    path("auto-plan/<int:pk>/", views.auto_plan_result, name="auto_plan_result"),
    path("<int:pk>/", views.scenario_detail, name="scenario_detail"),
    path("<int:pk>/edit/", views.scenario_edit, name="scenario_edit"),
    path("<int:pk>/delete/", views.scenario_delete, name="scenario_delete"),
    path("<int:pk>/changes/", views.change_create, name="change_create"),
    path("<int:pk>/changes/<int:change_pk>/delete/", views.change_delete, name="change_delete"),
    path("<int:pk>/apply/", views.scenario_apply, name="scenario_apply"),
]
