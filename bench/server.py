"""The product under test: gunicorn as in production, bound to 127.0.0.1, always stopped."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass(frozen=True)
class WorkerConfig:
    workers: int
    threads: int

    @property
    def name(self) -> str:
        return f"{self.workers}x{self.threads}"

    @property
    def worker_class(self) -> str:
        return "sync" if self.threads == 1 else "gthread"

    @classmethod
    def parse(cls, text: str) -> WorkerConfig:
        """ "4x1" is 4 sync workers; "2x4" is 2 gthread workers of 4 threads each."""
        workers, _, threads = text.strip().partition("x")
        config = cls(int(workers), int(threads or 1))
        if not (1 <= config.workers <= 32 and 1 <= config.threads <= 64):
            raise ValueError(f"unreasonable gunicorn setting {text!r}")
        return config


class Server:
    """One gunicorn master in its own process group; `stop()` ends that group and nothing else."""

    def __init__(self, config: WorkerConfig, env: dict[str, str], log_path: Path):
        self.config = config
        self.env = env
        self.log_path = log_path
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen | None = None

    def start(self, *, timeout: float = 60) -> Server:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log = self.log_path.open("ab")
        args = [
            str(GUNICORN),
            "helpdesk.wsgi:application",
            "--bind",
            f"127.0.0.1:{self.port}",
            "--workers",
            str(self.config.workers),
            "--threads",
            str(self.config.threads),
            "--worker-class",
            self.config.worker_class,
            "--timeout",
            "60",
            "--graceful-timeout",
            "10",
            "--log-level",
            "warning",
        ]
        self.proc = subprocess.Popen(
            args,
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        log.close()
        self._wait_up(timeout)
        return self

    def _wait_up(self, timeout: float) -> None:
        # /healthz answers 503 without a beat: any HTTP answer means the server is up.
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(
                    f"gunicorn exited with {self.proc.returncode} while starting; "
                    f"see {self.log_path}:\n{tail(self.log_path)}"
                )
            try:
                requests.get(self.base_url + "/healthz", timeout=5)
                return
            except requests.RequestException:
                time.sleep(0.3)
        self.stop()
        raise RuntimeError(
            f"gunicorn did not answer /healthz within {timeout:.0f}s; see {self.log_path}"
        )

    def stop(self, *, timeout: float = 20) -> None:
        proc, self.proc = self.proc, None
        if proc is None or proc.poll() is not None:
            return
        # SIGTERM to the master is gunicorn's graceful stop; the group is ours alone
        # (start_new_session), so killing it afterwards reaches only our workers.
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=timeout)
            return
        except subprocess.TimeoutExpired:
            pass
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=5)


def tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""
