"""Readings of the text that several dimensions share (severity, category, needs, escalation)."""

from __future__ import annotations

import re

from .rule import matches

INTERMITTENT = matches(
    r"sometimes|intermittent|\brandom(ly)?\b|occasionally|now and then|from time to time"
    r"|not always|not every time|once in a while|kadang"
)
FREQUENCY_GIVEN = matches(
    r"\d+ ?(%|percent)|\b\d+ (out of|in) \d+\b|\b(a|one) (third|quarter|fifth)\b|\bhalf of\b"
    r"|\b\d+ times\b|every \d+ (minutes|hours|requests)"
)
SUBSET = matches(
    r"a third|half of|some of our|\bsome (valid )?(keys|users|tokens)\b|while (the )?others?"
    r"|users (from|who|in) |(password|local) users|newer ones|issued before"
    r"|while (our |the )?[\w-]+ (keys|tokens|users|ones) (still )?(work|are fine|succeed)"
)
PERF_WORDS = matches(
    r"slow|latency|sluggish|takes? (over )?\d+|timing out|time out|\d+ ?ms\b|\bp9\d\b"
)
EDGE_CASE = matches(
    r"edge case|more than \d+ char|\d{9,}|\b1e-?\d+|\bbefore (19|20)\d\d\b"
    r"|instead of (a )?(422|validation)|not 422|expected a 422|\bleap\b|t24:00|23:59:60"
)
CONSISTENT = matches(
    r"\bevery\b|each time|consistently|whenever|\balways\b|\bfor all\b"
    r"|\ball (of )?(our|my) (calls|requests)\b"
)
VAGUE = matches(
    r"(doesn'?t|does not|don'?t|do not) work|(not|isn'?t) working|\bbroken\b|please fix|fix it\b"
    r"|nothing works|stopped working"
)
VERSION_RELATED = matches(
    r"upgrad|updated (the|our)|new version|latest version|new [\w.]+ sdk version|new sdk"
    r"|new release|release broke"
    r"|after updating|since updating"
)
TRANSPORT_ERROR = matches(r"connection reset|broken pipe|connection refused|ssl")
SILENT_FAILURE = matches(
    r"silent (failure|data loss)|(returns?|answers?|gives?) 20[012][^.]{0,80}\bbut\b"
    r"|never saved|not saved|200 with (an empty|a 0-byte|empty)|empty (csv|file|pdf)|0-byte"
)

# A failure the text states, beyond a vague "nothing works" (which asks for the error first).
FAILS = re.compile(
    r"\bfail\w*|\bdown\b|\bunreachable\b|get through|\btwice\b|duplicat\w+|instead of one"
)
