from django.apps import AppConfig


class TriageConfig(AppConfig):
    name = "triage"

    def ready(self):
        from . import receivers, tasks  # noqa: F401 - the engine module and the task

        receivers.connect()
