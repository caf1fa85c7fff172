from django.apps import AppConfig


class KbConfig(AppConfig):
    name = "kb"
    verbose_name = "Knowledge base"

    def ready(self):
        from helpdesk import panels

        from . import admin  # noqa: F401 - admin registrations

        panels.register("ticket-side", "kb:ticket_panel")
