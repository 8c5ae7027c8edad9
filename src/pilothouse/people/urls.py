from django.urls import path

from pilothouse.people import growth_views, hiring_urls, import_urls, ladder_views, views

app_name = "people"
urlpatterns = [
    path("", views.person_list, name="person_list"),
    path("export.csv", views.person_export, name="person_export"),
    path("org/", views.org_chart_page, name="org_chart"),
    path("readiness/", growth_views.readiness_list, name="readiness"),
    path("new/", views.person_create, name="person_create"),
    path("<int:pk>/", views.person_detail, name="person_detail"),
    path("<int:pk>/edit/", views.person_edit, name="person_edit"),
    path("<int:pk>/delete/", views.person_delete, name="person_delete"),
    # Private growth records, under the person they are about.
    path("<int:pk>/assessments/new/", growth_views.assessment_create, name="assessment_create"),
    path("assessments/<int:pk>/", growth_views.assessment_detail, name="assessment_detail"),
    path("assessments/<int:pk>/edit/", growth_views.assessment_edit, name="assessment_edit"),
    path("assessments/<int:pk>/delete/", growth_views.assessment_delete, name="assessment_delete"),
    path(
        "assessments/<int:pk>/ratings/",
        growth_views.assessment_ratings,
        name="assessment_ratings",
    ),
    path("<int:pk>/growth-plans/new/", growth_views.growth_plan_create, name="growth_plan_create"),
    path("growth-plans/<int:pk>/", growth_views.growth_plan_detail, name="growth_plan_detail"),
    path("growth-plans/<int:pk>/edit/", growth_views.growth_plan_edit, name="growth_plan_edit"),
    path(
        "growth-plans/<int:pk>/delete/",
        growth_views.growth_plan_delete,
        name="growth_plan_delete",
    ),
    path("growth-plans/<int:pk>/goals/new/", growth_views.goal_create, name="goal_create"),
    path("goals/<int:pk>/edit/", growth_views.goal_edit, name="goal_edit"),
    path("goals/<int:pk>/delete/", growth_views.goal_delete, name="goal_delete"),
    path(
        "growth-plans/<int:pk>/check-ins/new/",
        growth_views.check_in_create,
        name="check_in_create",
    ),
    path("check-ins/<int:pk>/edit/", growth_views.check_in_edit, name="check_in_edit"),
    path("check-ins/<int:pk>/delete/", growth_views.check_in_delete, name="check_in_delete"),
    path("<int:pk>/one-on-ones/new/", growth_views.one_on_one_create, name="one_on_one_create"),
    path("one-on-ones/<int:pk>/", growth_views.one_on_one_detail, name="one_on_one_detail"),
    path("one-on-ones/<int:pk>/edit/", growth_views.one_on_one_edit, name="one_on_one_edit"),
    path("one-on-ones/<int:pk>/delete/", growth_views.one_on_one_delete, name="one_on_one_delete"),
    path("one-on-ones/<int:pk>/actions/new/", growth_views.action_create, name="action_create"),
    path("actions/<int:pk>/edit/", growth_views.action_edit, name="action_edit"),
    path("actions/<int:pk>/delete/", growth_views.action_delete, name="action_delete"),
    # The career ladder.
    path("ladder/", ladder_views.ladder, name="ladder"),
    path("ladder/levels/new/", ladder_views.level_create, name="level_create"),
    path("ladder/levels/<int:pk>/edit/", ladder_views.level_edit, name="level_edit"),
    path("ladder/levels/<int:pk>/delete/", ladder_views.level_delete, name="level_delete"),
    path("ladder/competencies/new/", ladder_views.competency_create, name="competency_create"),
    path(
        "ladder/competencies/<int:pk>/edit/",
        ladder_views.competency_edit,
        name="competency_edit",
    ),
    path(
        "ladder/competencies/<int:pk>/delete/",
        ladder_views.competency_delete,
        name="competency_delete",
    ),
    path(
        "ladder/expectations/<int:level>/<int:competency>/",
        ladder_views.expectation_edit,
        name="expectation_edit",
    ),
    path(
        "ladder/expectations/<int:pk>/delete/",
        ladder_views.expectation_delete,
        name="expectation_delete",
    ),
]
urlpatterns += hiring_urls.urlpatterns + import_urls.urlpatterns
