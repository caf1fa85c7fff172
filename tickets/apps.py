from django.apps import AppConfig


class TicketsConfig(AppConfig):
    name = "tickets"

    def ready(self):
        from . import admin_sla, tasks  # noqa: F401 - SLA admin; the ticket engine modules
        from .notifications import connect as connect_notifications
        from .selectors import connect_picker_signals

        connect_picker_signals()
        connect_notifications()
