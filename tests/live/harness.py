"""Real processes and real local servers for the live and crash tests.

Everything binds to 127.0.0.1; every wait is bounded.
"""

from __future__ import annotations

import contextlib
import email
import hashlib
import hmac
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from aiosmtpd.controller import Controller
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(predicate: Callable[[], bool], *, timeout: float, interval: float = 0.2) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()


class SmtpSink:
    """A real SMTP server that keeps what it receives. `delay` slows each DATA down."""

    def __init__(self, delay: float = 0.0):
        self.messages: list[email.message.Message] = []
        self.delay = delay
        self._lock = threading.Lock()
        self.port = free_port()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        if self.delay:
            import asyncio

            await asyncio.sleep(self.delay)
        # Like an MTA that commits a message only while its sender is still there to be told.
        if server.transport is None or server.transport.is_closing():
            return "421 Sender gone"
        with self._lock:
            self.messages.append(email.message_from_bytes(envelope.content))
        return "250 OK"

    def start(self) -> SmtpSink:
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()

    def message_ids(self) -> list[str]:
        with self._lock:
            return [m["Message-ID"] for m in self.messages]


class WebhookSink:
    """A real HTTP receiver that checks signatures and keeps the bodies."""

    def __init__(self, secret: str):
        self.secret = secret
        self.bodies: list[dict] = []
        self.bad_signatures = 0
        sink = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                raw = self.rfile.read(int(self.headers["Content-Length"]))
                expected = (
                    "sha256=" + hmac.new(sink.secret.encode(), raw, hashlib.sha256).hexdigest()
                )
                if not hmac.compare_digest(expected, self.headers.get("X-Helpdesk-Signature", "")):
                    sink.bad_signatures += 1
                    self.send_response(401)
                    self.end_headers()
                    return
                body = json.loads(raw)
                body["_idempotency_key"] = self.headers.get("Idempotency-Key")
                sink.bodies.append(body)
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> WebhookSink:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def process_env(**extra: str) -> dict[str, str]:
    db = connection.settings_dict
    url = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    broker = settings.TEST_CELERY_BROKER_URL
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "helpdesk.settings.test",
        "DATABASE_URL": url,
        "CELERY_BROKER_URL": broker,
        "HELPDESK_ENGINE_TICK_SECONDS": "1",
        "DATABASE_CONN_MAX_AGE": "0",
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    env.update(extra)
    return env


class Processes:
    """Celery workers and beats started for one test; all stopped (or killed) at the end."""

    def __init__(self, tmp_path: Path, **env: str):
        self.tmp_path = tmp_path
        self.env = process_env(**env)
        self.procs: list[subprocess.Popen] = []

    def start(self, kind: str, name: str = "") -> subprocess.Popen:
        name = name or f"{kind}{len(self.procs)}"
        if kind == "worker":
            args = [
                "worker",
                "--concurrency",
                "1",
                "--pool",
                "prefork",
                "-l",
                "info",
                "-n",
                f"{name}-{os.getpid()}@127.0.0.1",
                "--without-gossip",
                "--without-mingle",
            ]
        else:
            args = ["beat", "-l", "info", "-s", str(self.tmp_path / f"{name}-schedule")]
        log = open(self.tmp_path / f"{name}.log", "ab")  # noqa: SIM115 - closed with the process
        proc = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "helpdesk", *args],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.procs.append(proc)
        return proc

    @staticmethod
    def kill(proc: subprocess.Popen) -> None:
        """kill -9 the process and its children (a prefork worker's pool processes too)."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)

    def stop_all(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                try:
                    os.killpg(proc.pid, signal.SIGTERM)
                except ProcessLookupError:
                    continue
        for proc in self.procs:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill(proc)

    def logs(self) -> str:
        return "\n".join(p.read_text(errors="replace")[-3000:] for p in self.tmp_path.glob("*.log"))


class RedisServer:
    """A private redis-server for tests that flush or restart it."""

    def __init__(self, directory: Path):
        self.dir = directory
        self.dir.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc: subprocess.Popen | None = None

    def start(self) -> RedisServer:
        self.proc = subprocess.Popen(
            [
                "redis-server",
                "--bind",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--dir",
                str(self.dir),
                "--appendonly",
                "yes",
                "--maxmemory-policy",
                "noeviction",
                "--save",
                "",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        import redis

        client = redis.Redis.from_url(self.url)

        def ready() -> bool:
            try:
                return bool(client.ping())
            except redis.RedisError:
                return False

        assert wait_for(ready, timeout=15), "redis-server did not start"
        return self

    def flush_and_restart(self) -> None:
        import redis

        redis.Redis.from_url(self.url).flushall()
        self.stop()
        self.start()

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)


def restart_postgres() -> None:
    """Restart the private PostgreSQL of this checkout (scripts/services.sh)."""
    subprocess.run(
        ["bash", str(ROOT / "scripts" / "services.sh"), "restart-postgres"],
        check=True,
        capture_output=True,
        timeout=120,
    )
    connection.close()  # this process's connection died with the server
