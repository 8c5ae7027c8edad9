from django.urls import path

from pilothouse.customers import import_views, inbox_views, themes_views, views

app_name = "customers"
urlpatterns = [
    path("", views.customer_list, name="customer_list"),
    path("new/", views.customer_create, name="customer_create"),
    path("<int:pk>/", views.customer_detail, name="customer_detail"),
    path("<int:pk>/edit/", views.customer_edit, name="customer_edit"),
    path("<int:pk>/delete/", views.customer_delete, name="customer_delete"),
    path("<int:pk>/contacts/new/", views.contact_create, name="contact_create"),
    path("contacts/<int:pk>/edit/", views.contact_edit, name="contact_edit"),
    path("contacts/<int:pk>/delete/", views.contact_delete, name="contact_delete"),
    path("segments/", views.segment_list, name="segment_list"),
    path("segments/new/", views.segment_create, name="segment_create"),
    path("segments/preview/", views.segment_preview, name="segment_preview"),
    path("segments/<int:pk>/edit/", views.segment_edit, name="segment_edit"),
    path("segments/<int:pk>/delete/", views.segment_delete, name="segment_delete"),
    path("options/customers/", views.customer_options, name="customer_options"),
    path("options/contacts/", views.contact_options, name="contact_options"),
    # The inbox and a note's triage actions.
    path("inbox/", inbox_views.inbox, name="inbox"),
    path("inbox/bulk/", inbox_views.inbox_bulk, name="inbox_bulk"),
    path("inbox/features/", inbox_views.feature_search, name="feature_search"),
    path("notes/new/", views.note_create, name="note_create"),
    path("notes/<int:pk>/", views.note_detail, name="note_detail"),
    path("notes/<int:pk>/edit/", views.note_edit, name="note_edit"),
    path("notes/<int:pk>/delete/", views.note_delete, name="note_delete"),
    path("notes/<int:pk>/pane/", inbox_views.note_pane, name="note_pane"),
    path("notes/<int:pk>/kind/", inbox_views.note_set_kind, name="note_set_kind"),
    path("notes/<int:pk>/state/", inbox_views.note_set_state, name="note_set_state"),
    path("notes/<int:pk>/links/", inbox_views.note_link_create, name="note_link_create"),
    path("notes/<int:pk>/suggestions/", inbox_views.note_suggestion, name="note_suggestion"),
    path("links/<int:pk>/", inbox_views.link_update, name="link_update"),
    path("themes/", themes_views.themes, name="themes"),
    path("import/", import_views.import_page, name="import"),
    path("themes/compute/", themes_views.themes_compute, name="themes_compute"),
    path("links/<int:pk>/delete/", inbox_views.link_delete, name="link_delete"),
]
