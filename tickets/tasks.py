"""Celery tasks and engine modules of the ticket core (SLA timers arrive with the SLA engine)."""
