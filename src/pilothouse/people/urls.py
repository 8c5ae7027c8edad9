from django.urls import path

from pilothouse.people import hiring_urls, import_urls, views

app_name = "people"
urlpatterns = [
    path("", views.person_list, name="person_list"),
    path("new/", views.person_create, name="person_create"),
    path("<int:pk>/", views.person_detail, name="person_detail"),
    path("<int:pk>/edit/", views.person_edit, name="person_edit"),
    path("<int:pk>/delete/", views.person_delete, name="person_delete"),
]
urlpatterns += hiring_urls.urlpatterns + import_urls.urlpatterns
