"""Gunicorn settings, read from the repository root by every gunicorn started there (`make run`,
the bench, the Docker image); command-line options still win.

Gunicorn refuses a request line longer than its limit before Django sees the request, with a
plain-text "400 Bad Request". Every answer of the API is JSON in one error shape
(helpdesk/api_errors.py), so the refusal is a 414 in that shape instead. The path of such a
request was never read, so this holds for any URL; only API clients send URLs that long. The
limit is gunicorn's largest (its default is 4,094), the same as the API's own (MAX_URL_CHARS):
a full search with its filters, percent-encoded, fits.
"""

import json

from gunicorn.http.errors import LimitRequestLine

limit_request_line = 8190

_URI_TOO_LONG = json.dumps(
    {
        "error": {
            "code": "uri_too_long",
            "message": "The URL is longer than 8,190 characters.",
            "fields": {},
        }
    }
).encode()
_RESPONSE = (
    b"HTTP/1.1 414 URI Too Long\r\n"
    b"Connection: close\r\n"
    b"Content-Type: application/json\r\n"
    b"Content-Length: %d\r\n\r\n" % len(_URI_TOO_LONG)
) + _URI_TOO_LONG


def post_worker_init(worker):
    plain = worker.handle_error

    def handle_error(req, client, addr, exc):
        if not isinstance(exc, LimitRequestLine):
            return plain(req, client, addr, exc)
        worker.log.warning("Request line too long from %s: %s", (addr or ("",))[0], exc)
        try:
            client.sendall(_RESPONSE)
        except OSError:
            worker.log.debug("Failed to send the 414 answer.")
        return None

    worker.handle_error = handle_error
