"""The tick's shared time budget: a module after a slow one takes only what is left (at least
one unit of work, which the module itself guarantees), so a tick keeps to DESIGN.md section
10's database time however many modules have work due."""

from __future__ import annotations

import time

import pytest

from helpdesk import engine

pytestmark = pytest.mark.django_db


def test_modules_after_a_slow_one_get_only_what_is_left_of_the_tick(monkeypatch):
    monkeypatch.setattr(engine, "_modules", {})
    monkeypatch.setattr(engine, "TICK_BUDGET_SECONDS", 0.05)
    left = {}

    def slow(now):
        left["slow"] = engine.deadline(10) - time.monotonic()
        time.sleep(0.06)
        return 1

    def later(now):
        left["later"] = engine.deadline(10) - time.monotonic()
        return 0

    engine.register("slow", slow)
    engine.register("later", later)
    assert engine.tick() == {"slow": 1, "later": 0}

    assert 0 < left["slow"] <= 0.05  # cut from its own 10 s to the tick's budget
    assert left["later"] <= 0  # the tick's time is spent: one unit, then stop
    # Outside a tick (a module run on its own), a module keeps its own budget.
    assert engine.deadline(10) - time.monotonic() > 9
