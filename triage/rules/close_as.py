"""Close-as suggestions (playbook: 'When to Close as Configuration / Expected Behavior').

Each rule carries the explanation that fills the playbook's reply template. Security reports
never get one (DESIGN.md section 7); known issues are matched against kb by the pipeline.
"""

from __future__ import annotations

from dataclasses import dataclass

from .rule import Rule, all_of, first_match, matches, none_of
from .text import Text

CONFIG = "Playbook, close as configuration error"
EXPECTED = "Playbook, close as expected behavior"

CONFIG_TEMPLATE = (
    "This appears to be a configuration issue rather than a platform bug. {explanation} Please "
    "review our documentation at [link] and try again. If you continue to experience issues after "
    "making these changes, please reopen this ticket with the updated request details."
)
EXPECTED_TEMPLATE = (
    "This is expected behavior based on our API design. {explanation} Our documentation at [link] "
    "explains this behavior in detail. If you have concerns about this design decision, please "
    "let us know and we can discuss alternatives or raise as a feature request."
)

# The customer asks whether what they saw is right, rather than reporting it broken.
_ASKS_IF_INTENDED = matches(
    r"intended|on purpose|supposed to|is (this|that|\d{3}) (correct|right|normal|a bug)"
    r"|shouldn't|should (it|the|this)|is something wrong|is the api broken|how it should be"
    r"|why (not|does|do)|do we need to|expected \d{3}|is this how|instead of (200|404)"
    r"|is (that|this|it) (expected|normal)|is this the expected|expected (validation|behaviou?r)"
)
_CUSTOMER_SAYS_DOCS_DIFFER = matches(
    r"listed as supported|according to the doc|matches the documented"
    r"|documented as (allowed|supported|valid)"
    r"|docs? (say|says|show|shows|state)[^.]{0,40}(allowed|accepted|supported|valid)"
)

CONFIG_RULES = (
    Rule(
        name="Close as configuration error: whitespace in the API key",
        looks_for="a trailing or leading space or newline in the key",
        outcome="The API key in your configuration contains whitespace (a space or newline "
        "copied with it); remove it so the key is sent exactly as shown in the dashboard.",
        source=f"{CONFIG}: API key missing or malformed; categories: '401 after copy-paste'",
        test=matches(
            r"(trailing|leading) (space|whitespace|newline)|whitespace in (the|our) key"
            r"|(newline|space|whitespace) at the (end|start|beginning)"
            r"|(appends?|adds?) a (newline|space)[^.]{0,30}(key|secret|token)"
        ),
    ),
    Rule(
        name="Close as configuration error: malformed Authorization header",
        looks_for="the key in quotes, in the wrong header, without 'Bearer ' or in the query",
        outcome="The API key is not sent in the documented form: use the header "
        "'Authorization: Bearer <key>', with no quotes or other prefix.",
        source=f"{CONFIG}: API key missing or malformed",
        test=matches(
            r"key in quotes|wraps? the key in quotes|bearer \"sk_|bearer: |without \"?bearer"
            r"|x-api-token|in the query string|\?key=|malformed authorization|api key missing"
            r"|instead of bearer|as \"token |quot(es|ed)[^.]{0,30}(key|token)"
            r"|strips the \"?bearer|raw key is sent|without the bearer"
            r"|forgot to (set|send|add) the (authorization|api key|key)"
            r"|missing (the )?authorization header"
        ),
    ),
    Rule(
        name="Close as configuration error: expired API key",
        looks_for="an expired or trial key named by the error",
        outcome="The API key you are using has expired; create a new key in the dashboard and "
        "replace the old one.",
        source=f"{CONFIG}: API key missing or malformed; auto-resolve: expired token",
        test=matches(
            r"token_expired|key_expired|key has expired|expired (api )?key|trial key"
            r"|(old|revoked) (api )?key|key (was|has been) revoked"
        ),
    ),
    Rule(
        name="Close as configuration error: key of the wrong environment",
        looks_for="a test or staging key used against production",
        outcome="The key belongs to the test/staging environment but the request goes to "
        "production; each environment needs its own key.",
        source=f"{CONFIG}: authentication to wrong environment (staging vs production)",
        test=matches(
            r"sk_test\w*[^.]{0,80}production|production[^.]{0,80}sk_test|key from our staging"
            r"|belongs to test mode|test key in prod|staging key against production"
            r"|test key used in live|key from the sandbox|copied the key from the sandbox"
            r"|belongs to (test|live) mode|live key[^.]{0,40}sandbox|sandbox[^.]{0,60}live key"
        ),
    ),
    Rule(
        name="Close as configuration error: key lacks the scope",
        looks_for="an insufficient_scope error",
        outcome="The key lacks the scope this endpoint requires; add the scope to the key (or "
        "use a key that has it) in the dashboard.",
        source=f"{CONFIG}: API key missing or malformed; categories: 'role/permission mismatch'",
        test=matches(r"insufficient_scope|key lacks [\w:]+"),
    ),
    Rule(
        name="Close as configuration error: wrong Content-Type",
        looks_for="415, or a body sent as form data, XML or plain text",
        outcome="The request body is not sent as JSON: send it with 'Content-Type: "
        "application/json'.",
        source=f"{CONFIG}: incorrect Content-Type header",
        test=matches(
            r"\b415\b|unsupported media type|content-type: ?(application/x-www-form-urlencoded"
            r"|text/plain|application/xml|multipart/form-data)"
        ),
    ),
    Rule(
        name="Close as configuration error: body is not valid JSON",
        looks_for="a 400 for malformed JSON, a trailing comma",
        outcome="The request body is not valid JSON (for example a trailing comma); send a "
        "body that a JSON parser accepts.",
        source=f"{CONFIG}: request body does not match documented schema (malformed request)",
        test=matches(r"malformed json|invalid json|trailing comma|json parse error"),
    ),
    Rule(
        name="Close as configuration error: wrong base URL",
        looks_for="404 on a base URL or API version that does not exist",
        outcome="The requests go to a base URL or API version that does not exist; the API is "
        "served under /v1.",
        source=f"{CONFIG}: authentication to wrong environment (base URL)",
        test=all_of(
            matches(r"\b404\b"),
            matches(r"/v[2-9]\b|base url|wrong (url|host)"),
        ),
    ),
    Rule(
        name="Close as configuration error: rate limit exceeded",
        looks_for="429 while sending more than the plan allows, in parallel or without backoff",
        outcome="Your client sends more requests than your plan's documented rate limit; slow "
        "down, honour the Retry-After header and back off before retrying.",
        source=f"{CONFIG}: rate limit exceeded (unless limits seem incorrect)",
        test=all_of(
            matches(r"\b429\b|rate limit(ed)? exceeded|too many requests|rate limited"),
            matches(
                r"our plan (allows|is)|\d+ (requests |times |calls )?(per|a|each) (second|minute)"
                r"|in parallel"
                r"|parallel (workers|requests)|without backoff|\d+ workers"
            ),
        ),
    ),
    Rule(
        name="Close as configuration error: body does not match the schema",
        looks_for="a 422 naming a field, where the customer says what they send",
        outcome="The request body does not match the documented schema: the field named in the "
        "422 response has the wrong name or type.",
        source=f"{CONFIG}: request body does not match documented schema",
        test=all_of(
            matches(r"\b422\b"),
            matches(
                r"\bwe (send|pass|post)\b|our code sends|we are sending"
                r"|not a valid (integer|decimal|number)|field required"
            ),
            none_of(_CUSTOMER_SAYS_DOCS_DIFFER),
        ),
    ),
)

EXPECTED_RULES = (
    Rule(
        name="Expected behavior: 201 Created for POST",
        looks_for="a question why a create answers 201 rather than 200",
        outcome="A POST that creates a resource answers 201 Created, as the HTTP specification "
        "says; any 2xx status means success.",
        source=f"{EXPECTED}: 201 for POST creates (not 200)",
        test=all_of(matches(r"\b201\b"), matches(r"\b200\b|success")),
    ),
    Rule(
        name="Expected behavior: 204 No Content for DELETE",
        looks_for="a question about an empty 204 answer to a delete",
        outcome="A successful DELETE answers 204 No Content with an empty body, as the HTTP "
        "specification says.",
        source=f"{EXPECTED}: 204 for DELETE (not 200)",
        test=all_of(matches(r"\b204\b"), matches(r"delet")),
    ),
    Rule(
        name="Expected behavior: 403 for another account's resource",
        looks_for="a question why a resource of another account answers 403, not 404",
        outcome="A resource that exists but is not visible to your key answers 403 Forbidden.",
        source=f"{EXPECTED}: 403 for existing-but-not-visible resources (not 404)",
        test=all_of(matches(r"\b403\b"), matches(r"\b404\b|not found")),
    ),
    Rule(
        name="Expected behavior: 422 for an empty body",
        looks_for="422 on a request sent without a body",
        outcome="This endpoint requires a JSON body; send {} to accept every default.",
        source=f"{EXPECTED}: empty body returning 422 when JSON body required",
        test=all_of(
            matches(r"\b422\b"),
            matches(r"empty body|without a body|no payload|no body|body is empty"),
        ),
    ),
    Rule(
        name="Expected behavior: validation rejecting invalid data",
        looks_for="a question whether a 422 on invalid or differently-cased data is intended",
        outcome="The API validates input and answers 422 with the field and the rule it broke "
        "when a value is invalid (including enum values, which are case-sensitive).",
        source=f"{EXPECTED}: validation rejecting invalid data",
        test=all_of(matches(r"\b422\b"), _ASKS_IF_INTENDED),
    ),
    Rule(
        name="Expected behavior: rate limiting as documented",
        looks_for="a question whether a 429 with Retry-After is how the limit should work",
        outcome="Requests above your plan's rate limit answer 429 Too Many Requests with a "
        "Retry-After header saying when to try again; this protects every customer's traffic.",
        source=f"{EXPECTED}: rate limiting working as documented",
        test=all_of(matches(r"\b429\b|rate limit"), _ASKS_IF_INTENDED),
    ),
    Rule(
        name="Expected behavior: an empty list is a success",
        looks_for="a question whether an empty list should be a 404",
        outcome="A list with no matching items answers 200 with an empty list; 404 is for a "
        "single resource that does not exist.",
        source=f"{EXPECTED}: status codes that differ from customer expectation but match HTTP "
        "spec",
        test=all_of(matches(r"empty (list|array|result)"), matches(r"\b404\b"), _ASKS_IF_INTENDED),
    ),
    Rule(
        name="Expected behavior: documented status code",
        looks_for="a question whether a 409 conflict or a redirect is intended",
        outcome="The API answers with this status by design (409 for a conflict with an "
        "existing resource; a redirect to the canonical URL).",
        source=f"{EXPECTED}: status codes that differ from expectation but match HTTP spec",
        test=all_of(matches(r"\b(409|301|302|307)\b"), _ASKS_IF_INTENDED),
    ),
)


# The product area of each rule's cause (DESIGN.md 7: status-code semantics and payloads are
# validation, keys and visibility authentication, rate limits performance).
CATEGORY = {
    **{rule.name: "authentication" for rule in CONFIG_RULES[:5]},
    CONFIG_RULES[5].name: "validation",
    CONFIG_RULES[6].name: "validation",
    CONFIG_RULES[7].name: "other",
    CONFIG_RULES[8].name: "performance",
    CONFIG_RULES[9].name: "validation",
    **{rule.name: "validation" for rule in EXPECTED_RULES},
    EXPECTED_RULES[2].name: "authentication",
    EXPECTED_RULES[5].name: "performance",
    EXPECTED_RULES[6].name: "validation",
}


@dataclass(frozen=True)
class CloseAs:
    value: str  # "config_error" | "expected_behaviour"
    reason: str
    reply_template: str
    category: str
    category_reason: str


def detect(text: Text) -> CloseAs | None:
    found = first_match(EXPECTED_RULES, text)
    if found:
        rule, evidence = found
        reply = EXPECTED_TEMPLATE.format(explanation=rule.outcome)
        return CloseAs("expected_behaviour", rule.reason(evidence), reply, *_category(rule))
    found = first_match(CONFIG_RULES, text)
    if found:
        rule, evidence = found
        reply = CONFIG_TEMPLATE.format(explanation=rule.outcome)
        return CloseAs("config_error", rule.reason(evidence), reply, *_category(rule))
    return None


def _category(rule: Rule) -> tuple[str, str]:
    category = CATEGORY[rule.name]
    return category, f"Category {category}: the area of '{rule.name}' (DESIGN.md 7)"
