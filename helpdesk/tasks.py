from __future__ import annotations

from celery import shared_task

from helpdesk import engine


@shared_task(name="helpdesk.engine_tick_task", ignore_result=True)
def engine_tick_task() -> None:
    engine.tick()
