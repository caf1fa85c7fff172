"""What the ticket asks for when it is not a failure report: a feature, a documentation change, a
usage question, log noise, a cosmetic remark. These set the P4/P3 severity, the category and the
issue type together, and ask for no information (playbook: 'Questions answerable from
documentation', 'Feature requests', 'Client disconnect log noise')."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .rule import Rule, all_of, any_of, first_match, matches, none_of
from .text import Text, normalise

# Words of something failing: a text with these is a report, even when it ends with a question.
_FAILING = matches(
    r"\b[45]\d\d\b|error|fail|broken|crash|hangs?\b|time ?out|timing out|slow|not working"
    r"|doesn'?t work|rejected|refuses|down\b|missing|\blost\b|wrong|incorrect|never (arrive|saved)"
)


_QUESTION = re.compile(r"\?(\s|$)|please close|we want to|delete (all )?our (account|data)")
_OPENS_AS_QUESTION = re.compile(r"^(how|what|where|which|is there|do you)\b")


def _asks(text: Text) -> str | None:
    """A question mark ending a sentence (not a URL's query), or a title or first line that opens
    with a question word."""
    found = text.find(_QUESTION)
    if found:
        return found
    for part in (text.title, text.description):
        match = _OPENS_AS_QUESTION.search(normalise(part))
        if match:
            return match.group(0)
    return None


@dataclass(frozen=True)
class Kind:
    name: str
    severity: str
    category: str
    issue_type: str
    reason: str


def _kind(name, severity, category, issue_type, looks_for, source, test) -> tuple[Rule, Kind]:
    rule = Rule(name=name, looks_for=looks_for, outcome=name, source=source, test=test)
    return rule, Kind(name, severity, category, issue_type, "")


RULES = (
    _kind(
        "Playbook P3: documentation incorrect",
        "P3",
        "documentation",
        "bug",
        "the docs stating something wrong, a typo in a sample, a broken docs page",
        "Playbook P3 criteria: documentation unclear or incorrect; 'OpenAPI docs page shows 500'",
        matches(
            r"(docs|documentation) (are|is) (incorrect|wrong)|docs page shows"
            r"|typo[^.]{0,40}(doc|example|sample|reference)|(doc|example|sample|reference)[^.]{0,60}"
            r"\btypo\b|link[^.]{0,40}in the (docs|documentation)[^.]{0,40}(404|broken|leads)"
            r"|broken link"
            r"|openapi docs|(docs|documentation|reference) (page )?(at \S+ )?shows [^.]*\b500\b"
        ),
    ),
    _kind(
        "Playbook P4: documentation improvement suggestion",
        "P4",
        "documentation",
        "question",
        "a suggestion to improve the docs or an error message's wording",
        "Playbook P4 criteria: documentation improvement suggestion; 'error message could be "
        "clearer'",
        any_of(
            matches(r"suggestion[^.]{0,40}(docs|documentation)|could be clearer"),
            all_of(
                matches(r"\b(docs|documentation)\b"),
                matches(
                    r"suggest|could (include|show|list|explain|mention|add)|would be nice"
                    r"|would help|would be (more )?(useful|helpful)"
                ),
                none_of(_FAILING),
            ),
        ),
    ),
    _kind(
        "Playbook P4: feature request",
        "P4",
        "feature_request",
        "question",
        "a request to add or support something the API does not do",
        "Playbook P4 criteria: feature request",
        matches(
            r"feature request|can you add support|could you add|any plans to|please add"
            r"|\bthis feature\b|would be nice if|would be (helpful|useful) if|^idea:|would love"
            r"|something you could (build|add)"
            r"|would it be possible to add|would be great if|please (build|support)\b"
        ),
    ),
    _kind(
        "Client disconnect log noise (P4)",
        "P4",
        "other",
        "question",
        "disconnect or broken-pipe warnings while requests succeed",
        "Playbook, do not escalate: client disconnect log noise",
        all_of(
            matches(r"client disconnect|broken pipe|connection closed"),
            matches(r"everything works|succeed|all work|requests all"),
        ),
    ),
    _kind(
        "Playbook P4: cosmetic issue",
        "P4",
        "other",
        "bug",
        "a remark the customer calls cosmetic",
        "Playbook P4 criteria: cosmetic issues",
        matches(r"\bcosmetic\b"),
    ),
    _kind(
        "Integration question: version compatibility",
        "P3",
        "integration",
        "question",
        "which SDK version supports a language or platform version",
        "Playbook, integration tickets: 'SDK version mismatch' (verify library versions)",
        all_of(
            matches(r"\bsdk\b"),
            matches(r"\bsupports?\b"),
            matches(r"\b(python|php|node|java|ruby|go) \d+(\.\d+)?"),
        ),
    ),
    _kind(
        "Playbook P4: general usage question",
        "P4",
        "other",
        "question",
        "a question with no failure reported",
        "Playbook P4 criteria: general usage question; DESIGN.md 7: usage questions are P4",
        all_of(_asks, none_of(_FAILING)),
    ),
)


def detect_documentation_bug(text: Text) -> Kind | None:
    """Only the first rule: the documentation stating something wrong."""
    found = first_match([RULES[0][0]], text)
    if found is None:
        return None
    rule, evidence = found
    kind = RULES[0][1]
    return Kind(kind.name, kind.severity, kind.category, kind.issue_type, rule.reason(evidence))


def detect(text: Text) -> Kind | None:
    found = first_match([rule for rule, _ in RULES], text)
    if found is None:
        return None
    rule, evidence = found
    kind = {r.name: k for r, k in RULES}[rule.name]
    return Kind(kind.name, kind.severity, kind.category, kind.issue_type, rule.reason(evidence))
