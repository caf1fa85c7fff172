from __future__ import annotations

from celery import shared_task

from helpdesk import clock, delivery, engine


@shared_task(name="helpdesk.engine_tick_task", ignore_result=True)
def engine_tick_task() -> None:
    results = engine.tick()
    # A backlog (the engine was down, or thousands fell due at once) drains tick after tick
    # without waiting for beat. Only when this tick made progress: a failing module must not
    # turn into a hot loop.
    if any(results.values()) and engine.behind(clock.now()):
        engine_tick_task.delay()


@shared_task(name="helpdesk.deliver_outbound_task", ignore_result=True)
def deliver_outbound_task(pk: int) -> str:
    return delivery.deliver(pk)
