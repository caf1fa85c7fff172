"""Category and issue type of a failure report, and its environment.

Category is the product area of the cause, not of the symptom (DESIGN.md section 7): rate limits
are performance, payloads and headers validation, SDKs, webhooks and OAuth apps integration,
401/403 and keys authentication, whole-service availability other.
"""

from __future__ import annotations

from .rule import Rule, first_match, matches
from .text import Text

DESIGN = "DESIGN.md 7: category is the product area of the cause"

RULES = (
    Rule(
        "Category performance: rate limiting",
        "429 or a rate limit",
        "performance",
        f"{DESIGN} (rate limits and 429s are performance)",
        matches(r"\b429\b|rate limit|too many requests"),
    ),
    Rule(
        "Category integration: a third-party plugin or connector",
        "a plugin, connector or no-code integration between the customer and the API",
        "integration",
        f"{DESIGN} (SDKs, webhooks and OAuth apps are integration)",
        matches(
            r"plugin|zapier|woocommerce|shopify|make\.com|connector|\bmodule\b"
            r"|\bintegration v?\d+\.\d+"
        ),
    ),
    Rule(
        "Category validation: request rejected as invalid",
        "422/415, Content-Type, schema or field errors",
        "validation",
        f"{DESIGN} (payloads, headers, Content-Type are validation)",
        matches(
            r"\b(422|415)\b|content-type|json decode|schema|field required|not a valid"
            r"|validation"
        ),
    ),
    Rule(
        "Category integration: SDK, webhook, library or OAuth app",
        "an SDK, webhooks, a third-party library or connector, an OAuth app",
        "integration",
        f"{DESIGN} (SDKs, webhooks and OAuth apps are integration)",
        matches(
            r"webhook|\bsdk\b|\bgem\b|librar(y|ies)|zapier|make\.com|oauth (app|flow|login)"
            r"|passport|oauthlib|plugin|\bmodule\b"
            r"|\b(go|java|node|python|ruby|php|\.net|c#) (client|library|sdk|package)"
            r"|\b(your|the) [\w.-]+ (package|client library)\b"
        ),
    ),
    Rule(
        "Category authentication: keys, tokens, 401/403",
        "401/403, API keys, tokens, logins, scopes",
        "authentication",
        f"{DESIGN} (authentication)",
        matches(
            r"\b40[13]\b|api keys?|\btokens?\b|unauthori[sz]ed|authenticat|credential|scope"
            r"|\bsso\b|saml|log ?in"
        ),
    ),
    Rule(
        "Category performance: slow, timing out or hanging",
        "latency, timeouts, hangs",
        "performance",
        f"{DESIGN} (performance)",
        matches(
            r"slow|latency|time ?out|timing out|\bhang|sluggish|stuck|\b504\b|takes? (over )?\d+"
            r"|performance|\bp9\d\b|\d+ ?ms\b"
        ),
    ),
    Rule(
        "Category validation: failure on the shape of the input",
        "a failure tied to characters, lengths, numbers or dates in the request",
        "validation",
        f"{DESIGN} (payloads are validation)",
        matches(
            r"apostrophe|accent|special char|emoji|unicode|newline|more than \d+ char|postcode"
            r"|(plus|hash|percent|at) sign|ampersand|umlaut|non-ascii|longer than \d+ char|hyphen"
            r"|decimal|big number|\d{9,}|\b1e-?\d+|\d{4}-\d{2}-\d{2}t|instead of (a )?(422|valid)"
            r"|not 422|expected a 422|\bleap\b"
        ),
    ),
    Rule(
        "Category other: no product area named",
        "anything else (availability, data, billing)",
        "other",
        f"{DESIGN} (availability of whole services, billing and account matters are other)",
        lambda text: " ",
    ),
)

_ENVIRONMENTS = (
    Rule(
        "Environment production",
        "production, prod or live",
        "production",
        "Playbook classification: environment",
        matches(
            r"\bproduction\b|\bprod\b|\blive[- ](mode|environment|key|secret)"
            r"|our (users|customers) (complain|are affected|cannot|can't)"
        ),
    ),
    Rule(
        "Environment staging",
        "staging",
        "staging",
        "Playbook classification: environment",
        matches(r"\bstaging\b"),
    ),
    Rule(
        "Environment development",
        "localhost, a laptop or a local development setup",
        "development",
        "Playbook classification: environment",
        matches(r"localhost|\blocal (dev|machine|setup)|laptop|dev machine|development env"),
    ),
)


def detect(text: Text) -> tuple[Rule, str]:
    found = first_match(RULES, text)
    assert found is not None
    return found


def environment(text: Text) -> tuple[str, str]:
    """(environment, reason); 'unknown' when the report names none."""
    found = first_match(_ENVIRONMENTS, text)
    if found is None:
        return "unknown", "Environment unknown: the report names no environment"
    rule, evidence = found
    return rule.outcome, rule.reason(evidence)
