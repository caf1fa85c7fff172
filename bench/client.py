"""Sequential requests that read the server's own timing: Server-Timing and X-Query-Count."""

from __future__ import annotations

import html
import re
import time
from dataclasses import dataclass
from urllib.parse import urljoin

import requests

from .stats import summarize

APP_TIMING = re.compile(r"(?:^|,)\s*app;dur=([0-9.]+)")
DB_TIMING = re.compile(r"(?:^|,)\s*db;dur=([0-9.]+)")
NEXT_LINK = re.compile(r"<a\b[^>]*\brel=\"next\"[^>]*>", re.IGNORECASE)
HREF = re.compile(r"\bhref=\"([^\"]*)\"")
ROW = re.compile(r"<tr\b[^>]*\bdata-href=")
HTMX = {"HX-Request": "true", "HX-Target": "queue-results"}


@dataclass(frozen=True)
class Sample:
    status: int
    server_ms: float | None
    db_ms: float | None
    queries: int | None
    client_ms: float
    size: int


def server_timing(headers) -> tuple[float | None, float | None, int | None]:
    """(app ms, db ms, queries) from a response's bench headers; None where one is missing."""
    timing = headers.get("Server-Timing", "")
    app, db = APP_TIMING.search(timing), DB_TIMING.search(timing)
    count = headers.get("X-Query-Count", "")
    return (
        float(app.group(1)) if app else None,
        float(db.group(1)) if db else None,
        int(count) if count.isdigit() else None,
    )


def next_href(page_html: str, base_url: str) -> str | None:
    """The absolute URL of the page's `rel="next"` link, if it has one."""
    tag = NEXT_LINK.search(page_html)
    href = HREF.search(tag.group(0)) if tag else None
    return urljoin(base_url, html.unescape(href.group(1))) if href else None


def count_rows(page_html: str) -> int:
    return len(ROW.findall(page_html))


class Client:
    """One user's connection to the server. The session cookie goes in an explicit Cookie
    header: production marks it Secure, and the server is reached over plain HTTP here."""

    def __init__(
        self,
        base_url: str,
        *,
        cookie: str | None = None,
        token: str | None = None,
        timeout: float = 30,
    ):
        self.base_url = base_url
        self.timeout = timeout
        self.session = requests.Session()
        self.headers: dict[str, str] = {}
        if cookie:
            self.headers["Cookie"] = cookie
        if token:
            self.headers["Authorization"] = f"Bearer {token}"

    def get(
        self, url: str, headers: dict[str, str] | None = None
    ) -> tuple[requests.Response, Sample]:
        url = urljoin(self.base_url, url)
        self.session.cookies.clear()  # only the explicit Cookie header speaks for the user
        started = time.perf_counter()
        response = self.session.get(
            url,
            headers={**self.headers, **(headers or {})},
            timeout=self.timeout,
            allow_redirects=False,
        )
        client_ms = (time.perf_counter() - started) * 1000
        server_ms, db_ms, queries = server_timing(response.headers)
        return response, Sample(
            response.status_code, server_ms, db_ms, queries, client_ms, len(response.content)
        )

    def close(self) -> None:
        self.session.close()


def follow_next(client: Client, url: str, depth: int) -> tuple[str, int]:
    """Follows `rel="next"` links up to `depth` pages on from `url` (through the HTMX partial,
    which carries the same pager); returns the deepest URL reached and how deep it is."""
    reached = 0
    current = urljoin(client.base_url, url)
    for _ in range(depth):
        response, _sample = client.get(current, HTMX)
        if response.status_code != 200:
            raise RuntimeError(f"GET {current} answered {response.status_code} while paging")
        following = next_href(response.text, current)
        if not following:
            break
        current, reached = following, reached + 1
    return current, reached


def measure(
    client: Client,
    url: str,
    *,
    headers: dict[str, str] | None = None,
    warmups: int = 5,
    count: int = 60,
    max_seconds: float = 120,
) -> dict:
    """`warmups` unmeasured requests, then up to `count` measured ones (fewer if `max_seconds`
    runs out). Server time and queries come from the server; client time is for reference."""
    deadline = time.monotonic() + max_seconds
    for _ in range(warmups):
        _attempt(client, url, headers)
        if time.monotonic() > deadline - 0.75 * max_seconds:
            break  # a slow page: its warm-ups must not eat the measuring time
    samples: list[Sample] = []
    first: requests.Response | None = None
    deadline = time.monotonic() + max_seconds
    while len(samples) < count and time.monotonic() < deadline:
        response, sample = _attempt(client, url, headers)
        if first is None:
            first = response
        samples.append(sample)
    return figure(url, samples, first)


@dataclass(frozen=True)
class Job:
    """One latency row: who asks for what."""

    key: str
    client: Client
    url: str
    headers: dict[str, str]


def measure_in_rounds(
    jobs: list[Job], *, warmups: int = 5, count: int = 60, max_seconds: float = 1200
) -> dict[str, dict]:
    """Like `measure` for several rows at once, taken in rounds: each round asks every row once.
    A burst of noise on the machine (another tenant, a checkpoint, autovacuum) then falls on all
    rows alike instead of on whichever row was being measured at the time."""
    for _ in range(warmups):
        for job in jobs:
            _attempt(job.client, job.url, job.headers)
    samples: dict[str, list[Sample]] = {job.key: [] for job in jobs}
    first: dict[str, requests.Response | None] = {job.key: None for job in jobs}
    deadline = time.monotonic() + max_seconds
    for _ in range(count):
        if time.monotonic() > deadline:
            break
        for job in jobs:
            response, sample = _attempt(job.client, job.url, job.headers)
            if first[job.key] is None:
                first[job.key] = response
            samples[job.key].append(sample)
    return {job.key: figure(job.url, samples[job.key], first[job.key]) for job in jobs}


def _attempt(client: Client, url: str, headers) -> tuple[requests.Response | None, Sample]:
    """A request that may fail: no answer in time is a sample with status 0."""
    started = time.perf_counter()
    try:
        return client.get(url, headers)
    except requests.RequestException:
        return None, Sample(0, None, None, None, (time.perf_counter() - started) * 1000, 0)


def _failure(sample: Sample) -> str:
    if sample.status == 0:
        return "no answer in time"
    if sample.status == 200:
        return "status 200 without the bench headers"
    return f"status {sample.status}"


def figure(url: str, samples: list[Sample], first: requests.Response | None) -> dict:
    good = [s for s in samples if s.status == 200 and s.server_ms is not None]
    statuses = sorted({s.status for s in samples})
    result: dict = {
        "url": url,
        "requests": len(samples),
        "ok_requests": len(good),
        "statuses": statuses,
    }
    if len(good) != len(samples) or not good:
        bad = next((s for s in samples if s.status != 200 or s.server_ms is None), None)
        result["error"] = f"{len(samples) - len(good)} of {len(samples)} requests failed" + (
            "" if bad is None else f" ({_failure(bad)})"
        )
    if not good:
        return result
    server = summarize([s.server_ms for s in good])
    db = summarize([s.db_ms for s in good if s.db_ms is not None] or [0.0])
    client = summarize([s.client_ms for s in good])
    queries = [s.queries for s in good if s.queries is not None]
    result.update(
        {
            "server_p50_ms": server["p50"],
            "server_p95_ms": server["p95"],
            "server_max_ms": server["max"],
            "db_p50_ms": db["p50"],
            "db_p95_ms": db["p95"],
            "queries_min": min(queries) if queries else None,
            "queries_max": max(queries) if queries else None,
            "client_p50_ms": client["p50"],
            "client_p95_ms": client["p95"],
            "bytes": good[0].size,
        }
    )
    if first is not None and first.status_code == 200 and ROW.search(first.text):
        result["rows"] = count_rows(first.text)
    return result
