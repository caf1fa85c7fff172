from __future__ import annotations

from celery import shared_task

from helpdesk import delivery, engine


@shared_task(name="helpdesk.engine_tick_task", ignore_result=True)
def engine_tick_task() -> None:
    engine.tick()


@shared_task(name="helpdesk.deliver_outbound_task", ignore_result=True)
def deliver_outbound_task(pk: int) -> str:
    return delivery.deliver(pk)
