"""Mail in, measured: messages per second through `manage.py ingest_email` as a mail server runs
it (one process per message, as many at once as the machine has cores), through the engine's
mail module that ingests what the pipe stored, and through `mail.inbound.receive` in-process
(what an IMAP poll calls per message).

    python -m bench.mail --out FILE [--messages N]

The mix is what a support address receives: new mail from the customers' contacts (opening
tickets), replies that name their ticket's key in the subject (comments), and auto-replies
(ignored). Every write is undone: the ingests run in transactions that are rolled back, and the
rows the pipe committed are deleted at the end, so the dataset is the same after a run.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


class Rollback(Exception):
    pass


def messages(count: int, senders: list[tuple[str, int]], tag: str) -> list[bytes]:
    """`senders`: (address, number of one of their organization's open tickets)."""
    out = []
    for i in range(count):
        address, number = senders[i % len(senders)]
        kind = i % 10
        headers = [
            f"From: Customer {i} <{address}>",
            "To: support@helpdesk.example",
            f"Message-ID: <bench-{tag}-{i}@customer.example>",
            "Content-Type: text/plain; charset=utf-8",
        ]
        if kind < 6:
            headers.append(f"Subject: Exports fail with error 500 ({tag} {i})")
            body = "Since this morning every export fails with error 500.\n\nThanks,\nA customer"
        elif kind < 9:
            headers.append(f"Subject: Re: [SUP-{number}] Exports fail")
            body = (
                "It happened again at 14:02 UTC.\n\n"
                "On Tue, 4 Mar 2025, Support <support@helpdesk.example> wrote:\n> We are on it.\n"
            )
        else:
            headers += ["Subject: Out of office", "Auto-Submitted: auto-replied"]
            body = "I am away until Monday."
        out.append(("\r\n".join(headers) + "\r\n\r\n" + body + "\r\n").encode())
    return out


def senders(limit: int = 200) -> list[tuple[str, int]]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT u.email, t.number
            FROM tickets_contact c
            JOIN helpdesk_user u ON u.id = c.user_id
            JOIN LATERAL (
                SELECT number FROM tickets_ticket
                WHERE organization_id = c.organization_id AND status <> 'closed'
                  AND is_security = false
                LIMIT 1
            ) t ON true
            WHERE u.email <> '' AND u.is_active
              AND lower(u.email) NOT IN (
                SELECT lower(email) FROM helpdesk_user GROUP BY lower(email) HAVING count(*) > 1
              )
            ORDER BY c.id
            LIMIT %s
            """,
            [limit],
        )
        return cursor.fetchall()


def pipe(raw: bytes) -> float:
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "manage.py", "ingest_email", "--source", "bench"],
        input=raw,
        capture_output=True,
        cwd=ROOT,
        timeout=120,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"ingest_email exited {done.returncode}: {done.stderr.decode()[-500:]}")
    return time.monotonic() - started


def measure(count: int) -> dict:
    from django.db import transaction

    from helpdesk import engine
    from mail.inbound import receive
    from mail.models import InboundMessage

    tag = uuid.uuid4().hex[:8]
    who = senders()
    if not who:
        raise RuntimeError("No contact with an address and an open ticket in this database.")
    # A mail server delivers several messages at once; the pipe is CPU-bound, so twice the cores.
    workers = 2 * (os.cpu_count() or 1)
    result: dict = {"messages": count, "processes_at_once": workers, "senders": len(who)}

    # 1. The pipe: one process per message, `workers` at a time, as a mail server delivers.
    # CPU per message is what bounds the rate on an idle machine (cores / CPU seconds); the wall
    # rates say what this run got, on a machine that may have been busy with other work.
    result["load_average_at_start"] = [round(x, 2) for x in os.getloadavg()]
    piped = messages(count, who, f"{tag}p")
    cpu_before = _children_cpu()
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        latencies = sorted(pool.map(pipe, piped))
    pipe_seconds = time.monotonic() - started
    pipe_cpu = (_children_cpu() - cpu_before) / count
    result["pipe"] = {
        "seconds": round(pipe_seconds, 2),
        "msgs_per_s": round(count / pipe_seconds, 1),
        "cpu_ms_per_msg": round(pipe_cpu * 1000, 1),
        "cpu_bound_msgs_per_s": round((os.cpu_count() or 1) / pipe_cpu, 1),
        "process_p50_ms": round(latencies[len(latencies) // 2] * 1000),
        "process_p95_ms": round(latencies[int(len(latencies) * 0.95) - 1] * 1000),
    }
    stored = InboundMessage.objects.filter(source="bench", message_id__contains=f"-{tag}p-")
    try:
        # 2. The engine's mail module ingests what the pipe stored (rolled back).
        module = next(m for m in engine.registered() if m.name == "mail")
        try:
            with transaction.atomic():
                started, cpu = time.monotonic(), time.process_time()
                handled = 0
                while True:
                    batch = engine.run_module(module, now=None) or 0
                    handled += batch
                    if batch == 0:
                        break
                seconds = time.monotonic() - started
                cpu = time.process_time() - cpu
                outcome = dict(_outcomes(stored))
                raise Rollback
        except Rollback:
            pass
        result["engine"] = {
            "handled": handled,
            "seconds": round(seconds, 2),
            "msgs_per_s": round(handled / seconds, 1) if seconds else None,
            "python_cpu_ms_per_msg": round(cpu * 1000 / max(handled, 1), 1),
            "outcomes": outcome,
        }
    finally:
        deleted = stored.delete()[0]
        result["pipe"]["rows_deleted"] = deleted

    # 3. In-process, as the IMAP poll calls it: store then ingest, per message (rolled back).
    direct = messages(count, who, f"{tag}r")
    try:
        with transaction.atomic():
            started, cpu = time.monotonic(), time.process_time()
            for raw in direct:
                receive(raw, source="bench")
            seconds = time.monotonic() - started
            cpu = time.process_time() - cpu
            outcome = dict(
                _outcomes(InboundMessage.objects.filter(message_id__contains=f"-{tag}r-"))
            )
            raise Rollback
    except Rollback:
        pass
    result["receive"] = {
        "seconds": round(seconds, 2),
        "msgs_per_s": round(count / seconds, 1),
        "python_cpu_ms_per_msg": round(cpu * 1000 / count, 1),
        "outcomes": outcome,
    }
    result["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    # What a mail server sees end to end: stored by the pipe, then ingested, one after the other.
    total = result["pipe"]["seconds"] + result["engine"]["seconds"]
    result["end_to_end_msgs_per_s"] = round(count / total, 1)
    return result


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _outcomes(qs):
    from django.db.models import Count

    return qs.values_list("status").annotate(n=Count("id")).order_by("status")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--messages", type=int, default=200)
    args = parser.parse_args()
    import django

    django.setup()
    result = measure(args.messages)
    args.out.write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())


def figures(result: dict) -> list[dict]:
    """The bench's rows from a `measure` result (or its error)."""
    from bench import budgets

    if "error" in result:
        return [
            {
                "key": "mail-ingest-pipe",
                "kind": "mail",
                "name": "mail ingest: ingest_email",
                "budget": budgets.describe(budgets.MAIL_INGEST),
                "error": result["error"].splitlines()[0][:300],
                "verdict": budgets.FAILED,
            }
        ]
    n, at_once = result["messages"], result["processes_at_once"]
    rows = [
        {
            "key": "mail-ingest-pipe",
            "name": f"mail ingest: ingest_email, a process per message, {at_once} at once",
            "msgs_per_s": result["pipe"]["msgs_per_s"],
            "p50_ms": result["pipe"]["process_p50_ms"],
            "p95_ms": result["pipe"]["process_p95_ms"],
            "cpu_ms_per_msg": result["pipe"]["cpu_ms_per_msg"],
            "cpu_bound_msgs_per_s": result["pipe"]["cpu_bound_msgs_per_s"],
            "budgets": budgets.MAIL_INGEST,
        },
        {
            "key": "mail-ingest-engine",
            "name": "mail ingest: the engine ingesting what the pipe stored",
            "msgs_per_s": result["engine"]["msgs_per_s"],
            "budgets": budgets.MAIL_INGEST,
        },
        {
            "key": "mail-ingest-receive",
            "name": "mail ingest: mail.inbound.receive in-process",
            "msgs_per_s": result["receive"]["msgs_per_s"],
            "budgets": budgets.NONE,
        },
    ]
    out = []
    for row in rows:
        held = row.pop("budgets")
        figure = {"kind": "mail", "messages": n, **row, "budget": budgets.describe(held)}
        figure.update(budgets.check(held, figure))
        out.append(figure)
    return out
