"""Browser tests: Debian's Chromium, driven by Playwright, against a live server.

Never `playwright install`: the machine has no internet, and we test the
browser people use. Every request off the loopback address is aborted.
"""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from werkzeug.serving import make_server

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
LOOPBACK = {"127.0.0.1", "localhost", "[::1]"}


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium")
    assert executable, "Debian's chromium is not installed: run scripts/test, which installs it"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class LiveApp:
    """The app as the live server runs it: each response read whole and closed
    before the server writes a byte, and every request counted until it is done.

    Werkzeug's development server skips closing a response whose client went
    away mid-send (Chromium cancels a script request when a test ends), and the
    open static file then surfaces as a ResourceWarning in a later test. The
    responses here are small, so buffering costs nothing a test could notice.

    The count is why a test's end waits for its requests: a photo or a list
    refresh the browser asked for just before the test ended is still reading
    the database in a server thread when the page closes, and emptying the
    tables under it deadlocks PostgreSQL (the next test then finds the last
    one's rows).
    """

    def __init__(self, app) -> None:
        self.app = app
        self._busy = 0
        self._idle = threading.Condition()

    def __call__(self, environ, start_response):
        with self._idle:
            self._busy += 1
        try:
            body = self.app(environ, start_response)
            try:
                return [b"".join(body)]
            finally:
                if hasattr(body, "close"):
                    body.close()
        finally:
            with self._idle:
                self._busy -= 1
                self._idle.notify_all()

    def wait_until_idle(self, timeout: float = 30.0) -> None:
        with self._idle:
            finished = self._idle.wait_for(lambda: self._busy == 0, timeout=timeout)
            assert finished, f"{self._busy} request(s) still running {timeout:.0f} s after the test"


@pytest.fixture
def live_server(app) -> Iterator[str]:
    live_app = LiveApp(app)
    server = make_server("127.0.0.1", 0, live_app, threaded=True)
    server.block_on_close = False  # requests are counted; an idle kept-alive socket holds nothing
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)
    live_app.wait_until_idle()
    server.server_close()


class ConsoleErrors(list):
    """Console errors and failed requests seen by the page, except two on purpose:
    the design system's web fonts, which our CSP keeps off assets.nhs.uk, and the
    conflict page's 409 status (a re-shown form, which Chromium logs as a failure)."""

    EXPECTED = ("font", "status of 409")

    def forget(self, text: str) -> None:
        """Drop errors a test caused on purpose (say, the 404 it checks for)."""
        self[:] = [error for error in self if text not in error]

    def note(self, message) -> None:
        if message.type == "error" and not any(e in message.text for e in self.EXPECTED):
            self.append(message.text)


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server)

    def only_loopback(route):
        if urlsplit(route.request.url).hostname in {h.strip("[]") for h in LOOPBACK}:
            route.continue_()
        else:
            route.abort()

    context.route("**/*", only_loopback)
    page = context.new_page()
    errors = ConsoleErrors()
    page.on("console", errors.note)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.console_errors = errors
    yield page
    context.close()
    assert not errors, errors
