#!/usr/bin/env python
import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk.settings.dev")
    if sys.argv[1:2] == ["ingest_email"] and "--sync" not in sys.argv:
        # A mail server runs this once per message: store it without starting Django.
        from mail.pipe import main

        sys.exit(main(sys.argv[2:]))
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
