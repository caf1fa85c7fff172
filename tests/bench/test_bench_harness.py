"""The benchmark harness's own pieces: its arithmetic, its verdicts, its parsers and the
middleware that gives it the server's timing. The benchmark itself runs with `make bench`."""

from __future__ import annotations

import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection
from django.http import HttpResponse
from django.test import RequestFactory

from bench import budgets, explain, load
from bench.client import (
    Job,
    Sample,
    count_rows,
    figure,
    measure_in_rounds,
    next_href,
    server_timing,
)
from bench.server import WorkerConfig
from bench.stats import percentile, summarize
from helpdesk.bench_middleware import BenchHeadersMiddleware


def test_percentile_interpolates_between_the_nearest_ranks():
    values = [10, 1, 9, 2, 8, 3, 7, 4, 6, 5]
    assert percentile(values, 50) == 5.5
    assert percentile(values, 95) == pytest.approx(9.55)
    assert percentile(values, 0) == 1
    assert percentile(values, 100) == 10


def test_percentile_of_one_value_is_that_value():
    assert percentile([42.0], 95) == 42.0


def test_percentile_refuses_no_values_and_out_of_range_ranks():
    with pytest.raises(ValueError, match="no values"):
        percentile([], 50)
    with pytest.raises(ValueError, match="within 0..100"):
        percentile([1.0], 101)


def test_summarize_rounds_to_hundredths():
    assert summarize([1.0, 2.0, 3.0, 4.0]) == {"p50": 2.5, "p95": 3.85, "min": 1.0, "max": 4.0}


def test_a_figure_within_every_budget_is_ok():
    result = budgets.check(budgets.QUEUE, {"server_p95_ms": 50.0, "queries_max": 10})
    assert result["verdict"] == "ok"
    assert [c["ok"] for c in result["checks"]] == [True, True]


def test_one_missed_budget_marks_the_figure_over():
    result = budgets.check(budgets.QUEUE, {"server_p95_ms": 12.0, "queries_max": 11})
    assert result["verdict"] == "OVER"
    assert result["checks"] == [
        {"budget": "p95 <= 50 ms", "metric": "server_p95_ms", "value": 12.0, "ok": True},
        {"budget": "<= 10 queries", "metric": "queries_max", "value": 11, "ok": False},
    ]


def test_throughput_budgets_are_minimums():
    assert budgets.check(budgets.API_LIST, {"rps": 149.9})["verdict"] == "OVER"
    assert budgets.check(budgets.API_LIST, {"rps": 150.0})["verdict"] == "ok"
    assert budgets.check(budgets.API_DETAIL, {"rps": 399.0})["verdict"] == "OVER"


def test_a_queue_search_is_held_to_the_queue_and_the_search_budget():
    result = budgets.check(budgets.QUEUE_SEARCH, {"server_p95_ms": 120.0, "queries_max": 9})
    assert result["verdict"] == "OVER"
    assert [(c["budget"], c["ok"]) for c in result["checks"]] == [
        ("p95 <= 50 ms", False),
        ("<= 10 queries", True),
        ("search p95 <= 150 ms", True),
    ]


def test_an_unmeasured_figure_fails_and_an_unbudgeted_one_is_informational():
    assert budgets.check(budgets.ENGINE_TICK, {"db_ms": None})["verdict"] == "FAILED"
    assert budgets.check(budgets.NONE, {"server_p95_ms": 900.0}) == {"verdict": "-", "checks": []}


def _two_queries(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.execute("SELECT %s", [2])
    return HttpResponse("ok")


@pytest.mark.django_db
def test_middleware_reports_server_time_and_query_count(monkeypatch):
    monkeypatch.delenv("HELPDESK_BENCH_SQL", raising=False)
    response = BenchHeadersMiddleware(_two_queries)(RequestFactory().get("/queue/"))
    assert response["X-Query-Count"] == "2"
    assert re.fullmatch(r"app;dur=\d+\.\d\d, db;dur=\d+\.\d\d", response["Server-Timing"])
    assert server_timing(response)[2] == 2


@pytest.mark.django_db
def test_middleware_writes_the_statements_of_a_request_that_asks(monkeypatch, tmp_path):
    monkeypatch.setenv("HELPDESK_BENCH_SQL", "1")
    monkeypatch.setenv("HELPDESK_BENCH_SQL_DIR", str(tmp_path))
    request = RequestFactory().get("/queue/?q=x", HTTP_X_BENCH_CAPTURE="queue-all-p1")
    BenchHeadersMiddleware(_two_queries)(request)
    capture = json.loads((tmp_path / "queue-all-p1.json").read_text())
    assert capture["path"] == "/queue/?q=x"
    assert capture["status"] == 200
    assert [s["sql"] for s in capture["statements"]] == ["SELECT 1", "SELECT 2"]


@pytest.mark.django_db
def test_middleware_writes_nothing_without_the_switch_or_for_an_unsafe_name(monkeypatch, tmp_path):
    monkeypatch.setenv("HELPDESK_BENCH_SQL_DIR", str(tmp_path))
    monkeypatch.delenv("HELPDESK_BENCH_SQL", raising=False)
    BenchHeadersMiddleware(_two_queries)(RequestFactory().get("/", HTTP_X_BENCH_CAPTURE="a"))
    monkeypatch.setenv("HELPDESK_BENCH_SQL", "1")
    BenchHeadersMiddleware(_two_queries)(
        RequestFactory().get("/", HTTP_X_BENCH_CAPTURE="../escape")
    )
    assert list(tmp_path.iterdir()) == []


def _production_middleware(**env: str) -> list[str]:
    code = "from django.conf import settings; import json; print(json.dumps(settings.MIDDLEWARE))"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "helpdesk.settings.prod",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(60),
        **env,
    }
    done = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=Path(__file__).resolve().parents[2],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(done.stdout)


def test_production_settings_add_the_middleware_first_only_when_asked():
    name = "helpdesk.bench_middleware.BenchHeadersMiddleware"
    assert _production_middleware(HELPDESK_BENCH_HEADERS="1")[0] == name
    assert name not in _production_middleware(HELPDESK_BENCH_HEADERS="0")


def test_server_timing_reads_the_bench_headers_and_tolerates_their_absence():
    headers = {"Server-Timing": "app;dur=12.50, db;dur=3.25", "X-Query-Count": "7"}
    assert server_timing(headers) == (12.5, 3.25, 7)
    assert server_timing({}) == (None, None, None)


def test_next_link_is_found_and_unescaped_relative_to_the_page():
    html = (
        '<a class="btn" href="?status=open&amp;cursor=abc%3D" rel="prev">Prev</a>'
        '<a class="btn btn-sm" href="?team=core&amp;cursor=xyz" hx-get="?x" rel="next">Next</a>'
    )
    url = next_href(html, "http://127.0.0.1:8000/queue/?team=core")
    assert url == "http://127.0.0.1:8000/queue/?team=core&cursor=xyz"
    assert next_href("<a href='/' rel=\"prev\">", "http://127.0.0.1/queue/") is None


def test_rows_are_counted_by_their_ticket_links():
    html = '<tr class="x" data-href="/tickets/SUP-1/"></tr><tr data-href="/tickets/SUP-2/"></tr>'
    assert count_rows(html) == 2


def test_a_scenario_figure_summarizes_the_good_answers_and_names_the_failures():
    samples = [
        Sample(200, 10.0, 2.0, 8, 11.0, 500),
        Sample(200, 30.0, 4.0, 9, 31.0, 500),
        Sample(0, None, None, None, 30000.0, 0),
    ]
    result = figure("/queue/", samples, None)
    assert result["error"] == "1 of 3 requests failed (no answer in time)"
    assert (result["server_p50_ms"], result["server_p95_ms"]) == (20.0, 29.0)
    assert (result["queries_min"], result["queries_max"]) == (8, 9)
    assert result["statuses"] == [0, 200]


def test_latency_rows_are_measured_in_rounds_so_noise_falls_on_all_of_them():
    calls: list[str] = []

    class Recorder:
        def get(self, url, headers=None):
            calls.append(url)
            server_ms = 100.0 if len(calls) in (9, 10) else 10.0  # a burst of noise: two calls
            return None, Sample(200, server_ms, 1.0, 5, server_ms, 100)

    jobs = [Job(key, Recorder(), f"/{key}/", {}) for key in ("a", "b")]
    results = measure_in_rounds(jobs, warmups=1, count=4)

    assert calls == ["/a/", "/b/"] * 5  # one warm-up round, then four measured ones
    assert results["a"]["requests"] == results["b"]["requests"] == 4
    assert results["a"]["server_max_ms"] == results["b"]["server_max_ms"] == 100.0


def test_wrk_summary_is_parsed_into_throughput_and_latency():
    output = (
        "Running 15s test @ http://127.0.0.1:1/api/v1/tickets/\n"
        'BENCH_JSON {"requests":3000,"duration_us":15000000,"bytes":9000,"connect_errors":0,'
        '"read_errors":0,"write_errors":0,"status_errors":0,"timeouts":0,'
        '"p50_us":20000,"p95_us":45500,"p99_us":60000,"max_us":91000}\n'
    )
    assert load.parse(output) == {
        "requests": 3000,
        "seconds": 15.0,
        "rps": 200.0,
        "p50_ms": 20.0,
        "p95_ms": 45.5,
        "p99_ms": 60.0,
        "max_ms": 91.0,
        "non_2xx": 0,
        "socket_errors": 0,
    }


def test_throttled_answers_make_a_wrk_run_an_error():
    output = (
        'BENCH_JSON {"requests":100,"duration_us":1000000,"bytes":1,"connect_errors":0,'
        '"read_errors":0,"write_errors":0,"status_errors":40,"timeouts":0,'
        '"p50_us":1,"p95_us":1,"p99_us":1,"max_us":1}'
    )
    assert (
        load.parse(output)["error"] == "40 non-2xx answers and 0 socket errors out of 100 requests"
    )


def test_lua_script_takes_the_tokens_in_turn():
    script = load.lua_script(["hd_a", "hd_b"])
    assert 'local tokens = {"hd_a", "hd_b"}' in script
    assert "tokens[(counter % #tokens) + 1]" in script


def test_plan_summary_finds_the_node_that_spends_the_time():
    plan = "\n".join(
        [
            "Limit  (cost=0.42..10.00 rows=51 width=8) (actual time=0.050..30.000 rows=51 loops=1)",
            "  Buffers: shared hit=120 read=30",
            "  ->  Sort  (cost=1.00..9.00 rows=51 width=8) "
            "(actual time=29.000..29.500 rows=51 loops=1)",
            "        Sort Method: top-N heapsort  Memory: 40kB",
            "        ->  Seq Scan on tickets_ticket  (cost=0.00..5.00 rows=900 width=8) "
            "(actual time=0.010..25.000 rows=900 loops=1)",
            "              Filter: (status = 'new'::text)",
            "              Rows Removed by Filter: 99100",
            "Planning Time: 0.200 ms",
            "Execution Time: 30.100 ms",
        ]
    )
    summary = explain.summarize_plan(plan)
    assert summary["execution_ms"] == 30.1
    assert summary["planning_ms"] == 0.2
    assert summary["top_node"] == "Limit"
    assert summary["costliest_nodes"][0] == {
        "node": "Seq Scan on tickets_ticket",
        "ms": 25.0,
        "rows": 900,
        "loops": 1,
    }
    assert summary["seq_scans"] == ["Seq Scan on tickets_ticket"]
    assert summary["rows_removed"] == 99100
    assert summary["sorts"] == ["top-N heapsort  Memory: 40kB"]
    assert (summary["shared_hit"], summary["shared_read"]) == (120, 30)


def test_only_reads_are_explained_slowest_first():
    capture = {
        "statements": [
            {"sql": "SELECT 1", "ms": 1.0, "many": False},
            {"sql": "UPDATE t SET x = 1", "ms": 9.0, "many": False},
            {"sql": "WITH a AS (SELECT 1) SELECT * FROM a", "ms": 5.0, "many": False},
        ]
    }
    assert [s["ms"] for s in explain.slowest(capture)] == [5.0, 1.0]


def test_profile_summary_drops_entry_points_and_wrapper_chains():
    rows = [
        {"function": "tickets/views/queue.py:75(queue_page)", "cumulative_ms": 100.0},
        {"function": "django/shortcuts.py:18(render)", "cumulative_ms": 80.0},
        {"function": "django/template/loader.py:52(render_to_string)", "cumulative_ms": 79.0},
        {"function": "tickets/templatetags/tickets_tags.py:112(sla_badge)", "cumulative_ms": 30.0},
        {
            "function": "tickets/sla/businesstime.py:163(business_time_between)",
            "cumulative_ms": 29.5,
        },
    ]
    below = explain.below_entry(rows)
    assert [r["function"] for r in explain.distinct(explain.product_code(below))] == [
        "tickets/templatetags/tickets_tags.py:112(sla_badge)"
    ]
    assert [r["cumulative_ms"] for r in explain.distinct(below)] == [80.0, 30.0]


def test_gunicorn_settings_parse_as_workers_by_threads():
    assert WorkerConfig.parse("4x1") == WorkerConfig(4, 1)
    assert WorkerConfig.parse("2x4").worker_class == "gthread"
    assert WorkerConfig.parse("3").worker_class == "sync"
    with pytest.raises(ValueError, match="unreasonable"):
        WorkerConfig.parse("0x1")
