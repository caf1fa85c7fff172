from django.apps import AppConfig


class TicketsConfig(AppConfig):
    name = "tickets"

    def ready(self):
        from . import tasks  # noqa: F401 - registers the ticket engine modules
