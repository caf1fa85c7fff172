from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.utils import html as django_html
from django.utils.safestring import SafeString, mark_safe

from helpdesk import markup


@pytest.mark.parametrize(
    "value",
    [
        '<a href="x">&\'',
        "plain",
        42,
        None,
        datetime(2026, 1, 2, 3, 4, tzinfo=UTC),
        mark_safe("<b>"),
    ],
)
def test_format_html_escapes_as_django_does(value):
    template = '<td title="{}">{name}</td>'
    ours = markup.format_html(template, value, name=value)
    assert ours == django_html.format_html(template, value, name=value)
    assert isinstance(ours, SafeString)


def test_join_keeps_safe_parts_and_escapes_the_rest():
    assert markup.join([mark_safe("<i>a</i>"), "<b>"]) == "<i>a</i>&lt;b&gt;"
