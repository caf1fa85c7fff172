"""Form widgets and choices for long pickers.

`FastSelect` renders its `<option>`s in one pass of Python. Django renders each option through
a template, which for an agent picker of hundreds of people is most of a page's time.
`FlatChoices` hands a field (value, label) pairs that are already in Django's canonical form, so
the field does not normalise them entry by entry each time a form is built.
"""

from __future__ import annotations

import functools
import html

from django import forms
from django.forms.utils import flatatt
from django.utils.choices import BaseChoiceIterator
from django.utils.safestring import mark_safe


class FastSelect(forms.Select):
    """A flat select (no option groups) with the same markup as forms.Select."""

    def render(self, name, value, attrs=None, renderer=None):
        final = self.build_attrs(self.attrs, attrs)
        chosen = set(self.format_value(value))
        start = f'<select name="{html.escape(name)}"{flatatt(final)}>'
        return mark_safe(f"{start}{option_tags(self.choices, chosen)}</select>")  # noqa: S308


class FlatChoices(BaseChoiceIterator):
    """Flat (value, label) pairs, taken by a ChoiceField as they are."""

    def __init__(self, pairs):
        self.pairs = list(pairs)

    def __iter__(self):
        return iter(self.pairs)

    def __len__(self):
        return len(self.pairs)


def option_tags(choices, chosen: set[str]) -> str:
    """Escaped `<option>`s for flat (value, label) pairs; values in `chosen` are selected."""
    parts = []
    for value, label in choices:
        text = "" if value is None else str(value)
        start, end = _option_parts(text, str(label))
        parts.append(f"{start} selected{end}" if text in chosen else f"{start}{end}")
    return "".join(parts)


@functools.lru_cache(maxsize=4096)
def _option_parts(value: str, label: str) -> tuple[str, str]:
    # The same few hundred agents are listed on every page: escape each of them once.
    return f'<option value="{html.escape(value)}"', f">{html.escape(label)}</option>"
