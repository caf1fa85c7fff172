"""What the demo tickets are about: an API platform's support queue, after the playbook's examples
(seed 003) and common issues (seed 002). `$name` placeholders are filled per ticket
(string.Template), so JSON braces in the text need no escaping.

Each scenario carries the whole conversation: the customer's report, the agent's internal
findings, the status-update bullets, the question asked when information is missing and the
customer's answer, and how it ends (`close_as`): a fix, a configuration error, expected behaviour,
a known issue with a workaround, an answered question, or a feature request for product.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Scenario:
    title: str
    description: str
    category: str
    issue_type: str
    severity: int
    tags: tuple[str, ...]
    note: str  # the agent's internal investigation note
    known: tuple[str, str]  # "What we know" in a status update
    doing: tuple[str, str]  # "What we're doing"
    cause: str  # what was wrong / why it behaves so / the known issue
    fix: str  # what we fixed / what the customer should do / the answer
    close_as: str = "fix"  # fix | configuration | expected | known_issue | answer | feature
    todo: str = "Nothing: the fix is live. Retry any requests that failed during the incident."
    prevention: str = "We added a regression test and an alert on this error pattern."
    workaround: str = ""
    ask: str = ""  # a specific question; empty: the playbook's information request
    answer: str = ""  # the customer's answer to it
    environment: str = "production"
    endpoint: str = ""
    error: str = ""
    impact: str = ""
    platform: str = ""
    version: str = ""
    browser: str = ""
    security: bool = False
    weight: int = 3  # how often it comes up in the queue


DOCS = "https://docs.example.com"

SCENARIOS: list[Scenario] = [
    # ---------------------------------------------------------------- P1 critical
    Scenario(
        title="All our API calls return 500 since $hour UTC",
        description=(
            "Since $hour UTC every request we make to the API fails with a 500. Our checkout and "
            "order sync are both down.\n\nExample: `GET /v1/orders?status=open` at $when, "
            "request id `$request_id`.\n\n```\nHTTP/1.1 500 Internal Server Error\n"
            '{"error": {"code": "internal_error", "message": "An unexpected error occurred."}}\n```'
        ),
        category="other",
        issue_type="incident",
        severity=1,
        tags=("outage", "5xx"),
        endpoint="/v1/*",
        error='500 {"code": "internal_error"}',
        impact="revenue_blocking",
        note=(
            "**Findings**\n- 5xx rate for $org went from 0.1% to 100% at $hour UTC\n"
            "- All failing requests hit `api-eu-2`; the connection pool to the orders database "
            'is exhausted (`too many connections for role "api"`)\n'
            "- Deploy `api v4.18.0` rolled out to eu-2 at $hour UTC\n\n"
            "Paged on-call engineering. Rollback candidate: v4.17.3."
        ),
        known=(
            "Requests routed to one of our EU clusters fail with 500 since $hour UTC",
            "The failures started with a deployment to that cluster",
        ),
        doing=(
            "Rolling the cluster back to the previous release",
            "Moving your traffic to a healthy cluster meanwhile",
        ),
        cause="A release exhausted the database connection pool of one EU cluster.",
        fix="We rolled the cluster back and raised the pool limits; 5xx rates are back to "
        "baseline.",
        prevention="Connection-pool saturation now blocks a rollout at the canary stage.",
        workaround="Retry with exponential backoff; requests to `api-us-1` are unaffected.",
        weight=2,
    ),
    Scenario(
        title="Payment processing is down",
        description=(
            "`POST /v1/payments` returns 502 Bad Gateway for every card payment since about "
            "$hour UTC. Our customers cannot pay. Request id `$request_id`."
        ),
        category="other",
        issue_type="incident",
        severity=1,
        tags=("payments", "outage"),
        endpoint="POST /v1/payments",
        error="502 Bad Gateway",
        impact="revenue_blocking",
        note=(
            "Gateway logs: upstream `payments-svc` times out after 30 s on every call. The card "
            "processor's status page reports degraded authorisations in EU. Our retry policy "
            "multiplies the load (3 retries without jitter)."
        ),
        known=(
            "Card authorisations time out at our payment processor",
            "Our retries add to the load on the processor",
        ),
        doing=(
            "Failing over to the secondary processor",
            "Disabling automatic retries until the primary recovers",
        ),
        cause="Our card processor had a partial outage and our retries amplified it.",
        fix="We failed over to the secondary processor and added jitter to retries.",
        prevention="Automatic failover now triggers after 2 minutes of processor timeouts.",
        weight=1,
    ),
    Scenario(
        title="Authentication is completely down: every token returns 401",
        description=(
            "Since $hour UTC all our service accounts get `401 Unauthorized` on every call, "
            "including tokens created today. Nothing changed on our side.\n\n"
            '```\n{"error": {"code": "invalid_token", "message": "Token signature is invalid."}}'
            "\n```"
        ),
        category="authentication",
        issue_type="bug",
        severity=1,
        tags=("401", "tokens"),
        endpoint="POST /v1/oauth/token",
        error="invalid_token: Token signature is invalid.",
        impact="revenue_blocking",
        note=(
            "The signing-key rotation at $hour UTC published the new key to the token service "
            "but not to the edge validators in two regions. Every token signed with the new key "
            "fails validation there. Confirmed with request `$request_id`."
        ),
        known=(
            "Tokens signed after the key rotation are rejected in two regions",
            "Older tokens keep working",
        ),
        doing=(
            "Publishing the new signing key to all edge validators",
            "Re-signing tokens issued in the last hour",
        ),
        cause="A signing-key rotation reached the token service before the edge validators.",
        fix="All validators now trust the new key; rotations wait until every region has it.",
        weight=1,
    ),
    Scenario(
        title="We're seeing unauthorized access to customer data",
        description=(
            "Our audit log shows reads of customer records by an API key that belongs to a "
            "contractor whose access we removed last week. Please treat this as urgent."
        ),
        category="authentication",
        issue_type="incident",
        severity=1,
        tags=("security", "data-access"),
        security=True,
        impact="revenue_blocking",
        note=(
            "Security on-call engaged. The key was revoked in the dashboard, but a cached "
            "authorisation on the edge kept it valid for up to 24 h. 312 reads from "
            "203.0.113.7 over 9 days. Do not discuss details by email; phone bridge with "
            "their CISO scheduled."
        ),
        known=(
            "The revoked key stayed valid on part of our edge because of a cache",
            "We have the full list of requests made with it",
        ),
        doing=(
            "Purging the authorisation cache for revoked keys",
            "Preparing the access report for your security team",
        ),
        cause="Revoked keys stayed valid for up to 24 h in an edge authorisation cache.",
        fix="Revocation now purges the cache within seconds; we sent the access report.",
        prevention="Revocation is verified end to end by a synthetic check every minute.",
        weight=1,
    ),
    # ---------------------------------------------------------------- P2 high
    Scenario(
        title="POST /users returns 500 for payloads with special characters",
        description=(
            "Creating a user whose name contains characters like `ñ`, `ø` or an emoji returns a "
            "500. ASCII names work.\n\n```json\n"
            '{"name": "José Ñúñez", "email": "jose@example.com"}\n```\n\n'
            "Request id `$request_id` at $when."
        ),
        category="validation",
        issue_type="bug",
        severity=2,
        tags=("5xx", "unicode"),
        endpoint="POST /v1/users",
        error="500 Internal Server Error",
        impact="feature_unavailable",
        note=(
            "Reproduced in staging. Stack trace: `UnicodeEncodeError: 'latin-1' codec can't "
            "encode character` in the search-index writer, raised after the user row is "
            "committed, so the client sees 500 but the user exists. Escalating: always-escalate "
            "criteria (consistent 500, reproducible)."
        ),
        known=(
            "Names with non-ASCII characters fail while updating our search index",
            "The user is created despite the error",
        ),
        doing=("Fixing the encoding in the indexer", "Re-indexing users created since the bug"),
        cause="Our search indexer encoded names as Latin-1 instead of UTF-8.",
        fix="The indexer now writes UTF-8 and the affected users were re-indexed.",
        todo="Don't retry the failed creates: the users exist. Look them up by email instead.",
        workaround="Look the user up by email after a 500: it was created.",
    ),
    Scenario(
        title="API latency is 3x normal on /v1/search",
        description=(
            "p95 latency of `GET /v1/search` went from ~180 ms to ~600 ms since yesterday. Other "
            "endpoints look normal. Example request id `$request_id`."
        ),
        category="performance",
        issue_type="bug",
        severity=2,
        tags=("latency",),
        endpoint="GET /v1/search",
        error="",
        impact="degraded_performance",
        note=(
            "Search cluster CPU at 95% since the index mapping change. Queries with a leading "
            "wildcard now do a full scan. $org sends ~40% of them."
        ),
        known=(
            "Search latency rose after an index change",
            "Queries with a leading wildcard are the slowest",
        ),
        doing=("Restoring the previous index mapping", "Adding capacity to the search cluster"),
        cause="An index mapping change made leading-wildcard queries scan the whole index.",
        fix="We restored the mapping; p95 is back to 170 ms.",
    ),
    Scenario(
        title="Our staging API key works but production key returns 403",
        description=(
            "Same code, same request. With the staging key we get 200, with the production key "
            "`403 Forbidden`.\n\n```\n"
            '{"error": {"code": "forbidden", "message": "Key is not allowed from this address."}}\n'
            "```"
        ),
        category="authentication",
        issue_type="configuration",
        severity=2,
        tags=("403", "api-keys"),
        endpoint="GET /v1/accounts",
        error="403 forbidden: Key is not allowed from this address.",
        impact="feature_unavailable",
        close_as="configuration",
        note=(
            "The production key has an IP allow-list (2 addresses); requests come from a new NAT "
            "gateway 198.51.100.24 that is not on it. Not a platform bug."
        ),
        known=(
            "Your production key only accepts requests from two listed addresses",
            "Your servers now call us from a new address",
        ),
        doing=("Confirming the addresses with you", "Nothing else: no change needed on our side"),
        cause=(
            "Your production key has an IP allow-list, and your servers now send requests from "
            "198.51.100.24, which is not on it"
        ),
        fix="Add the new address under Dashboard → API keys → Allowed IPs",
        ask="Which public IP addresses do your production servers send requests from?",
        answer="We moved to a new NAT gateway last week: 198.51.100.24.",
    ),
    Scenario(
        title="Intermittent 401 Unauthorized with valid tokens",
        description=(
            "About 2% of our requests fail with 401, then succeed on retry with the same token. "
            "It started after we moved to new servers. Example `$request_id`."
        ),
        category="authentication",
        issue_type="configuration",
        severity=2,
        tags=("401",),
        endpoint="GET /v1/orders",
        error="401 token_not_yet_valid",
        impact="degraded_performance",
        close_as="configuration",
        note=(
            "All failing requests have `token_not_yet_valid`: the `iat` is 40-70 s in the "
            "future. Their new hosts' clocks are ahead (no NTP). Classic clock skew."
        ),
        known=(
            "The failing tokens are issued about a minute in the future",
            "That points to the clock of the servers that create them",
        ),
        doing=(
            "Comparing token timestamps with our clocks",
            "Checking the clock settings with you",
        ),
        cause="The clocks of your new servers run about a minute ahead, so fresh tokens are "
        "not valid yet when they reach us",
        fix="Enable NTP time sync on the new servers",
        ask="Do your new servers sync their clocks (NTP or chrony)? Could you run `date -u` on "
        "one?",
        answer="You're right, NTP was not enabled on the new image. The clock was 58 s ahead.",
    ),
    Scenario(
        title="Webhook deliveries failing with timeouts",
        description=(
            "We stopped receiving `order.updated` webhooks. The dashboard shows deliveries as "
            "failed with `timeout after 10s`. Our endpoint answers in under 200 ms."
        ),
        category="integration",
        issue_type="bug",
        severity=2,
        tags=("webhooks",),
        endpoint="webhook order.updated",
        error="delivery failed: timeout after 10s",
        impact="feature_unavailable",
        note=(
            "Delivery workers in eu-1 resolve the customer's hostname to an old IPv6 address "
            "(stale DNS cache in the worker image). IPv4 deliveries succeed."
        ),
        known=(
            "Deliveries from one region time out before reaching your endpoint",
            "They go to an outdated IPv6 address of your host",
        ),
        doing=("Flushing the DNS cache of the delivery workers", "Redelivering the failed events"),
        cause="Our delivery workers cached an outdated DNS record for your endpoint.",
        fix="We fixed the DNS cache TTL and redelivered all failed events in order.",
        todo="Check that your handler tolerates the redelivered events (they carry the same ids).",
        workaround="Use `GET /v1/events?type=order.updated` to catch up meanwhile.",
    ),
    Scenario(
        title="OAuth authorization code exchange returns invalid_grant",
        description=(
            "Our users complete the consent screen, but exchanging the code at "
            "`POST /v1/oauth/token` returns `invalid_grant` about half of the time."
        ),
        category="integration",
        issue_type="bug",
        severity=2,
        tags=("oauth",),
        endpoint="POST /v1/oauth/token",
        error="invalid_grant: authorization code is invalid",
        impact="feature_unavailable",
        note=(
            "The code is redeemed twice: their load balancer retries the callback on a slow "
            "response, the first exchange consumes the code. Our side also returns "
            "`invalid_grant` instead of the documented `code_already_used`."
        ),
        known=(
            "Each authorization code is exchanged twice by your callback",
            "Our error response does not say that the code was already used",
        ),
        doing=("Making the error say `code_already_used`", "Sharing the exact requests with you"),
        cause="Your callback retried the exchange and our error hid that the code had been used.",
        fix="The error now says `code_already_used`; disable retries on the callback route.",
        todo="Turn off automatic retries for the OAuth callback on your load balancer.",
    ),
    Scenario(
        title="429 Too Many Requests well below our plan's rate limit",
        description=(
            "Our plan allows 100 requests/second but we get 429s at about 30 requests/second. "
            "`Retry-After: 1`. Request id `$request_id`."
        ),
        category="performance",
        issue_type="question",
        severity=3,
        tags=("429", "rate-limit"),
        endpoint="POST /v1/events",
        error="429 Too Many Requests",
        impact="degraded_performance",
        close_as="expected",
        note=(
            "They send bursts of ~300 requests within 200 ms every 10 s. The per-second limit "
            "applies per 100 ms window (burst 10). Average is fine, bursts are not."
        ),
        known=(
            "Your average rate is within your plan",
            "Your requests arrive in bursts that exceed the short-window limit",
        ),
        doing=("Analysing your traffic pattern", "Checking the limits on your plan"),
        cause="The limit is enforced over 100 ms windows, so bursts of 300 requests in 200 ms "
        "are throttled even though the per-second average is lower",
        fix="Spread requests evenly or use the batch endpoint `POST /v1/events:batch`",
    ),
    Scenario(
        title="API key exposed in a public GitHub repository",
        description=(
            "A developer pushed our production API key to a public repository an hour ago. "
            "We deleted the commit. What else do we need to do?"
        ),
        category="authentication",
        issue_type="incident",
        severity=2,
        tags=("security",),
        security=True,
        impact="feature_unavailable",
        note=(
            "Key revoked by security on-call. Access log since the push: 14 requests from "
            "unknown addresses (scanner pattern, read-only endpoints). Report via phone, not "
            "email (playbook)."
        ),
        known=(
            "The exposed key was used by unknown parties for read requests",
            "No write requests were made with it",
        ),
        doing=(
            "Revoking the key and issuing a replacement",
            "Preparing the access report for your security contact",
        ),
        cause="The production key was published in a public repository.",
        fix="The key is revoked; we shared the access report over a secure channel.",
        todo="Deploy the new key and enable secret scanning on your repositories.",
        weight=1,
    ),
    # ---------------------------------------------------------------- P3 medium
    Scenario(
        title="Our SDK is getting 422 on valid-looking requests",
        description=(
            "Using the Python SDK $sdk, `client.orders.create(...)` fails with 422.\n\n```\n"
            '{"error": {"code": "validation_error", "fields": {"status": ["\\"Pending\\" is '
            'not a valid choice."]}}}\n```'
        ),
        category="validation",
        issue_type="configuration",
        severity=3,
        tags=("422", "sdk"),
        endpoint="POST /v1/orders",
        error='422 validation_error: "Pending" is not a valid choice.',
        platform="Python 3.11",
        version="python-sdk $sdk",
        close_as="configuration",
        note="Enum values are case-sensitive: they send `Pending`, the schema says `pending`.",
        known=(
            "The request is rejected because of the `status` value",
            "Enum values in our API are case-sensitive",
        ),
        doing=("Comparing your payload with the schema", "Checking the SDK's enum helpers"),
        cause="The `status` field is case-sensitive and the request sends `Pending` instead of "
        "`pending`",
        fix="Use the SDK's `OrderStatus.PENDING` constant or the lower-case value",
        ask="Could you send the exact payload your code builds (with personal data removed)?",
        answer='Here it is: `{"customer_id": "cus_812", "status": "Pending", "total": "19.90"}`',
        weight=5,
    ),
    Scenario(
        title="OpenAPI docs page shows 500 error",
        description="https://docs.example.com/api/reference returns a 500 error page since this "
        "morning. The JSON schema at /openapi.json still loads.",
        category="documentation",
        issue_type="bug",
        severity=3,
        tags=("docs",),
        endpoint="GET /api/reference",
        error="500 Internal Server Error",
        environment="production",
        note="The docs renderer fails on a new schema with a recursive `$ref`. Filed DOCS-214.",
        known=(
            "The docs page fails to render one new recursive schema",
            "The schema file itself is correct",
        ),
        doing=("Fixing the renderer", "Publishing a static copy meanwhile"),
        cause="The docs renderer could not handle a recursive schema added in the last release.",
        fix="The renderer is fixed and the page loads again.",
        todo="Nothing.",
        weight=2,
    ),
    Scenario(
        title="Pagination returns inconsistent results for large offsets",
        description=(
            "Paging through `GET /v1/transactions?limit=100&offset=N` we see duplicates and "
            "missing rows past offset ~10,000 while new transactions come in."
        ),
        category="performance",
        issue_type="bug",
        severity=3,
        tags=("pagination",),
        endpoint="GET /v1/transactions",
        close_as="known_issue",
        note="Known issue KI-31: offset pagination over a changing set. Cursor pagination fixes "
        "it.",
        known=(
            "Offset pagination shifts when rows are inserted during paging",
            "Cursor pagination is not affected",
        ),
        doing=("Confirming it matches known issue KI-31", "Checking the cursor parameters"),
        cause="offset pagination on endpoints whose results change while you page (v1 list "
        "endpoints)",
        fix="to page with the `cursor` parameter returned in `next` instead of `offset`",
        workaround="Use cursor pagination (`?cursor=` from the `next` link).",
    ),
    Scenario(
        title="PATCH /v1/orders/{id} returns 500 instead of 422 for an invalid amount",
        description=(
            'Sending `{"total": "12.345"}` (three decimals) returns 500 instead of a validation '
            "error. Request id `$request_id`."
        ),
        category="validation",
        issue_type="bug",
        severity=3,
        tags=("5xx", "validation"),
        endpoint="PATCH /v1/orders/{id}",
        error="500 Internal Server Error",
        close_as="known_issue",
        note="Matches KI-44: decimal places validated after the model layer (condecimal edge "
        "case), raises instead of returning 422. Fix scheduled for v4.20.",
        known=(
            "Amounts with more than two decimals trigger an unhandled error",
            "Valid amounts are not affected",
        ),
        doing=("Linking your report to the known issue", "Checking the fix's release date"),
        cause="decimal validation in v4.19 (three decimals raise a 500 instead of a 422)",
        fix="to round amounts to two decimals before sending them",
        workaround="Round amounts to two decimals client-side.",
    ),
    Scenario(
        title="Python SDK $sdk fails with TypeError after upgrading httpx",
        description=(
            "After upgrading httpx to 0.28, every SDK call raises\n\n```\nTypeError: "
            "Client.__init__() got an unexpected keyword argument 'proxies'\n```"
        ),
        category="integration",
        issue_type="bug",
        severity=3,
        tags=("sdk", "python"),
        platform="Python 3.12",
        version="python-sdk $sdk",
        environment="development",
        error="TypeError: Client.__init__() got an unexpected keyword argument 'proxies'",
        close_as="known_issue",
        note="httpx 0.28 removed `proxies=`. SDK 2.5.0 (next week) uses `proxy=`. KI-52.",
        known=("httpx 0.28 removed an argument the SDK uses", "Earlier httpx versions work"),
        doing=("Confirming the SDK release with the SDK team", "Documenting the pin"),
        cause="python-sdk below 2.5 together with httpx 0.28",
        fix="to pin `httpx<0.28` until SDK 2.5.0 is released",
        workaround="pip install 'httpx<0.28'",
    ),
    Scenario(
        title="Invalid API key right after copying it from the dashboard",
        description=(
            "I created a key and pasted it into our config, but every request returns "
            "`401 invalid_api_key`. The key is active in the dashboard."
        ),
        category="authentication",
        issue_type="configuration",
        severity=3,
        tags=("401", "api-keys"),
        endpoint="GET /v1/me",
        error="401 invalid_api_key",
        environment="development",
        close_as="configuration",
        note="The key in their failing request has a trailing newline (`%0A` in the log).",
        known=("The key reaches us with an extra character at the end", "The key itself is valid"),
        doing=("Checking the raw header we receive", "Nothing else on our side"),
        cause="The key in your requests ends with a newline character, which is usually picked "
        "up when copying or reading it from a file",
        fix="Strip whitespace from the key when you load it",
        ask="Could you send the failing cURL command, with all but the last 4 characters of the "
        "key masked?",
        answer=(
            '`curl -H "Authorization: Bearer $(cat key.txt)" https://api.example.com/v1/me` '
            "where key.txt is the key saved from the dashboard (sk_live_****9f2a)."
        ),
        weight=4,
    ),
    Scenario(
        title="CORS error when calling the API from our web app",
        description=(
            "From our React app at https://app.$domain the browser blocks requests: `No "
            "'Access-Control-Allow-Origin' header is present on the requested resource`."
        ),
        category="authentication",
        issue_type="configuration",
        severity=3,
        tags=("cors",),
        browser="Chrome 131",
        endpoint="GET /v1/catalog",
        close_as="configuration",
        error="No 'Access-Control-Allow-Origin' header is present",
        environment="staging",
        note="Their origin is not in the key's allowed origins. Also: secret keys must not be "
        "used from a browser; they need a publishable key.",
        known=(
            "Your web app's origin is not allowed for this key",
            "Browser apps need a publishable key",
        ),
        doing=("Checking the allowed origins of your key", "Nothing else on our side"),
        cause="The origin of your web app is not in the allowed origins of the key, and the "
        "key is a secret key, which browsers must never see",
        fix="Create a publishable key and add your app's origin to it",
    ),
    Scenario(
        title="415 Unsupported Media Type on POST /v1/customers",
        description="Our integration gets `415 Unsupported Media Type` although the body is JSON.",
        category="validation",
        issue_type="configuration",
        severity=3,
        tags=("415",),
        endpoint="POST /v1/customers",
        error="415 Unsupported Media Type",
        close_as="configuration",
        note="No `Content-Type` header in their requests (their HTTP client defaults to "
        "text/plain when given a string).",
        known=("Your requests arrive without a JSON Content-Type", "The body itself is fine"),
        doing=("Checking your request headers", "Nothing else on our side"),
        cause="The requests are sent without a `Content-Type: application/json` header",
        fix="Set `Content-Type: application/json` (or pass the body as JSON to your client)",
    ),
    Scenario(
        title="Webhook signature verification fails in our Node.js handler",
        description="Every webhook fails our signature check with the secret from the "
        "dashboard. We use `express.json()` and compute the HMAC over the body.",
        category="integration",
        issue_type="configuration",
        severity=3,
        tags=("webhooks", "hmac"),
        platform="Node.js 20",
        close_as="configuration",
        note="They hash the re-serialised JSON, not the raw body bytes.",
        known=(
            "The signature is computed over the parsed and re-serialised body",
            "It must be computed over the raw bytes we send",
        ),
        doing=("Checking a delivery against your secret", "Nothing else on our side"),
        cause="The handler computes the signature over the body after `express.json()` parsed "
        "and re-serialised it, which changes the bytes",
        fix="Compute the HMAC over the raw body (`express.raw({type: 'application/json'})`)",
    ),
    Scenario(
        title="Second request hangs when background tasks are enabled",
        description="When we enable background tasks in our middleware, the second request on a "
        "keep-alive connection hangs until the timeout (60 s).",
        category="performance",
        issue_type="bug",
        severity=3,
        tags=("timeouts",),
        endpoint="POST /v1/jobs",
        error="ReadTimeout after 60 s",
        environment="staging",
        note="Reproduced: response body not closed when a background task runs; the connection "
        "is not returned to the pool. Escalate with discretion: intermittent, but "
        "reproducible in staging.",
        known=(
            "The connection is not released when a background task is attached",
            "Requests without background tasks are fine",
        ),
        doing=("Fixing the response handling in the jobs service", "Testing the fix in staging"),
        cause="The jobs service kept the connection open while background tasks ran.",
        fix="The response is now closed before background tasks start.",
        todo="Nothing; you can re-enable background tasks.",
    ),
    Scenario(
        title="API returns 403 instead of 404 for another account's project",
        description="Requesting a project id that belongs to another account returns 403. "
        "Shouldn't it be 404?",
        category="authentication",
        issue_type="question",
        severity=4,
        tags=("403",),
        endpoint="GET /v1/projects/{id}",
        error="403 Forbidden",
        close_as="expected",
        note="Documented behaviour: 403 for existing-but-not-visible resources.",
        known=("The project exists but belongs to another account", "403 is the documented answer"),
        doing=("Checking the docs", "Nothing else"),
        cause="Our API answers 403 for resources that exist but that your key may not see, and "
        "404 only for ids that do not exist",
        fix="",
        weight=2,
    ),
    Scenario(
        title="POST /v1/sessions with an empty body returns 422",
        description="Calling `POST /v1/sessions` without a body returns 422. It should create a "
        "session with defaults.",
        category="validation",
        issue_type="question",
        severity=4,
        tags=("422",),
        endpoint="POST /v1/sessions",
        error="422 body is required",
        close_as="expected",
        note="Empty body is not JSON; `{}` works and uses the defaults.",
        known=("An empty body is not a JSON object", "`{}` gives you the defaults"),
        doing=("Checking the docs", "Nothing else"),
        cause="The endpoint expects a JSON object; an empty body is not one, while `{}` is and "
        "creates the session with the defaults",
        fix="",
        weight=2,
    ),
    Scenario(
        title="DELETE returns 204 with no body and our client treats it as an error",
        description="`DELETE /v1/webhooks/{id}` returns 204 without a body; our client expects "
        "200 with JSON.",
        category="integration",
        issue_type="question",
        severity=4,
        tags=("http",),
        endpoint="DELETE /v1/webhooks/{id}",
        close_as="expected",
        note="204 No Content is per spec for DELETE.",
        known=("The delete succeeds", "204 means success without a body"),
        doing=("Checking the docs", "Nothing else"),
        cause="A successful DELETE answers `204 No Content`, as the HTTP specification "
        "describes; there is no body to parse",
        fix="",
        weight=2,
    ),
    # ---------------------------------------------------------------- P4 low
    Scenario(
        title="How do I implement pagination correctly?",
        description="We need to export all customers. What's the right way to page through "
        "`GET /v1/customers`?",
        category="documentation",
        issue_type="question",
        severity=4,
        tags=("pagination",),
        endpoint="GET /v1/customers",
        environment="unknown",
        close_as="answer",
        note="Point to the cursor pagination guide.",
        known=("", ""),
        doing=("", ""),
        cause="",
        fix=(
            "Use cursor pagination:\n\n1. Request `GET /v1/customers?limit=100`.\n"
            "2. Follow the `next` URL of each response until it is `null`.\n"
            "3. Don't compute offsets yourself: cursors stay stable while data changes.\n\n"
            f"The guide: {DOCS}/guides/pagination"
        ),
        weight=5,
    ),
    Scenario(
        title="Can you add support for bulk upserts in the API?",
        description="We sync ~50k products nightly. A bulk upsert endpoint would save us many "
        "requests.",
        category="feature_request",
        issue_type="question",
        severity=4,
        tags=("feature-request",),
        environment="unknown",
        close_as="feature",
        note="Logged for product: PRD-388 (bulk upsert), 6 similar requests this quarter.",
        known=("", ""),
        doing=("", ""),
        cause="",
        fix="",
        weight=3,
    ),
    Scenario(
        title="The error message for invalid dates could be clearer",
        description="Sending `2024-13-01` returns `invalid value`. It would help if it said "
        "which field and which format is expected.",
        category="feature_request",
        issue_type="question",
        severity=4,
        tags=("errors",),
        environment="unknown",
        close_as="feature",
        note="Logged for product: PRD-402 (field-level date errors).",
        known=("", ""),
        doing=("", ""),
        cause="",
        fix="",
        weight=2,
    ),
    Scenario(
        title="Where can I find the changelog for API v2?",
        description="We plan to migrate from v1 to v2. Is there a list of breaking changes?",
        category="documentation",
        issue_type="question",
        severity=4,
        tags=("docs", "v2"),
        environment="unknown",
        close_as="answer",
        note="Migration guide exists but is not linked from the changelog. Filed DOCS-220.",
        known=("", ""),
        doing=("", ""),
        cause="",
        fix=f"The breaking changes are listed in the migration guide: {DOCS}/guides/v1-to-v2. "
        f"The full changelog is at {DOCS}/changelog.",
        weight=3,
    ),
    Scenario(
        title="Is there a sandbox for testing webhooks?",
        description="We'd like to test our webhook handler without touching production data.",
        category="documentation",
        issue_type="question",
        severity=4,
        tags=("webhooks",),
        environment="development",
        close_as="answer",
        note="Test mode keys + `POST /v1/webhooks/{id}/test`.",
        known=("", ""),
        doing=("", ""),
        cause="",
        fix="Yes: use a test-mode key (prefix `sk_test_`) and send sample events with "
        "`POST /v1/webhooks/{id}/test`. Test-mode events never touch production data.",
        weight=2,
    ),
    Scenario(
        title="What does X-RateLimit-Reset mean exactly?",
        description="Is `X-RateLimit-Reset` a timestamp or a number of seconds?",
        category="documentation",
        issue_type="question",
        severity=4,
        tags=("rate-limit",),
        environment="unknown",
        close_as="answer",
        note="Seconds until reset; the docs page says 'time', which is ambiguous. DOCS-225.",
        known=("", ""),
        doing=("", ""),
        cause="",
        fix="It is the number of seconds until the current window resets (not a timestamp). "
        f"We're clarifying the docs page: {DOCS}/rate-limits",
        weight=2,
    ),
]

CUSTOMER_NUDGES = [
    "Any update on this? It's blocking our release.",
    "We're still seeing this. Anything we can do to help?",
    "Following up: the issue still happens for us this morning.",
    "Could someone take a look? Our team is waiting on this.",
]
CUSTOMER_THANKS = [
    "Confirmed, everything works again. Thanks for the quick help!",
    "Works now, thank you. You can close this.",
    "Thanks, that did it.",
    "All good on our side now. Appreciate the clear explanation.",
]
CUSTOMER_REOPEN = [
    "Unfortunately it's back: we saw it again for request `$request_id` an hour ago.",
    "Still happening for some of our users, reopening.",
    "This is not fixed for us, same error as before.",
]
GENERIC_ANSWER = (
    "Here you go:\n\n1. Timestamp: $when\n2. Request ID: `$request_id`\n"
    "3. Error response: see the description\n4. Request: the endpoint in the description, with "
    "our usual payload\n5. It happens on roughly every third request."
)


def bullets(items) -> str:
    return "\n".join(f"- {item}" for item in items if item)
