"""The demo knowledge base: articles across the playbook's categories, runbooks, known issues."""

from __future__ import annotations


def _trouble(symptoms: str, cause: str, solution: str, prevention: str) -> str:
    return (
        f"## Symptoms\n\n{symptoms}\n\n## Cause\n\n{cause}\n\n## Solution\n\n{solution}\n\n"
        f"## Prevention\n\n{prevention}\n"
    )


# (title, category, visibility, summary, body)
ARTICLES = [
    (
        "SSO login failures after an identity provider change",
        "troubleshooting",
        "public",
        "Users cannot sign in with SSO after the identity provider's URLs or certificate changed.",
        _trouble(
            "- Users see **Invalid credentials** or are sent back to the login page.\n"
            "- Every user of the organization is affected at once, often right after a change "
            "on the identity provider's side.",
            "The SSO issuer URL (or signing certificate) configured in your account no longer "
            "matches what your identity provider sends.",
            "1. In **Settings → Single sign-on**, compare the *Issuer URL* with the one in your "
            "identity provider's metadata.\n2. Upload the current signing certificate.\n"
            "3. Ask users to sign in again and clear their browser cache if it persists.",
            "Announce identity-provider changes to your admins and update the SSO settings in "
            "the same change window.",
        ),
    ),
    (
        "Intermittent 401 Unauthorized with valid tokens",
        "troubleshooting",
        "public",
        "Requests fail now and then with 401 although the token is valid.",
        _trouble(
            "Some requests return `401 Unauthorized` while identical requests seconds later "
            "succeed.",
            "Usually clock skew on the calling server (tokens look not yet valid or expired), "
            "or a token refreshed by one worker while others still use the old one.",
            "Sync the server clock with NTP; refresh tokens a minute before `expires_at` and "
            "share the refreshed token between workers.",
            "Monitor clock drift and log the `WWW-Authenticate` header of 401 responses.",
        ),
    ),
    (
        "How to generate API keys",
        "getting_started",
        "public",
        "Create, name and rotate API keys for each environment.",
        "1. Open **Settings → API keys** and choose **New key**.\n2. Name it after where it "
        "will run (`billing-prod`).\n3. Copy it at once: it is shown only once.\n\nUse one key "
        "per environment; a staging key never works in production.",
    ),
    (
        "Rate limiting explained",
        "faq",
        "public",
        "What the limits are, what 429 means and how to read X-RateLimit-Reset.",
        "Each plan allows a number of requests per minute per key. Past it the API answers "
        "`429 Too Many Requests` with `Retry-After`.\n\n- `X-RateLimit-Limit`: requests allowed "
        "in the window\n- `X-RateLimit-Remaining`: requests left\n- `X-RateLimit-Reset`: Unix "
        "time when the window resets\n\nBack off until `Retry-After` has passed; retrying at "
        "once only extends the throttling.",
    ),
    (
        "Paging through large result sets with cursors",
        "api_reference",
        "public",
        "Use the cursor in `next` instead of offsets for stable pages.",
        "List endpoints return a `next` link. Follow it until it is `null`.\n\nOffsets "
        "(`?offset=10000`) shift when rows are added while you page, so you may see duplicates "
        "or miss rows (known issue KI-31). Cursors do not.\n\n```\nGET /v1/transactions?limit=100"
        "\nGET /v1/transactions?cursor=eyJpZCI6...\n```",
    ),
    (
        "Webhook deliveries failing with timeouts",
        "integration",
        "public",
        "Why deliveries time out and how to acknowledge webhooks quickly.",
        _trouble(
            "The delivery log shows `timeout after 10s` and events are retried.",
            "The receiving endpoint does its work before answering.",
            "Answer `2xx` at once and process the event in a background job; deduplicate by "
            "the event id since retries may repeat an event.",
            "Alert on the share of failed deliveries in your webhook dashboard.",
        ),
    ),
    (
        "OAuth authorization code exchange returns invalid_grant",
        "integration",
        "public",
        "Codes are single-use, short-lived and bound to the redirect URI.",
        _trouble(
            '`POST /oauth/token` answers `{"error": "invalid_grant"}`.',
            "The code was used twice, is older than 10 minutes, or the `redirect_uri` differs "
            "from the one used to get it.",
            "Exchange each code once, straight away, with exactly the same `redirect_uri`.",
            "Log the redirect URI on both legs of the flow.",
        ),
    ),
    (
        "CORS errors when calling the API from a browser",
        "troubleshooting",
        "public",
        "Add your web origin to the allowed origins, or call the API from your backend.",
        _trouble(
            "The browser console shows *blocked by CORS policy*; the same call works with curl.",
            "The page's origin is not in your account's allowed origins.",
            "Add the exact origin (`https://app.example.com`, no path) under **Settings → "
            "Allowed origins**. Never put a secret key in browser code.",
            "Keep secret keys on the server; use publishable keys in browsers.",
        ),
    ),
    (
        "415 Unsupported Media Type on POST requests",
        "troubleshooting",
        "public",
        "Send JSON bodies with `Content-Type: application/json`.",
        _trouble(
            "`POST` answers `415 Unsupported Media Type`.",
            "The request has no `Content-Type` header or sends form data.",
            "Set `Content-Type: application/json` and send a JSON body.",
            "Use the official SDKs, which set the header.",
        ),
    ),
    (
        "Python SDK TypeError with httpx 0.28",
        "integration",
        "public",
        "Pin httpx below 0.28 until SDK 2.5.0 (known issue KI-52).",
        _trouble(
            "`TypeError: Client.__init__() got an unexpected keyword argument 'proxies'`",
            "httpx 0.28 removed the `proxies` argument the SDK below 2.5 uses.",
            "`pip install 'httpx<0.28'`, then upgrade to python-sdk 2.5.0 when it is out.",
            "Pin transitive dependencies in your lock file.",
        ),
    ),
    (
        "Keeping API keys safe",
        "security",
        "public",
        "Where keys belong, how to rotate them and what to do if one leaks.",
        "- Keep keys in a secret manager, never in source control.\n- Rotate keys every 90 "
        "days.\n- If a key leaks, revoke it at once in **Settings → API keys** and open a "
        "ticket marked *security*: we will check its use.",
    ),
    (
        "Why the API answers 404 rather than 403 for other accounts' objects",
        "faq",
        "public",
        "An object you may not see does not exist for you.",
        "Answering 403 would confirm that an id exists in another account. So an object "
        "outside your account answers `404 Not Found`, exactly like an id that never existed.",
    ),
    (
        "Policy format reference",
        "api_reference",
        "internal",
        "The access-policy document format, with the fields support is asked about most.",
        "A policy is a JSON document with `version`, `statements` and, per statement, "
        "`effect`, `actions` and `resources`. Draft for review with engineering before it goes "
        "public.",
    ),
]

RUNBOOKS = [
    (
        "Runbook: SSO outage for one customer",
        "troubleshooting",
        "Diagnose and restore SSO for an organization (the SUP-456 case).",
        "1. Confirm scope: one organization or all? Check the status page and recent "
        "deploys.\n2. Pull the auth service logs for the organization: `@support SUP-XXX "
        "--logs`.\n3. Compare the configured issuer URL with the identity provider's "
        "metadata.\n4. If it differs, correct it with the customer's admin on a call.\n5. "
        "Verify with a test account, then send the resolution template.\n6. Write or update "
        "the KB article and schedule the post-mortem within 48 h.",
    ),
    (
        "Runbook: leaked API key",
        "security",
        "What to do within the first hour when a customer's key is exposed.",
        "1. Treat as P1 security; page the on-call.\n2. Revoke the key (admin: **Accounts → "
        "Keys → Revoke**).\n3. Export the key's request log for the last 30 days.\n4. Look "
        "for calls from unknown IPs; share findings only over the secure channel.\n5. Help "
        "the customer issue a new key and scan their repositories.",
    ),
    (
        "Runbook: retrieving logs for a request id",
        "troubleshooting",
        "Find every log line of one request across services.",
        "1. Take the `request_id` from the ticket.\n2. Search the log platform for "
        "`request_id:<id>` over the reported window ±15 min.\n3. Attach the trace (never raw "
        "customer data) as an internal note.\n4. If nothing is found, check the region.",
    ),
]

# (external id, title, component, affected versions, signatures, symptoms, workaround,
#  status, fix version, the ticket title it appears in)
KNOWN_ISSUES = [
    (
        "KI-31",
        "Offset pagination skips or repeats rows while new rows arrive",
        "API list endpoints",
        "v1",
        ["GET /v1/transactions", "offset pagination duplicates"],
        "Paging with `offset` past ~10,000 rows shows duplicates and missing rows while new "
        "transactions come in.",
        "Use cursor pagination (`?cursor=` from the `next` link).",
        "identified",
        "",
        "Pagination returns inconsistent results for large offsets",
    ),
    (
        "KI-44",
        "PATCH /v1/orders returns 500 for amounts with three decimals",
        "Orders API",
        "v4.19",
        ["PATCH /v1/orders/{id}", "500 Internal Server Error", "decimal.InvalidOperation"],
        "Amounts with more than two decimals trigger an unhandled error instead of a 422.",
        "Round amounts to two decimals client-side.",
        "fix_scheduled",
        "4.20",
        "PATCH /v1/orders/{id} returns 500 instead of 422 for an invalid amount",
    ),
    (
        "KI-52",
        "Python SDK fails with httpx 0.28",
        "python-sdk",
        "< 2.5.0",
        ["TypeError: Client.__init__() got an unexpected keyword argument 'proxies'"],
        "Every SDK call raises a TypeError after upgrading httpx to 0.28.",
        "`pip install 'httpx<0.28'`",
        "fix_scheduled",
        "2.5.0",
        "Python SDK",
    ),
]
