"""The API under hostile or careless input: nesting, sizes, error shapes, token downloads."""

from __future__ import annotations

import base64
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from helpdesk.models import ApiToken
from tests.factories import make_agent, make_ticket
from tickets import limits, services
from tickets.models import Comment, Ticket, TicketEvent

pytestmark = pytest.mark.django_db

LIST_URLS = (
    "/api/v1/tickets/",
    "/api/v1/tickets/{key}/comments/",
    "/api/v1/tickets/{key}/attachments/",
    "/api/v1/tickets/{key}/events/",
    "/api/v1/organizations/",
    "/api/v1/contacts/",
)


@pytest.fixture
def api():
    def make(user=None) -> APIClient:
        client = APIClient()
        if user is not None:
            _, raw = ApiToken.issue(user=user, name="tests")
            client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
        return client

    return make


def error(response) -> dict:
    assert response["Content-Type"].startswith("application/json"), response.content[:200]
    return response.json()["error"]


def nested(depth: int) -> str:
    return '{"a":' * depth + "1" + "}" * depth


def cursor_of(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


# ---------------------------------------------------------------------------------------------
# Deeply nested input


def test_deeply_nested_json_bodies_are_refused_on_every_write(api, agent, org_a):
    ticket = make_ticket(actor=agent, organization=org_a)
    client = api(agent)
    body = '{"body": ' + nested(1_000) + "}"

    for method, url in (
        ("post", "/api/v1/tickets/"),
        ("patch", f"/api/v1/tickets/{ticket.key}/"),
        ("post", f"/api/v1/tickets/{ticket.key}/transition/"),
        ("post", f"/api/v1/tickets/{ticket.key}/comments/"),
    ):
        response = getattr(client, method)(url, body, content_type="application/json")
        assert response.status_code == 400, url
        assert error(response)["code"] == "malformed_request", url

    assert Ticket.objects.count() == 1
    assert Comment.objects.count() == 0


def test_moderately_nested_json_is_refused_before_validation(api, agent, org_a):
    response = api(agent).post(
        "/api/v1/tickets/",
        '{"organization": "acme", "title": "x", "tags": ' + "[" * 200 + "]" * 200 + "}",
        content_type="application/json",
    )

    assert response.status_code == 400
    assert error(response)["code"] == "malformed_request"
    assert "nested" in error(response)["message"]


def test_a_cursor_of_deeply_nested_json_is_an_invalid_cursor_on_every_list(api, agent, org_a):
    ticket = make_ticket(actor=agent, organization=org_a)
    client = api(agent)
    short = cursor_of("[" * 190 + "]" * 190)
    deep = cursor_of("[" * 1_000 + "]" * 1_000)
    assert len(short) < 512 < len(deep) < 8_000

    for url in LIST_URLS:
        for bad in (short, deep):
            response = client.get(url.format(key=ticket.key), {"cursor": bad})
            assert response.status_code == 400, url
            assert error(response)["code"] == "invalid_cursor", url
        response = client.get(url.format(key=ticket.key), {"cursor": cursor_of(nested(5_000))})
        assert response.status_code == 414, url
        assert error(response)["code"] == "uri_too_long", url


# ---------------------------------------------------------------------------------------------
# Sizes


def test_comment_body_over_the_limit_is_refused_and_writes_nothing(api, agent, org_a):
    ticket = make_ticket(actor=agent, organization=org_a)

    response = api(agent).post(
        f"/api/v1/tickets/{ticket.key}/comments/",
        {"body": "x" * (limits.MAX_COMMENT_CHARS + 1)},
        format="json",
    )

    assert response.status_code == 400
    assert list(error(response)["fields"]) == ["body"]
    assert Comment.objects.count() == 0


def test_comment_body_at_the_limit_is_accepted(api, agent, org_a):
    ticket = make_ticket(actor=agent, organization=org_a)

    response = api(agent).post(
        f"/api/v1/tickets/{ticket.key}/comments/",
        {"body": "x" * limits.MAX_COMMENT_CHARS},
        format="json",
    )

    assert response.status_code == 201


def test_description_over_the_limit_is_refused_on_create_and_update(api, agent, org_a):
    ticket = make_ticket(actor=agent, organization=org_a)
    long = "y" * (limits.MAX_DESCRIPTION_CHARS + 1)
    client = api(agent)

    created = client.post(
        "/api/v1/tickets/", {"organization": "acme", "title": "t", "description": long}, "json"
    )
    updated = client.patch(f"/api/v1/tickets/{ticket.key}/", {"description": long}, "json")

    for response in (created, updated):
        assert response.status_code == 400
        assert list(error(response)["fields"]) == ["description"]
    assert Ticket.objects.count() == 1
    assert Ticket.objects.get().description == ""


def test_services_refuse_overlong_text_whatever_the_interface(agent, org_a):
    from helpdesk.errors import DomainError

    ticket = make_ticket(actor=agent, organization=org_a)
    with pytest.raises(DomainError) as exc:
        services.comment_add(ticket=ticket, author=agent, body="z" * (limits.MAX_COMMENT_CHARS + 1))
    assert (exc.value.field, exc.value.code) == ("body", "too_long")
    with pytest.raises(DomainError) as exc:
        services.ticket_update(
            ticket=ticket,
            actor=agent,
            changes={"error_message": "e" * (limits.MAX_TICKET_TEXT_CHARS + 1)},
        )
    assert exc.value.field == "error_message"
    assert Comment.objects.count() == 0
    assert not TicketEvent.objects.filter(field="error_message").exists()


def test_the_schema_states_the_text_limits():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    components = schema["components"]["schemas"]

    assert components["CommentCreateRequest"]["properties"]["body"]["maxLength"] == (
        limits.MAX_COMMENT_CHARS
    )
    for name in ("TicketCreateRequest", "PatchedTicketUpdateRequest"):
        assert components[name]["properties"]["description"]["maxLength"] == (
            limits.MAX_DESCRIPTION_CHARS
        )


@pytest.mark.parametrize(
    ("form_path", "field", "limit"),
    [
        ("tickets.forms.ReplyForm", "body", limits.MAX_COMMENT_CHARS),
        ("tickets.forms.TicketCreateForm", "description", limits.MAX_DESCRIPTION_CHARS),
        ("tickets.forms_portal.PortalTicketForm", "description", limits.MAX_DESCRIPTION_CHARS),
        ("tickets.forms_portal.PortalReplyForm", "body", limits.MAX_COMMENT_CHARS),
        ("tickets.forms_portal.PortalReopenForm", "body", limits.MAX_COMMENT_CHARS),
    ],
)
def test_composers_carry_the_same_limit_as_the_api(form_path, field, limit):
    from django.utils.module_loading import import_string

    html = str(import_string(form_path)()[field])

    assert f'maxlength="{limit}"' in html


def test_a_page_of_comments_stops_at_its_text_budget_and_continues(api, agent, org_a, settings):
    ticket = make_ticket(actor=agent, organization=org_a)
    big = "b" * limits.MAX_COMMENT_CHARS
    for _ in range(40):
        services.comment_add(ticket=ticket, author=agent, body=big)
    client = api(agent)

    seen, url, pages = [], f"/api/v1/tickets/{ticket.key}/comments/?page_size=200", 0
    while url and pages < 20:
        response = client.get(url)
        assert response.status_code == 200
        page = response.json()
        text = sum(len(c["body"]) + len(c["body_html"]) for c in page["results"])
        assert text <= limits.PAGE_TEXT_BUDGET + 2 * len(big) + 20
        assert len(response.content) < 2 * limits.PAGE_TEXT_BUDGET
        seen += [c["id"] for c in page["results"]]
        url, pages = page["next"], pages + 1

    assert pages > 1
    assert seen == list(Comment.objects.order_by("created_at", "id").values_list("id", flat=True))


def test_a_page_of_tickets_stops_at_its_text_budget(api, agent, org_a):
    for _ in range(25):
        make_ticket(actor=agent, organization=org_a, description="d" * limits.MAX_DESCRIPTION_CHARS)
    client = api(agent)

    first = client.get("/api/v1/tickets/?page_size=200").json()
    rest = client.get(first["next"]).json()

    assert 0 < len(first["results"]) < 25
    assert len(first["results"]) + len(rest["results"]) == 25
    assert rest["next"] is None


def test_heavy_comment_pages_walk_back_within_the_budget(api, agent, org_a):
    ticket = make_ticket(actor=agent, organization=org_a)
    for i in range(36):
        services.comment_add(ticket=ticket, author=agent, body=f"{i} " + "w" * 60_000)
    client = api(agent)
    pages, url = [], f"/api/v1/tickets/{ticket.key}/comments/?page_size=200"
    while url and len(pages) < 20:
        pages.append(client.get(url).json())
        url = pages[-1]["next"]

    back, url = [], pages[-1]["previous"]
    while url and len(back) < 20:
        back.append(client.get(url).json())
        url = back[-1]["previous"]

    def text(page) -> int:
        return sum(len(c["body"]) + len(c["body_html"]) for c in page["results"])

    ids = list(Comment.objects.order_by("created_at", "id").values_list("id", flat=True))
    last = [c["id"] for c in pages[-1]["results"]]
    walked_back = [c["id"] for page in reversed(back) for c in page["results"]]
    assert len(pages) > 2
    assert all(text(page) <= limits.PAGE_TEXT_BUDGET for page in pages + back)
    assert walked_back + last == ids


@pytest.mark.parametrize("sort", ["sla", "severity", "-created_at"])
def test_every_ticket_sort_pages_through_with_the_text_budget(api, agent, org_a, sort):
    for severity in (1, 2, 3, 4, 2, 3):
        make_ticket(actor=agent, organization=org_a, severity=severity)
    client = api(agent)

    seen, url = [], f"/api/v1/tickets/?page_size=2&sort={sort}"
    while url and len(seen) < 20:
        response = client.get(url)
        assert response.status_code == 200, response.content[:300]
        seen += [t["key"] for t in response.json()["results"]]
        url = response.json()["next"]

    assert len(seen) == len(set(seen)) == 6


# ---------------------------------------------------------------------------------------------
# Schema and answers agree


def test_blank_business_impact_is_in_the_response_schema(api, agent, org_a):
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    ticket = make_ticket(actor=agent, organization=org_a)

    value = api(agent).get(f"/api/v1/tickets/{ticket.key}/").json()["business_impact"]
    field = schema["components"]["schemas"]["Ticket"]["properties"]["business_impact"]
    allowed = set()
    for option in field.get("oneOf", []) + field.get("allOf", []) + [field]:
        ref = option.get("$ref", "").rsplit("/", 1)[-1]
        allowed |= set(schema["components"]["schemas"].get(ref, option).get("enum", []))

    assert value == ""
    assert value in allowed


def test_file_errors_are_lists_of_messages(api, agent, org_a):
    ticket = make_ticket(actor=agent, organization=org_a)

    response = api(agent).post(
        f"/api/v1/tickets/{ticket.key}/comments/",
        {"body": "see files", "files": ["not a file"]},
        format="multipart",
    )

    assert response.status_code == 400
    files = error(response)["fields"]["files"]
    assert isinstance(files, list)
    assert all(isinstance(message, str) for message in files)


def test_json_comment_schema_has_no_files_and_json_files_are_refused(api, agent, org_a):
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    body = schema["paths"]["/api/v1/tickets/{key}/comments/"]["post"]["requestBody"]["content"]
    components = schema["components"]["schemas"]
    ticket = make_ticket(actor=agent, organization=org_a)

    def props(media: str) -> set[str]:
        ref = body[media]["schema"]["$ref"].rsplit("/", 1)[-1]
        return set(components[ref]["properties"])

    response = api(agent).post(
        f"/api/v1/tickets/{ticket.key}/comments/", {"body": "hi", "files": ["x"]}, format="json"
    )

    assert props("application/json") == {"body", "is_internal"}
    assert props("multipart/form-data") == {"body", "is_internal", "files"}
    assert response.status_code == 400
    assert list(error(response)["fields"]) == ["files"]
    assert Comment.objects.count() == 0


def test_ticket_writes_take_json_only_as_the_schema_says(api, agent, org_a):
    from drf_spectacular.generators import SchemaGenerator

    paths = SchemaGenerator().get_schema(request=None, public=True)["paths"]
    ticket = make_ticket(actor=agent, organization=org_a)

    response = api(agent).post(
        "/api/v1/tickets/", {"organization": "acme", "title": "t"}, format="multipart"
    )

    assert response.status_code == 415
    assert error(response)["code"] == "unsupported_media_type"
    assert set(paths["/api/v1/tickets/"]["post"]["requestBody"]["content"]) == {"application/json"}
    assert set(paths["/api/v1/tickets/{key}/"]["patch"]["requestBody"]["content"]) == {
        "application/json"
    }
    assert set(paths["/api/v1/tickets/{key}/attachments/"]["post"]["requestBody"]["content"]) == {
        "multipart/form-data"
    }
    assert Ticket.objects.count() == 1
    assert ticket.pk


# ---------------------------------------------------------------------------------------------
# Every answer under /api/ is JSON in the documented shape


@pytest.mark.parametrize(
    "path", ["/api/v2/tickets/", "/api/v1/nothing/", "/api/", "/api/v1/tickets/SUP-1/nope/"]
)
def test_unknown_api_paths_answer_json_404(api, agent, path):
    response = api(agent).get(path)

    assert response.status_code == 404
    assert error(response) == {"code": "not_found", "message": "Not found.", "fields": {}}


def test_unknown_page_outside_the_api_is_still_html(client):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_an_overlong_api_url_answers_json_414(api, agent):
    response = api(agent).get("/api/v1/tickets/", {"cursor": "c" * 100_000})

    assert response.status_code == 414
    assert error(response)["code"] == "uri_too_long"


def test_a_server_error_under_the_api_is_json_500(api, agent, org_a, monkeypatch):
    ticket = make_ticket(actor=agent, organization=org_a)
    client = api(agent)
    client.raise_request_exception = False

    def broken(**kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(services, "ticket_transition", broken)
    response = client.post(
        f"/api/v1/tickets/{ticket.key}/transition/", {"status": "investigating"}, format="json"
    )

    assert response.status_code == 500
    assert error(response)["code"] == "server_error"
    assert "disk on fire" not in response.content.decode()


# ---------------------------------------------------------------------------------------------
# Attachments with a token


def _attachment(api, agent, ticket) -> dict:
    response = api(agent).post(
        f"/api/v1/tickets/{ticket.key}/attachments/",
        {"file": SimpleUploadedFile("trace.log", b"stack trace")},
        format="multipart",
    )
    assert response.status_code == 201
    return response.json()


def test_a_token_client_downloads_an_attachment_with_its_token(api, agent, org_a, customer_a):
    ticket = make_ticket(actor=agent, organization=org_a, requester=customer_a)
    attachment = _attachment(api, customer_a, ticket)

    for user in (customer_a, agent):
        response = api(user).get(attachment["download_url"])
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == b"stack trace"
        assert response["X-Content-Type-Options"] == "nosniff"


def test_a_token_download_across_organizations_is_404(api, agent, org_a, customer_b):
    ticket = make_ticket(actor=agent, organization=org_a)
    attachment = _attachment(api, agent, ticket)

    response = api(customer_b).get(attachment["download_url"])

    assert response.status_code == 404


def test_a_bad_token_on_a_download_is_401_not_a_login_page(api, agent, org_a):
    ticket = make_ticket(actor=agent, organization=org_a)
    attachment = _attachment(api, agent, ticket)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Bearer hd_not-a-token")

    response = client.get(attachment["download_url"])

    assert response.status_code == 401
    assert error(response)["code"] == "authentication_failed"


def test_a_browser_without_a_session_is_still_sent_to_log_in(client, agent, org_a, api):
    ticket = make_ticket(actor=agent, organization=org_a)
    attachment = _attachment(api, agent, ticket)

    response = client.get(attachment["download_url"])

    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_a_second_agent_without_access_to_a_security_ticket_cannot_download(api, agent, org_a):
    ticket = make_ticket(actor=agent, organization=org_a)
    attachment = _attachment(api, agent, ticket)
    services.ticket_update(ticket=ticket, actor=agent, changes={"is_security": True})
    outsider = make_agent(username="outsider")

    assert api(outsider).get(attachment["download_url"]).status_code == 404
    assert json.loads(api(agent).get(f"/api/v1/tickets/{ticket.key}/").content)["is_security"]


def test_gunicorn_answers_an_overlong_request_line_as_json_414(tmp_path):
    """Gunicorn refuses such a line before Django sees it; gunicorn.conf.py makes that refusal
    JSON in the API's shape. Started from the repository root, as `make run` starts it."""
    import socket
    import subprocess
    import sys
    import time
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [str(Path(sys.executable).with_name("gunicorn")), "helpdesk.wsgi:application"]
        + ["--bind", f"127.0.0.1:{port}", "--workers", "1", "--threads", "2"],
        cwd=root,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        answer = b""
        for _ in range(100):  # bounded: up to 10 s for gunicorn to listen
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=5) as conn:
                    # Just past the limit, so gunicorn has read all of it when it answers
                    # (bytes left unread would turn its close into a reset).
                    conn.sendall(b"GET /api/v1/tickets/?cursor=" + b"c" * 8_200)
                    while chunk := conn.recv(65536):
                        answer += chunk
                break
            except ConnectionRefusedError:
                time.sleep(0.1)
    finally:
        server.terminate()
        server.wait(timeout=10)

    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 414")
    assert b"Content-Type: application/json" in head
    assert json.loads(body)["error"]["code"] == "uri_too_long"


def test_the_ticket_enums_keep_their_names_beside_other_apps():
    from drf_spectacular.generators import SchemaGenerator

    from tickets.choices import Category, Environment, Status

    components = SchemaGenerator().get_schema(request=None, public=True)["components"]["schemas"]

    for name, choices in (
        ("CategoryEnum", Category),
        ("EnvironmentEnum", Environment),
        ("StatusEnum", Status),
    ):
        assert components[name]["enum"] == choices.values
