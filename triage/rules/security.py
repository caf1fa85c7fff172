"""Security reports (playbook check 3): auth bypass, data exposure, leaked credentials, suspicious
access. A match flags the ticket as security; severity, escalation and the no-questions-by-email
policy follow from it in their own modules."""

from __future__ import annotations

from dataclasses import dataclass

from .rule import Rule, all_of, any_of, first_match, matches, none_of
from .text import Text

# Someone the customer does not know, and activity they did not do.
_UNKNOWN_ACTOR = matches(
    r"\b(unknown|unrecogni[sz]ed|unfamiliar|suspicious|strange|foreign) (ips?|ip address(es)?"
    r"|logins?|activity|calls|requests|users?|devices?|locations?)\b"
)
_NOT_US = matches(
    r"we (did not|didn't|never) (do|make|made|send|sent|run|create|authori[sz]e)"
    r"|(team|we) (is|are) not running|nobody (on|in) our team|not (made|done) by (us|anyone)"
    r"|nobody (here|on our side|at our company|in our company)|none of us"
)
# A secret and somewhere it should never be.
_SECRET = r"(api key|secret|credentials?|sk_live|access token|password)"
_EXPOSED_WHERE = (
    r"(plain ?text|log files?|public|leaked|exposed|shared with|pasted|pushed|committed|printed"
    r"|visible|browser|github|gitlab|slack|pastebin|screenshot|forum)"
)
# Being able to do what the customer's role or account should not allow.
_BEYOND_PERMISSION = all_of(
    matches(
        r"\b(could|can|was able to|were able to|able to)\b[^.]{0,40}\b(access|call|read"
        r"|see|view|delete|modify|change|download)\b"
    ),
    matches(
        r"should (be|have been) (forbidden|denied|rejected|blocked)|should not be "
        r"(allowed|possible)|read-only[^.]{0,30}(key|member|user|role)|not (mine|ours)"
        r"|another (customer|organi[sz]ation|tenant|account)|admin endpoint|as a normal user"
    ),
)

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
            r"|(somebody|someone) (changed|created|deleted|added|withdrew|transferred|moved)"
            r"|we (did not|didn't|never) (make|made|send|sent|authori[sz]e) (these|those|them)"
            r"|(key|account|token) is being (abused|misused|used by someone)"
            r"|abus(e|ing) our (key|account)"
        ),
    ),
    Rule(
        name="Security: activity nobody on the customer's side made",
        looks_for="an unknown IP, login or user together with activity the customer did not do",
        outcome="suspicious_access",
        source=SOURCE,
        test=any_of(all_of(_UNKNOWN_ACTOR, _NOT_US), all_of(_NOT_US, matches(r"audit log"))),
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
            r"|(data|records|statements|invoices|files|documents|emails|orders|messages)"
            r" (of|from|belonging to) (other|another) (accounts?|customers?|tenants?|companies"
            r"|organi[sz]ations?|users)"
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
            rf"|{_SECRET}[^.]{{0,60}}\b{_EXPOSED_WHERE}|\b{_EXPOSED_WHERE}[^.]{{0,60}}{_SECRET}"
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
    Rule(
        name="Security: the words of an attack or a breach",
        looks_for="vulnerability, breach, hacked, compromised, stolen, phishing, exploit, fraud...",
        outcome="vulnerability",
        source=SOURCE,
        # Last, and broad on purpose: a missed security report costs more than an agent
        # clearing a flag (recall first). A "401 Unauthorized" or a memory leak is not meant.
        test=all_of(
            matches(
                r"\b(vulnerab\w*|breach(ed|es)?|hack(ed|er|ers)|compromised|stolen|phishing"
                r"|malicious|attack(er|ers|ed)|exploit(ed|ing)?|intrud\w*|intrusion|fraudulent"
                r"|brute[- ]force|credential stuffing|impersonat\w*|leak(ed|s|ing)?"
                r"|unauthori[sz]ed (access|use|calls|requests|logins?|users?|activity"
                r"|part(y|ies)))\b"
            ),
            none_of(matches(r"memory leak")),
        ),
    ),
    Rule(
        name="Security: access beyond the caller's permission",
        looks_for="being able to read or change what the key's role or account should not allow",
        outcome="vulnerability",
        source=SOURCE,
        test=_BEYOND_PERMISSION,
    ),
)

# Kinds where harm is already happening: the playbook's P1 "breach ... actively exploited".
ACTIVE = ("suspicious_access", "data_exposure")
# A finder reporting a hole they tried on their own accounts: a vulnerability, not yet a breach.
_DISCLOSURE = matches(
    r"responsible disclosure|reporting a vulnerability|i (think i )?found|tested (it )?with"
    r"|our own test accounts|i could (read|access|impersonate)|i can (read|access|see)"
    r"|checked with my own account|(might|may) be a (privacy|security)|we tried|we tested"
    r"|if you guess|by guessing"
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
