"""/api/v1/: the ticket core's REST API (views in tickets/api.py)."""

from django.urls import path

from tickets import api

urlpatterns = [
    path("tickets/", api.tickets, name="api-ticket-list"),
    path("tickets/<str:key>/", api.ticket_detail, name="api-ticket-detail"),
    path("tickets/<str:key>/transition/", api.ticket_transition, name="api-ticket-transition"),
    path("tickets/<str:key>/comments/", api.ticket_comments, name="api-ticket-comments"),
    path("tickets/<str:key>/attachments/", api.ticket_attachments, name="api-ticket-attachments"),
    path("tickets/<str:key>/events/", api.ticket_events, name="api-ticket-events"),
    path("organizations/", api.organizations, name="api-organization-list"),
    path("organizations/<slug:slug>/", api.organization_detail, name="api-organization-detail"),
    path("contacts/", api.contacts, name="api-contact-list"),
    path("contacts/<str:username>/", api.contact_detail, name="api-contact-detail"),
]
