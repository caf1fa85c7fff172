"""The blameless-language check: warnings, never a block (seed 000 asks for a blameless
postmortem; a sentence can quote a phrase for good reason, so people decide).

It looks for phrases that put the cause on a person ("human error", "should have", "careless")
anywhere in the document, and for the names of the people who work here in the root cause, where
the cause must be a system or a process.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from .models import SECTION_TITLES

PHRASES: tuple[tuple[str, str], ...] = (
    (r"human error", "“human error” names a person as the cause; what let the error happen?"),
    (r"should(?:n[’']t| not)? have", "“should have” judges with hindsight; say what happened."),
    (r"careless(?:ly|ness)?", "“careless” blames a person; describe the conditions instead."),
    (r"negligen(?:ce|t)", "“negligence” blames a person; describe the conditions instead."),
    (r"\bforgot\b", "“forgot” points at a person; what would have reminded them?"),
    (r"\bfailed to\b", "“failed to” points at a person; what made it easy to miss?"),
    (r"\bfault\b", "“fault” assigns blame; describe the mechanism."),
    (r"\bblame[ds]?\b", "“blame” has no place in a blameless review."),
    (r"\bsloppy\b", "“sloppy” blames a person; describe the conditions instead."),
    (r"\bincompeten(?:t|ce)\b", "“incompetent” blames a person."),
)
_COMPILED = tuple((re.compile(p, re.IGNORECASE), why) for p, why in PHRASES)
NAME_SECTIONS = ("root_cause",)
MIN_NAME_LENGTH = 3


@dataclass(frozen=True)
class LanguageWarning:
    section: str
    phrase: str
    advice: str

    @property
    def section_title(self) -> str:
        return SECTION_TITLES.get(self.section, self.section)


def _name_patterns(names: Iterable[str]) -> list[tuple[re.Pattern, str]]:
    seen, patterns = set(), []
    for name in names:
        name = (name or "").strip()
        if len(name) < MIN_NAME_LENGTH or name.lower() in seen:
            continue
        seen.add(name.lower())
        patterns.append((re.compile(rf"(?<!\w){re.escape(name)}(?!\w)", re.IGNORECASE), name))
    # Longest first, so "Alex Agent" is reported rather than "Alex" and "Agent" apart.
    return sorted(patterns, key=lambda p: -len(p[1]))


def check(sections: Mapping[str, str], *, names: Iterable[str] = ()) -> list[LanguageWarning]:
    """Warnings for the document's sections ({field: text}); `names` are people's names."""
    warnings: list[LanguageWarning] = []
    for field, text in sections.items():
        text = text or ""
        for pattern, advice in _COMPILED:
            for match in pattern.finditer(text):
                warnings.append(LanguageWarning(field, match.group(0), advice))
    names_found = _name_patterns(names)
    for field in NAME_SECTIONS:
        text = sections.get(field) or ""
        for pattern, _name in names_found:
            match = pattern.search(text)
            if match:
                text = pattern.sub(" ", text)
                warnings.append(
                    LanguageWarning(
                        field,
                        match.group(0),
                        "A person's name in the root cause: name the system or process instead.",
                    )
                )
    return warnings
