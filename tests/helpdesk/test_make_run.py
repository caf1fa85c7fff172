"""`make run` is how people try the product: it serves it as in production. DEBUG is off, errors
are the branded pages (never Django's debug pages with the URL patterns), static files are served
by whitenoise, and the web server is gunicorn, started the way Procfile.dev starts it."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from tests.factories import OrganizationFactory, make_contact, make_ticket
from tests.live.harness import free_port, wait_for

ROOT = Path(__file__).resolve().parents[2]
RUN_SETTINGS = "helpdesk.settings.local"
DEBUG_PAGE_MARKERS = ("URLconf", "DEBUG = True", "Traceback", "Request Method")


def _run_env(**extra: str) -> dict[str, str]:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": RUN_SETTINGS, **extra}
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    return env


def _procfile_command(name: str) -> str:
    for line in (ROOT / "Procfile.dev").read_text().splitlines():
        if line.startswith(f"{name}:"):
            return line.split(":", 1)[1].strip()
    raise AssertionError(f"no {name} process in Procfile.dev")


def test_make_run_uses_the_settings_with_debug_off():
    makefile = (ROOT / "Makefile").read_text()
    assert "$(if $(DEV),helpdesk.settings.dev,helpdesk.settings.local)" in makefile
    script = (
        "import django, json; django.setup(); from django.conf import settings as s; "
        "print(json.dumps([s.DEBUG, s.STORAGES['staticfiles']['BACKEND'], "
        "'whitenoise.middleware.WhiteNoiseMiddleware' in s.MIDDLEWARE, len(s.SECRET_KEY)]))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=_run_env(),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    debug, storage, whitenoise, key_length = json.loads(result.stdout)
    assert debug is False
    assert storage == "whitenoise.storage.CompressedManifestStaticFilesStorage"
    assert whitenoise
    assert key_length >= 50


@pytest.mark.django_db
def test_another_organizations_ticket_is_the_branded_404(client, settings):
    settings.DEBUG = False
    ticket = make_ticket(organization=OrganizationFactory())
    client.force_login(make_contact(OrganizationFactory()))

    response = client.get(ticket.get_absolute_url())

    assert response.status_code == 404
    page = response.content.decode()
    assert "This page does not exist, or you do not have access to it." in page
    assert 'class="topbar"' in page
    assert not [marker for marker in DEBUG_PAGE_MARKERS if marker in page]


@pytest.mark.django_db
def test_a_failing_view_is_the_branded_500_without_details(client, settings):
    settings.DEBUG = False
    settings.ROOT_URLCONF = "tests.helpdesk.urls_crashing_view"
    client.raise_request_exception = False

    response = client.get("/crash/")

    assert response.status_code == 500
    page = response.content.decode()
    assert "Something went wrong on our side" in page
    assert "/static/css/app.css" in page
    assert "a bug in a view" not in page
    assert not [marker for marker in DEBUG_PAGE_MARKERS if marker in page]


@pytest.fixture(scope="module")
def web(tmp_path_factory):
    """The web process of Procfile.dev on a free port, with its collected static files."""
    static_root = tmp_path_factory.mktemp("staticfiles")
    env = _run_env(HELPDESK_STATIC_ROOT=str(static_root))
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=300,
    )
    port = free_port()
    env["HELPDESK_WEB_BIND"] = f"127.0.0.1:{port}"
    log = static_root / "web.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            _procfile_command("web"),
            shell=True,
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    base = f"http://127.0.0.1:{port}"

    def up() -> bool:
        try:
            return requests.get(base + "/login/", timeout=2).status_code == 200
        except requests.RequestException:
            return False

    try:
        assert wait_for(up, timeout=60), log.read_text()
        yield base, static_root
    finally:
        os.killpg(proc.pid, 15)
        proc.wait(timeout=30)


def test_the_web_process_is_gunicorn_and_serves_static_files(web):
    base, static_root = web
    manifest = json.loads((static_root / "staticfiles.json").read_text())["paths"]

    plain = requests.get(base + "/static/css/app.css", timeout=10)
    hashed = requests.get(base + "/static/" + manifest["css/app.css"], timeout=10)
    login = requests.get(base + "/login/", timeout=10)

    assert plain.status_code == 200
    assert plain.headers["content-type"].startswith("text/css")
    assert hashed.status_code == 200
    assert "immutable" in hashed.headers["cache-control"]
    assert login.headers["server"] == "gunicorn"
    # Pages link the hashed names, which browsers may keep for a year.
    assert "/static/" + manifest["css/app.css"] in login.text


def test_the_web_process_answers_the_branded_404(web):
    base, _ = web

    response = requests.get(base + "/no-such-page/", timeout=10)

    assert response.status_code == 404
    assert "This page does not exist, or you do not have access to it." in response.text
    assert not [marker for marker in DEBUG_PAGE_MARKERS if marker in response.text]
    assert not re.search(r"runserver|WSGIServer", response.headers.get("server", ""))
