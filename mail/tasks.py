"""The engine module of mail in (mail.engine)."""

from __future__ import annotations

from helpdesk import engine

from . import engine as mail_engine

engine.register("mail", mail_engine.run, oldest_due=mail_engine.oldest_due)
