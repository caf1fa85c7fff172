"""Every crash round is counted, and `make chaos` goes red when any round failed, errored or
crashed, when anything was lost or doubled, or when pytest itself failed."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.crash import test_crash, test_crash_mail, test_crash_pages
from tests.crash.ledger import Round, Tally

ROOT = Path(__file__).resolve().parents[2]
SUMMARY = ROOT / "scripts" / "chaos_summary.py"


def _summary(report: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(SUMMARY), str(report), *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.fixture
def report(tmp_path, monkeypatch):
    path = tmp_path / "chaos-report.jsonl"
    monkeypatch.setenv("CHAOS_REPORT", str(path))
    return path


def _clean_round(scenario: str, number: int) -> None:
    with Round(scenario, number) as this_round:
        this_round.tally = Tally()


def test_clean_rounds_are_green(report):
    for number in range(3):
        _clean_round("two_beats", number)

    result = _summary(report, "--pytest-status", "0", "--expect", "3")

    assert result.returncode == 0, result.stdout
    rounds = "rounds: 3 (3 passed, 0 failed, 0 error, 0 crashed, 0 skipped), 3 expected"
    assert rounds in result.stdout


def test_a_round_that_fails_its_assertion_is_counted_and_turns_the_summary_red(report):
    _clean_round("two_beats", 0)
    with Round("two_beats", 1) as this_round:
        this_round.tally = Tally()
        this_round.tally.problem("lost_events", "SUP-1: no warning, though the engine ticked")
    # What the test does next (assert tally.clean) raises; the line is already written.
    with pytest.raises(AssertionError):
        assert this_round.tally.clean

    result = _summary(report, "--pytest-status", "1", "--expect", "2")

    assert result.returncode == 1
    assert "rounds: 2 (1 passed, 1 failed" in result.stdout
    assert re.search(r"^two_beats\s+2\s+1\s+1\s+0\s+0\s+0\s+1\s", result.stdout, re.M)
    assert "lost, duplicated or untimely effects: 1" in result.stdout
    assert "two_beats round 1: SUP-1: no warning, though the engine ticked" in result.stdout
    assert "chaos: FAILED: 1 round(s) did not pass; 1 effect(s) lost" in result.stdout


def test_a_round_that_raises_is_recorded_as_an_error(report):
    with pytest.raises(AssertionError), Round("kill_worker_mid_delivery", 0):
        raise AssertionError("no email was being sent within 40 s")

    result = _summary(report)

    assert result.returncode == 1
    assert "0 passed, 0 failed, 1 error" in result.stdout
    assert "AssertionError at test_chaos_summary.py" in result.stdout
    assert "no email was being sent within 40 s" in result.stdout


def test_a_round_whose_process_died_counts_as_crashed(report):
    # The "started" line of a round whose process was killed before it could write its end.
    Round("restart_postgres", 0).__enter__()

    result = _summary(report)

    assert result.returncode == 1
    assert "1 crashed" in result.stdout
    assert "the test process died during the round" in result.stdout


def test_a_skipped_round_is_counted_but_not_a_failure(report):
    with pytest.raises(pytest.skip.Exception), Round("restart_postgres", 0):
        pytest.skip("DATABASE_URL names a server of its own")

    result = _summary(report)

    assert result.returncode == 0, result.stdout
    assert "1 skipped" in result.stdout


def test_a_failed_pytest_or_missing_rounds_turn_it_red_even_without_a_bad_line(report):
    _clean_round("two_beats", 0)

    assert _summary(report, "--pytest-status", "2").returncode == 1
    missing = _summary(report, "--expect", "4")
    assert missing.returncode == 1
    assert "3 round(s) never ran" in missing.stdout
    assert _summary(report.with_name("absent.jsonl")).returncode == 1  # no round at all


def test_make_chaos_expects_one_round_per_scenario_and_repeat():
    makefile = (ROOT / "Makefile").read_text()

    scenarios = sum(len(m.SCENARIOS) for m in (test_crash, test_crash_pages, test_crash_mail))
    assert f"CHAOS_SCENARIOS := {scenarios}" in makefile
    chaos = makefile.split("\nchaos: setup", 1)[1].split("\n\n", 1)[0]
    assert "tests/crash/test_crash.py tests/crash/test_crash_pages.py" in chaos
    assert "tests/crash/test_crash_mail.py" in chaos
    assert "|| true" not in makefile.split("\nchaos: setup", 1)[1].split("\n\n", 1)[0]
