from django.apps import AppConfig


class EscalationConfig(AppConfig):
    name = "escalation"
    verbose_name = "On-call and escalation"

    def ready(self):
        from helpdesk import notifications

        from . import admin, tasks  # noqa: F401 - admin registrations; the on-call engine module
        from .handoff import KIND

        notifications.register_kind(KIND)

        from . import clearance
        from .engineering import setup as engineering_setup
        from .paging import admin as paging_admin  # noqa: F401
        from .paging import handoff_sections
        from .paging import tasks as paging_tasks  # noqa: F401 - engine module, receivers

        engineering_setup.ready()
        clearance.ready()
        handoff_sections.ready()

        from . import dashboard

        dashboard.ready()
