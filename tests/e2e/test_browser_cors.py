"""A page on another origin calls the emulator from a real browser (headless Chromium).

The page is served by a second loopback server on another port, so the browser applies CORS
for real: the preflight, the headers it may read, and a refusal for the control plane. The
page's code is the block of ``docs/browser.md``, run as printed.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from lambda_emulator.testing.pytest_plugin import EmulatorHandle
from tests.support.browser import CHROMIUM, CHROMIUM_ARGS

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]


def _docs_block() -> str:
    text = (ROOT / "docs" / "browser.md").read_text(encoding="utf-8")
    match = re.search(r"<!-- docs-test: browser -->\n```js\n(.*?)\n```", text, re.S)
    assert match, "docs/browser.md lost its browser example"
    return match.group(1)


@pytest.fixture
def page_origin() -> Iterator[str]:
    """A second local server (another port: another origin) serving an empty page."""

    class Page(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = b"<!doctype html><title>app</title><p>a local dev server</p>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Page)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://localhost:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def browser_page(page_origin: str) -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"{CHROMIUM} is missing: apt-get install chromium (.ci/run and make test install it)"
        )
    sync_api = pytest.importorskip("playwright.sync_api", reason="pip install -e '.[dev]'")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.goto(page_origin + "/")
            yield page
        finally:
            browser.close()


def test_a_page_lists_instances_with_the_documented_key_encoding(
    lambda_emulator: EmulatorHandle, browser_page: Any
) -> None:
    with lambda_emulator.client() as api:
        api.post(
            "/v1/instances",
            json={"name": "web-1", "instance_type": "compute-2x", "region": "us-west-1",
                  "image": "ubuntu-22.04"},
        )  # fmt: skip
    result = browser_page.evaluate(
        f"([API, KEY]) => {{ {_docs_block()}\n return listInstances(API, KEY); }}",
        [lambda_emulator.url, lambda_emulator.api_key],
    )
    assert result["status"] == 200
    assert result["requestId"].startswith("req_")
    assert int(result["remaining"]) > 0
    assert [i["name"] for i in result["instances"]] == ["web-1"]
    # the journal shows the browser's request, with its origin
    entry = lambda_emulator.requests(method="GET", path="/v1/instances")[-1]
    assert entry["request_headers"]["origin"].startswith("http://localhost:")


def test_fetch_refuses_the_key_as_a_string(
    lambda_emulator: EmulatorHandle, browser_page: Any
) -> None:
    error = browser_page.evaluate(
        """async ([API, KEY]) => {
            try { await fetch(API + "/v1/account", {headers: {Authorization: "Bearer " + KEY}}); }
            catch (e) { return e.name; }
            return "sent";
        }""",
        [lambda_emulator.url, lambda_emulator.api_key],
    )
    assert error == "TypeError"


def test_the_control_plane_is_closed_to_pages(
    lambda_emulator: EmulatorHandle, browser_page: Any
) -> None:
    outcome = browser_page.evaluate(
        """async (API) => {
            try {
                await fetch(API + "/_emulator/reset", {method: "POST",
                    headers: {"Content-Type": "application/json"}, body: "{}"});
                return "read";
            } catch (e) { return e.name; }
        }""",
        lambda_emulator.url,
    )
    assert outcome == "TypeError"  # CORS refused: the page never sees an answer
