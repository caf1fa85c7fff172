"""Screenshots of the main pages in Chromium, for looking at what users see.

Usage: python scripts/screenshots.py BASE_URL USERNAME PASSWORD OUTDIR PATH [PATH ...]
Each PATH is captured at laptop (1366x860) and phone (390x844) sizes.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


def main() -> None:
    base, username, password, outdir, *paths = sys.argv[1:]
    out = Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        for label, viewport in (
            ("laptop", {"width": 1366, "height": 860}),
            ("phone", {"width": 390, "height": 844}),
        ):
            page = browser.new_page(viewport=viewport)
            page.goto(f"{base}/login/")
            page.fill("input[name=username]", username)
            page.fill("input[name=password]", password)
            page.click("button[type=submit]")
            page.wait_for_load_state("networkidle")
            for path in paths:
                page.goto(base + path)
                page.wait_for_load_state("networkidle")
                name = path.strip("/").replace("/", "_").replace("?", "_") or "home"
                full = label == "laptop" and os.environ.get("SHOT_FULL", "1") == "1"
                page.screenshot(path=str(out / f"{name}-{label}.png"), full_page=full)
            page.close()
        browser.close()


if __name__ == "__main__":
    main()
