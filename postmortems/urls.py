from django.urls import path

from . import panels, views

app_name = "postmortems"

urlpatterns = [
    path("", views.postmortem_list, name="list"),
    path("actions/overdue/", views.overdue_actions, name="overdue_actions"),
    path("ticket/<str:key>/panel/", panels.ticket_panel, name="ticket_panel"),
    path("dashboard/panel/", panels.dashboard, name="dashboard"),
    path("<int:pk>/", views.postmortem_detail, name="detail"),
    path("<int:pk>/sections/<str:field>/", views.section_save, name="section"),
    path("<int:pk>/entries/add/", views.entry_add, name="entry_add"),
    path("<int:pk>/entries/<int:entry_id>/", views.entry_update, name="entry"),
    path("<int:pk>/actions/add/", views.action_add, name="action_add"),
    path("<int:pk>/actions/<int:item_id>/", views.action_update, name="action"),
    path("<int:pk>/owner/", views.set_owner, name="owner"),
    path("<int:pk>/submit/", views.submit, name="submit"),
    path("<int:pk>/return/", views.return_to_draft, name="return"),
    path("<int:pk>/publish/", views.publish, name="publish"),
    path("<int:pk>/send-summary/", views.send_summary, name="send_summary"),
    path("<int:pk>/export.md", views.export_markdown, name="export"),
    path("<int:pk>/print/", views.print_view, name="print"),
]
