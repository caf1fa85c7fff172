from django.apps import AppConfig


class TicketsConfig(AppConfig):
    name = "tickets"

    def ready(self):
        from . import admin_sla, admin_workflow, tasks  # noqa: F401 - admins; the engine modules
        from .metrics.setup import connect as connect_dashboard
        from .notifications import connect as connect_notifications
        from .notifications_followers import connect as connect_follower_notices
        from .selectors import connect_picker_signals

        connect_picker_signals()
        connect_notifications()
        connect_follower_notices()
        connect_dashboard()
        self._satisfaction()

    @staticmethod
    def _satisfaction():
        from helpdesk import panels

        from .satisfaction import connect

        connect()
        panels.register("ticket-side", "satisfaction_ticket_panel")
        panels.register("portal-ticket", "satisfaction_portal_panel")
        panels.register("dashboard", "csat_dashboard", title="Customer satisfaction")
