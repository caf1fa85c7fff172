from django.apps import AppConfig


class MailConfig(AppConfig):
    """Email as a support channel: mail in becomes tickets and comments, mail out threads."""

    name = "mail"
    verbose_name = "Email channel"

    def ready(self) -> None:
        from helpdesk import channels

        # imap_tasks registers the poll task; tasks registers the engine's mail module.
        from . import imap_tasks, outbound, tasks  # noqa: F401

        for kind, render in outbound.RENDERERS.items():
            channels.register_email_renderer(kind, render)
