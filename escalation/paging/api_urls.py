"""/api/v1/ routes of pages (views in escalation/paging/api.py)."""

from django.urls import path

from escalation.paging import api

urlpatterns = [
    path("pages/", api.my_pages, name="api-page-list"),
    path("pages/<int:pk>/", api.page_detail, name="api-page-detail"),
    path("pages/<int:pk>/acknowledge/", api.page_acknowledge, name="api-page-acknowledge"),
    path("pages/<int:pk>/resolve/", api.page_resolve, name="api-page-resolve"),
    path("tickets/<str:key>/pages/", api.ticket_page, name="api-ticket-page"),
]
