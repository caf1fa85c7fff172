from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from helpdesk.models import ApiToken, User


class Command(BaseCommand):
    help = (
        "Issue an API token for a user and print it once. Only its hash is stored: a lost token "
        "cannot be shown again, issue a new one."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="default", help="what the token is for (max 100)")

    def handle(self, *args, username: str, name: str, **options):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user “{username}”.")
        if not user.is_active:
            raise CommandError(f"“{username}” is deactivated; a token would not authenticate.")
        name = name.strip()
        if not name or len(name) > 100:
            raise CommandError("--name must be 1 to 100 characters.")
        token, raw = ApiToken.issue(user=user, name=name)
        # The raw token alone on stdout, so scripts can capture it; the note goes to stderr.
        self.stdout.write(raw)
        self.stderr.write(
            f"Token “{token.name}” (id {token.pk}) for {user.username}. It is shown only this "
            "once; send it as `Authorization: Bearer <token>`."
        )
