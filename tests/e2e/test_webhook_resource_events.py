"""Real resource events reach a real receiver: the reference's example subscription, wildcards,
disabled subscriptions, and POST /v1/instances unaffected by a receiver that sleeps."""

from __future__ import annotations

import time

import httpx

from lambda_emulator.testing.pytest_plugin import EmulatorHandle
from tests.support.envelope import ok
from tests.support.resources import INSTANCE_BODY, SETTLE, create_instance
from tests.support.webhooks import SECRET, subscribe


def test_the_reference_subscription_receives_instance_created_and_stopped(
    lambda_emulator: EmulatorHandle, client: httpx.Client
) -> None:
    receiver = lambda_emulator.webhook_receiver()
    subscribe(client, receiver.url, ["instance.created", "instance.stopped"])
    instance = create_instance(client, name="my-instance")
    lambda_emulator.advance(SETTLE)
    created = receiver.wait_for("instance.created", timeout=5)
    assert created.verify(SECRET)
    body = created.json
    assert body["id"].startswith("evt_") and body["type"] == "instance.created"
    assert body["data"]["instance_id"] == instance["id"]
    assert body["data"]["name"] == "my-instance"
    assert body["data"]["status"] == "running"
    ok(client.post(f"/v1/instances/{instance['id']}/stop"))
    lambda_emulator.advance(SETTLE)
    stopped = receiver.wait_for("instance.stopped", timeout=5)
    assert stopped.json["data"]["status"] == "stopped" and stopped.verify(SECRET)
    lambda_emulator.drain_webhooks()
    # only the two subscribed types, though the instance went through more states
    assert [d.event_type for d in receiver.deliveries] == ["instance.created", "instance.stopped"]
    logged = lambda_emulator.deliveries()
    assert [d["status"] for d in logged] == ["succeeded", "succeeded"]
    assert [d["event_id"] for d in logged] == [created.event_id, stopped.event_id]


def test_wildcards_and_disabled_subscriptions(
    lambda_emulator: EmulatorHandle, client: httpx.Client
) -> None:
    everything, volumes, off = (lambda_emulator.webhook_receiver() for _ in range(3))
    subscribe(client, everything.url, ["*"])
    subscribe(client, volumes.url, ["volume.*"])
    disabled = subscribe(client, off.url, ["*"])
    ok(client.patch(f"/v1/webhooks/{disabled['id']}", json={"status": "disabled"}))
    create_instance(client)
    body = {"name": "data", "size_gb": 10, "region": "us-west-1"}
    ok(client.post("/v1/volumes", json=body), 201)
    lambda_emulator.advance(SETTLE)
    lambda_emulator.drain_webhooks()
    got_all = {d.event_type for d in everything.deliveries}
    assert {"instance.created", "volume.created"} <= got_all
    got_volumes = {d.event_type for d in volumes.deliveries}
    assert got_volumes and all(t.startswith("volume.") for t in got_volumes)
    assert off.deliveries == []
    assert len({d.event_id for d in everything.deliveries}) == len(everything.deliveries)


def test_a_receiver_that_sleeps_does_not_slow_post_instances(
    lambda_emulator: EmulatorHandle, client: httpx.Client
) -> None:
    lambda_emulator.control("PUT", "transitions", json={"mode": "instant"})
    receiver = lambda_emulator.webhook_receiver()
    receiver.hold()  # it takes every delivery and answers none until released
    subscribe(client, receiver.url, ["instance.created"])
    timings = []
    for i in range(10):
        started = time.perf_counter()
        ok(client.post("/v1/instances", json={**INSTANCE_BODY, "name": f"web-{i}"}), 201)
        timings.append(time.perf_counter() - started)
    receiver.wait_for_held(10)
    assert max(timings) < 1.0, timings
    assert receiver.deliveries == []
    receiver.release()
    lambda_emulator.drain_webhooks()
    assert [d.event_type for d in receiver.deliveries] == ["instance.created"] * 10
