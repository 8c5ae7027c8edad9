from django.urls import path

from pilothouse.delivery import allocation_urls, views

app_name = "delivery"
urlpatterns = [
    path("", views.team_list, name="team_list"),
    path("new/", views.team_create, name="team_create"),
    path("<int:pk>/", views.team_detail, name="team_detail"),
    path("<int:pk>/edit/", views.team_edit, name="team_edit"),
    path("<int:pk>/delete/", views.team_delete, name="team_delete"),
    path("<int:pk>/members/new/", views.member_create, name="member_create"),
    path("members/<int:pk>/edit/", views.member_edit, name="member_edit"),
    path("members/<int:pk>/delete/", views.member_delete, name="member_delete"),
    path("<int:pk>/periods/new/", views.period_create, name="period_create"),
    path("periods/<int:pk>/edit/", views.period_edit, name="period_edit"),
    path("periods/<int:pk>/delete/", views.period_delete, name="period_delete"),
    path("<int:pk>/queue/new/", views.assignment_create, name="assignment_create"),
    path("queue/<int:pk>/delete/", views.assignment_delete, name="assignment_delete"),
    path("queue/<int:pk>/move/", views.assignment_move, name="assignment_move"),
    path("time-off/new/", views.time_off_create, name="time_off_create"),
    path("time-off/<int:pk>/edit/", views.time_off_edit, name="time_off_edit"),
    path("time-off/<int:pk>/delete/", views.time_off_delete, name="time_off_delete"),
]
urlpatterns += allocation_urls.urlpatterns
