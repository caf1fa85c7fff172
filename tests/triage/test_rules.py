"""Properties of the rules the corpus alone would not pin down."""

from __future__ import annotations

import pytest

from triage.rules import analyse, info_request
from triage.rules.catalogue import RULEBOOK


@pytest.mark.parametrize(
    ("calm", "loud"),
    [
        (
            ("Webhook event types", "Where can I find the list of webhook event types?"),
            (
                "URGENT!!! webhook event types",
                "URGENT!!!! WHERE is the list of webhook event "
                "types??? We need it NOW, this is unacceptable!!!",
            ),
        ),
        (
            (
                "Authentication",
                "Since 13:05 UTC all requests return 401 with every one of our "
                "keys in production, request id req_1.",
            ),
            (
                "AUTH DOWN!!!",
                "Since 13:05 UTC all requests return 401 with every one of our "
                "keys in production, request id req_1. FIX THIS NOW, we are furious!!!",
            ),
        ),
    ],
)
def test_tone_never_moves_severity(calm, loud):
    quiet = analyse(title=calm[0], description=calm[1])
    angry = analyse(title=loud[0], description=loud[1])
    assert angry.severity == quiet.severity


def test_a_calm_report_of_authentication_fully_down_is_p1_with_the_rule_named():
    result = analyse(
        title="A note on authentication",
        description="Calmly: since 07:50 UTC nobody can log in, POST /v1/auth/token answers 401 "
        "for all of our users, request id req_7x.",
    )
    assert result.severity == "P1"
    assert result.category == "authentication"
    assert result.escalate == "always"
    assert result.reasons["severity"] == ["Playbook P1: authentication fully down ('nobody can')"]


def test_a_security_report_is_never_closed_nor_asked_for_details():
    # A leaked key that is also a config-looking 401 with a vague description.
    result = analyse(
        title="Leaked key, now 401",
        description="We leaked our API key on a public repo; it doesn't work now, 401 Invalid API "
        "key after we pasted it with a trailing space.",
    )
    assert result.security is True
    assert result.close_as is None
    assert result.reply_template == ""
    assert result.needs_info == ()
    assert result.escalate == "always"
    assert result.reasons["security"] == [
        "Security: leaked credentials ('leaked key, now 401 we leaked our api key')"
    ]


def test_missing_items_fill_the_playbook_template_in_its_order():
    result = analyse(
        title="getting 500 errors",
        description="we are getting 500 errors sometimes in production. please advise",
    )
    assert result.needs_info == ("timestamp", "request_id", "frequency", "endpoint")
    assert result.info_request.splitlines()[0] == (
        "Thank you for reporting this issue. To investigate further, we need:"
    )
    assert [line.split("**")[1] for line in result.info_request.splitlines()[2:]] == [
        "Timestamp",
        "Request ID",
        "Reproducibility",
        "Request Details",
    ]
    assert info_request([]) == ""
    assert info_request(["endpoint", "timestamp"]).count("\n1. **Timestamp**") == 1


def test_a_close_as_carries_the_playbook_template_with_the_explanation():
    result = analyse(
        title="401 after copying key",
        description="Every call returns 401 since 14:30; the key in our .env ends with a "
        "trailing space.",
    )
    assert result.close_as == "config_error"
    assert result.severity == "P3"
    assert result.needs_info == ()
    assert result.reply_template.startswith(
        "This appears to be a configuration issue rather than a platform bug. The API key in "
        "your configuration contains whitespace"
    )


def test_the_error_signature_ignores_ids_and_numbers():
    one = analyse(
        title="PATCH fails",
        description='PATCH /v1/customers/8812?expand=x returns 500 {"detail": "lock timeout '
        'after 30s on row 991"} req_ab12',
    )
    two = analyse(
        title="customers",
        description='PATCH /v1/customers/17 -> 500 {"detail": "Lock timeout after 5s on row 3"}',
    )
    assert one.signature.endpoint == two.signature.endpoint == "PATCH /v1/customers/{id}"
    assert one.signature.message == two.signature.message == "lock timeout after #s on row #"
    assert one.signature.status_code == two.signature.status_code == "500"
    three = analyse(
        title="Customer update broken",
        description='PATCH /v1/customers/5 answers 500 Internal Server Error "Lock timeout after '
        '9s on row 12" every time',
    )
    assert three.signature == two.signature
    assert one.signature.request_id == "req_ab12"
    assert two.signature.request_id == ""


def test_every_rule_names_what_it_looks_for_and_its_playbook_source():
    names = [rule.name for rules in RULEBOOK.values() for rule in rules]
    assert len(names) == len(set(names)) > 60
    for rules in RULEBOOK.values():
        for rule in rules:
            assert rule.looks_for
            assert rule.outcome
            assert rule.source.startswith(("Playbook", "DESIGN.md")), rule.name


def test_analyse_is_deterministic_and_reads_no_database():
    # No django_db mark: any query here would raise.
    args = {"title": "API slow", "description": "The API is 3x slower than our baseline."}
    assert analyse(**args) == analyse(**args)


def test_documentation_said_to_be_wrong_is_a_documentation_bug_not_expected_behaviour():
    result = analyse(
        title="Docs wrong status",
        description="The docs say DELETE /v1/tags/{id} returns 200 but it returns 204. The docs "
        "are incorrect.",
    )
    assert (result.category, result.issue_type, result.severity) == ("documentation", "bug", "P3")
    assert result.close_as is None


def test_security_words_flag_a_report_but_look_alikes_do_not():
    flagged = analyse(
        title="Possible vulnerability in export",
        description="The export link works without logging in; anyone can download our list.",
    )
    assert flagged.security is True
    for title, description in [
        ("401 Unauthorized", "All calls answer 401 Unauthorized since 10:00; our key expired."),
        ("SDK leaks memory", "The Node SDK 5.3.0 has a memory leak in our worker."),
        ("SOC 2", "Our security team asks for your SOC 2 report. Where can we get it?"),
    ]:
        assert analyse(title=title, description=description).security is False, title


def test_an_endpoint_given_as_an_example_of_every_request_failing_is_still_an_outage():
    whole = analyse(
        title="All our API calls return 500 since 01:00 UTC",
        description=(
            "Since 01:00 UTC every request we make to the API fails with a 500. Our checkout "
            "is down.\n\nExample: `GET /v1/orders?status=open` at 01:14 UTC, request id "
            "`req_a52c0e049891ff140fd1`."
        ),
    )
    one = analyse(
        title="Orders endpoint returns 500",
        description=(
            "Every request to GET /v1/orders fails with a 500 since 01:00 UTC, request id "
            "`req_a52c0e049891ff140fd1`. Other endpoints work."
        ),
    )
    assert (whole.severity, one.severity) == ("P1", "P2")
