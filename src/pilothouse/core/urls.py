from django.urls import path

from pilothouse.core import views

app_name = "core"
urlpatterns = [
    path("changes/", views.change_list, name="change_list"),
]
