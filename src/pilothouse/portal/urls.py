from django.urls import path

from pilothouse.portal import views

app_name = "portal"
urlpatterns = [
    path("", views.index, name="index"),
    path("signup/", views.signup, name="signup"),
    path("login/", views.login, name="login"),
    path("logout/", views.logout, name="logout"),
    path("manage/<str:key>/", views.manage, name="manage"),
    path("<str:key>/", views.product, name="product"),
    path("<str:key>/ideas/", views.idea, name="idea"),
    path("<str:key>/features/<int:feature_id>/", views.feature, name="feature"),
    path("<str:key>/features/<int:feature_id>/vote/", views.vote, name="vote"),
    path("<str:key>/features/<int:feature_id>/comment/", views.comment, name="comment"),
]
