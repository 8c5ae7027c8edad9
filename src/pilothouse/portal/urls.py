from django.urls import path

from pilothouse.portal import account_views, staff_views, views

app_name = "portal"
urlpatterns = [
    path("", views.index, name="index"),
    path("signup/", account_views.signup, name="signup"),
    path("login/", account_views.login, name="login"),
    path("logout/", account_views.logout, name="logout"),
    path("confirm/resend/", account_views.confirm_resend, name="confirm_resend"),
    path("confirm/<str:token>/", account_views.confirm, name="confirm"),
    path("password/forgot/", account_views.password_forgot, name="password_forgot"),
    path("password/reset/<str:token>/", account_views.password_reset, name="password_reset"),
    path("manage/<str:key>/", staff_views.manage, name="manage"),
    path("manage/<str:key>/moderation/", staff_views.moderation_page, name="moderation"),
    path(
        "manage/<str:key>/moderation/comments/<int:comment_id>/hidden/",
        staff_views.comment_hidden,
        name="comment_hidden",
    ),
    path(
        "manage/<str:key>/moderation/ideas/<int:idea_id>/hidden/",
        staff_views.idea_hidden,
        name="idea_hidden",
    ),
    path(
        "manage/<str:key>/moderation/visitors/<int:visitor_id>/block/",
        staff_views.visitor_block,
        name="visitor_block",
    ),
    path(
        "manage/<str:key>/moderation/visitors/<int:visitor_id>/unblock/",
        staff_views.visitor_unblock,
        name="visitor_unblock",
    ),
    path("<str:key>/", views.product, name="product"),
    path("<str:key>/ideas/", views.idea, name="idea"),
    path("<str:key>/ideas/<int:idea_id>/", views.idea_detail, name="idea_detail"),
    path("<str:key>/ideas/<int:idea_id>/vote/", views.idea_vote, name="idea_vote"),
    path("<str:key>/features/<int:feature_id>/", views.feature, name="feature"),
    path("<str:key>/features/<int:feature_id>/vote/", views.vote, name="vote"),
    path("<str:key>/features/<int:feature_id>/comment/", views.comment, name="comment"),
]
