"""Severity P1-P4 by the playbook's criteria (seed 003, 'Severity Classification Philosophy').

Only the report's facts count: tone, capitals and exclamation marks never move severity
(DESIGN.md section 7). Security, close-as and non-report kinds are settled before these rules;
what remains is a failure report, read from the most to the least severe.
"""

from __future__ import annotations

import re

from .facts import (
    CONSISTENT,
    EDGE_CASE,
    FAILS,
    INTERMITTENT,
    PERF_WORDS,
    SILENT_FAILURE,
    SUBSET,
)
from .rule import Rule, all_of, any_of, first_match, matches, none_of
from .text import Text

P1 = "Playbook P1 criteria"
P2 = "Playbook P2 criteria"
P3 = "Playbook P3 criteria"

# Said of the whole API in so many words: an endpoint quoted after it is an example.
_TO_THE_API_PATTERN = (
    r"(every|all)( the)? (requests?|calls?) (we|they) (make|send) to (the|your) api"
)
_WHOLE_API = matches(
    r"\b(all|every)( single)?( of)?( our| my| the)?( api)? (requests?|calls?|endpoints?)\b"
    r"|every endpoint|any endpoint|nothing works|completely down|everything is down"
    r"|\bapi is down\b|unreachable|cannot reach the api|no request[^.]{0,40}succeeded"
    r"|none of our (api )?(calls|requests)|everything (gets|returns|fails)"
    r"|100 ?% of (our )?(traffic|requests|calls)|all (of )?our traffic|fully down|is dead"
    r"|" + _TO_THE_API_PATTERN
)
_TO_THE_API = matches(_TO_THE_API_PATTERN)
# Requests that get no answer at all are an outage, not slowness.
_NO_ANSWER = matches(r"no response|fully unavailable|\bunavailable\b|completely down|fully down")
_AUTH_SCOPE_ALL = matches(
    r"all (of )?(our|my) (keys|api keys|users|clients|service accounts)|every one of our"
    r"|for every client|nobody can|no one (in our company |on our team )?can|\bno key\b"
    r"|keys all|all logins|every key|every (oauth )?token|all (of )?(our )?tokens|every client"
    r"|authentication system|all requests"
)
_PAYMENTS = matches(r"payment|\bcharges?\b|refunds?\b|payouts?\b|financial transaction")


def covers_whole_api(text: Text) -> bool:
    """The report is about every request or endpoint, not one of them (and says what they do:
    a bare "nothing works" still needs the endpoint and the error)."""
    said = bool(text.statuses) or bool(PERF_WORDS(text))
    return bool(_WHOLE_API(text)) and said and not text.endpoints


def _whole_api_down(text: Text) -> str | None:
    """Every request failing, not one endpoint's every call, and not slowness."""
    phrase = _WHOLE_API(text)
    if not phrase:
        return None
    if PERF_WORDS(text) and not _NO_ANSWER(text):
        return None
    scope_words = ("endpoint", "down", "nothing", "reach")
    if text.endpoints and not any(w in phrase for w in scope_words) and not _TO_THE_API(text):
        return None
    failing = (
        text.server_error or text.has_status("401") or FAILS.search(text.low) or _NO_ANSWER(text)
    )
    return phrase if failing else None


def _auth_down(text: Text) -> str | None:
    if not (text.has_status("401") or "authenticat" in text.low or "log in" in text.low):
        return None
    if SUBSET(text):
        return None
    return _AUTH_SCOPE_ALL(text)


def _payments_down(text: Text) -> str | None:
    found = _PAYMENTS(text)
    failing = text.server_error or FAILS.search(text.low)
    everyone = matches(r"\b(every|all)\b|\bis down\b")(text)
    subset = matches(r"\b(over|above|when|whenever)\b|with a ")(text)
    return found if found and failing and everyone and not subset else None


def _endpoint_failing(text: Text) -> str | None:
    if not text.endpoints or EDGE_CASE(text) or INTERMITTENT(text):
        return None
    failing = text.server_error or FAILS.search(text.low)
    return text.endpoints[0] if failing and CONSISTENT(text) else None


_LATENCY = re.compile(r"(\d+(?:\.\d+)?) ?(ms|s)\b")  # "600-800 ms" reads 800 ms
_COMPARED = re.compile(
    r"\bbefore\b|baseline|normal|usual|\bwas\b|\bfrom\b|\bvs\b|compared|used to|previously"
)


def _slowdown(text: Text) -> str | None:
    """Two latencies compared (before/after, baseline) where the worse is 1.5x the better or more:
    the playbook's 'degradation >50% from baseline'."""
    if not _COMPARED.search(text.low):
        return None
    figures = [
        float(value) * (1 if unit == "ms" else 1000) for value, unit in _LATENCY.findall(text.low)
    ]
    figures = [f for f in figures if f > 0]
    if len(figures) >= 2 and max(figures) >= 1.5 * min(figures):
        return f"{min(figures):g} ms against {max(figures):g} ms"
    return None


def _degraded(text: Text) -> str | None:
    if INTERMITTENT(text):
        return None
    return matches(
        r"\b\d+(\.\d+)?x\b|tripled|doubled|\d+ ?% (of the calls )?time out"
        r"|half of the calls time out"
    )(text) or _slowdown(text)


RULES = (
    Rule(
        "Playbook P1: authentication fully down",
        "every key, user or client failing to authenticate",
        "P1",
        f"{P1}: authentication system completely non-functional",
        _auth_down,
    ),
    Rule(
        "Playbook P1: financial transactions failing",
        "payments or charges failing for everyone in production",
        "P1",
        f"{P1}: financial transactions failing in production",
        _payments_down,
    ),
    Rule(
        "Playbook P1: all API requests failing",
        "every request or endpoint failing for the customer",
        "P1",
        f"{P1}: all API requests failing for a customer",
        _whole_api_down,
    ),
    Rule(
        "Playbook P2: authentication failing for a subset of valid credentials",
        "some valid keys, tokens or users rejected while others work",
        "P2",
        f"{P2}: authentication failures for subset of valid credentials",
        all_of(matches(r"\b40[13]\b|rejected|cannot obtain|locked out"), SUBSET),
    ),
    Rule(
        "Playbook P2: production credentials failing while staging works",
        "a staging key working and the production key rejected",
        "P2",
        f"{P2} example: 'Our staging API key works but production key returns 403'",
        matches(r"staging[^.]{0,60}works?[^.]{0,80}production[^.]{0,40}\b40[13]\b"),
    ),
    Rule(
        "Playbook P2: performance degradation over 50%",
        "latency a multiple of the baseline, or a large share of calls timing out",
        "P2",
        f"{P2}: performance degradation >50% from baseline",
        _degraded,
    ),
    Rule(
        "Playbook P2: silent failure",
        "a success answer while the change or data is lost",
        "P2",
        "Playbook, always escalate: silent failures (200 returned when error should occur)",
        SILENT_FAILURE,
    ),
    Rule(
        "Playbook P2: webhooks not delivered at all",
        "no webhook delivered since a point in time",
        "P2",
        f"{P2}: specific endpoint failing consistently",
        any_of(
            matches(r"(no|zero) webhooks?( deliveries)?[^.]{0,40}(at all|deliver|since)"),
            all_of(
                matches(r"(every|all) webhooks?( deliver(y|ies))?[^.]{0,40}fail"),
                none_of(INTERMITTENT, SUBSET),
            ),
        ),
    ),
    Rule(
        "Playbook P2: specific endpoint failing consistently",
        "one endpoint failing on every call, for ordinary input",
        "P2",
        f"{P2}: specific endpoint failing consistently",
        _endpoint_failing,
    ),
    Rule(
        "Playbook P3: edge case validation failure",
        "a failure on unusual input (very long, huge, odd dates)",
        "P3",
        f"{P3}: edge case validation failures",
        EDGE_CASE,
    ),
    Rule(
        "Playbook P3: issue not affecting most requests",
        "an intermittent failure or one limited to some requests",
        "P3",
        f"{P3}: performance issue not affecting majority of requests",
        INTERMITTENT,
    ),
    Rule(
        "Playbook P3: functionality impaired, core operations not blocked",
        "any other failure report",
        "P3",
        f"{P3}: functionality impaired but does not block core operations",
        none_of(),
    ),
)

OUTAGE_RULES = {RULES[0].name: "authentication", RULES[1].name: "other", RULES[2].name: "other"}


def detect(text: Text) -> tuple[Rule, str]:
    found = first_match(RULES, text)
    assert found is not None  # the last rule always matches
    return found
