from django.urls import path

from tickets.views import attachments, followers, links, macros, queue, sla, ticket

urlpatterns = [
    path("queue/", queue.queue_page, name="queue"),
    path("queue/bulk/", queue.queue_bulk, name="queue_bulk"),
    path("queue/organizations/", queue.queue_organizations, name="queue_organizations"),
    path("search/", queue.ticket_search, name="ticket_search"),
    path("queue/views/", queue.saved_view_create, name="saved_view_create"),
    path("queue/views/<int:pk>/delete/", queue.saved_view_delete, name="saved_view_delete"),
    path("tickets/new/", ticket.ticket_new, name="ticket_new"),
    path("tickets/<str:key>/", ticket.ticket_detail, name="ticket_detail"),
    path("tickets/<str:key>/reply/", ticket.ticket_reply, name="ticket_reply"),
    path("tickets/<str:key>/update/", ticket.ticket_update, name="ticket_update"),
    path("tickets/<str:key>/link/", links.ticket_link, name="ticket_link"),
    path("tickets/<str:key>/status/", ticket.ticket_status, name="ticket_status"),
    path("tickets/<str:key>/take/", ticket.ticket_take, name="ticket_take"),
    path("tickets/<str:key>/presence/", ticket.ticket_presence, name="ticket_presence"),
    path("tickets/<str:key>/preview/", ticket.ticket_preview, name="ticket_preview"),
    path("tickets/<str:key>/template/", ticket.ticket_reply_template, name="ticket_reply_template"),
    path("tickets/<str:key>/macro/", macros.macro_preview, name="ticket_macro_preview"),
    path("tickets/<str:key>/macro/apply/", macros.macro_apply, name="ticket_macro_apply"),
    path("tickets/<str:key>/follow/", followers.ticket_follow, name="ticket_follow"),
    path("sla/", sla.sla_overview, name="sla_overview"),
    path("attachments/<int:pk>/", attachments.attachment_download, name="attachment_download"),
    path("attachments/<int:pk>/view/", attachments.attachment_inline, name="attachment_inline"),
]
