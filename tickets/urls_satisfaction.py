from django.urls import path

from tickets.views import satisfaction

urlpatterns = [
    path("rate/<str:token>/", satisfaction.satisfaction_rate, name="satisfaction_rate"),
    path(
        "portal/<str:key>/",
        satisfaction.satisfaction_portal_panel,
        name="satisfaction_portal_panel",
    ),
    path(
        "portal/<str:key>/rate/",
        satisfaction.satisfaction_portal_rate,
        name="satisfaction_portal_rate",
    ),
    path(
        "ticket/<str:key>/",
        satisfaction.satisfaction_ticket_panel,
        name="satisfaction_ticket_panel",
    ),
    path("dashboard/", satisfaction.csat_dashboard, name="csat_dashboard"),
]
