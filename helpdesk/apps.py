from django.apps import AppConfig


class HelpdeskConfig(AppConfig):
    name = "helpdesk"
    verbose_name = "Platform"

    def ready(self):
        from helpdesk import admin_outbox, delivery, engine  # noqa: F401 - admin registrations

        engine.register("outbox", delivery.recover_and_renudge, oldest_due=delivery.oldest_overdue)
