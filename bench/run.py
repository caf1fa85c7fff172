"""`make bench`: the product as it runs in production, measured against DESIGN.md section 10.

    python -m bench.run        (after `scripts/services.sh start` and its `env`)

Steps: the database `helpdesk_bench` (created, migrated, loaded once by `seed_scale`), static
files, credentials for the chosen users, gunicorn on 127.0.0.1 with production settings, the
latency scenarios (one request at a time, in rounds) and the wrk throughput runs, the engine tick
(rolled back, then the tables it wrote vacuumed), EXPLAIN of what is over budget, then
bench/results/<date>.json and .md. Settings come from the environment; see bench/README.md.
"""

from __future__ import annotations

import contextlib
import json
import os
import platform
import secrets
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

import psycopg2
import requests
from psycopg2 import sql as pgsql

from . import budgets, explain, load, report
from . import mail as bench_mail
from . import triage as bench_triage
from .client import HTMX, Client, Job, follow_next, measure_in_rounds
from .server import ROOT, Server, WorkerConfig

PYTHON = ROOT / ".venv" / "bin" / "python"
WORK = ROOT / "var" / "bench"


def say(message: str) -> None:
    print(f"bench: {message}", flush=True)


class BenchError(Exception):
    """A reason to stop that the person running the bench can act on."""


@dataclass
class Config:
    tickets: int
    database_url: str
    database_given: bool
    redis_url: str
    requests: int
    warmups: int
    depth: int
    load_seconds: int
    trial_seconds: int
    concurrency: int
    gunicorn: list[WorkerConfig]
    skip_seed: bool
    seed_timeout: int
    results_dir: Path
    strict: bool
    # BENCH_ONLY: measure only the figures whose key starts with one of these (no load runs,
    # no tick unless named), against the data already there; empty: everything.
    only: tuple[str, ...] = ()
    date: str = field(default_factory=lambda: datetime.now(UTC).strftime("%Y-%m-%d"))

    @classmethod
    def from_env(cls, env: dict[str, str]) -> Config:
        base = env.get("DATABASE_URL") or "postgres://helpdesk@127.0.0.1:54329/helpdesk"
        given = env.get("BENCH_DATABASE_URL", "")
        redis_db = env.get("BENCH_REDIS_DB", "12")
        redis = env.get("REDIS_URL") or "redis://127.0.0.1:63799/0"
        return cls(
            tickets=int(env.get("BENCH_TICKETS", "1000000")),
            database_url=given or with_database(base, "helpdesk_bench"),
            database_given=bool(given),
            # Cache, throttles, presence and the Celery broker apart from development's.
            redis_url=with_database(redis, redis_db),
            requests=int(env.get("BENCH_REQUESTS", "60")),
            warmups=int(env.get("BENCH_WARMUPS", "5")),
            depth=int(env.get("BENCH_DEPTH", "20")),
            load_seconds=int(env.get("BENCH_LOAD_SECONDS", "15")),
            trial_seconds=int(env.get("BENCH_TRIAL_SECONDS", "5")),
            concurrency=int(env.get("BENCH_CONCURRENCY", "8")),
            gunicorn=[
                WorkerConfig.parse(t)
                for t in env.get("BENCH_GUNICORN", "4x1,2x4,3x2").split(",")
                if t.strip()
            ],
            skip_seed=env.get("BENCH_SKIP_SEED", "") == "1",
            seed_timeout=int(env.get("BENCH_SEED_TIMEOUT", "7200")),
            results_dir=Path(env.get("BENCH_RESULTS_DIR") or ROOT / "bench" / "results"),
            strict=env.get("BENCH_STRICT", "") == "1",
            only=tuple(k.strip() for k in env.get("BENCH_ONLY", "").split(",") if k.strip()),
        )

    def wants(self, key: str) -> bool:
        return not self.only or key.startswith(self.only)

    def wants_any(self, prefix: str) -> bool:
        """Whether some figure whose key starts with `prefix` is measured."""
        return not self.only or any(k.startswith(prefix) or prefix.startswith(k) for k in self.only)


def with_database(url: str, name: str) -> str:
    """The same server URL with another database (PostgreSQL) or db number (Redis)."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))


def mask(url: str) -> str:
    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(":" + parts.password + "@", ":***@")
        return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))
    return url


# --- the database -------------------------------------------------------------------------------


def ensure_database(url: str) -> bool:
    """Creates the database when it is missing; True when it did."""
    name = urlsplit(url).path.lstrip("/")
    if urlsplit(url).hostname not in ("127.0.0.1", "localhost", "::1"):
        raise BenchError(f"the bench database must be on this machine, not {mask(url)}")
    conn = psycopg2.connect(with_database(url, "postgres"), connect_timeout=10)
    conn.autocommit = True
    try:
        with conn.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            if cursor.fetchone():
                return False
            cursor.execute(pgsql.SQL("CREATE DATABASE {}").format(pgsql.Identifier(name)))
            return True
    finally:
        conn.close()


# What the engine tick writes. Its transaction is rolled back, which leaves tens of thousands of
# dead rows in these tables and their indexes; the next run's reads would step over them (a count
# of one agent's unread notifications took 6 ms through 400 pages of dead index entries).
TICK_TABLES = (
    "tickets_ticket",
    "tickets_slatarget",
    "tickets_slaevent",
    "tickets_ticketevent",
    "helpdesk_notification",
    "helpdesk_outboundmessage",
    "escalation_page",
    "escalation_pagerecipient",
    "escalation_pagetoken",
)


def vacuum(url: str) -> float:
    """VACUUM (ANALYZE) the tables the tick writes; returns the seconds it took."""
    started = time.monotonic()
    conn = psycopg2.connect(url, connect_timeout=10)
    conn.autocommit = True  # VACUUM cannot run inside a transaction
    try:
        with conn.cursor() as cursor:
            tables = pgsql.SQL(", ").join(pgsql.Identifier(t) for t in TICK_TABLES)
            cursor.execute(pgsql.SQL("VACUUM (ANALYZE) {}").format(tables))
    finally:
        conn.close()
    return time.monotonic() - started


def server_version(url: str) -> str:
    conn = psycopg2.connect(url, connect_timeout=10)
    try:
        with conn.cursor() as cursor:
            cursor.execute("SHOW server_version")
            return cursor.fetchone()[0]
    finally:
        conn.close()


# --- Django processes ---------------------------------------------------------------------------


def django_env(config: Config, sql_dir: Path) -> dict[str, str]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "helpdesk.settings.prod",
        # A fresh key per run: nothing signed in one run is valid in another.
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DATABASE_URL": config.database_url,
        "REDIS_URL": config.redis_url,
        "CELERY_BROKER_URL": config.redis_url,
        "HELPDESK_BENCH_HEADERS": "1",
        "HELPDESK_BENCH_SQL": "1",
        "HELPDESK_BENCH_SQL_DIR": str(sql_dir),
        "HELPDESK_LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    return env


def run_python(
    env: dict[str, str], args: list[str], *, timeout: float, what: str, stream: bool = False
) -> subprocess.CompletedProcess:
    try:
        done = subprocess.run(
            [str(PYTHON), *args],
            cwd=ROOT,
            env=env,
            timeout=timeout,
            text=True,
            stdin=subprocess.DEVNULL,
            stdout=None if stream else subprocess.PIPE,
            stderr=None if stream else subprocess.PIPE,
        )
    except subprocess.TimeoutExpired as exc:
        raise BenchError(f"{what} did not finish within {timeout:.0f}s") from exc
    if done.returncode != 0:
        output = "" if stream else (done.stdout or "")[-3000:] + (done.stderr or "")[-3000:]
        raise BenchError(f"{what} failed with exit code {done.returncode}\n{output}".rstrip())
    return done


def seed(config: Config, env: dict[str, str]) -> None:
    if config.skip_seed:
        say("BENCH_SKIP_SEED=1: using the data already in the database")
        return
    known = run_python(env, ["manage.py", "help", "--commands"], timeout=120, what="manage.py help")
    if "seed_scale" not in known.stdout.split():
        message = (
            "manage.py seed_scale does not exist yet, so the scale dataset cannot be loaded. "
            "Run against existing data with BENCH_SKIP_SEED=1 (and BENCH_DATABASE_URL=... for "
            "another database, e.g. the dev one)."
        )
        raise BenchError(message)
    say(f"seed_scale --tickets {config.tickets} (quick when the dataset is already there)")
    run_python(
        env,
        ["manage.py", "seed_scale", "--tickets", str(config.tickets)],
        timeout=config.seed_timeout,
        what="manage.py seed_scale",
        stream=True,
    )
    say("seed_kb_scale: 10,000 articles and 1,000 known issues (only those missing)")
    run_python(
        env,
        ["manage.py", "seed_kb_scale"],
        timeout=config.seed_timeout,
        what="manage.py seed_kb_scale",
        stream=True,
    )


# --- scenarios ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scenario:
    key: str  # file-name safe: names the SQL capture
    name: str
    url: str
    user: str  # "agent", "customer" or "api"
    budgets: tuple[budgets.Budget, ...]
    headers: tuple[tuple[str, str], ...] = ()


def queue_scenarios(choices: dict, agent: Client, depth: int) -> tuple[list[Scenario], list[str]]:
    filters = [
        ("all", "all open", {}),
        ("mine", "mine", {"assignee": "me"}),
        ("team", f"team {choices['team']['slug']}", {"team": choices["team"]["slug"]}),
        (
            "org",
            f"organization {choices['organization']['slug']}",
            {"organization": choices["organization"]["slug"]},
        ),
        ("breached", "SLA breached", {"sla": "breached"}),
        ("search", f"q={choices['word']['text']}", {"q": choices["word"]["text"]}),
        # Every status in the default order: the running clocks, then the 900,000 closed.
        ("any", "any status", {"status": "all"}),
        (
            "any-search",
            f"any status, q={choices['word']['text']}",
            {"status": "all", "q": choices["word"]["text"]},
        ),
    ]
    scenarios, notes = [], []
    for key, label, params in filters:
        first = "/queue/" + (f"?{urlencode(params)}" if params else "")
        try:
            deep, reached = follow_next(agent, first, depth)
        except (RuntimeError, requests.RequestException) as exc:
            notes.append(f"queue {label}: paging failed ({exc}), so no deep row")
            deep, reached = first, 0
        if reached < depth:
            notes.append(
                f"queue {label}: only {reached + 1} page(s) exist, so "
                + (f"the deep row measures page {reached + 1}" if reached else "no deep row")
            )
        limits = budgets.QUEUE_SEARCH if key.endswith("search") else budgets.QUEUE
        pages = [("page 1", first)] + ([(f"page {reached + 1}", deep)] if reached else [])
        for where, url in pages:
            tag = "p1" if where == "page 1" else "deep"
            scenarios.append(
                Scenario(f"queue-{key}-{tag}-full", f"queue {label}, {where}", url, "agent", limits)
            )
            scenarios.append(
                Scenario(
                    f"queue-{key}-{tag}-htmx",
                    f"queue {label}, {where}, HTMX partial",
                    url,
                    "agent",
                    limits,
                    tuple(HTMX.items()),
                )
            )
    return scenarios, notes


def other_scenarios(choices: dict) -> list[Scenario]:
    key, word = choices["ticket"]["key"], choices["word"]["text"]
    return [
        Scenario(
            "ticket-page",
            f"ticket page {key} ({choices['ticket']['comments']} comments)",
            f"/tickets/{key}/",
            "agent",
            budgets.TICKET_PAGE,
        ),
        Scenario(
            "portal-list",
            f"portal list ({choices['organization']['slug']} contact)",
            "/portal/",
            "customer",
            budgets.QUEUE,
        ),
        Scenario(
            "api-search",
            f"API search q={word}",
            f"/api/v1/tickets/?{urlencode({'q': word})}",
            "api",
            budgets.SEARCH,
        ),
        *kb_scenarios(choices),
        *oncall_scenarios(choices),
        *dashboard_scenarios(choices),
        Scenario(
            "api-list",
            "API list ?status=open, one request",
            "/api/v1/tickets/?status=open",
            "api",
            budgets.NONE,
        ),
        Scenario(
            "api-detail",
            f"API detail {key}, one request",
            f"/api/v1/tickets/{key}/",
            "api",
            budgets.NONE,
        ),
    ]


def kb_scenarios(choices: dict) -> list[Scenario]:
    """The one search across tickets, articles and known issues, and the help centre."""
    kb = choices.get("kb") or {}
    scenarios = []
    if kb.get("word"):
        for key, text in (("kb-search", kb["word"]), ("kb-search-typo", kb["typo"])):
            scenarios.append(
                Scenario(
                    key,
                    f"search everything q={text} ({kb['articles']} articles, "
                    f"{kb['known_issues']} known issues)",
                    f"/search/all/?{urlencode({'q': text})}",
                    "agent",
                    budgets.SEARCH,
                )
            )
    scenarios.append(
        Scenario("help-home", "help centre home", "/help/", "customer", budgets.HELP_CENTRE)
    )
    if kb.get("article"):
        scenarios.append(
            Scenario(
                "help-article",
                f"help centre article {kb['article']}",
                f"/help/articles/{kb['article']}/",
                "customer",
                budgets.HELP_CENTRE,
            )
        )
    return scenarios


def dashboard_scenarios(choices: dict) -> list[Scenario]:
    """The manager dashboard's shell and each panel over the last 30 days and all time, and
    the panels that read one organization's rows."""
    dashboard = choices.get("dashboard") or {}
    if not dashboard.get("panels"):
        return []
    rows = [
        Scenario(
            "dashboard-shell",
            "dashboard page (30 days)",
            "/dashboard/",
            "manager",
            budgets.DASHBOARD_30D,
        )
    ]
    month = urlencode({"start": dashboard["start"], "end": dashboard["end"]})
    org = urlencode(
        {
            "start": dashboard["start"],
            "end": dashboard["end"],
            "organization": dashboard["organization"],
        }
    )
    for name, url in dashboard["panels"]:
        rows.append(
            Scenario(
                f"dashboard-{name}-30d",
                f"dashboard {name}, 30 days",
                f"{url}?{month}",
                "manager",
                budgets.DASHBOARD_30D,
            )
        )
        rows.append(
            Scenario(
                f"dashboard-{name}-all",
                f"dashboard {name}, all time",
                url,
                "manager",
                budgets.DASHBOARD_ALL,
            )
        )
        rows.append(
            Scenario(
                f"dashboard-{name}-org",
                f"dashboard {name}, 30 days, one customer",
                f"{url}?{org}",
                "manager",
                budgets.DASHBOARD_30D,
            )
        )
    return rows


def oncall_scenarios(choices: dict) -> list[Scenario]:
    """My pages for the engineer with the most open pages, and the busiest schedule's page."""
    oncall = choices.get("oncall") or {}
    if not oncall.get("engineer"):
        return []
    mine = f"My pages ({oncall['engineer']}, {oncall['engineer_open_pages']} open pages)"
    return [
        Scenario("oncall-my-pages", mine, "/pages/", "engineer", budgets.ONCALL),
        Scenario(
            "oncall-my-pages-htmx",
            f"{mine}, HTMX refresh",
            "/pages/",
            "engineer",
            budgets.ONCALL,
            tuple(HTMX.items()),
        ),
        Scenario(
            "oncall-schedule",
            f"schedule page {oncall['schedule_name']}",
            f"/oncall/{oncall['schedule']}/",
            "engineer",
            budgets.ONCALL,
        ),
    ]


def run_latency(
    scenarios: list[Scenario], clients: dict[str, Client], config: Config, warmups: int
) -> list[dict]:
    jobs = [
        Job(scenario.key, clients[scenario.user], scenario.url, dict(scenario.headers))
        for scenario in scenarios
    ]
    results = measure_in_rounds(jobs, warmups=warmups, count=config.requests)
    figures = []
    for scenario, job in zip(scenarios, jobs, strict=True):
        # One more request with its statements written down, for EXPLAIN if it is over budget.
        with contextlib.suppress(requests.RequestException):
            job.client.get(job.url, {**job.headers, "X-Bench-Capture": scenario.key})
        figure = {
            "key": scenario.key,
            "name": scenario.name,
            "kind": "latency",
            "budget": budgets.describe(scenario.budgets),
            **results[job.key],
        }
        figure.update(budgets.check(scenario.budgets, figure))
        if figure.get("error"):
            figure["verdict"] = budgets.FAILED
        figures.append(figure)
        print(report.console_line(figure), flush=True)
    return figures


def run_throughput(base_url: str, choices: dict, config: Config) -> list[dict]:
    tokens = [t["raw"] for t in choices["tokens"]]
    key = choices["ticket"]["key"]
    runs = [
        (
            "throughput-list",
            "API list ?status=open, wrk",
            "/api/v1/tickets/?status=open",
            budgets.API_LIST,
            "api-list",
        ),
        (
            "throughput-detail",
            f"API detail {key}, wrk",
            f"/api/v1/tickets/{key}/",
            budgets.API_DETAIL,
            "api-detail",
        ),
    ]
    figures = []
    for fkey, name, path, limits, capture in runs:
        try:
            load.run(base_url + path, tokens, seconds=3, connections=config.concurrency)  # warm
            result = load.run(
                base_url + path, tokens, seconds=config.load_seconds, connections=config.concurrency
            )
        except (RuntimeError, subprocess.TimeoutExpired) as exc:
            result = {"url": base_url + path, "error": str(exc)}
        figure = {
            "key": fkey,
            "capture": capture,
            "name": name,
            "kind": "throughput",
            "budget": budgets.describe(limits),
            **result,
        }
        figure.update(budgets.check(limits, figure))
        if figure.get("error"):
            figure["verdict"] = budgets.FAILED
        figures.append(figure)
        print(report.console_line(figure), flush=True)
    return figures


def try_configs(
    config: Config, env: dict[str, str], choices: dict, log: Path
) -> tuple[WorkerConfig, list[dict]]:
    """A short API list run per gunicorn setting; the fastest one serves the whole bench."""
    if len(config.gunicorn) == 1:
        return config.gunicorn[0], [{"config": config.gunicorn[0].name, "rps": None}]
    tokens = [t["raw"] for t in choices["tokens"]]
    trials = []
    for worker_config in config.gunicorn:
        server = Server(worker_config, env, log)
        try:
            server.start()
            url = server.base_url + "/api/v1/tickets/?status=open"
            load.run(url, tokens, seconds=2, connections=config.concurrency)  # warm-up
            result = load.run(
                url, tokens, seconds=config.trial_seconds, connections=config.concurrency
            )
            trials.append(
                {
                    "config": worker_config.name,
                    "rps": result["rps"],
                    "p95_ms": result["p95_ms"],
                    "error": result.get("error"),
                }
            )
            say(
                f"gunicorn {worker_config.name}: {result['rps']:.0f} req/s on the API list, "
                f"p95 {result['p95_ms']:.1f} ms"
            )
        except (RuntimeError, subprocess.TimeoutExpired) as exc:
            trials.append({"config": worker_config.name, "rps": None, "error": str(exc)[:500]})
            say(f"gunicorn {worker_config.name}: failed: {str(exc)[:300]}")
        finally:
            server.stop()
    usable = [t for t in trials if t["rps"] is not None and not t.get("error")]
    if not usable:
        raise BenchError(f"no gunicorn setting served the API list: {trials}")
    best = max(usable, key=lambda t: t["rps"])
    return WorkerConfig.parse(best["config"]), trials


# --- the engine tick ----------------------------------------------------------------------------


def run_tick(env: dict[str, str], work: Path, sql_dir: Path) -> dict:
    out = work / "tick.json"
    sql_dir.mkdir(parents=True, exist_ok=True)
    try:
        run_python(
            env,
            ["-m", "bench.tick", "--out", str(out), "--sql", str(sql_dir / "engine-tick.json")],
            timeout=900,
            what="the engine tick",
        )
    except BenchError as exc:
        return {"error": str(exc)}
    return json.loads(out.read_text())


def tick_figure(engine: dict) -> dict:
    first = engine.get("first_tick") or {}
    figure = {
        "key": "engine-tick",
        "capture": "engine-tick",
        "kind": "engine",
        "name": (
            f"engine tick ({engine['before']['open_timers']:,} open timers, "
            f"{engine['before']['due']:,} due)"
            if "before" in engine
            else "engine tick"
        ),
        "budget": budgets.describe(budgets.ENGINE_TICK),
        "db_ms": first.get("db_ms"),
        "wall_ms": first.get("wall_ms"),
        "statements": first.get("statements"),
        "handled": sum(v or 0 for v in (first.get("handled") or {}).values()) if first else None,
    }
    if engine.get("error"):
        figure["error"] = engine["error"].splitlines()[0][:300]
    figure.update(budgets.check(budgets.ENGINE_TICK, figure))
    if figure.get("error"):
        figure["verdict"] = budgets.FAILED
    return figure


def run_mail(env: dict[str, str], work: Path) -> list[dict]:
    out = work / "mail.json"
    try:
        run_python(env, ["-m", "bench.mail", "--out", str(out)], timeout=900, what="mail ingest")
        result = json.loads(out.read_text())
    except BenchError as exc:
        result = {"error": str(exc)}
    return bench_mail.figures(result)


# --- IMAP polling -------------------------------------------------------------------------------


def run_imap(env: dict[str, str], work: Path) -> dict:
    out = work / "imap.json"
    try:
        run_python(env, ["-m", "bench.imap", "--out", str(out)], timeout=900, what="IMAP polling")
    except BenchError as exc:
        return {"error": str(exc)}
    return json.loads(out.read_text())


def imap_figure(polled: dict) -> dict:
    figure = {
        "key": "mail-imap",
        "kind": "mail",
        "name": f"IMAP polling (Dovecot to tickets, {polled.get('messages', '?')} messages)",
        "budget": budgets.describe(budgets.MAIL_IMAP),
        "msgs_per_s": polled.get("msgs_per_s"),
        "seconds": polled.get("seconds"),
        # Where a message's time goes: the IMAP round trips, and storing and ingesting it.
        "imap_ms_per_msg": polled.get("imap_ms_per_msg"),
        "receive_ms_per_msg": polled.get("receive_ms_per_msg"),
        "outcomes": polled.get("outcomes"),
    }
    if polled.get("error"):
        figure["error"] = polled["error"].splitlines()[0][:300]
    figure.update(budgets.check(budgets.MAIL_IMAP, figure))
    if figure.get("error"):
        figure["verdict"] = budgets.FAILED
    return figure


# --- triage -------------------------------------------------------------------------------------


def run_triage(env: dict[str, str], work: Path) -> list[dict]:
    out = work / "triage.json"
    try:
        run_python(env, ["-m", "bench.triage", "--out", str(out)], timeout=900, what="triage")
        result = json.loads(out.read_text())
    except BenchError as exc:
        result = {"error": str(exc)}
    return bench_triage.figures(result)


# --- findings -----------------------------------------------------------------------------------


def findings(figures: list[dict], sql_dir: Path, dsn: str) -> list[dict]:
    found = []
    for figure in figures:
        if figure["verdict"] != budgets.OVER:
            continue
        capture = sql_dir / f"{figure.get('capture', figure['key'])}.json"
        finding = {"name": figure["name"], "url": figure.get("url", ""), "kind": figure["kind"]}
        if not capture.exists():
            finding["error"] = f"no SQL captured ({capture.name})"
        else:
            say(f"EXPLAIN (ANALYZE, BUFFERS) for {figure['name']}")
            finding["explain"] = explain.explain_capture(dsn, capture)
        found.append(finding)
    return found


# --- the machine --------------------------------------------------------------------------------


def machine(dsn: str) -> dict:
    cpu = "unknown"
    memory = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB RAM"
                break
    except OSError:
        pass
    nproc = subprocess.run(["nproc"], capture_output=True, text=True, timeout=10).stdout.strip()
    load_average = [round(x, 2) for x in os.getloadavg()]
    return {
        "nproc": int(nproc or os.cpu_count() or 0),
        "cpu": cpu,
        "memory": memory,
        "postgresql": server_version(dsn),
        "python": platform.python_version(),
        "wrk": shutil.which("wrk") is not None,
        "load_average": load_average,
    }


# --- the run ------------------------------------------------------------------------------------


def run(config: Config) -> dict:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    work = WORK / stamp
    sql_dir = work / "sql"
    work.mkdir(parents=True, exist_ok=True)
    log = work / "gunicorn.log"
    load.wrk_path()  # fail now rather than after the setup

    load_before = [round(x, 2) for x in os.getloadavg()]
    say(f"database {mask(config.database_url)}")
    if ensure_database(config.database_url):
        say("created the database")
    env = django_env(config, sql_dir)
    say("migrate")
    run_python(env, ["manage.py", "migrate", "--noinput"], timeout=1800, what="migrate")
    seed(config, env)
    say("collectstatic (the production static files storage needs its manifest)")
    run_python(
        env,
        ["manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
        timeout=600,
        what="collectstatic",
    )

    say("choosing users and pages, issuing sessions and API tokens")
    credentials = work / "credentials.json"
    run_python(
        env, ["-m", "bench.prepare", "--out", str(credentials)], timeout=900, what="bench.prepare"
    )
    choices = json.loads(credentials.read_text())
    # A run stopped before its own vacuum (Ctrl-C) leaves the tick's dead rows: clean them first.
    say(f"vacuum before measuring: {vacuum(config.database_url):.1f} s")
    public_choices = {k: v for k, v in choices.items() if k not in ("sessions", "tokens")}
    say(f"dataset: {choices['dataset']}")
    say(
        f"choices: agent {choices['agent']}, team {choices['team']}, organization "
        f"{choices['organization']}, ticket {choices['ticket']}, word {choices['word']}"
    )
    notes: list[str] = []
    if choices["ticket"]["comments_added"]:
        notes.append(
            f"{choices['ticket']['comments_added']} comments were added to "
            f"{choices['ticket']['key']} through comment_add (kept for the next run)"
        )
    server = None
    try:
        chosen, trials = try_configs(config, env, choices, log)
        say(f"serving with gunicorn {chosen.name} (workers x threads)")
        server = Server(chosen, env, log).start()
        cookie = choices["session_cookie"]
        clients = {
            user: Client(server.base_url, cookie=f"{cookie}={session}")
            for user, session in choices["sessions"].items()
        }
        clients["api"] = Client(server.base_url, token=choices["tokens"][0]["raw"])
        check_logged_in(clients)
        queue, queue_notes = (
            queue_scenarios(choices, clients["agent"], config.depth)
            if config.wants_any("queue-")
            else ([], [])
        )
        notes += queue_notes
        scenarios = [s for s in queue + other_scenarios(choices) if config.wants(s.key)]
        warmups = max(config.warmups, 2 * chosen.workers * chosen.threads)
        say(f"latency: {config.requests} requests per scenario after {warmups} warm-ups")
        figures = run_latency(scenarios, clients, config, warmups)
        if config.wants("throughput"):
            say(
                f"throughput: wrk, {config.concurrency} connections, {config.load_seconds} s "
                f"each, {len(choices['tokens'])} agents' tokens in turn"
            )
            figures += run_throughput(server.base_url, choices, config)
        for client in clients.values():
            client.close()
    finally:
        if server:
            server.stop()
        run_python(
            env,
            ["-m", "bench.prepare", "--cleanup", str(credentials)],
            timeout=300,
            what="bench.prepare --cleanup",
        )
        credentials.unlink(missing_ok=True)

    engine = {}
    if config.wants("engine-tick"):
        say("engine tick (in a transaction that is rolled back)")
        engine = run_tick(env, work, sql_dir)
        say(f"vacuum after the rolled-back tick: {vacuum(config.database_url):.1f} s")
        engine_figure = tick_figure(engine)
        figures.append(engine_figure)
        print(report.console_line(engine_figure), flush=True)
    if config.wants("mail-imap"):
        say("IMAP polling: a private Dovecot into tickets (in a transaction that is rolled back)")
        imap = imap_figure(run_imap(env, work))
        figures.append(imap)
        print(report.console_line(imap), flush=True)

    if config.wants_any("triage"):
        say("triage of new tickets (in a transaction that is rolled back)")
        for figure in run_triage(env, work):
            if config.wants(figure["key"]):
                figures.append(figure)
                print(report.console_line(figure), flush=True)

    if config.wants_any("mail-ingest"):
        say("mail ingest (the pipe's rows deleted afterwards, the ingests rolled back)")
        for figure in run_mail(env, work):
            if config.wants(figure["key"]):
                figures.append(figure)
                print(report.console_line(figure), flush=True)

    host = machine(config.database_url)
    host["load_average_at_start"] = load_before
    if load_before[0] > 0.5 * host["nproc"]:
        notes.append(
            f"the machine was busy when the bench started (load average {load_before[0]} on "
            f"{host['nproc']} cores): other work competed with the server for the CPU"
        )
    return {
        "date": config.date,
        "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "database": urlsplit(config.database_url).path.lstrip("/"),
        "machine": host,
        "dataset": choices["dataset"],
        "choices": public_choices,
        "server": {"chosen": chosen.name, "trials": trials},
        "settings": {
            "requests": config.requests,
            "warmups": warmups,
            "depth": config.depth,
            "concurrency": config.concurrency,
            "load_seconds": config.load_seconds,
        },
        "figures": figures,
        "engine": engine,
        "findings": findings(figures, sql_dir, config.database_url),
        "notes": notes,
        "work_dir": str(work.relative_to(ROOT)),
    }


def check_logged_in(clients: dict[str, Client]) -> None:
    for user, url in (
        ("agent", "/queue/"),
        ("customer", "/portal/"),
        ("api", "/api/v1/tickets/?page_size=1"),
    ):
        response, sample = clients[user].get(url)
        if response.status_code != 200:
            raise BenchError(
                f"{user}: GET {url} answered {response.status_code}, not 200; "
                "the credentials from bench.prepare do not work"
            )
        if sample.server_ms is None:
            raise BenchError(
                "the server sends no Server-Timing header: is "
                "helpdesk.bench_middleware enabled by HELPDESK_BENCH_HEADERS=1?"
            )


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def shown(path: Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def main() -> int:
    # SIGTERM (e.g. make being stopped) unwinds like Ctrl-C, so gunicorn is always stopped.
    signal.signal(signal.SIGTERM, _interrupt)
    config = Config.from_env(dict(os.environ))
    started = time.monotonic()
    try:
        results = run(config)
    except BenchError as exc:
        say(f"error: {exc}")
        return 1
    except KeyboardInterrupt:
        say("interrupted")
        return 130
    json_path, md_path = report.write(results, config.results_dir)
    over = [f["name"] for f in results["figures"] if f["verdict"] in (budgets.OVER, budgets.FAILED)]
    print()
    print(report.markdown(results))
    say(f"wrote {shown(json_path)} and {shown(md_path)} in {time.monotonic() - started:.0f}s")
    if over:
        say(f"{len(over)} figure(s) over budget or failed: " + "; ".join(over))
    return 1 if over and config.strict else 0


if __name__ == "__main__":
    sys.exit(main())
