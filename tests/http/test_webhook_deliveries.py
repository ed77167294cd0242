"""Deliveries to a real receiver over loopback: headers, signatures, retries on the emulator
clock, the delivery log, redelivery, timeouts, and an API that a slow receiver cannot slow."""

from __future__ import annotations

import json
import socket
import time
from typing import Any

import httpx

from lambda_emulator.testing.pytest_plugin import EmulatorHandle
from tests.support.envelope import err, ok
from tests.support.webhooks import SECRET, ping, subscribe


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def test_ping_is_delivered_signed_with_the_reference_payload_and_headers(
    lambda_emulator: EmulatorHandle, client: httpx.Client
) -> None:
    receiver = lambda_emulator.webhook_receiver()
    hook = subscribe(client, receiver.url, ["instance.created"])
    queued = ping(client, hook["id"])
    assert queued["status"] == "pending" and queued["event_type"] == "webhook.ping"
    got = receiver.wait_for("webhook.ping", timeout=5)
    assert got.path == "/webhook"
    assert got.header("Content-Type") == "application/json"
    assert got.header("X-Lambda-Event") == "webhook.ping"
    assert got.header("X-Lambda-Delivery") == queued["id"]
    assert str(got.header("X-Lambda-Signature")).startswith("sha256=")
    body = json.loads(got.raw_body)
    assert list(body) == ["id", "type", "timestamp", "data", "signature"]
    assert body["id"] == queued["event_id"] and body["type"] == "webhook.ping"
    assert body["timestamp"] == "2026-01-24T10:30:00Z"
    assert body["data"]["webhook_id"] == hook["id"]
    assert got.verify(SECRET) and not got.verify("not-the-secret")
    assert lambda_emulator.verify_webhook(got.raw_body, got.header("X-Lambda-Signature"), SECRET)
    lambda_emulator.drain_webhooks()
    [logged] = lambda_emulator.deliveries(webhook_id=hook["id"])
    assert logged["status"] == "succeeded" and logged["attempt_count"] == 1
    [attempt] = logged["attempts"]
    assert attempt["status_code"] == 200 and attempt["succeeded"] is True
    assert attempt["error"] is None and attempt["latency_ms"] > 0
    assert attempt["at"] == "2026-01-24T10:30:00Z" and attempt["url"] == receiver.url


def test_ping_goes_to_that_subscription_only(
    lambda_emulator: EmulatorHandle, client: httpx.Client
) -> None:
    first, second = lambda_emulator.webhook_receiver(), lambda_emulator.webhook_receiver()
    a = subscribe(client, first.url, ["*"])
    subscribe(client, second.url, ["*"])
    ping(client, a["id"])
    first.wait_for("webhook.ping")
    lambda_emulator.drain_webhooks()
    assert second.deliveries == []
    assert len(lambda_emulator.deliveries()) == 1


def test_failed_attempts_are_retried_with_backoff_on_the_emulator_clock(
    lambda_emulator: EmulatorHandle, client: httpx.Client
) -> None:
    receiver = lambda_emulator.webhook_receiver()
    receiver.respond_with(500, times=1)
    receiver.respond_with(503, times=1)
    hook = subscribe(client, receiver.url)
    delivery_id = ping(client, hook["id"])["id"]
    receiver.wait_for(timeout=5)
    lambda_emulator.drain_webhooks()
    [pending] = lambda_emulator.deliveries(status="pending")
    assert pending["attempt_count"] == 1
    assert pending["next_attempt_at"] == "2026-01-24T10:30:10Z"
    assert pending["last_error"] == "the receiver answered HTTP 500"
    lambda_emulator.advance(9)
    lambda_emulator.drain_webhooks()
    assert len(receiver.deliveries) == 1  # not due yet
    lambda_emulator.advance(1)
    receiver.wait_for(timeout=5)
    lambda_emulator.drain_webhooks()
    [again] = lambda_emulator.deliveries()
    assert again["next_attempt_at"] == "2026-01-24T10:30:30Z"  # 10 s later, then 20 s
    lambda_emulator.advance(20)
    receiver.wait_for(timeout=5)
    lambda_emulator.drain_webhooks()
    [done] = lambda_emulator.deliveries()
    assert done["status"] == "succeeded" and done["completed_at"] == "2026-01-24T10:30:30Z"
    assert [a["status_code"] for a in done["attempts"]] == [500, 503, 200]
    assert [a["at"][-9:] for a in done["attempts"]] == ["10:30:00Z", "10:30:10Z", "10:30:30Z"]
    sent = receiver.deliveries
    assert [d.answered for d in sent] == [500, 503, 200]
    assert {d.event_id for d in sent} == {done["event_id"]}
    assert {d.delivery_id for d in sent} == {delivery_id}
    assert [d.header("X-Lambda-Attempt") for d in sent] == ["1", "2", "3"]
    assert all(d.verify(SECRET) for d in sent)


def test_after_the_last_attempt_the_delivery_fails_and_can_be_redelivered(
    lambda_emulator: EmulatorHandle, client: httpx.Client
) -> None:
    config = lambda_emulator.control("PUT", "webhooks/config", json={"retry_schedule": [5, 5]})
    assert config["max_attempts"] == 3
    receiver = lambda_emulator.webhook_receiver()
    receiver.respond_with(502)
    hook = subscribe(client, receiver.url)
    original = ping(client, hook["id"])
    for _ in range(3):
        lambda_emulator.drain_webhooks()
        lambda_emulator.advance(5)
    lambda_emulator.drain_webhooks()
    failed = lambda_emulator.control("GET", f"webhooks/deliveries/{original['id']}")
    assert failed["status"] == "failed" and failed["attempt_count"] == 3
    assert failed["next_attempt_at"] is None and failed["completed_at"] is not None
    assert len(receiver.deliveries) == 3
    lambda_emulator.advance(3600)
    lambda_emulator.drain_webhooks()
    assert len(receiver.deliveries) == 3  # nothing more after the last attempt

    receiver.respond_with(200)
    again = lambda_emulator.redeliver(original["id"])
    assert again["id"] != original["id"] and again["redelivery_of"] == original["id"]
    assert again["event_id"] == original["event_id"]
    got = receiver.wait_for(delivery_id=again["id"], timeout=5)
    assert got.event_id == original["event_id"] and got.verify(SECRET)
    lambda_emulator.drain_webhooks()
    assert (
        ok(client.get(f"/v1/webhooks/{hook['id']}/deliveries", params={"status": "succeeded"}))[0][
            "id"
        ]
        == again["id"]
    )
    # the API can redeliver too, through the subscription that owns the delivery
    third = ok(client.post(f"/v1/webhooks/{hook['id']}/deliveries/{again['id']}/redeliver"), 202)
    assert third["redelivery_of"] == again["id"]
    lambda_emulator.drain_webhooks()
    assert len(receiver.deliveries) == 5


def test_redeliver_refuses_pending_and_unknown_deliveries(
    lambda_emulator: EmulatorHandle, client: httpx.Client
) -> None:
    receiver = lambda_emulator.webhook_receiver()
    receiver.respond_with(500)
    hook = subscribe(client, receiver.url)
    delivery = ping(client, hook["id"])
    lambda_emulator.drain_webhooks()
    control = httpx.Client(base_url=lambda_emulator.url)
    with control:
        conflict = control.post(f"/_emulator/webhooks/deliveries/{delivery['id']}/redeliver")
        assert err(conflict, 409, "conflict")["details"]["status"] == "pending"
        err(control.post("/_emulator/webhooks/deliveries/dlv_nope/redeliver"), 404, "not_found")
        err(control.get("/_emulator/webhooks/deliveries/dlv_nope"), 404, "not_found")
        bad = control.get("/_emulator/webhooks/deliveries", params={"colour": "red"})
        err(bad, 400, "invalid_request")


def test_a_receiver_slower_than_the_timeout_is_a_failed_attempt(
    lambda_emulator: EmulatorHandle, client: httpx.Client
) -> None:
    lambda_emulator.control("PUT", "webhooks/config", json={"timeout_seconds": 0.3})
    receiver = lambda_emulator.webhook_receiver()
    receiver.respond_with(200, delay=1.5, times=1)
    hook = subscribe(client, receiver.url)
    ping(client, hook["id"])
    lambda_emulator.drain_webhooks()
    [delivery] = lambda_emulator.deliveries()
    [attempt] = delivery["attempts"]
    assert attempt["status_code"] is None and attempt["error"] == "timed out after 0.3 s"
    assert 250 <= attempt["latency_ms"] < 1400
    assert delivery["status"] == "pending"
    lambda_emulator.advance(10)
    lambda_emulator.drain_webhooks()
    assert lambda_emulator.deliveries()[0]["status"] == "succeeded"


def test_receiver_down_then_up_gets_every_delivery_after_recovery(
    lambda_emulator: EmulatorHandle, client: httpx.Client
) -> None:
    port = _free_port()
    url = f"http://127.0.0.1:{port}/webhook"
    hook = subscribe(client, url)
    sent = [ping(client, hook["id"])["event_id"] for _ in range(25)]
    lambda_emulator.drain_webhooks()
    waiting = lambda_emulator.deliveries(status="pending")
    assert len(waiting) == 25
    assert all(d["attempts"][0]["status_code"] is None for d in waiting)
    assert all("Connect" in d["attempts"][0]["error"] for d in waiting)

    receiver = lambda_emulator.webhook_receiver(port=port)
    lambda_emulator.advance(10)
    receiver.wait_for_count(25, timeout=10)
    assert {d.event_id for d in receiver.deliveries} == set(sent)
    assert len(receiver.deliveries) == 25
    assert all(d.verify(SECRET) for d in receiver.deliveries)
    lambda_emulator.drain_webhooks()
    succeeded = lambda_emulator.deliveries(status="succeeded")
    assert len(succeeded) == 25
    assert all(d["attempt_count"] == 2 for d in succeeded)


def test_a_slow_receiver_does_not_slow_the_api(
    lambda_emulator: EmulatorHandle, client: httpx.Client
) -> None:
    receiver = lambda_emulator.webhook_receiver()
    receiver.hold()  # no answer at all until released: the slowest receiver there is
    hook = subscribe(client, receiver.url)
    timings = []
    for _ in range(20):
        t0 = time.perf_counter()
        ping(client, hook["id"])
        ok(client.get("/v1/account"))
        timings.append(time.perf_counter() - t0)
    receiver.wait_for_held(20)  # every delivery is in flight at once, none answered
    assert max(timings) < 1.0, timings
    assert receiver.deliveries == []
    receiver.release()
    lambda_emulator.drain_webhooks()
    assert len(receiver.deliveries) == 20
    assert len(lambda_emulator.deliveries(status="succeeded")) == 20


def test_a_hung_receiver_gets_at_most_64_connections_and_starves_no_one(
    lambda_emulator: EmulatorHandle, client: httpx.Client
) -> None:
    hung, healthy = lambda_emulator.webhook_receiver(), lambda_emulator.webhook_receiver()
    hung.hold()
    stuck = subscribe(client, hung.url)
    fine = subscribe(client, healthy.url)
    for _ in range(80):
        ping(client, stuck["id"])
    hung.wait_for_held(64)
    event_id = ping(client, fine["id"])["event_id"]
    assert healthy.wait_for(event_id=event_id, timeout=5).verify(SECRET)
    hung.release()
    lambda_emulator.drain_webhooks()
    assert hung.peak_held == 64
    assert len(lambda_emulator.deliveries(webhook_id=stuck["id"], status="succeeded")) == 80


def test_a_receiver_that_sleeps_is_sent_to_concurrently(
    lambda_emulator: EmulatorHandle, client: httpx.Client
) -> None:
    receiver = lambda_emulator.webhook_receiver()
    receiver.respond_with(200, delay=1.0)
    hook = subscribe(client, receiver.url)
    started = time.perf_counter()
    for _ in range(10):
        ping(client, hook["id"])
    lambda_emulator.drain_webhooks()
    # ten 1-second answers in parallel, not one after another
    assert time.perf_counter() - started < 5.0
    assert len(receiver.deliveries) == 10


def test_deleting_a_webhook_cancels_its_pending_deliveries(
    lambda_emulator: EmulatorHandle, client: httpx.Client
) -> None:
    receiver = lambda_emulator.webhook_receiver()
    receiver.respond_with(500)
    hook = subscribe(client, receiver.url)
    delivery = ping(client, hook["id"])
    lambda_emulator.drain_webhooks()
    ok(client.delete(f"/v1/webhooks/{hook['id']}"))
    [cancelled] = lambda_emulator.deliveries()
    assert cancelled["status"] == "cancelled" and cancelled["next_attempt_at"] is None
    lambda_emulator.advance(3600)
    lambda_emulator.drain_webhooks()
    assert len(receiver.deliveries) == 1
    conflict = httpx.post(
        f"{lambda_emulator.url}/_emulator/webhooks/deliveries/{delivery['id']}/redeliver"
    )
    err(conflict, 409, "conflict")


def test_delivery_log_filters(lambda_emulator: EmulatorHandle, client: httpx.Client) -> None:
    good, bad = lambda_emulator.webhook_receiver(), lambda_emulator.webhook_receiver()
    bad.respond_with(500)
    a = subscribe(client, good.url)
    b = subscribe(client, bad.url)
    for hook in (a, a, b):
        ping(client, hook["id"])
    lambda_emulator.drain_webhooks()
    assert len(lambda_emulator.deliveries()) == 3
    assert len(lambda_emulator.deliveries(webhook_id=a["id"])) == 2
    assert len(lambda_emulator.deliveries(status="pending")) == 1
    assert len(lambda_emulator.deliveries(event_type="webhook.ping")) == 3
    assert lambda_emulator.deliveries(event_type="instance.created") == []
    mine = client.get(f"/v1/webhooks/{b['id']}/deliveries").json()
    assert mine["pagination"]["total_items"] == 1
    b_delivery = mine["data"][0]["id"]
    wrong = client.post(f"/v1/webhooks/{a['id']}/deliveries/{b_delivery}/redeliver")
    assert err(wrong, 404, "not_found")["details"]["field"] == "delivery_id"
    assert mine["data"][0]["attempts"][0]["status_code"] == 500
    page = httpx.get(
        f"{lambda_emulator.url}/_emulator/webhooks/deliveries",
        params={"limit": 2, "order": "desc"},
    ).json()
    assert page["pagination"]["total_items"] == 3 and len(page["data"]) == 2
    other = lambda_emulator.new_account()
    with lambda_emulator.client(other.api_key) as stranger:
        err(stranger.get(f"/v1/webhooks/{a['id']}/deliveries"), 404, "not_found")


def test_reset_drops_queued_and_in_flight_deliveries(
    lambda_emulator: EmulatorHandle, client: httpx.Client
) -> None:
    receiver = lambda_emulator.webhook_receiver()
    receiver.respond_with(200, delay=1.0)
    hook = subscribe(client, receiver.url)
    ping(client, hook["id"])
    lambda_emulator.reset()
    result = lambda_emulator.drain_webhooks(timeout=0.5)  # in-flight work was cancelled
    assert result["in_flight"] == 0
    assert lambda_emulator.deliveries() == []
    assert lambda_emulator.control("GET", "webhooks/config")["retry_schedule"][0] == 10


def test_start_up_flags_set_the_schedule_and_timeout(make_emulator: Any) -> None:
    emu = make_emulator(webhook_retry_schedule=(1.0, 2.0), webhook_timeout=3.0)
    assert emu.control("GET", "webhooks/config") == {
        "timeout_seconds": 3.0,
        "retry_schedule": [1.0, 2.0],
        "max_attempts": 3,
    }
    emu.control("PUT", "webhooks/config", json={"retry_schedule": []})
    assert emu.control("GET", "webhooks/config")["max_attempts"] == 1
    emu.reset()
    assert emu.control("GET", "webhooks/config")["retry_schedule"] == [1.0, 2.0]


def test_a_rotated_secret_and_a_new_url_apply_to_retries(
    lambda_emulator: EmulatorHandle, client: httpx.Client
) -> None:
    old, new = lambda_emulator.webhook_receiver(), lambda_emulator.webhook_receiver()
    old.respond_with(500)
    hook = subscribe(client, old.url)
    delivery = ping(client, hook["id"])
    old.wait_for(timeout=5)
    lambda_emulator.drain_webhooks()
    ok(client.patch(f"/v1/webhooks/{hook['id']}", json={"url": new.url, "secret": "rotated-1"}))
    lambda_emulator.advance(10)
    got = new.wait_for("webhook.ping", timeout=5)
    assert got.event_id == delivery["event_id"] and got.delivery_id == delivery["id"]
    assert got.verify("rotated-1") and not got.verify(SECRET)
    lambda_emulator.drain_webhooks()
    done = ok(client.get(f"/v1/webhooks/{hook['id']}/deliveries/{delivery['id']}"))
    assert [a["url"] for a in done["attempts"]] == [old.url, new.url]
    assert done["status"] == "succeeded"
