from django.apps import AppConfig


class MailConfig(AppConfig):
    """Email as a support channel: mail in becomes tickets and comments, mail out threads."""

    name = "mail"
    verbose_name = "Email channel"

    def ready(self) -> None:
        from helpdesk import channels

        from . import imap_tasks, outbound  # noqa: F401 - imap_tasks registers the poll task
        from . import tasks  # noqa: F401 - registers the engine's mail module

        for kind, render in outbound.RENDERERS.items():
            channels.register_email_renderer(kind, render)
