"""Ticket and comment text for the scale dataset.

The vocabulary comes from the playbook (seed 003) and the other seeds: HTTP status codes, API
keys and OAuth, SSO, webhooks, pagination, latency, SDK versions, endpoints, request ids. Every
list is drawn from with Zipf weights (the first entries are the common ones) and templates are
filled with composed identifiers (endpoints, fields, customer systems, ids), so full-text search
and trigram matching meet thousands of distinct words with a long tail, as in a real queue.
"""

from __future__ import annotations

import html
import random
from bisect import bisect
from collections.abc import Sequence
from itertools import accumulate


class Weighted:
    """Pick from a list with fixed weights (rng.choices recomputes them on every call)."""

    __slots__ = ("items", "cum", "total")

    def __init__(self, items: Sequence, weights: Sequence[float]):
        self.items = list(items)
        self.cum = list(accumulate(weights))
        self.total = self.cum[-1]

    def __call__(self, rng: random.Random):
        return self.items[bisect(self.cum, rng.random() * self.total)]


class Zipf(Weighted):
    """Weight 1/(rank+1)**s: the head of the list is common, the tail is rare."""

    __slots__ = ()

    def __init__(self, items: Sequence, s: float = 1.0):
        super().__init__(items, [1.0 / (rank + 1) ** s for rank in range(len(items))])


def _words(text: str) -> list[str]:
    return text.split()


# --- people and organisations ---------------------------------------------------------------

FIRST_NAMES = _words("""
James Mary Robert Patricia John Jennifer Michael Linda David Elizabeth William Barbara Richard
Susan Joseph Jessica Thomas Sarah Charles Karen Daniel Lisa Matthew Nancy Anthony Betty Mark
Sandra Donald Ashley Steven Emily Paul Kimberly Andrew Donna Joshua Michelle Kenneth Carol Kevin
Amanda Brian Melissa George Deborah Timothy Stephanie Ronald Rebecca Jason Laura Edward Sharon
Jeffrey Cynthia Ryan Kathleen Jacob Amy Gary Angela Nicholas Shirley Eric Anna Jonathan Ruth
Stephen Brenda Larry Pamela Justin Nicole Scott Katherine Brandon Samantha Benjamin Christine
Samuel Emma Gregory Catherine Alexander Debra Frank Virginia Raymond Rachel Patrick Carolyn Jack
Janet Dennis Maria Jerry Heather Tyler Diane Aaron Julie Jose Joyce Adam Victoria Nathan Kelly
Henry Christina Zachary Lauren Douglas Joan Peter Evelyn Kyle Olivia Noah Judith Ethan Megan
Jeremy Andrea Walter Cheryl Christian Hannah Keith Jacqueline Roger Martha Terry Gloria Austin
Teresa Sean Ann Gerald Sara Carl Madison Harold Frances Dylan Kathryn Arthur Janice Lawrence Jean
Jordan Abigail Jesse Alice Bryan Judy Billy Sophia Bruce Grace Gabriel Denise Joe Amber Logan
Doris Alan Marilyn Juan Danielle Albert Beverly Willie Isabella Elijah Theresa Wayne Diana Randy
Natalie Vincent Brittany Mason Charlotte Roy Marie Ralph Kayla Bobby Alexis Russell Lori Bradley
Priya Arjun Wei Mei Hiroshi Yuki Sven Ingrid Lars Astrid Mateo Lucia Diego Sofia Kwame Amara
Chidi Ngozi Omar Fatima Youssef Leila Mehmet Elif Dmitri Olga Piotr Agnieszka Joao Ana Lukas Lea
""")

LAST_NAMES = _words("""
Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez Gonzalez
Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris Sanchez Clark
Ramirez Lewis Robinson Walker Young Allen King Wright Scott Torres Nguyen Hill Flores Green Adams
Nelson Baker Hall Rivera Campbell Mitchell Carter Roberts Gomez Phillips Evans Turner Diaz Parker
Cruz Edwards Collins Reyes Stewart Morris Morales Murphy Cook Rogers Gutierrez Ortiz Morgan Cooper
Peterson Bailey Reed Kelly Howard Ramos Kim Cox Ward Richardson Watson Brooks Chavez Wood James
Bennett Gray Mendoza Ruiz Hughes Price Alvarez Castillo Sanders Patel Myers Long Ross Foster
Jimenez Powell Jenkins Perry Russell Sullivan Bell Coleman Butler Henderson Barnes Gonzales Fisher
Vasquez Simmons Romero Jordan Patterson Alexander Hamilton Graham Reynolds Griffin Wallace Moreno
West Cole Hayes Bryant Herrera Gibson Ellis Tran Medina Aguilar Stevens Murray Ford Castro
Marshall Owens Harrison Fernandez McDonald Woods Washington Kennedy Wells Vargas Henry Chen
Freeman Webb Tucker Guzman Burns Crawford Olson Simpson Porter Hunter Gordon Mendez Silva Shaw
Snyder Mason Dixon Munoz Hunt Hicks Holmes Palmer Wagner Black Robertson Boyd Rose Stone Salazar
Fox Warren Mills Meyer Rice Schmidt Garza Daniels Ferguson Nichols Stephens Soto Weaver Ryan Gardner
Payne Grant Dunn Kelley Spencer Hawkins Arnold Pierce Hansen Larsen Nilsen Johansen Berg Haugen
Tanaka Suzuki Sato Watanabe Yamamoto Kowalski Nowak Novak Horvat Muller Schneider Fischer Weber
Rossi Russo Ferrari Esposito Bianchi Dubois Laurent Lefebvre Moreau Okafor Mensah Abubakar Singh
Sharma Gupta Kumar Iyer Reddy Wang Zhang Liu Yang Huang Zhao Wu Zhou Xu Sun Ma Hu Guo Lin
""")

ORG_HEADS = _words("""
Acme Globex Initech Umbrella Hooli Vandelay Stark Wayne Wonka Tyrell Soylent Cyberdyne Aperture
Oscorp Nimbus Vertex Atlas Orbit Lumen Cobalt Crimson Granite Harbor Maple Summit Pioneer Beacon
Northwind Contoso Fabrikam Tailspin Litware Adatum Proseware Wingtip Woodgrove Fourth Coffee
Blue North Bright Silver Iron Quantum Polar Solar Lunar Nova Stellar Apex Zenith Meridian Horizon
Cascade Redwood Evergreen Aspen Willow Cedar Juniper Sequoia Falcon Condor Osprey Heron Kestrel
Lynx Otter Badger Fjord Tundra Delta Sierra Tango Echo Kilo Bravo Cirrus Stratus Helix Vector
Matrix Pixel Byte Qubit Photon Neutron Prism Spectrum Aurora Borealis Tidal Coral Reef Mosaic
Origami Kite Anchor Compass Lantern Ember Forge Anvil Keystone Bastion Citadel Paragon Sterling
""")

ORG_TAILS = _words("""
Analytics Logistics Health Labs Systems Payments Software Networks Foods Energy Retail Media
Robotics Bank Insurance Travel Learning Security Cloud Studios Mobility Capital Pharma Genomics
Telecom Freight Motors Hospitality Realty Ventures Marketplace Commerce Fintech Data Dynamics
Solutions Digital Interactive Games Fashion Biotech Airlines Shipping Grocery Clinics Academy
""")

ORG_SUFFIXES = ["Inc", "LLC", "Ltd", "GmbH", "AS", "BV", "SAS", "AB", "Oy", "Pty Ltd", "Corp", "SA"]
TLDS = ["com", "io", "co", "net", "de", "no", "fr", "co.uk", "se", "nl", "dev", "app"]
JOB_TITLES = [
    "Backend Engineer",
    "Senior Software Engineer",
    "CTO",
    "Platform Engineer",
    "DevOps Engineer",
    "Engineering Manager",
    "Product Manager",
    "IT Administrator",
    "Integration Developer",
    "Site Reliability Engineer",
    "Head of Engineering",
    "Solutions Architect",
    "Data Engineer",
    "Customer Success Manager",
    "Security Engineer",
    "Full-stack Developer",
    "VP Engineering",
]


def organization_name(rng: random.Random, index: int) -> str:
    head = ORG_HEADS[index % len(ORG_HEADS)] if index < len(ORG_HEADS) else rng.choice(ORG_HEADS)
    return f"{head} {rng.choice(ORG_TAILS)} {rng.choice(ORG_SUFFIXES)}"


def domain_for(name: str, rng: random.Random) -> str:
    base = "".join(ch for ch in name.lower().rsplit(" ", 1)[0] if ch.isalnum())
    return f"{base[:40]}.{rng.choice(TLDS)}"


# --- the API platform ----------------------------------------------------------------------

_RESOURCES = """
users orders invoices payments subscriptions customers accounts projects webhooks events api_keys
tokens sessions files exports reports workspaces teams members roles permissions charges refunds
products prices plans coupons payouts transfers balances notifications messages emails templates
imports uploads dashboards metrics logs audit_logs carts checkouts shipments addresses warehouses
documents folders tags labels jobs tasks schedules runs pipelines deployments environments secrets
integrations connections devices locations contacts leads campaigns segments batches records
schemas queries organizations invitations licenses quotas usage_records tax_rates credit_notes
bank_accounts cards mandates disputes inventory_items line_items price_lists discounts vouchers
tickets comments attachments channels threads reactions bookings reservations appointments
"""
RESOURCES = _words(_RESOURCES)
_IRREGULAR = {
    "addresses": "address",
    "batches": "batch",
    "inventory_items": "inventory item",
    "queries": "query",
    "api_keys": "API key",
    "audit_logs": "audit log entry",
    "usage_records": "usage record",
    "tax_rates": "tax rate",
    "credit_notes": "credit note",
    "bank_accounts": "bank account",
    "line_items": "line item",
    "price_lists": "price list",
    "statuses": "status",
}


def singular(resource: str) -> str:
    return _IRREGULAR.get(resource) or resource[:-1].replace("_", " ")


SUBRESOURCES = _words("""
items events attempts versions members comments attachments permissions settings logs refunds
notes line_items invoices sessions keys deliveries history transitions approvals
""")
ACTIONS = _words(
    "cancel refund archive restore send retry approve void finalize resend pause resume"
)
METHODS = Zipf(["GET", "POST", "PATCH", "DELETE", "PUT"], 1.2)
FIELD_BASES = _words("""
email name amount currency quantity status description metadata type external_id reference
first_name last_name phone_number start_date end_date due_date timezone locale country
postal_code line1 city state tax_id vat_number price unit_amount discount percent_off interval
interval_count trial_end cancel_at url callback_url redirect_uri scope role display_name sku
weight notes limit cursor page_size offset sort expand idempotency_key event_type retries
timeout_ms file_name content_type size checksum billing_cycle_anchor collection_method language
""")
FIELD_PARENTS = _words("""
billing_address shipping_address customer metadata items[0] line_items[2] payment_method settings
profile owner options schedule recurrence filters contact address data attributes
""")
SDKS = Zipf(
    [
        "python-sdk",
        "node-sdk",
        "java-sdk",
        "go-sdk",
        "ruby-sdk",
        "php-sdk",
        "dotnet-sdk",
        "cli",
        "terraform-provider",
        "swift-sdk",
        "kotlin-sdk",
        "rust-sdk",
    ],
    0.9,
)
RUNTIMES = Zipf(
    [
        "Python 3.11",
        "Node.js 20",
        "Python 3.12",
        "Node.js 18",
        "Java 17",
        "Go 1.22",
        "Python 3.10",
        "Ruby 3.2",
        "PHP 8.2",
        ".NET 8",
        "Java 21",
        "Node.js 22",
        "Python 3.9",
        "Go 1.21",
        "PHP 8.3",
        "Ruby 3.1",
        "Python 3.8",
        "Java 11",
        ".NET 6",
        "Node.js 16",
        "Deno 1.41",
        "Bun 1.1",
    ],
    0.8,
)
CLIENTS = Zipf(
    [
        "requests",
        "axios",
        "httpx",
        "okhttp",
        "node-fetch",
        "aiohttp",
        "net/http",
        "Guzzle",
        "Faraday",
        "urllib3",
        "got",
        "undici",
        "HttpClient",
        "Retrofit",
        "reqwest",
        "resty",
        "curl",
        "Apache HttpClient",
        "Net::HTTP",
        "RestSharp",
        "Alamofire",
        "Ktor",
    ],
    0.9,
)
IDPS = Zipf(
    [
        "Okta",
        "Azure AD",
        "Google Workspace",
        "OneLogin",
        "Auth0",
        "Entra ID",
        "Ping Identity",
        "JumpCloud",
        "Keycloak",
        "ADFS",
        "Duo",
        "Rippling",
    ],
    1.0,
)
REGIONS = Zipf(
    [
        "us-east-1",
        "eu-west-1",
        "us-west-2",
        "eu-central-1",
        "ap-southeast-2",
        "us-east-2",
        "ap-northeast-1",
        "eu-north-1",
        "ap-southeast-1",
        "ca-central-1",
        "ap-south-1",
        "sa-east-1",
    ],
    0.9,
)
BROWSERS = Zipf(
    [
        "Chrome 124",
        "Chrome 126",
        "Chrome 118",
        "Safari 17.4",
        "Firefox 127",
        "Edge 125",
        "Chrome 120",
        "Firefox 115 ESR",
        "Safari 16.6",
        "Edge 120",
        "Chrome 122",
        "Brave 1.66",
        "Opera 110",
        "Arc 1.4",
        "Vivaldi 6.7",
    ],
    1.0,
)
PLATFORMS = Zipf(
    [
        "Ubuntu 22.04",
        "macOS 14 Sonoma",
        "Windows 11",
        "AWS Lambda",
        "Kubernetes 1.28 (EKS)",
        "Debian 12",
        "Amazon Linux 2023",
        "Windows 10",
        "Alpine 3.19 (Docker)",
        "Google Cloud Run",
        "macOS 13 Ventura",
        "Ubuntu 20.04",
        "Azure Functions",
        "Heroku",
        "Vercel",
        "iOS 17",
        "Android 14",
        "RHEL 9",
        "GKE Autopilot",
        "Fly.io",
        "Cloudflare Workers",
    ],
    0.9,
)
ACCOUNT_TYPES = Zipf(
    [
        "API key",
        "SSO enabled",
        "OAuth app",
        "Standard",
        "Service account",
        "Sandbox",
        "Partner",
        "Reseller",
        "Connected account",
    ],
    1.0,
)
SYSTEM_A = _words("""
checkout billing invoicing onboarding reporting sync export import notification fulfilment
analytics crm payroll inventory scheduling search ledger reconciliation provisioning identity
mobile partner admin support marketing pricing catalog order shipping refund
""")
SYSTEM_B = _words("service worker job cron pipeline app api gateway backend lambda connector bot")
HOSTS = _words("""
hooks events api app integrations webhook-receiver ingest callbacks notify relay edge gw
""")
SCOPES = _words("""
read:users write:users read:orders write:orders admin:webhooks read:reports write:invoices
payments:refund files:write audit:read keys:manage billing:read
""")
SSO_ERRORS = [
    "SSO token validation failed: Invalid issuer",
    "SAML response signature could not be verified",
    "SAMLResponse InResponseTo does not match the request",
    "OIDC id_token audience mismatch",
    "SCIM provisioning returned 409 Conflict for existing user",
    "Assertion expired: NotOnOrAfter is in the past (clock skew?)",
    "NameID format urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress not supported",
]
CAUSES = [
    "a regression in the {singular} serializer introduced in yesterday's deploy",
    "a misconfigured rate limiter rule in {region}",
    "connection pool exhaustion on the {resource} service",
    "an expired intermediate certificate on the webhook workers",
    "a race condition when two requests update the same {singular}",
    "a slow query on the {resource} table after the last migration",
    "a cache stampede after the {region} failover",
    "a validation change in API version 2024-06-01 for {field}",
    "a bug in cursor encoding when the sort key contains unicode",
    "a token signing key rotation that was not propagated to {region}",
    "a misrouted load balancer health check in {region}",
    "an upstream DNS issue affecting webhook deliveries",
    "retries in {sdk} {version} that re-send non-idempotent requests",
    "a queue backlog on the {resource} export workers",
]
WORKAROUNDS = [
    "pin {sdk} to {version} until the fix ships",
    "send {field} as a string until the fix is released",
    "retry with an Idempotency-Key header",
    "use cursor pagination instead of offset",
    "regenerate the API key and remove whitespace when you paste it",
    "use the password reset flow to log in until SSO is fixed",
    "lower concurrency to 5 requests per second",
    "use the v2 endpoint {method} /v2/{resource}",
    "disable HTTP keep-alive in {client}",
    "verify the signature against the raw request body, before JSON parsing",
    "export smaller date ranges (one month at a time)",
]

# The playbook, the handbook and the engineer's notes (seeds 000-004): a small corpus for the
# free-text parts (internal notes, context lines). A bigram chain recombines it.
CORPUS = """
Check service health, review recent deployments and check error logs before escalating.
Search for similar tickets by error message, affected endpoint, customer account and timestamp
proximity. Check the incidents channel, the status page and recent deployment logs.
Escalate immediately to on-call SRE if this is a security issue. Do not request additional
details via unencrypted channels. The customer error is a malformed request or an expired token.
Documented known issue with workaround. Verify the API key is active in the dashboard. Check key
permissions match required scopes. Request the cURL command that fails for debugging. Check for
recent password or key rotations. Request the exact payload and compare it against the schema.
Check for version-specific validation bugs and test in staging if reproducible. Get the specific
endpoint and timing. Check recent deployment or traffic changes. Review performance dashboards
and escalate if sustained degradation is above fifty percent. Verify library versions and check
our changelog for breaking changes. Request integration code if debugging is needed. Test with
our official SDK if available. Webhook delivery failures usually come from the receiving server
timing out. OAuth flow issues often come from a redirect URI mismatch. Token expiration, clock
skew and key rotation explain most intermittent 401 errors. Whitespace in the API key after a
copy and paste causes a 401. Role or permission mismatch and IP restrictions cause unexpected
403 errors. Works in curl but not in code usually means the HTTP client handles headers
differently. Enum case sensitivity and field constraints explain most 422 errors on valid-looking
payloads. An empty body needs an empty JSON object, not an empty string. Timeouts on large
requests point to payload size and pagination needs. The second request hangs when background
tasks and middleware interact. The root cause was an SSO issuer URL mismatch after a config
update. Users can temporarily log in using the password reset flow. We are deploying the
corrected configuration now and will follow up with a post-mortem. Multiple customers reporting
the same issue within one hour suggests an incident. Include reproduction steps, error messages
and logs, timestamps of occurrences, the number of affected customers and what has already been
tried. Communicate the timeline clearly to the customer. Do not promise fixes without
engineering confirmation. Previous issues are not searchable and fixes are not documented.
Pagination returns inconsistent results for large offsets. API latency is three times normal.
The staging API key works but the production key returns 403. The OpenAPI docs page shows a 500
error. The error message could be clearer. Rate limiting is working as documented. A POST that
creates a resource returns 201 and a DELETE returns 204. The fix was deployed to staging, smoke
tests passed, then it was deployed to production with monitoring enabled and a rollback plan.
Monitoring alert triggered and the on-call engineer was notified. Verify issue impact and
identify affected systems. Estimate time to resolution and send an initial status update within
fifteen minutes. Capture versions for every bug report. Multiple similar tickets may indicate an
incident. Customer satisfaction is at risk and business operations are blocked. The database and
Redis are up with normal latency. Backup failure, database connection loss and log collection
failures are operational issues. Historical data missing and field validation failures are data
issues. Update the knowledge base article after resolution and link it from the ticket.
"""


class Markov:
    """A chain over the corpus: sentences in the seeds' words, recombined. Mostly second order
    (two words of context read well), now and then first order (for variety)."""

    def __init__(self, corpus: str):
        words = corpus.split()
        self.starts: list[tuple[str, str]] = []
        self.follow: dict[tuple[str, str], list[str]] = {}
        self.follow1: dict[str, list[str]] = {}
        sentence_start = True
        for a, b, c in zip(words, words[1:], words[2:], strict=False):
            if sentence_start and not a.endswith("."):
                self.starts.append((a, b))
            sentence_start = a.endswith(".")
            if not a.endswith("."):
                self.follow.setdefault((a, b), []).append(c)
            if not b.endswith("."):
                self.follow1.setdefault(b, []).append(c)

    def sentence(self, rng: random.Random, max_words: int = 28) -> str:
        a, b = rng.choice(self.starts)
        out = [a, b]
        while not b.endswith(".") and len(out) < max_words:
            following = self.follow.get((a, b))
            if not following or rng.random() < 0.2:
                following = self.follow1.get(b) or following
            if not following:
                break
            a, b = b, rng.choice(following)
            out.append(b)
        text = " ".join(out)
        return text if text.endswith(".") else text.rstrip(",") + "."


# --- templates by category -----------------------------------------------------------------
# {slots}: resource singular method path endpoint field code sdk version client runtime idp
# region event system host scope feature org n ms

TITLES = {
    "authentication": [
        "{code} Unauthorized on {endpoint} after rotating API key",
        "Intermittent 401 from {endpoint} with a valid token",
        "SSO login fails for {org} users via {idp}",
        "403 Forbidden when calling {endpoint} with {scope} scope",
        "OAuth token refresh returns invalid_grant ({sdk} {version})",
        "Staging API key works but production key returns 403",
        "Users locked out after enabling SAML with {idp}",
        "JWT rejected as expired: clock skew in {region}?",
        "Service account cannot access {resource} after role change",
        "API key rejected after copy-paste from the dashboard",
        "{idp} SCIM provisioning fails for new {resource}",
        "MFA prompt loops for {idp} users",
        "401 on {endpoint} only from {platform}",
        "Key rotation broke {system}",
        "Invalid issuer error on SSO login since config update",
    ],
    "validation": [
        "{endpoint} returns 500 for payloads with special characters",
        "Our SDK is getting 422 on valid-looking requests to {endpoint}",
        "422 Unprocessable Entity: {field} rejected",
        "Enum value for {field} rejected (case sensitivity?)",
        "Empty body rejected with 422 on {endpoint}",
        "500 instead of 422 when {field} is missing",
        "Decimal precision error on {field} ({sdk})",
        "Date format for {field} not accepted by {endpoint}",
        "Unicode in {field} breaks {method} {path}",
        "{endpoint} accepts invalid {field} and returns 200",
        "Type coercion failure on {field} after API version upgrade",
        "Bulk {resource} import fails validation at row {n}",
        "Null {field} causes 500 on {endpoint}",
    ],
    "performance": [
        "API latency {n}x normal on {endpoint}",
        "Timeouts on {endpoint} in {region}",
        "504 Gateway Timeout exporting {resource}",
        "429 Too Many Requests below documented rate limit",
        "p95 latency above {ms} ms since yesterday",
        "Second request hangs with {client}",
        "Pagination returns inconsistent results for large offsets on {path}",
        "Slow {method} {path} for workspaces with many {resource}",
        "Webhook deliveries delayed by {n} minutes",
        "Report generation for {resource} takes over {n} minutes",
        "Connection resets from {region} edge",
        "Dashboard very slow to load {resource}",
    ],
    "integration": [
        "Webhook deliveries for {event} failing with {code}",
        "Webhook signature verification fails after secret rotation",
        "Duplicate webhook events for {event}",
        "{sdk} {version} breaks {method} {path}",
        "OAuth redirect_uri mismatch for our {system}",
        "{system} stopped syncing {resource}",
        "CSV import of {resource} fails at row {n}",
        "TLS handshake failure from {client} to webhook endpoint",
        "Zapier integration not triggering on {event}",
        "Salesforce connector creates duplicate {resource}",
        "Terraform provider drift on {resource}",
        "Events arrive out of order for {event}",
        "{client} raises SSL error against api host",
    ],
    "documentation": [
        "OpenAPI docs page shows 500 error",
        "Docs for {endpoint} list wrong required fields",
        "Example for {field} in the docs is outdated",
        "Pagination docs unclear for {resource}",
        "Changelog missing breaking change in {sdk} {version}",
        "Webhook payload reference missing {event}",
        "Rate limit documentation contradicts observed behaviour",
        "Typo in {sdk} quickstart",
        "No docs for {method} {path}",
        "Error code reference incomplete for {code}",
    ],
    "feature_request": [
        "Can you add support for {feature} in the API?",
        "Feature request: filter {resource} by {field}",
        "Allow bulk updates of {resource}",
        "Webhooks for {event}",
        "Export {resource} as CSV from the dashboard",
        "SCIM provisioning for {idp}",
        "Fine-grained API key scopes for {resource}",
        "Idempotency keys on {endpoint}",
        "Data residency in {region}",
        "Sandbox per workspace for {system} testing",
        "Expose {field} on {resource} objects",
    ],
    "other": [
        "How do I implement pagination correctly?",
        "Question about {resource} limits on our plan",
        "Billing question about API usage",
        "Cannot find {resource} created yesterday",
        "Account owner change request for {org}",
        "The error message could be clearer on {endpoint}",
        "How to migrate from {sdk} {version}?",
        "Request for SOC 2 report",
        "Need help understanding {event} semantics",
        "Invoice shows unexpected charges",
        "Where do I find the request ID?",
        "Best practice for retrying {method} {path}",
    ],
}
FEATURES = [
    "bulk deletes of {resource}",
    "cursor-based pagination on {resource}",
    "SCIM provisioning",
    "webhook retries with exponential backoff",
    "IP allowlisting",
    "audit log export to S3",
    "GraphQL queries",
    "SAML just-in-time provisioning",
    "custom domains for the portal",
    "an OpenAPI 3.1 spec",
    "sorting {resource} by {field}",
    "a dry-run mode for {endpoint}",
    "server-sent events for {event}",
    "per-key rate limits",
    "ETags on {resource}",
]
PROBLEMS = {
    "authentication": [
        "Every call to {endpoint} from our {system} returns {code}, although the "
        "key is active in the dashboard.",
        'Some of our users cannot log in through {idp}: they get "{sso_error}" after the redirect.',
        "Requests with a freshly rotated key fail with {code} for a few minutes, then start "
        "working again.",
        "The same request works with curl but fails from {client} with {code}.",
        "Our service account lost access to {resource} after we changed its role; it now gets "
        "403 on {endpoint}.",
        "Token refresh from {sdk} {version} fails with invalid_grant about once an hour.",
    ],
    "validation": [
        "{method} {path} returns {code} when {field} contains characters like ö, & or emoji.",
        "We send a payload that matches the schema in the docs but {endpoint} answers 422 about "
        "{field}.",
        "When {field} is omitted the API returns 500 instead of a validation error.",
        "After upgrading to {sdk} {version} our requests to {endpoint} are rejected because "
        "{field} is sent as a number.",
        "The API accepts {field} values in lowercase only, which is not documented.",
    ],
    "performance": [
        "{endpoint} takes {ms} ms at p95, it used to be under 300 ms.",
        "We see timeouts from {region} on {endpoint}, roughly {n}% of requests.",
        "We get 429 responses at about {n} requests per minute, well below our plan's limit.",
        "Listing {resource} with offset pagination gets slower with every page and times out "
        "after page {n}.",
        "The second request on a keep-alive connection from {client} hangs until the 30 s timeout.",
    ],
    "integration": [
        "Our webhook endpoint https://{host}.{domain}/webhooks stopped receiving {event} events; "
        "the dashboard shows {code} for each attempt.",
        "Signature verification fails for every webhook since we rotated the secret.",
        "We receive each {event} event two or three times within a minute.",
        "After upgrading to {sdk} {version}, {method} {path} raises an exception in {client}.",
        "The OAuth flow for our {system} fails with redirect_uri_mismatch although the URI is "
        "registered.",
        "Our {system} stopped syncing {resource} from your API yesterday.",
    ],
    "documentation": [
        "The reference for {endpoint} says {field} is optional but the API requires it.",
        "The OpenAPI docs page returns a 500 error.",
        "The pagination guide does not explain how to use the cursor with filters on {resource}.",
        "The {sdk} quickstart uses a method that no longer exists in {version}.",
    ],
    "feature_request": [
        "We would like {feature}. Today our {system} has to work around it.",
        "It would help a lot to have {feature}; {n} of our teams asked for it.",
        "Is {feature} on the roadmap?",
    ],
    "other": [
        "How should we paginate through all {resource} without missing any?",
        "We cannot find the {singular} our {system} created yesterday.",
        "Could you explain the usage charges on our last invoice?",
        "What is the recommended way to retry {method} {path} after a timeout?",
        "Which limits apply to {resource} on our plan?",
    ],
}
WHEN = [
    "This started this morning.",
    "It started around {hour}:00 UTC today.",
    "Since yesterday evening.",
    "It started after our deploy yesterday.",
    "This began last night.",
    "It began over the weekend.",
    "It started after we upgraded to {sdk} {version}.",
    "Since the SSO config change.",
    "First seen at {hour}:{minute:02d} UTC.",
    "It started on Monday.",
    "It started after the key rotation on Friday.",
    "It started about two hours ago.",
    "It has been happening since last week.",
    "It worked fine until today.",
]
IMPACT = [
    "About {n} of our users are affected.",
    "This blocks our {system} release.",
    "{n}% of our {resource} requests fail.",
    "No workaround so far.",
    "Business operations are blocked for our support team.",
    "It only affects our staging tests.",
    "Revenue impact: our customers cannot check out.",
    "Low impact, but it is confusing.",
    "Our on-call was paged twice tonight because of this.",
    "We can work around it for now.",
]
STEPS = [
    "Create a {singular} with {method} {path}",
    "Set {field} to a value with an accent",
    "Call {endpoint} with the payload below",
    "Rotate the API key in the dashboard",
    "Log in through {idp}",
    "Wait for the {event} webhook",
    "Fetch page {n} of {resource}",
    "Retry the same request with {client}",
    "Upgrade to {sdk} {version}",
]
OPENINGS = [
    "",
    "",
    "Hi team,",
    "Hello,",
    "Hi support,",
    "Hi,",
    "Hello support team,",
    "Good morning,",
]
CLOSINGS = ["", "Thanks,", "Thanks in advance!", "Regards,", "Any help appreciated.", "Best,"]

INFO_ITEMS = [
    "Timestamp: exact date/time of the error (with timezone)",
    "Request ID: from the X-Request-Id response header if available",
    "Error response: the complete error response body",
    "Request details: endpoint, method, and sanitized request body",
    "Reproducibility: is this consistent or intermittent?",
    "Versions: SDK, runtime and any relevant library versions",
    "The cURL command that fails, with the API key redacted",
    "Which environment (staging or production) the key belongs to",
]
ACKS = [
    "Thanks for reporting this. I'm looking into the {code} errors on {endpoint} now and will "
    "update you within {window}.",
    "Thank you for the details and the request ID. I can see the failing requests in our logs "
    "and have started investigating.",
    "We've received {key} and are investigating. I'll keep you posted.",
    "I was able to reproduce this with {sdk} {version}. I'm checking with our engineering team "
    "whether it is related to a recent deployment.",
    "Thanks for reaching out. I've checked the logs for {req} and I'm looking at what changed on "
    "our side.",
    "Sorry for the trouble. I'm investigating and will send you an update within {window}.",
]
UPDATES = [
    "Quick update on {key}: engineering has identified {cause} and is working on a fix. Next "
    "update in {window}.",
    "We are still investigating. Error rates on {endpoint} are back to baseline since {hour}:00 "
    "UTC, but we have not found the root cause yet.",
    "The fix is in review and will be deployed to staging today. I'll confirm once it is in "
    "production.",
    "We've mitigated the issue by rolling back the last deploy in {region}. Could you check "
    "whether you still see errors?",
    "Engineering confirmed {cause}. A fix is scheduled with the next release.",
]
RESOLUTIONS = [
    "This appears to be a configuration issue rather than a platform bug. {config}. Please "
    "review our documentation and try again. If you continue to experience issues after making "
    "these changes, please reopen this ticket with the updated request details.",
    "This is expected behavior based on our API design. {expected}. Our documentation explains "
    "this behavior in detail. If you have concerns about this design decision, please let us "
    "know.",
    "This is a known issue with {sdk} {version}. The recommended workaround is to {workaround}. "
    "We're tracking this issue and will update you when a fix is available.",
    "We deployed a fix at {hour}:00 UTC. {endpoint} is returning normal responses again and "
    "error rates are back to baseline. Could you confirm everything works on your side?",
    "The root cause was {cause}. It is fixed in production and we've added monitoring so it does "
    "not happen again.",
    "I've answered your question above; I'm marking this as resolved. Reply here if anything is "
    "unclear.",
]
CONFIG = [
    "The API key has a trailing newline from the copy-paste",
    "The request goes to the staging host with a production key",
    "The Content-Type header is text/plain; it must be application/json",
    "The {field} value must be lowercase",
    "The key does not have the {scope} scope",
    "The redirect URI registered for the app ends with a slash",
    "The webhook endpoint answers after 30 s, longer than our 10 s delivery timeout",
]
EXPECTED = [
    "A POST that creates a resource returns 201, not 200",
    "DELETE returns 204 with an empty body",
    "We return 403 for resources that exist but are not visible to your key",
    "An empty body returns 422 when a JSON body is required: send {{}} instead",
    "Rate limiting is working as documented for your plan",
    "Offsets past 10,000 are rejected: use the cursor",
]
CUSTOMER_INFO = [
    "Here you go: request ID {req2}, at {hour}:{minute:02d} UTC. The full response body "
    "was:\n\n{error}",
    "We tried again with {sdk} {version2} and still get the same error.",
    "It's intermittent: roughly 1 in {n} requests fail, mostly between {hour}:00 and {hour2}:00 "
    "UTC.",
    "The key belongs to production. Here is the failing cURL (key redacted):\n\ncurl -X {method} "
    "https://api.example.com{path} -H 'Authorization: Bearer sk_live_...'",
    "Attached the HAR file. The failing request is {req2}.",
    "We are on {sdk} {version} with {runtime} on {platform}.",
]
CUSTOMER_FOLLOWUPS = [
    "Any update on this? This is blocking our {system} release.",
    "We're still seeing {code} on {endpoint} this morning.",
    "Just checking in, our team is asking for an ETA.",
    "Adding a colleague from our {system} team. Same issue for them.",
    "Is there a workaround we can use in the meantime?",
]
CUSTOMER_THANKS = [
    "Thanks, we confirmed it works now. You can close the ticket.",
    "Confirmed fixed on our side, thank you for the quick help!",
    "Works after regenerating the key. Thanks!",
    "Thanks for the explanation, that makes sense.",
    "All good now, thank you.",
]
NOTES = [
    "Checked logs for {req}: {finding}.",
    "Escalating to Engineering per playbook: consistent 500s with reproducible steps.",
    "Looks like a duplicate of an earlier ticket from {org}; linking.",
    "Customer is on the {tier} tier. {markov}",
    "Reproduced in staging with {sdk} {version}. Filing a bug.",
    "Matches known issue KI-{n}: {workaround}.",
    "{markov} {markov2}",
    "Asked in #support-escalations; @engineering-oncall is looking at {endpoint}.",
    "Possible incident: {n} tickets about {endpoint} in the last hour.",
]
FINDINGS = [
    "upstream timeout from the {resource} service after 30 s",
    "token issued for the staging environment",
    "payload has {field} as a string",
    "request hit the {region} edge with a stale config",
    "key revoked on {hour}:00 by the account owner",
    "429s come from the per-IP limit, not the key limit",
    "signature computed over re-serialized JSON",
]
GREETINGS = ["Hi {first},", "Hello {first},", "Hi {first},", "Hi {org} team,", "Dear {first},"]
SIGNOFFS = [
    "Best regards,\n{agent}",
    "Thanks,\n{agent}",
    "Kind regards,\n{agent}\nSupport Engineering",
    "Cheers,\n{agent}",
    "{agent}",
]
SECURITY_TITLES = [
    "Possible unauthorized access to {resource} data",
    "API key exposed in a public repository",
    "Suspicious login attempts on {org} workspace",
    "Auth bypass on {endpoint}?",
    "Data leakage: {resource} visible across workspaces",
]
CUSTOMER_TAGS = [
    "sso",
    "webhooks",
    "rate-limit",
    "oauth",
    "pagination",
    "latency",
    "regression",
    "sdk",
    "billing",
    "api-keys",
    "known-issue",
    "needs-repro",
    "docs",
    "enterprise",
    "escalated",
    "customer-config",
    "expected-behavior",
    "incident",
    "timeout",
    "422",
    "401",
    "403",
    "500",
    "scim",
    "export",
    "import",
    "tls",
    "signature",
    "vip",
    "churn-risk",
    "follow-up",
]
CATEGORY_TAGS = {
    "authentication": ["sso", "api-keys", "oauth", "401", "403", "scim"],
    "validation": ["422", "500", "regression", "sdk"],
    "performance": ["latency", "timeout", "rate-limit", "pagination"],
    "integration": ["webhooks", "sdk", "oauth", "signature", "tls"],
    "documentation": ["docs"],
    "feature_request": ["feature", "roadmap"],
    "other": ["billing", "question"],
}

_TITLES = {k: Zipf(v, 0.8) for k, v in TITLES.items()}
_PROBLEMS = {k: Zipf(v, 0.7) for k, v in PROBLEMS.items()}
_RESOURCE = Zipf(RESOURCES, 1.0)
_SUB = Zipf(SUBRESOURCES, 1.0)
_FIELD_BASE = Zipf(FIELD_BASES, 0.9)
_FIELD_PARENT = Zipf(FIELD_PARENTS, 1.0)
_SYSTEM_A = Zipf(SYSTEM_A, 0.8)
_SYSTEM_B = Zipf(SYSTEM_B, 0.9)
_WHEN = Zipf(WHEN, 0.8)
_IMPACT = Zipf(IMPACT, 0.8)
_CAUSES = Zipf(CAUSES, 0.7)
_WORKAROUNDS = Zipf(WORKAROUNDS, 0.7)
_FEATURES = Zipf(FEATURES, 0.7)
_ACKS = Zipf(ACKS, 0.8)
_UPDATES = Zipf(UPDATES, 0.8)
_RESOLUTIONS = Zipf(RESOLUTIONS, 0.6)
_CUSTOMER_INFO = Zipf(CUSTOMER_INFO, 0.7)
_FOLLOWUPS = Zipf(CUSTOMER_FOLLOWUPS, 0.7)
_THANKS = Zipf(CUSTOMER_THANKS, 0.7)
_NOTES = Zipf(NOTES, 0.6)
_FINDINGS = Zipf(FINDINGS, 0.7)
_TAGS = Zipf(CUSTOMER_TAGS, 1.0)

CODES = {
    "authentication": Zipf(["401", "403", "401", "400"], 0.5),
    "validation": Zipf(["422", "500", "400", "409"], 0.8),
    "performance": Zipf(["504", "429", "503", "502"], 0.8),
    "integration": Zipf(["500", "502", "401", "408", "410", "404"], 0.8),
    "documentation": Zipf(["500", "404"], 1.0),
    "feature_request": Zipf(["400"], 1.0),
    "other": Zipf(["500", "400", "404", "409"], 1.0),
}
REASONS = {
    "400": "Bad Request",
    "401": "Unauthorized",
    "403": "Forbidden",
    "404": "Not Found",
    "408": "Request Timeout",
    "409": "Conflict",
    "410": "Gone",
    "422": "Unprocessable Entity",
    "429": "Too Many Requests",
    "500": "Internal Server Error",
    "502": "Bad Gateway",
    "503": "Service Unavailable",
    "504": "Gateway Timeout",
}


def pick(rng: random.Random, seq: Sequence):
    """rng.choice, without its per-call overhead (this runs tens of millions of times)."""
    return seq[int(rng.random() * len(seq))]


def request_id(rng: random.Random) -> str:
    return f"req_{rng.getrandbits(64):016x}"


_ESCAPED = ("&", "<", ">")


def paragraphs_html(body: str) -> str:
    """A plain, escaped rendering: paragraphs and line breaks (Markdown per row is too slow)."""
    if any(ch in body for ch in _ESCAPED):
        body = html.escape(body, quote=False)
    return "\n".join(
        "<p>" + block.replace("\n", "<br />\n") + "</p>" for block in body.split("\n\n") if block
    )


class Topic(dict):
    """The slots one ticket's text is written from; comments reuse them."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


EVENT_VERBS = (
    "created",
    "updated",
    "deleted",
    "paid",
    "failed",
    "succeeded",
    "canceled",
    "completed",
    "expired",
)
MAJORS = (1, 2, 2, 3, 3, 3, 4)
COUNTS = (2, 3, 4, 5, 10, 12, 20, 30, 50, 100, 250, 1000)
MILLIS = (800, 1200, 1500, 2000, 3500, 5000, 8000)
VALUE_KINDS = ("enumeration member", "decimal", "email address", "date", "integer")
ERROR_CODES = {
    "400": ("invalid_request", "malformed_json", "parameter_missing"),
    "401": ("invalid_api_key", "token_expired", "authentication_required"),
    "403": ("insufficient_scope", "ip_not_allowed", "permission_denied"),
    "404": ("resource_missing", "route_not_found"),
    "408": ("request_timeout",),
    "409": ("idempotency_conflict", "resource_exists"),
    "410": ("endpoint_deprecated",),
    "500": ("internal_error", "unexpected_error"),
    "502": ("bad_gateway", "upstream_error"),
    "503": ("service_unavailable", "maintenance"),
    "504": ("upstream_timeout", "gateway_timeout"),
}
ERROR_LEADS = ("We get:", "The response is:", "Error:", "Response body:")
TITLE_PREFIXES = ("URGENT: ", "[Prod] ", "Re: ", "Fwd: ")
WINDOWS = ("30 minutes", "an hour", "2 hours", "today")
TAG_COUNT = Weighted((0, 1, 2, 3), (40, 35, 18, 7))
PROBLEM_CATEGORIES = frozenset({"authentication", "validation", "performance", "integration"})


class TextGen:
    def __init__(self, seed: int):
        self.markov = Markov(CORPUS)
        rng = random.Random(seed)
        self.sentences = Zipf([self.markov.sentence(rng) for _ in range(3000)], 0.6)

    # -- the ticket -------------------------------------------------------------------------

    def topic(
        self, rng: random.Random, *, category: str, org_name: str, domain: str, hour: int
    ) -> Topic:
        r = rng.random
        resource = _RESOURCE(rng)
        method = METHODS(rng)
        shape = r()
        if shape < 0.4:
            path = f"/v1/{resource}"
        elif shape < 0.7:
            path = f"/v1/{resource}/{{id}}"
        elif shape < 0.85:
            path = f"/v1/{resource}/{{id}}/{_SUB(rng)}"
        elif shape < 0.93:
            path = f"/v2/{resource}"
        else:
            path = f"/v1/{resource}/{{id}}/{pick(rng, ACTIONS)}"
            method = "POST"
        field = _FIELD_BASE(rng)
        if r() < 0.3:
            field = f"{_FIELD_PARENT(rng)}.{field}"
        major = pick(rng, MAJORS)
        one = singular(resource)
        t = Topic(
            category=category,
            resource=resource,
            singular=one,
            method=method,
            path=path,
            endpoint=f"{method} {path}",
            field=field,
            code=CODES[category](rng),
            sdk=SDKS(rng),
            version=f"{major}.{int(r() * 20)}.{int(r() * 12)}",
            version2=f"{major}.{int(r() * 20)}.{int(r() * 12)}",
            client=CLIENTS(rng),
            runtime=RUNTIMES(rng),
            idp=IDPS(rng),
            region=REGIONS(rng),
            event=f"{one.replace(' ', '_')}.{pick(rng, EVENT_VERBS)}",
            system=f"{_SYSTEM_A(rng)}-{_SYSTEM_B(rng)}",
            host=pick(rng, HOSTS),
            scope=pick(rng, SCOPES),
            org=org_name,
            domain=domain,
            n=pick(rng, COUNTS),
            ms=pick(rng, MILLIS),
            hour=(hour - int(r() * 4)) % 24,
            hour2=(hour + 1) % 24,
            minute=int(r() * 60),
            req=request_id(rng),
            req2=request_id(rng),
            sso_error=pick(rng, SSO_ERRORS),
            platform=PLATFORMS(rng),
        )
        t["feature"] = _FEATURES(rng).format_map(t)
        t["cause"] = _CAUSES(rng).format_map(t)
        t["workaround"] = _WORKAROUNDS(rng).format_map(t)
        t["error"] = self._error(rng, t)
        return t

    def _error(self, rng: random.Random, t: Topic) -> str:
        code, category = t["code"], t["category"]
        reason = REASONS[code]
        r = rng.random()
        if category == "authentication" and r < 0.3:
            return t["sso_error"]
        if code == "422":
            return (
                f'422 {reason}: {{"detail": [{{"loc": ["body", "{t["field"]}"], '
                f'"msg": "value is not a valid {pick(rng, VALUE_KINDS)}", '
                f'"type": "value_error"}}]}}'
            )
        if code == "429":
            return (
                f"429 {reason}: rate limit of {t['n'] * 10} requests per minute exceeded "
                f"(Retry-After: {1 + int(rng.random() * 59)})"
            )
        if category == "performance" and r < 0.5:
            return (
                f"ReadTimeout: HTTPSConnectionPool(host='api.example.com', port=443): "
                f"Read timed out. (read timeout={pick(rng, (10, 30, 60))})"
            )
        if category == "integration" and r < 0.4:
            return (
                f"Webhook delivery failed: {code} {reason} from https://{t['host']}."
                f"{t['domain']}/webhooks after {1 + int(rng.random() * 7)} attempts"
            )
        return (
            f'{code} {reason}: {{"error": {{"code": "{pick(rng, ERROR_CODES[code])}", '
            f'"message": "{reason} on {t["endpoint"]}", "request_id": "{t["req"]}"}}}}'
        )

    def ticket(self, rng: random.Random, t: Topic, *, is_security: bool, requester: str) -> dict:
        r = rng.random
        category = t["category"]
        if is_security:
            title = pick(rng, SECURITY_TITLES).format_map(t)
        else:
            title = _TITLES[category](rng).format_map(t)
            if r() < 0.04:
                title = (pick(rng, TITLE_PREFIXES) if r() < 0.8 else f"[{t['system']}] ") + title
        problem_like = category in PROBLEM_CATEGORIES
        parts = []
        opening = pick(rng, OPENINGS)
        if opening:
            parts.append(opening)
        problem = _PROBLEMS[category](rng).format_map(t)
        if problem_like and r() < 0.6:
            problem += " " + _WHEN(rng).format_map(t)
        parts.append(problem)
        has_error = (problem_like or category == "other") and r() < 0.65
        if has_error:
            parts.append(pick(rng, ERROR_LEADS) + "\n\n" + t["error"])
        if has_error and r() < 0.6:
            parts.append(f"Request ID: {t['req']}")
        if r() < 0.4:
            parts.append(
                f"We use {t['sdk']} {t['version']} on {t['runtime']} ({t['platform']}) "
                f"with {t['client']}."
            )
        if problem_like and r() < 0.25:
            steps = rng.sample(STEPS, 2 + int(r() * 3))
            parts.append(
                "Steps to reproduce:\n"
                + "\n".join(f"{i}. {s.format_map(t)}" for i, s in enumerate(steps, 1))
            )
        if problem_like and r() < 0.5:
            parts.append(_IMPACT(rng).format_map(t))
        if r() < 0.12:
            parts.append(self.sentences(rng))
        closing = pick(rng, CLOSINGS)
        if closing:
            parts.append(f"{closing}\n{requester}")
        if r() < 0.2:
            recent = (
                f"Upgraded to {t['sdk']} {t['version']}"
                if r() < 0.5
                else f"Deployed a new version of {t['system']}"
            )
        else:
            recent = ""
        return {
            "title": title[:200],
            "description": "\n\n".join(parts),
            "error_message": t["error"] if has_error else "",
            "request_id": t["req"] if has_error or r() < 0.2 else "",
            "affected_endpoint": t["endpoint"]
            if problem_like or category == "documentation"
            else "",
            "workaround": t["workaround"] if r() < 0.15 else "",
            "recent_changes": recent,
        }

    def tags(self, rng: random.Random, category: str) -> list[str]:
        tags: list[str] = []
        own = CATEGORY_TAGS[category]
        for _ in range(TAG_COUNT(rng)):
            tag = pick(rng, own) if rng.random() < 0.6 else _TAGS(rng)
            if tag not in tags:
                tags.append(tag)
        return tags

    # -- comments ---------------------------------------------------------------------------

    def comment(
        self,
        rng: random.Random,
        t: Topic,
        purpose: str,
        *,
        key: str,
        agent: str,
        customer_first: str,
        tier: str,
    ) -> str:
        if purpose == "note":
            return _NOTES(rng).format_map(
                Topic(
                    t,
                    finding=_FINDINGS(rng).format_map(t),
                    tier=tier,
                    markov=self.sentences(rng),
                    markov2=self.sentences(rng),
                )
            )
        if purpose.startswith("customer"):
            if purpose == "customer_info":
                body = _CUSTOMER_INFO(rng).format_map(t)
            elif purpose == "customer_thanks":
                body = _THANKS(rng)
            else:
                body = _FOLLOWUPS(rng).format_map(t)
            return body if rng.random() < 0.6 else f"{body}\n\n{customer_first}"
        if purpose == "ask":
            items = rng.sample(INFO_ITEMS, 2 + int(rng.random() * 4))
            text = (
                "Thank you for reporting this issue. To investigate further, we need:\n\n"
                + "\n".join(f"{i}. {item}" for i, item in enumerate(items, 1))
            )
        else:
            slots = Topic(t, key=key, window=pick(rng, WINDOWS))
            if purpose == "ack":
                text = _ACKS(rng).format_map(slots)
            elif purpose == "update":
                text = _UPDATES(rng).format_map(slots)
            else:  # resolve
                slots["config"] = pick(rng, CONFIG).format_map(t)
                slots["expected"] = pick(rng, EXPECTED).format_map(t)
                text = _RESOLUTIONS(rng).format_map(slots)
        greeting = pick(rng, GREETINGS).format(first=customer_first, org=t["org"])
        signoff = pick(rng, SIGNOFFS).format(agent=agent)
        return f"{greeting}\n\n{text}\n\n{signoff}"
