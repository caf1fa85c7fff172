from __future__ import annotations

import time

from django.conf import settings
from django.core.management.base import BaseCommand

from helpdesk import engine


class Command(BaseCommand):
    help = "Run the engine tick once (--once) or in a loop every HELPDESK_ENGINE_TICK_SECONDS."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true")
        parser.add_argument(
            "--max-ticks", type=int, default=0, help="stop after N ticks (0: never)"
        )

    def handle(self, *args, once: bool, max_ticks: int, **options):
        ticks = 0
        while True:
            results = engine.tick()
            ticks += 1
            self.stdout.write(f"tick {ticks}: {results}")
            if once or (max_ticks and ticks >= max_ticks):
                return
            time.sleep(settings.HELPDESK_ENGINE_TICK_SECONDS)
