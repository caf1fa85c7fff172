from django.apps import AppConfig


class TriageConfig(AppConfig):
    name = "triage"

    def ready(self):
        from helpdesk import panels

        from . import receivers, tasks  # noqa: F401 - the engine module and the task

        receivers.connect()
        panels.register("ticket-side", "triage:ticket_panel")
        panels.register("composer-checks", "triage:reply_check")
        panels.register("queue-banner", "triage:queue_banner")
        panels.register(
            "dashboard", "triage:dashboard_acceptance", title="Triage suggestions accepted"
        )
