from django.apps import AppConfig


class KbConfig(AppConfig):
    name = "kb"
    verbose_name = "Knowledge base"

    def ready(self):
        from helpdesk import panels

        from . import admin  # noqa: F401 - admin registrations
        from .search import slots  # noqa: F401 - the suggestion panels

        panels.register("ticket-side", "kb:ticket_panel")

        from . import dashboard

        dashboard.ready()
