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
