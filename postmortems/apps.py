from django.apps import AppConfig


class PostmortemsConfig(AppConfig):
    name = "postmortems"

    def ready(self):
        from helpdesk import notifications, panels

        from . import admin, receivers, tasks  # noqa: F401 - admin; the engine module
        from .services import KIND

        notifications.register_kind(
            notifications.Kind(KIND, "Postmortems and action items due", True, False)
        )
        receivers.connect()
        panels.register("ticket-side", "postmortems:ticket_panel")
        panels.register("dashboard", "postmortems:dashboard", title="Postmortems")
