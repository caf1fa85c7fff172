"""The playbook's communication rules on reply drafts: pure checks, one parametrized test."""

from __future__ import annotations

import pytest

from triage.reply_checks import check_reply

GOOD = (
    "Hi Dana, thanks for the details on SUP-1042. I'll escalate this to our engineering team "
    "now. Next update within 2 hours."
)

CASES = [
    ("", False, set()),
    (GOOD, False, set()),
    (GOOD + " This will be fixed by Friday.", False, {"fix_date"}),
    (GOOD + " The fix should ship next week.", False, {"fix_date"}),
    (GOOD + " This will be fixed by Friday.", True, set()),  # engineering committed
    (GOOD + " It is a bug in our code.", False, {"our_bug"}),
    (GOOD + " This is a bug.", False, {"our_bug"}),
    (GOOD + " A bug in our code caused it.", True, set()),
    (GOOD + " Changing that is impossible.", False, {"impossible"}),
    (GOOD + " Honestly I don't know why.", False, {"dont_know"}),
    ("I'll look into SUP-1042. Next update within 2 hours.", False, set()),
    ("Thanks. I'll look into it. Next update within 2 hours.", False, {"reference"}),
    ("SUP-1042 received. Next update by 14:00 UTC.", False, {"next_steps"}),
    ("SUP-1042: I'll escalate this to engineering.", False, {"next_update"}),
    ("Thanks for SUP-1042.", False, {"next_steps", "next_update"}),
    # Words that merely look alike.
    (GOOD + " The bug bounty programme is documented here.", False, set()),
    (GOOD + " Was it fixed by the retry?", False, set()),
]


@pytest.mark.parametrize(("body", "confirmed", "expected"), CASES)
def test_reply_checks(body, confirmed, expected):
    found = check_reply(body=body, ticket_key="SUP-1042", engineering_confirmed=confirmed)
    assert {w.code for w in found} == expected
