"""FastSelect renders the same select as Django's, option for option."""

from __future__ import annotations

import re

from django import forms

from helpdesk.widgets import FastSelect

CHOICES = [("", "Unassigned"), ("ann", "Ann <A&B>"), ('b"o', "Bob"), (3, "P3 · Medium")]


def _options(markup: str) -> list[tuple[str, bool, str]]:
    found = re.findall(r'<option value="([^"]*)"( selected)?>([^<]*)</option>', markup)
    return [(value, bool(selected), label) for value, selected, label in found]


def _select_tag(markup: str) -> str:
    return re.match(r"<select[^>]*>", markup).group(0)


def test_same_options_attributes_and_selection_as_djangos_select():
    for value in ["ann", "3", 3, "", None, 'b"o']:
        django_markup = forms.Select(choices=CHOICES).render("assignee", value, {"id": "f-a"})
        fast_markup = FastSelect(choices=CHOICES).render("assignee", value, {"id": "f-a"})
        assert _options(fast_markup) == _options(django_markup), value
        assert _select_tag(fast_markup) == _select_tag(django_markup)
    assert ("ann", True, "Ann &lt;A&amp;B&gt;") in _options(
        FastSelect(choices=CHOICES).render("assignee", "ann")
    )
