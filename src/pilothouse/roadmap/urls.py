from django.urls import path

from pilothouse.roadmap import views

app_name = "roadmap"
urlpatterns = [
    path("features/", views.feature_list, name="feature_list"),
    path("features/new/", views.feature_create, name="feature_create"),
    path("features/<int:pk>/", views.feature_detail, name="feature_detail"),
    path("features/<int:pk>/edit/", views.feature_edit, name="feature_edit"),
    path("features/<int:pk>/delete/", views.feature_delete, name="feature_delete"),
    path("releases/", views.release_list, name="release_list"),
    path("releases/new/", views.release_create, name="release_create"),
    path("releases/<int:pk>/", views.release_detail, name="release_detail"),
    path("releases/<int:pk>/edit/", views.release_edit, name="release_edit"),
    path("releases/<int:pk>/delete/", views.release_delete, name="release_delete"),
]
