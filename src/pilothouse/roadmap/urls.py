from django.urls import path

from pilothouse.roadmap import (
    dependency_views,
    planning_views,
    sharing_views,
    snapshot_views,
    views,
)

app_name = "roadmap"
urlpatterns = [
    path("features/", views.feature_list, name="feature_list"),
    path("features/new/", views.feature_create, name="feature_create"),
    path("features/<int:pk>/", views.feature_detail, name="feature_detail"),
    path("features/<int:pk>/edit/", views.feature_edit, name="feature_edit"),
    path("features/<int:pk>/delete/", views.feature_delete, name="feature_delete"),
    path("features/<int:pk>/blockers/", dependency_views.dependency_add, name="dependency_add"),
    path(
        "dependencies/<int:pk>/remove/",
        dependency_views.dependency_remove,
        name="dependency_remove",
    ),
    path("releases/", views.release_list, name="release_list"),
    path("releases/new/", views.release_create, name="release_create"),
    path("releases/<int:pk>/", views.release_detail, name="release_detail"),
    path("releases/<int:pk>/edit/", views.release_edit, name="release_edit"),
    path("releases/<int:pk>/delete/", views.release_delete, name="release_delete"),
    # The roadmap views (planning_views.py)
    path("timeline/", planning_views.timeline, name="timeline"),
    path("timeline.<str:fmt>", planning_views.timeline_export, name="timeline_export"),
    path("board/", planning_views.board, name="board"),
    path("board.<str:fmt>", planning_views.board_export, name="board_export"),
    path("board/<int:pk>/move/", planning_views.board_move, name="board_move"),
    path("plan/", planning_views.release_plan, name="release_plan"),
    path("plan.<str:fmt>", planning_views.release_plan_export, name="release_plan_export"),
    path("milestones/", planning_views.milestone_list, name="milestone_list"),
    path("milestones/new/", planning_views.milestone_create, name="milestone_create"),
    path("milestones/<int:pk>/edit/", planning_views.milestone_edit, name="milestone_edit"),
    path("milestones/<int:pk>/delete/", planning_views.milestone_delete, name="milestone_delete"),
    # Snapshots and "what changed" (snapshot_views.py)
    path("snapshots/", snapshot_views.snapshot_list, name="snapshot_list"),
    path("snapshots/take/", snapshot_views.snapshot_take, name="snapshot_take"),
    path("snapshots/<int:pk>/", snapshot_views.snapshot_detail, name="snapshot_detail"),
    path("snapshots/<int:pk>/delete/", snapshot_views.snapshot_delete, name="snapshot_delete"),
    path("changes/", snapshot_views.snapshot_compare, name="snapshot_compare"),
    # Share links (sharing_views.py); the shared page itself needs no account
    path("share-links/", sharing_views.share_link_list, name="share_link_list"),
    path("share-links/new/", sharing_views.share_link_create, name="share_link_create"),
    path("share-links/<int:pk>/", sharing_views.share_link_detail, name="share_link_detail"),
    path("share-links/<int:pk>/revoke/", sharing_views.share_link_revoke, name="share_link_revoke"),
    path("shared/<str:token>/", sharing_views.shared, name="shared"),
]
