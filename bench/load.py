"""Throughput with a real HTTP load generator: wrk, with a Lua script for the bearer tokens."""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from pathlib import Path

# Each request takes the next token in turn; `done` prints what the summary lacks (p95) as JSON.
LUA = """
local tokens = {%(tokens)s}
local counter = 0
request = function()
  counter = counter + 1
  local headers = {}
  headers["Authorization"] = "Bearer " .. tokens[(counter %% #tokens) + 1]
  headers["Accept"] = "application/json"
  return wrk.format("GET", nil, headers)
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "BENCH_JSON {\\"requests\\":%%d,\\"duration_us\\":%%d,\\"bytes\\":%%d," ..
    "\\"connect_errors\\":%%d," ..
    "\\"read_errors\\":%%d,\\"write_errors\\":%%d,\\"status_errors\\":%%d,\\"timeouts\\":%%d," ..
    "\\"p50_us\\":%%d,\\"p95_us\\":%%d,\\"p99_us\\":%%d,\\"max_us\\":%%d}\\n",
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status,
    e.timeout, math.floor(latency:percentile(50)), math.floor(latency:percentile(95)),
    math.floor(latency:percentile(99)), math.floor(latency.max)))
end
"""


def wrk_path() -> str:
    path = shutil.which("wrk")
    if not path:
        raise RuntimeError(
            "wrk is not installed: `apt-get install wrk` (make bench installs it when run as root)"
        )
    return path


def lua_script(tokens: list[str]) -> str:
    if not tokens:
        raise ValueError("no API tokens to load with")
    quoted = ", ".join(json.dumps(t) for t in tokens)  # tokens are URL-safe; JSON quoting is Lua's
    return LUA % {"tokens": quoted}


def parse(output: str) -> dict:
    for line in output.splitlines():
        if line.startswith("BENCH_JSON "):
            raw = json.loads(line[len("BENCH_JSON ") :])
            break
    else:
        raise RuntimeError(f"wrk printed no summary:\n{output[-2000:]}")
    seconds = raw["duration_us"] / 1e6
    errors = sum(raw[k] for k in ("connect_errors", "read_errors", "write_errors", "timeouts"))
    result = {
        "requests": raw["requests"],
        "seconds": round(seconds, 2),
        "rps": round(raw["requests"] / seconds, 1) if seconds else 0.0,
        "p50_ms": round(raw["p50_us"] / 1000, 2),
        "p95_ms": round(raw["p95_us"] / 1000, 2),
        "p99_ms": round(raw["p99_us"] / 1000, 2),
        "max_ms": round(raw["max_us"] / 1000, 2),
        "non_2xx": raw["status_errors"],
        "socket_errors": errors,
    }
    # Throttled (429) or failing answers are not throughput.
    if raw["status_errors"] or errors:
        result["error"] = (
            f"{raw['status_errors']} non-2xx answers and {errors} socket errors "
            f"out of {raw['requests']} requests"
        )
    return result


def run(
    url: str,
    tokens: list[str],
    *,
    seconds: int,
    connections: int = 8,
    threads: int = 1,
    timeout_seconds: int = 10,
) -> dict:
    with tempfile.TemporaryDirectory(prefix="bench-wrk-") as tmp:
        script = Path(tmp) / "tokens.lua"
        script.write_text(lua_script(tokens))
        script.chmod(0o600)
        args = [
            wrk_path(),
            "--threads",
            str(threads),
            "--connections",
            str(connections),
            "--duration",
            f"{seconds}s",
            "--timeout",
            f"{timeout_seconds}s",
            "--script",
            str(script),
            url,
        ]
        done = subprocess.run(
            args, capture_output=True, text=True, timeout=seconds + timeout_seconds + 30
        )
    if done.returncode != 0:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stderr.strip()[-2000:]}")
    result = parse(done.stdout)
    result.update({"url": url, "connections": connections, "wrk_threads": threads})
    return result
