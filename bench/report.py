"""The results: JSON for machines, a Markdown table for people, a line per figure on the console."""

from __future__ import annotations

import json
from pathlib import Path

from .budgets import OVER


def _ms(value) -> str:
    return "—" if value is None else f"{value:.1f}"


def _n(value) -> str:
    return f"{value:,}" if isinstance(value, int) else "—" if value is None else str(value)


def _queries(figure: dict) -> str:
    low, high = figure.get("queries_min"), figure.get("queries_max")
    if high is None:
        return "—"
    return str(high) if low == high else f"{low}–{high}"


def columns(figure: dict) -> tuple[str, str, str, str]:
    """(p50, p95, queries, other) as shown in the table and on the console."""
    kind = figure["kind"]
    if kind == "latency":
        other = f"{figure['rows']} rows" if figure.get("rows") is not None else ""
        return (
            _ms(figure.get("server_p50_ms")),
            _ms(figure.get("server_p95_ms")),
            _queries(figure),
            other,
        )
    if kind == "throughput":
        rps = figure.get("rps")
        other = "—" if rps is None else f"{rps:.0f} req/s"
        return _ms(figure.get("p50_ms")), _ms(figure.get("p95_ms")), "—", other
    if kind == "triage":
        mean = figure.get("mean_ms")
        other = "" if mean is None else f"mean {_ms(mean)} ms"
        return _ms(figure.get("p50_ms")), _ms(figure.get("p95_ms")), "—", other
    if kind == "mail":
        rate = figure.get("msgs_per_s")
        other = "—" if rate is None else f"{rate:.1f} msg/s"
        return _ms(figure.get("p50_ms")), _ms(figure.get("p95_ms")), "—", other
    # engine tick
    other = (
        f"db {_ms(figure.get('db_ms'))} ms, wall {_ms(figure.get('wall_ms'))} ms, "
        f"{figure.get('statements', '—')} statements, {figure.get('handled', '—')} rows"
    )
    return "—", "—", "—", other


def verdict_text(figure: dict) -> str:
    verdict = figure["verdict"]
    missed = [c["budget"] for c in figure.get("checks", []) if c["ok"] is False]
    if verdict == OVER:
        return f"**OVER** ({'; '.join(missed)})"
    if figure.get("error"):
        return f"{verdict}: {figure['error']}"
    return verdict


def console_line(figure: dict) -> str:
    p50, p95, queries, other = columns(figure)
    verdict = figure["verdict"]
    shown = verdict if verdict in ("ok", "-") else f"<-- {verdict}"
    error = f"  [{figure['error']}]" if figure.get("error") else ""
    return (
        f"{figure['name'][:46]:<46} p50 {p50:>7} p95 {p95:>7} ms  q {queries:>5}  "
        f"{other:<22} | {figure['budget']:<40} {shown}{error}"
    )


def markdown(results: dict) -> str:
    machine, dataset = results["machine"], results["dataset"]
    server = results["server"]
    lines = [
        f"# Benchmark {results['date']}",
        "",
        f"- Machine: {machine['nproc']} cores ({machine['cpu']}), {machine['memory']}, "
        f"PostgreSQL {machine['postgresql']}, Python {machine['python']}",
        f"- Dataset: {dataset['tickets']:,} tickets ({dataset['open_tickets']:,} open), "
        f"{dataset['comments']:,} comments, {dataset['organizations']:,} organizations, "
        f"{dataset['open_sla_timers']:,} open SLA timers ({dataset['due_sla_timers']:,} due); "
        f"database `{results['database']}`",
        f"- Server: gunicorn `{server['chosen']}` (workers x threads; tried "
        + ", ".join(
            f"{t['config']} {t['rps']:.0f} req/s"
            if t.get("rps") is not None
            else f"{t['config']} failed"
            for t in server["trials"]
        )
        + "), helpdesk.settings.prod, 127.0.0.1, load generator on the same machine",
        f"- Latency: {results['settings']['requests']} requests per row, one at a time, in rounds "
        "that ask every row once (machine noise falls on all rows alike), after "
        f"{results['settings']['warmups']} warm-ups; server time and queries from the server's "
        f"Server-Timing and X-Query-Count headers. Throughput: wrk, "
        f"{results['settings']['concurrency']} connections, "
        f"{results['settings']['load_seconds']} s.",
        "",
        "| What | p50 ms | p95 ms | queries | other | budget | result |",
        "|---|---:|---:|---:|---|---|---|",
    ]
    for figure in results["figures"]:
        p50, p95, queries, other = columns(figure)
        lines.append(
            f"| {figure['name']} | {p50} | {p95} | {queries} | {other} | {figure['budget']} "
            f"| {verdict_text(figure)} |"
        )
    engine = results.get("engine")
    if engine and not engine.get("error"):
        lines += ["", "## Engine tick", "", *engine_lines(engine)]
    findings = results.get("findings") or []
    if findings:
        lines += ["", "## Over budget: the slowest statements", ""]
        for finding in findings:
            lines += finding_lines(finding)
    if results.get("notes"):
        lines += ["", "## Notes", "", *[f"- {note}" for note in results["notes"]]]
    return "\n".join(lines) + "\n"


def _handled(handled: dict | None) -> str:
    if not handled:
        return "nothing"
    return ", ".join(f"{name} {_n(count)}" for name, count in handled.items())


def engine_lines(engine: dict) -> list[str]:
    before, first = engine["before"], engine["first_tick"] or {}
    lines = [
        f"- Before: {before['open_timers']:,} open timers, {before['due']:,} due "
        f"({before['due_breaches']:,} of them breaches); /healthz lag "
        f"{before['healthz_lag_seconds']} s.",
        f"- One tick handles at most BATCH={engine['batch']} rows per batch and goes on with "
        f"further batches for TIME_BUDGET_SECONDS={engine['time_budget_seconds']} s; beat runs it "
        f"every {engine['tick_interval_seconds']} s, and a tick that leaves rows due fires the "
        "next one at once.",
        f"- First tick: {_handled(first.get('handled'))} handled in "
        f"{first.get('wall_ms')} ms wall, "
        f"{first.get('db_ms')} ms database time, {first.get('statements')} statements; "
        f"{_n(first.get('backlog_left'))} of the backlog left.",
    ]
    if first.get("module_db_ms"):
        per_module = ", ".join(f"{k} {v} ms" for k, v in first["module_db_ms"].items())
        lines.append(f"- First tick's database time by module: {per_module}.")
    if "open_pages" in before:
        lines.append(
            f"- On-call: {before['open_pages']:,} open pages, {before['due_pages']:,} of them "
            "due for their next escalation step."
        )
    if engine["ticks_to_drain"]:
        lines.append(
            f"- The backlog drained in {engine['ticks_to_drain']} tick(s) in "
            f"{engine['drain_seconds']} s; the slowest tick took {engine['max_tick_db_ms']} ms "
            "of database time."
        )
    else:
        lines.append(f"- The backlog did not drain in {len(engine['ticks'])} ticks.")
    lines.append(
        f"- Lag: the oldest due obligation (due {engine['oldest_due_at']}) was recorded as "
        f"breached at {engine['oldest_breach_recorded_at']}: {engine['oldest_lag_seconds']} s late "
        f"(most of it is the dataset's age, not the engine's). {engine['breaches_recorded']:,} "
        f"breaches and {engine['warnings_recorded']:,} warnings recorded, then rolled back."
    )
    for statement in engine.get("slowest_statements", []):
        lines.append(f"  - {statement['ms']} ms: `{statement['sql'][:140]}`")
    return lines


def finding_lines(finding: dict) -> list[str]:
    explained = finding.get("explain") or {}
    what = (
        "the measured first tick (its profile comes from a rerun)"
        if finding.get("kind") == "engine"
        else "the captured request (profiled, so slower than the measured ones)"
    )
    lines = [
        f"### {finding['name']}",
        "",
        f"`{explained.get('path', finding.get('url', ''))}`: {explained.get('queries', '?')} "
        f"queries, {explained.get('db_ms', '?')} ms of {explained.get('app_ms', '?')} ms in the "
        f"database for {what}. Only reads are EXPLAINed.",
        "",
    ]
    if finding.get("error"):
        lines += [f"- {finding['error']}", ""]
    if explained.get("product_code"):
        lines.append(
            "- Product code (cProfile, cumulative, so nested calls overlap): "
            + "; ".join(
                f"`{r['function']}` {r['cumulative_ms']} ms" for r in explained["product_code"]
            )
        )
    if explained.get("library_code"):
        lines.append(
            "- Library calls that took the most: "
            + "; ".join(
                f"`{r['function']}` {r['cumulative_ms']} ms ({r['calls']} calls)"
                for r in explained["library_code"]
            )
        )
    if explained.get("python_own"):
        lines.append(
            "- Most time spent in (own time): "
            + "; ".join(
                f"`{r['function']}` {r['own_ms']} ms ({r['calls']} calls)"
                for r in explained["python_own"]
            )
        )
    for statement in explained.get("statements", []):
        sql = statement["sql"].replace("\n", " ")
        if len(sql) > 400:
            sql = sql[:400] + " …"
        lines.append(f"- {statement['ms_in_request']} ms in the request: `{sql}`")
        if statement.get("error"):
            lines.append(f"  - EXPLAIN failed: {statement['error']}")
        else:
            lines.append(f"  - EXPLAIN (ANALYZE, BUFFERS): {statement['line']}")
    lines.append("")
    return lines


def write(results: dict, directory: Path) -> tuple[Path, Path]:
    directory.mkdir(parents=True, exist_ok=True)
    json_path = directory / f"{results['date']}.json"
    md_path = directory / f"{results['date']}.md"
    json_path.write_text(json.dumps(results, indent=1, default=str) + "\n")
    md_path.write_text(markdown(results))
    return json_path, md_path
