"""The dashboard's JSON surface and live feed, over a real server (the page itself is tested in
a browser in ``tests/e2e/test_dashboard_browser.py``)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import httpx

from lambda_emulator.process.server import EmulatorThread
from lambda_emulator.testing.pytest_plugin import EmulatorHandle
from tests.support.envelope import err, ok
from tests.support.keys import KEY
from tests.support.server import emulator_settings

SBX = "/_emulator/ui/api/sandboxes/sbx_default"
CREATE = {
    "name": "web-1",
    "instance_type": "compute-2x",
    "region": "us-west-1",
    "image": "ubuntu-22.04",
}


def ui(emulator: EmulatorHandle) -> httpx.Client:
    return httpx.Client(base_url=emulator.url)


def test_root_redirects_to_the_page_served_from_the_package(
    lambda_emulator: EmulatorHandle,
) -> None:
    with ui(lambda_emulator) as c:
        for path in ("/", "/_emulator/ui"):
            moved = c.get(path)
            assert moved.status_code == 307 and moved.headers["location"] == "/_emulator/ui/"
        page = c.get("/_emulator/ui/")
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
        csp = page.headers["content-security-policy"]
        assert "connect-src 'self'" in csp and "default-src 'none'" in csp
        assert c.get("/_emulator/ui/static/vendor/preact/LICENSE").status_code == 200
        err(c.get("/_emulator/ui/static/nope.js"), 404, "not_found")


def test_overview_lists_everything_and_never_a_secret(
    lambda_emulator: EmulatorHandle, client: httpx.Client
) -> None:
    created_key = ok(client.post("/v1/account/api-keys", json={"name": "ci"}), 201)["key"]
    instance = ok(client.post("/v1/instances", json=CREATE), 201)
    ok(client.post("/v1/volumes", json={"name": "d", "size_gb": 10, "region": "us-west-1"}), 201)
    hook = {"url": "http://127.0.0.1:9/h", "events": ["instance.*"], "secret": "whsec_topsecret"}
    ok(client.post("/v1/webhooks", json=hook), 201)
    with ui(lambda_emulator) as c:
        response = c.get(SBX + "/overview")
        view = ok(response)
        assert [s["id"] for s in ok(c.get("/_emulator/ui/api/sandboxes"))] == ["sbx_default"]
    for secret in (KEY, created_key, "whsec_topsecret", KEY[5:]):
        assert secret not in response.text
    keys = view["accounts"][0]["keys"]
    assert {k["name"] for k in keys} == {"default", "ci"}
    assert all(set(k) >= {"prefix", "last4"} and "key" not in k for k in keys)
    assert view["instances"][0]["id"] == instance["id"]
    assert view["instances"][0]["status"] == "pending"
    assert len(view["volumes"]) == 1 and view["webhooks"][0]["url"] == hook["url"]
    assert view["snapshots"] == [] and view["firewall_rules"] == [] and view["vpns"] == []


def test_metrics_billing_and_estimate(
    lambda_emulator: EmulatorHandle, client: httpx.Client
) -> None:
    instance = ok(client.post("/v1/instances", json=CREATE), 201)
    lambda_emulator.advance(7200)
    account_id = ok(client.get("/v1/account"))["id"]
    with ui(lambda_emulator) as c:
        metrics = ok(c.get(f"{SBX}/instances/{instance['id']}/metrics", params={"range": 3600}))
        assert len(metrics["metrics"]["cpu_utilization"]) == 60
        err(c.get(f"{SBX}/instances/{instance['id']}/metrics?range=5"), 400, "invalid_request")
        err(c.get(f"{SBX}/instances/inst_nope/metrics"), 404, "not_found")
        bill = ok(c.get(SBX + "/billing", params={"account_id": account_id}))
        assert bill["usage"]["currency"] == "USD" and bill["invoices"][0]["status"] == "draft"
        assert float(bill["usage"]["total"]) > 0
        err(c.get(SBX + "/billing", params={"account_id": "acct_nope"}), 404, "not_found")
        estimate = ok(c.get(SBX + "/estimate", params={"instance_type": "compute-2x", "hours": 10}))
        assert estimate["total"] == "0.50"
        err(c.get(SBX + "/estimate", params={"instance_type": "x"}), 400, "invalid_request")
        err(c.get(SBX + "/estimate?instance_type=compute-2x&count=0"), 400, "invalid_request")
        err(c.get("/_emulator/ui/api/sandboxes/sbx_other/overview"), 404, "not_found")
        recent = ok(c.get(SBX + "/activity", params={"limit": 2}))
        assert [e["type"] for e in recent] == ["instance.created", "instance.pending"]
        assert recent[0]["resource_id"] == instance["id"] and recent[0]["status"] == "running"
        err(c.get(SBX + "/activity", params={"limit": 0}), 400, "invalid_request")


def _events(lines: Iterator[str]) -> Iterator[tuple[str, dict[str, object]]]:
    name = ""
    for line in lines:
        if line.startswith("event: "):
            name = line[7:]
        elif line.startswith("data: "):
            yield name, json.loads(line[6:])


def test_the_feed_names_what_changed(lambda_emulator: EmulatorHandle, client: httpx.Client) -> None:
    with ui(lambda_emulator) as c, c.stream("GET", SBX + "/events") as stream:
        assert stream.headers["content-type"].startswith("text/event-stream")
        events = _events(stream.iter_lines())
        name, hello = next(events)
        assert name == "hello" and hello["clock"]["now"] == "2026-01-24T10:30:00Z"  # type: ignore[index]
        ok(client.post("/v1/instances", json=CREATE), 201)
        seen: set[str] = set()
        while not {"state", "journal"} <= seen:
            name, change = next(events)
            assert name == "change"
            seen.update(change["topics"])  # type: ignore[arg-type]
        lambda_emulator.advance(300)
        name, change = next(events)
        assert "clock" in change["topics"] and "state" in change["topics"]  # type: ignore[operator]
        assert change["clock"]["now"] == "2026-01-24T10:35:00Z"  # type: ignore[index]
        lambda_emulator.inject_fault("/v1/volumes", status=503)
        name, change = next(events)
        assert change["topics"] == ["faults"]


def test_a_stopping_server_ends_open_streams() -> None:
    """uvicorn waits for open responses before it stops (up to its grace period, then it
    cancels them); the feed ends its streams itself, at once, with a ``bye``."""
    server = EmulatorThread(emulator_settings()).start()
    with httpx.Client(base_url=server.url) as c, c.stream("GET", SBX + "/events") as stream:
        events = _events(stream.iter_lines())
        assert next(events)[0] == "hello"
        started = time.monotonic()
        server.stop(timeout=10)
        assert time.monotonic() - started < 2.0  # well inside uvicorn's 5 s grace period
        assert [name for name, _ in events] == ["bye"]


def test_the_dashboard_shows_each_sandbox_apart(
    lambda_emulator: EmulatorHandle, client: httpx.Client
) -> None:
    with ui(lambda_emulator) as c:
        created = ok(c.post("/_emulator/sandboxes", json={"name": "ci-7"}), 201)
        try:
            theirs = {b"Authorization": f"Bearer {created['api_key']}".encode()}
            made = ok(c.post("/v1/instances", json=CREATE, headers=theirs), 201)
            listed = ok(c.get("/_emulator/ui/api/sandboxes"))
            assert [(s["id"], s["name"]) for s in listed] == [
                ("sbx_default", "default"),
                (created["id"], "ci-7"),
            ]
            view = ok(c.get(f"/_emulator/ui/api/sandboxes/{created['id']}/overview"))
            assert [i["id"] for i in view["instances"]] == [made["id"]]
            assert (
                created["api_key"]
                not in c.get(f"/_emulator/ui/api/sandboxes/{created['id']}/overview").text
            )
            assert ok(c.get(SBX + "/overview"))["instances"] == []  # the default world: none
            err(c.get("/_emulator/ui/api/sandboxes/sbx_nosuch/overview"), 404, "not_found")
        finally:
            c.delete(f"/_emulator/sandboxes/{created['id']}")
