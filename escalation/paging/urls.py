"""/pages/: an on-call engineer's pages, and the links in page notifications."""

from django.urls import path

from escalation.paging import views

urlpatterns = [
    path("", views.my_pages, name="my_pages"),
    path("<int:pk>/", views.page_detail, name="page_detail"),
    path("<int:pk>/acknowledge/", views.page_acknowledge, name="page_acknowledge"),
    path("<int:pk>/resolve/", views.page_resolve, name="page_resolve"),
    path("link/<str:token>/", views.page_link, name="page_link"),
    path("tickets/<str:key>/panel/", views.ticket_panel, name="page_ticket_panel"),
    path("tickets/<str:key>/page/", views.ticket_page_oncall, name="page_ticket_start"),
]
