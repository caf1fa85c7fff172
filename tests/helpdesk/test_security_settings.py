from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

from tests.factories import make_ticket

ROOT = Path(__file__).resolve().parents[2]


def test_production_settings_pass_check_deploy():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "helpdesk.settings.prod",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(60),
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set by the browser tests; check --deploy warns
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "helpdesk.settings.prod"}
    env.pop("DJANGO_SECRET_KEY", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


@pytest.mark.django_db
@pytest.mark.parametrize("page", ["queue", "ticket", "new", "login"])
def test_pages_carry_a_strict_csp_and_no_inline_code(client, agent, page):
    ticket = make_ticket(actor=agent)
    url = {
        "queue": reverse("queue"),
        "ticket": reverse("ticket_detail", args=[ticket.key]),
        "new": reverse("ticket_new"),
        "login": reverse("login"),
    }[page]
    if page != "login":
        client.force_login(agent)
    response = client.get(url)
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "style-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "unsafe-eval" not in csp
    html = response.content.decode()
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "inline <script> found"
    assert "<style" not in html
    assert not re.search(r"\sstyle=", html), "inline style attribute found"
    assert not re.search(r"\son[a-z]+=", html), "inline event handler found"


@pytest.mark.django_db
def test_htmx_posts_carry_the_csrf_token(client, agent):
    client.force_login(agent)
    html = client.get(reverse("queue")).content.decode()
    assert re.search(r'<body hx-headers=\'\{"X-CSRFToken": "[^"]+"\}\'', html)


@pytest.mark.django_db
def test_post_without_csrf_token_is_refused(agent):
    from django.test import Client

    ticket = make_ticket(actor=agent)
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(agent)
    response = strict.post(reverse("ticket_reply", args=[ticket.key]), {"body": "hello"})
    assert response.status_code == 403
    assert not ticket.comments.exists()


@pytest.mark.django_db
def test_login_is_throttled_after_repeated_failures(client, agent, password, settings):
    settings.AXES_FAILURE_LIMIT = 3
    for _ in range(3):
        client.post(reverse("login"), {"username": agent.username, "password": "wrong"})
    response = client.post(reverse("login"), {"username": agent.username, "password": password})
    assert response.status_code == 429
    assert "Too many failed attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session
