from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from helpdesk import dashboard, health, views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", health.healthz, name="healthz"),
    path("dashboard/", dashboard.dashboard, name="dashboard"),
    path("dashboard/me/", dashboard.my_work, name="my_work"),
    path("dashboard/panels/tickets/", include("tickets.metrics.urls")),
    path("dashboard/panels/escalation/", include("escalation.dashboard")),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/<int:pk>/open/", views.notification_open, name="notification_open"),
    path("notifications/read/", views.notifications_read_all, name="notifications_read_all"),
    path("notifications/settings/", views.notification_settings, name="notification_settings"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/v1/", include("tickets.api_urls")),
    path("api/v1/", include("escalation.paging.api_urls")),
    path("api/v1/", include("escalation.engineering.api_urls")),
    path("api/v1/", include("kb.api_urls")),
    path("portal/", include("tickets.urls_portal")),
    path("oncall/", include("escalation.urls")),
    path("pages/", include("escalation.paging.urls")),
    path("engineering/", include("escalation.engineering.urls")),
    path("kb/", include("kb.urls")),
    path("help/", include("kb.urls_help")),
    path("search/", include("kb.search.urls")),
    path("triage/", include("triage.urls")),
    path("postmortems/", include("postmortems.urls")),
    path("satisfaction/", include("tickets.urls_satisfaction")),
    path("mail/", include("mail.urls")),
    path("", include("tickets.urls")),
]

# Under /api/ these answer JSON in the API's error shape; elsewhere, the site's error pages.
handler400 = "helpdesk.api_errors.bad_request"
handler403 = "helpdesk.api_errors.permission_denied"
handler404 = "helpdesk.api_errors.page_not_found"
handler500 = "helpdesk.api_errors.server_error"
