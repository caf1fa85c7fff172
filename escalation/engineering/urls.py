"""/engineering/: bug reports sent to engineering, their review, tier escalation."""

from django.urls import path

from escalation.engineering import views

urlpatterns = [
    path("", views.engineering_list, name="engineering_list"),
    path("<int:pk>/", views.engineering_detail, name="engineering_detail"),
    path("<int:pk>/accept/", views.engineering_accept, name="engineering_accept"),
    path("<int:pk>/reject/", views.engineering_reject, name="engineering_reject"),
    path("<int:pk>/bug-report.md", views.engineering_export, name="engineering_export"),
    path("tickets/<str:key>/new/", views.escalation_new, name="engineering_new"),
    path("tickets/<str:key>/tier/", views.tier_escalate, name="tier_escalate"),
    path("tickets/<str:key>/panel/", views.ticket_panel, name="engineering_ticket_panel"),
]
