"""The dashboard in a real browser: Debian's Chromium driven by Playwright, against a real emulator.

Every test checks, when it ends, that the page logged no console error, sent no request anywhere
but the emulator, and loaded no response holding a key's secret. Waits are Playwright's
auto-retrying expectations and the emulator clock, never sleeps. With
``LAMBDA_EMULATOR_SCREENSHOTS=1`` (``make docs``) the tests also write the screenshots of
``docs/dashboard.md``.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from lambda_emulator.testing.pytest_plugin import EmulatorHandle
from tests.support.browser import CHROMIUM, CHROMIUM_ARGS
from tests.support.curl import run_copied
from tests.support.envelope import ok
from tests.support.keys import KEY

playwright_api = pytest.importorskip("playwright.sync_api", reason="pip install -e '.[dev]'")
expect = playwright_api.expect
expect.set_options(timeout=10_000)  # two cores shared by parallel workers: be patient, not slow

pytestmark = pytest.mark.slow

DOCS_IMAGES = Path(__file__).resolve().parents[2] / "docs" / "images"
WIDE = {"width": 1280, "height": 800}
NARROW = {"width": 390, "height": 844}
INSTANCE = {
    "name": "web-1",
    "instance_type": "compute-2x",
    "region": "us-west-1",
    "image": "ubuntu-22.04",
}


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"the dashboard tests need Chromium at {CHROMIUM}: "
            "`apt-get install -y chromium` (Debian/Ubuntu), or set LAMBDA_EMULATOR_CHROMIUM",
            pytrace=False,
        )
    with playwright_api.sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@dataclass
class Watch:
    """What the page did: console errors, every request, every response it could read."""

    origin: str
    secrets: list[str] = field(default_factory=lambda: [KEY])
    errors: list[str] = field(default_factory=list)
    #: Console messages a test provokes on purpose (Chromium logs every 4xx a fetch receives).
    expected: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    responses: list[Any] = field(default_factory=list)

    def check(self) -> None:
        unexpected = [e for e in self.errors if not any(x in e for x in self.expected)]
        assert unexpected == [], unexpected
        foreign = [u for u in self.requests if not u.startswith((self.origin + "/", "data:"))]
        assert foreign == [], foreign
        for response in self.responses:
            if "text/event-stream" in response.headers.get("content-type", ""):
                continue  # a stream that is still open; its messages carry no values
            try:
                text = response.text()
            except Exception:  # a redirect or a response the page navigated away from
                continue
            for secret in self.secrets:
                assert secret not in text, f"{response.url} holds a secret"


@dataclass
class Dash:
    page: Any
    watch: Watch
    url: str

    def open(self, tab: str = "") -> Any:
        self.page.goto(self.url + "/" if not tab else f"{self.url}/_emulator/ui/#/{tab}")
        expect(self.page.get_by_test_id("live")).to_have_text("Live")
        return self.page

    def tab(self, name: str) -> None:
        self.page.get_by_role("navigation", name="Sections").get_by_role("link", name=name).click()

    def shot(self, name: str) -> None:
        if os.environ.get("LAMBDA_EMULATOR_SCREENSHOTS") == "1":
            DOCS_IMAGES.mkdir(parents=True, exist_ok=True)
            self.page.screenshot(path=str(DOCS_IMAGES / f"dashboard-{name}.png"))


def _dash(browser: Any, emulator: EmulatorHandle, viewport: dict[str, int]) -> Iterator[Dash]:
    context = browser.new_context(
        viewport=viewport,
        permissions=["clipboard-read", "clipboard-write"],
        color_scheme="light",
        timezone_id="UTC",
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    watch = Watch(origin=emulator.url)
    page.on("console", lambda m: watch.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: watch.errors.append(str(e)))
    page.on("request", lambda r: watch.requests.append(r.url))
    page.on("response", lambda r: watch.responses.append(r))
    yield Dash(page, watch, emulator.url)
    try:
        watch.check()
    finally:
        context.close()


@pytest.fixture
def dash(browser: Any, lambda_emulator: EmulatorHandle) -> Iterator[Dash]:
    yield from _dash(browser, lambda_emulator, WIDE)


@pytest.fixture
def narrow(browser: Any, lambda_emulator: EmulatorHandle) -> Iterator[Dash]:
    yield from _dash(browser, lambda_emulator, NARROW)


def _row(page: Any, resource_id: str) -> Any:
    return page.locator(f'tr[data-id="{resource_id}"]')


def test_the_page_follows_the_emulator_without_a_reload(
    dash: Dash, lambda_emulator: EmulatorHandle, client: httpx.Client
) -> None:
    page = dash.open()
    assert page.url.endswith("/_emulator/ui/")  # GET / redirected here
    page.evaluate("window.sameDocument = true")
    expect(page.get_by_text("No instances yet.")).to_be_visible()

    instance = ok(client.post("/v1/instances", json=INSTANCE), 201)
    badge = _row(page, instance["id"]).locator(".badge")
    expect(badge).to_have_attribute("data-status", "pending")
    volume = ok(
        client.post("/v1/volumes", json={"name": "data", "size_gb": 50, "region": "us-west-1"}), 201
    )
    expect(_row(page, volume["id"])).to_be_visible()

    lambda_emulator.advance(120)  # the control plane moves time; the page sees the transition
    expect(badge).to_have_attribute("data-status", "running")
    activity = page.locator(".activity > li").first
    expect(activity).to_contain_text("pending → running")
    expect(activity).to_contain_text("web-1")
    expect(page.get_by_test_id("clock-now")).to_contain_text("2026-01-24 10:32:00")
    expect(_row(page, instance["id"])).to_contain_text("203.0.113.")

    # every kind of resource shows up, each with its own lifecycle
    snapshot = ok(
        client.post("/v1/snapshots", json={"volume_id": volume["id"], "name": "nightly"}), 201
    )
    rule = {"direction": "inbound", "protocol": "tcp", "ports": "22", "cidr": "10.0.0.0/8"}
    firewall = ok(client.post("/v1/firewall/rules", json=rule), 201)
    vpn = ok(client.post("/v1/vpn", json={"name": "office", "region": "us-west-1"}), 201)
    for made in (snapshot, firewall, vpn):
        expect(_row(page, made["id"])).to_be_visible()
    expect(_row(page, vpn["id"]).locator(".badge")).to_have_attribute("data-status", "pending")
    lambda_emulator.advance(600)
    expect(_row(page, vpn["id"]).locator(".badge")).to_have_attribute("data-status", "active")
    expect(_row(page, snapshot["id"]).locator(".badge")).to_have_attribute(
        "data-status", "completed"
    )
    second = ok(client.post("/v1/instances", json={**INSTANCE, "name": "worker-1"}), 201)
    expect(_row(page, second["id"]).locator(".badge")).to_have_attribute("data-status", "pending")
    dash.shot("resources")

    other = lambda_emulator.new_account("free", name="Team B")
    dash.watch.secrets.append(other.api_key)
    dash.tab("Accounts")
    expect(page.get_by_role("heading", name="Team B")).to_be_visible()
    expect(page.locator("main")).to_contain_text(other.api_key[:9] + "…" + other.api_key[-4:])

    dash.tab("Requests")  # the journal is live too
    with lambda_emulator.client(other.api_key) as theirs:
        seen = theirs.get("/v1/instances")
    expect(_journal_entry(page, seen.headers["x-request-id"])).to_contain_text("/v1/instances")
    assert page.evaluate("window.sameDocument") is True


def _journal_entry(page: Any, request_id: str) -> Any:
    return page.locator(f'li[data-request-id="{request_id}"]')


def test_copy_as_curl_reproduces_the_request(
    dash: Dash, lambda_emulator: EmulatorHandle, client: httpx.Client
) -> None:
    if shutil.which("curl") is None:
        pytest.fail("curl is needed: apt-get install -y curl", pytrace=False)
    body = {**INSTANCE, "tags": {"team": "o'brien & co", "cost": "$HOME"}}
    with httpx.Client(base_url=lambda_emulator.url) as raw:
        sent = raw.post(
            "/v1/instances",
            json=body,
            headers={"X-API-Key": KEY.encode(), "X-Trace": "trace-1", "Idempotency-Key": "k-1"},
        )
    assert sent.status_code == 201, sent.text
    request_id = sent.headers["x-request-id"]
    [original] = lambda_emulator.requests(request_id=request_id)
    client.get("/v1/instances", params={"status": "pending", "limit": 5})
    client.get("/v1/instances", params={"limit": 500})  # a 400, to filter by status
    other = lambda_emulator.new_account("free", name="Team B")
    dash.watch.secrets.append(other.api_key)
    with lambda_emulator.client(other.api_key) as theirs:
        ok(theirs.get("/v1/account"))

    page = dash.open("requests")
    entry = _journal_entry(page, request_id)
    expect(entry).to_be_visible()
    listed = page.locator(".journal > li")
    page.get_by_label("Status").fill("400")
    expect(listed).to_have_count(1)
    page.get_by_label("Status").fill("2xx")
    expect(listed).to_have_count(3)
    page.get_by_label("Account").select_option(other.id)
    expect(listed).to_have_count(1)
    expect(listed).to_contain_text("/v1/account")
    page.get_by_label("Account").select_option("")
    page.get_by_label("Status").fill("")
    page.get_by_label("Path").fill("volumes")
    expect(page.get_by_text("No requests recorded that match")).to_be_visible()
    page.get_by_label("Path").fill("instances")
    expect(listed).to_have_count(3)
    page.get_by_label("Method").select_option("POST")
    expect(listed).to_have_count(1)
    entry.get_by_role("button", name="POST").click()
    entry.get_by_role("button", name="Copy as curl").click()
    expect(page.get_by_role("status").last).to_contain_text("Copied as curl")
    command = page.evaluate("navigator.clipboard.readText()")
    assert "$KEY" in command and KEY not in command
    assert command == entry.get_by_test_id("curl").inner_text()
    dash.shot("requests")

    lambda_emulator.clear_requests()
    run = run_copied(command, KEY)
    assert run.returncode == 0, run.stderr
    answer = json.loads(run.stdout)
    # The same Idempotency-Key: the emulator recognises the very same request and replays it.
    assert answer["data"] == sent.json()["data"]
    [again] = lambda_emulator.requests()
    assert again["idempotent_replayed"] is True and again["status"] == 201
    transport = {"host", "user-agent", "accept-encoding", "connection", "content-length"}
    for name in ("method", "path", "query", "request_body", "account_id"):
        assert again[name] == original[name], name
    headers = {k: v for k, v in original["request_headers"].items() if k not in transport}
    assert {k: again["request_headers"].get(k) for k in headers} == headers


def test_redeliver_and_advance_from_the_page(
    dash: Dash, lambda_emulator: EmulatorHandle, client: httpx.Client
) -> None:
    receiver = lambda_emulator.webhook_receiver()
    receiver.respond_with(500)
    lambda_emulator.control("PUT", "webhooks/config", json={"retry_schedule": [30]})
    hook = {"url": receiver.url, "events": ["instance.*"], "secret": "whsec_dashboardtest"}
    ok(client.post("/v1/webhooks", json=hook), 201)
    dash.watch.secrets.append("whsec_dashboardtest")
    ok(client.post("/v1/instances", json=INSTANCE), 201)
    lambda_emulator.drain_webhooks()

    page = dash.open("webhooks")
    table = page.get_by_test_id("deliveries")
    expect(table.locator(":scope > tbody > tr")).to_have_count(1)
    [delivery] = lambda_emulator.deliveries()
    first = _row(page, delivery["id"])
    expect(first.locator(".badge")).to_have_attribute("data-status", "pending")
    expect(first).to_contain_text("1 / 2")
    expect(first).to_contain_text("2026-01-24 10:30:30")  # the next retry
    expect(first.get_by_role("button", name="Redeliver")).to_be_disabled()  # still retrying
    first.get_by_role("button", name="instance.pending").click()
    expect(first.locator(".attempts")).to_contain_text("HTTP 500")

    page.get_by_role("button", name="Advance the clock 1 min").click()  # the retry falls due
    expect(first.locator(":scope > td > .badge")).to_have_attribute("data-status", "failed")
    expect(first).to_contain_text("2 / 2")

    receiver.respond_with(200)
    first.get_by_role("button", name="Redeliver").click()
    expect(page.get_by_role("status").last).to_contain_text("Redelivery")
    copy = lambda_emulator.deliveries()[-1]  # the newest
    assert copy["redelivery_of"] == delivery["id"]
    expect(_row(page, copy["id"]).locator(":scope > td > .badge")).to_have_attribute(
        "data-status", "succeeded"
    )
    dash.shot("webhooks")

    page.get_by_role("button", name="Advance the clock 1 h").click()
    expect(page.get_by_test_id("clock-now")).to_contain_text("2026-01-24 11:31:00")
    assert lambda_emulator.now() == "2026-01-24T11:31:00Z"
    page.get_by_label("Transitions").select_option("manual")
    expect(page.get_by_label("Transitions")).to_have_value("manual")
    assert lambda_emulator.control("GET", "transitions")["mode"] == "manual"


def test_faults_are_added_and_removed_from_the_page(
    dash: Dash, lambda_emulator: EmulatorHandle, client: httpx.Client
) -> None:
    page = dash.open("faults")
    page.get_by_label("Path (glob)").fill("/v1/volumes*")
    page.get_by_label("Error status").select_option("503")
    page.get_by_label("Times").fill("2")
    page.get_by_role("button", name="Add rule").click()
    rule_row = page.locator("tbody > tr")
    expect(rule_row).to_have_count(1)
    [rule] = lambda_emulator.faults()
    assert (rule["path"], rule["status"], rule["count"]) == ("/v1/volumes*", 503, 2)
    assert client.get("/v1/volumes").status_code == 503
    expect(rule_row).to_contain_text("1 of 1")
    expect(rule_row).to_contain_text("1 left")
    dash.shot("faults")
    rule_row.get_by_role("button", name=f"Remove fault rule {rule['id']}").click()
    expect(page.get_by_text("No fault rules")).to_be_visible()
    assert lambda_emulator.faults() == []
    dash.watch.expected.append("status of 400 (Bad Request)")
    page.get_by_label("Path (glob)").fill("no-slash")
    page.get_by_role("button", name="Add rule").click()
    expect(page.get_by_role("alert")).to_contain_text("path")


def test_charts_render_and_billing_adds_up(
    dash: Dash, lambda_emulator: EmulatorHandle, client: httpx.Client
) -> None:
    ok(client.post("/v1/instances", json={**INSTANCE, "name": "other"}), 201)
    instance = ok(client.post("/v1/instances", json=INSTANCE), 201)
    lambda_emulator.advance(2 * 3600)
    page = dash.open()
    page.get_by_role("link", name="Metrics of web-1").click()  # from its row to its charts
    # the metrics tab's instance picker (not the resources tab's "Instances", which a
    # substring match may still find while the page moves between tabs)
    picker = page.get_by_role("combobox", name=re.compile(r"^Instance\b"))
    expect(picker).to_have_value(instance["id"])
    charts = page.locator("figure.chart")
    expect(charts).to_have_count(4)
    for title in ("CPU", "Memory", "Network", "Disk"):
        canvas = page.locator(f'figure[data-chart="{title}"] canvas')
        expect(canvas).to_be_visible()
        box = canvas.bounding_box()
        assert box is not None and box["width"] > 200 and box["height"] > 100
    dash.shot("metrics")

    dash.tab("Billing")
    expect(page.get_by_test_id("usage-total")).not_to_have_text("$0.00")
    expect(page.locator("main")).to_contain_text(instance["id"])
    expect(page.locator("main .badge[data-status='draft']")).to_be_visible()
    page.get_by_label("Instance type").select_option("compute-2x")
    page.get_by_label("Hours").fill("10")
    page.get_by_role("button", name="Estimate").click()
    expect(page.get_by_test_id("estimate-total")).to_have_text("$0.50")


def test_keyboard_reaches_every_section_and_entry(dash: Dash, client: httpx.Client) -> None:
    ok(client.post("/v1/instances", json=INSTANCE), 201)
    page = dash.open()
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
    requests_tab = page.get_by_role("link", name="Requests")
    requests_tab.focus()
    page.keyboard.press("Enter")
    expect(requests_tab).to_have_attribute("aria-current", "page")
    row = page.locator(".journal-row").first
    row.focus()
    page.keyboard.press("Enter")
    expect(row).to_have_attribute("aria-expanded", "true")
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Copy as curl")).to_be_focused()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Space")
    expect(row).to_have_attribute("aria-expanded", "false")


def test_a_phone_sized_viewport_keeps_everything_usable(
    narrow: Dash, lambda_emulator: EmulatorHandle, client: httpx.Client
) -> None:
    instance = ok(client.post("/v1/instances", json=INSTANCE), 201)
    page = narrow.open()
    expect(_row(page, instance["id"]).locator(".badge")).to_have_attribute("data-status", "pending")
    page.get_by_role("button", name="Advance the clock 1 min").click()
    expect(_row(page, instance["id"]).locator(".badge")).to_have_attribute("data-status", "running")
    for tab in ("resources", "requests", "webhooks", "faults", "metrics", "billing", "accounts"):
        page.goto(f"{narrow.url}/_emulator/ui/#/{tab}")
        expect(page.locator("main section").first).to_be_visible()
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= NARROW["width"], f"{tab} scrolls sideways ({width}px)"
    page.goto(f"{narrow.url}/_emulator/ui/#/resources")
    expect(_row(page, instance["id"])).to_be_visible()
    narrow.shot("phone")
