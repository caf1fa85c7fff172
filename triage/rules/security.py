"""Security reports (playbook check 3): auth bypass, data exposure, leaked credentials, suspicious
access. A match flags the ticket as security; severity, escalation and the no-questions-by-email
policy follow from it in their own modules."""

from __future__ import annotations

from dataclasses import dataclass

from .rule import Rule, first_match, matches
from .text import Text

SOURCE = "Playbook, initial assessment 3: 'Is this a security issue?' (auth bypass, data leakage)"

# Order matters only for which kind is named: the most severe reading first.
RULES = (
    Rule(
        name="Security: suspicious access",
        looks_for="activity on the account the customer did not make, unknown IPs or users",
        outcome="suspicious_access",
        source=SOURCE,
        test=matches(
            r"unauthori[sz]ed access|suspicious (access|logins?|activity)"
            r"|(calls|requests|logins?|activity)[\w ]{0,30} we (did not|didn't|never)"
            r" (make|made|do)"
            r"|we (never|did not|didn't) create|someone (is )?(using|downloading|accessing) our"
            r"|from (unknown|unfamiliar|unrecogni[sz]ed) ips?"
            r"|ips? in a (country|hosting provider) we"
            r"|ip( address)?(es)? we (don't|do not) (recogni[sz]e|know|use)"
            r"|(changes|actions|calls|logins?) we (did not|didn't|never) (do|make|made)"
            r"|nobody (on|in) our team|not (made|done) by (us|anyone)"
            r"|(payout|transfer|charge|withdrawal)s? we (did not|didn't|never)"
            r"|we never created that|account we (don't|do not) own"
            r"|we (did not|didn't|never) (make|made|send|sent|authori[sz]e) (these|those|them)"
            r"|(key|account|token) is being (abused|misused|used by someone)"
            r"|abus(e|ing) our (key|account)"
        ),
    ),
    Rule(
        name="Security: data exposure",
        looks_for="one customer's data shown to another",
        outcome="data_exposure",
        source=SOURCE,
        test=matches(
            r"belong(ing)? to (another|other) (compan|customer|organi[sz]ation|account|tenant)"
            r"|(another|other) (company|customer|tenant)('s|s') (data|records|invoices|tickets)"
            r"|cross-account (data )?(exposure|leak)|\bdata (leak|exposure|breach)\b"
            r"|\bidor\b|privacy (problem|issue|breach)|outside our organi[sz]ation"
            r"|(accounts?|customers?|organi[sz]ations?|tenants?) that (are|is) not (mine|ours)"
            r"|(data|records|statements|invoices) (of|from) other (accounts|customers|tenants)"
        ),
    ),
    Rule(
        name="Security: leaked credentials",
        looks_for="an API key or secret made public or exposed",
        outcome="leaked_credentials",
        source=SOURCE,
        test=matches(
            r"(leaked|exposed|pushed|committed|published|embedded|shipped with)[^.]{0,80}"
            r"(api key|secret|credential|sk_live)"
            r"|(api key|secret|credentials?)[^.]{0,40}\b(leaked|exposed|public)\b"
            r"|(secret|api) key[^.]{0,40}(to the browser|in the browser|client-side"
            r"|in our frontend)"
            r"|anyone[^.]{0,60}could have (copied|used|seen) (it|the key|our key)"
        ),
    ),
    Rule(
        name="Security: authentication bypass or vulnerability",
        looks_for="access without valid credentials, or a reported vulnerability",
        outcome="vulnerability",
        source=SOURCE,
        test=matches(
            r"(auth(entication)?|authori[sz]ation) bypass|\bbypass(es|ed)? (the )?auth"
            r"|empty token|alg \"?none|impersonate|security (hole|vulnerability|issue|flaw)"
            r"|responsible disclosure|privilege escalation|security report|account takeover"
            r"|security (vulnerability|problem)|\b(hacked|compromised)\b"
            r"|(still valid|keeps working) after (logout|logging out|revocation|rotation|deletion)"
            r"|take over (the|an|any|their|other) accounts?|\b(xss|csrf|ssrf|sql injection)\b"
            r"|^security:|vulnerabilit|accepted (by|for)[^.]{0,60}(different|another) "
            r"(organi[sz]ation|tenant|account)"
        ),
    ),
)

# Kinds where harm is already happening: the playbook's P1 "breach ... actively exploited".
ACTIVE = ("suspicious_access", "data_exposure")
# A finder reporting a hole they tried on their own accounts: a vulnerability, not yet a breach.
_DISCLOSURE = matches(
    r"responsible disclosure|reporting a vulnerability|i (think i )?found|tested (it )?with"
    r"|our own test accounts|i could (read|access|impersonate)|i can (read|access|see)"
    r"|checked with my own account|(might|may) be a (privacy|security)"
)


@dataclass(frozen=True)
class SecurityFinding:
    kind: str
    reason: str

    @property
    def active(self) -> bool:
        return self.kind in ACTIVE


def detect(text: Text) -> SecurityFinding | None:
    found = first_match(RULES, text)
    if found is None:
        return None
    rule, evidence = found
    if rule.outcome == "data_exposure" and _DISCLOSURE(text):
        rule = RULES[-1]
    return SecurityFinding(kind=rule.outcome, reason=rule.reason(evidence))
