"""`manage.py import_known_issues FILE.jsonl`: create or update known issues, all or nothing."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from helpdesk.models import User
from kb.importer import ImportRefused, import_known_issues


class Command(BaseCommand):
    help = (
        'Import known issues from JSON lines ({"id": "KI-101", "title": ..., "status": '
        '"fixed in 4.2.1", ...}); an id already known updates that issue. One bad line '
        "refuses the whole file."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--as",
            dest="username",
            default="",
            help="the agent recorded as making the change (default: the first active admin)",
        )

    def handle(self, *args, file: Path, username: str, **options):
        actor = self._actor(username)
        try:
            with file.open(encoding="utf-8") as lines:
                result = import_known_issues(lines=lines, actor=actor)
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror}.") from exc
        except UnicodeDecodeError as exc:
            raise CommandError(f"{file} is not UTF-8 text; nothing was imported.") from exc
        except ImportRefused as exc:
            raise CommandError(
                f"{file}, line {exc.line}: {exc.reason}. Nothing was imported."
            ) from exc
        self.stdout.write(f"Imported {file}: {result.created} created, {result.updated} updated.")

    def _actor(self, username: str) -> User:
        if username:
            user = User.objects.filter(username=username).first()
            if user is None or not user.is_agent_side:
                raise CommandError(f"No agent called {username!r}.")
            return user
        user = (
            User.objects.filter(role="admin", is_active=True).order_by("id").first()
            or User.objects.filter(is_superuser=True, is_active=True).order_by("id").first()
        )
        if user is None or not user.is_agent_side:
            raise CommandError("No admin to record the import under: pass --as USERNAME.")
        return user
