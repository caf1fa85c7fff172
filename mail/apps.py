from django.apps import AppConfig


class MailConfig(AppConfig):
    """Email as a support channel: mail in becomes tickets and comments, mail out threads."""

    name = "mail"
    verbose_name = "Email channel"
