"""What the browser tests share: one Debian Chromium, driven by Playwright (never a downloaded
browser), started headless without the background traffic this closed network refuses."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, sync_playwright

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update"]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    # per module, not per session: Playwright's sync API keeps an event loop running on this
    # thread while it lives, and later tests that call asyncio.run() would find it there
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
