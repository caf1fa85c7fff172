from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.db import connections

CHROMIUM = os.environ.get("HELPDESK_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def _keep_serialized_contents(before) -> None:
    """Playwright's sync API runs its event loop in this thread, and from then on Django hands
    this thread a new connection object (connections are context-local). The snapshot of the
    rows that migrations install lives on the old object; without it a transactional test that
    follows another one starts from a flushed database (no SLA policies, no reply templates)."""
    after = connections["default"]
    contents = getattr(before, "_test_serialized_contents", None)
    if after is not before and contents is not None:
        after._test_serialized_contents = contents


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread for the rest of the session; the
    # tests' own ORM calls (and the database teardown) are ordinary synchronous code, so Django's
    # async-safety guard does not apply to them.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: install the Debian package 'chromium'")
    before = connections["default"]
    with sync_playwright() as p:
        _keep_serialized_contents(before)
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, request):
    context = browser.new_context(viewport={"width": 1366, "height": 860})
    page = context.new_page()
    page.set_default_timeout(15_000)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.console_errors = errors
    yield page
    if request.node.rep_call.failed if hasattr(request.node, "rep_call") else False:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


def login(page, base_url: str, username: str, password: str) -> None:
    page.goto(f"{base_url}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    # Wait for the form's own navigation: "networkidle" alone can be met before the POST starts,
    # and a goto right after would then cancel the login.
    with page.expect_navigation():
        page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")


def shoot(page, name: str, *, full: bool = False) -> None:
    """With HELPDESK_SCREENSHOTS=<dir>, keep a picture of what the test shows, to look at."""
    folder = os.environ.get("HELPDESK_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=full)


LAPTOP = {"width": 1366, "height": 860}
PHONE = {"width": 390, "height": 844}


def shoot_laptop_and_phone(page, name: str) -> None:
    """`shoot` at both sizes (name-laptop.png, name-phone.png), and a page that scrolls
    sideways on a phone fails the test: the page is taken whole at each size."""
    if not os.environ.get("HELPDESK_SCREENSHOTS"):
        return
    for size, viewport in (("laptop", LAPTOP), ("phone", PHONE)):
        page.set_viewport_size(viewport)
        shoot(page, f"{name}-{size}", full=True)
        if size == "phone":
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= PHONE["width"], f"{name} scrolls sideways on a phone ({width} px)"
    page.set_viewport_size(LAPTOP)
