"""A readable diff between two revisions of an article, line by line, side by side.

Rows carry plain strings; the template escapes them, so a diff of hostile text shows the text.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass


@dataclass(frozen=True)
class Row:
    kind: str  # "same", "changed", "added", "removed", "skip"
    left_no: int | None
    left: str
    right_no: int | None
    right: str


def side_by_side(before: str, after: str, *, context: int = 3) -> list[Row]:
    """Rows for a two-column diff; unchanged stretches longer than `context` lines either side of
    a change collapse into one "skip" row."""
    a, b = before.splitlines(), after.splitlines()
    rows: list[Row] = []
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    for group in matcher.get_grouped_opcodes(context):
        if rows:
            rows.append(Row("skip", None, "", None, ""))
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                rows += [
                    Row("same", i + 1, a[i], j + 1, b[j])
                    for i, j in zip(range(i1, i2), range(j1, j2), strict=True)
                ]
            elif tag == "delete":
                rows += [Row("removed", i + 1, a[i], None, "") for i in range(i1, i2)]
            elif tag == "insert":
                rows += [Row("added", None, "", j + 1, b[j]) for j in range(j1, j2)]
            else:
                left, right = list(range(i1, i2)), list(range(j1, j2))
                for n in range(max(len(left), len(right))):
                    i = left[n] if n < len(left) else None
                    j = right[n] if n < len(right) else None
                    rows.append(
                        Row(
                            "changed",
                            None if i is None else i + 1,
                            "" if i is None else a[i],
                            None if j is None else j + 1,
                            "" if j is None else b[j],
                        )
                    )
    return rows
