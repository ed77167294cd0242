"""Isolation under concurrency: many clients share one emulator, each in a sandbox of its own,
each running a whole scenario at once (resources, transitions on its clock, faults, webhooks
to its own receiver, journal reads, reset); no client ever sees another's effects, and
nothing is lost."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx

from lambda_emulator.testing.pytest_plugin import EmulatorHandle
from lambda_emulator.testing.webhook_receiver import WebhookReceiver
from tests.support.envelope import err, ok

CLIENTS = 12
ROUNDS = 3


def _scenario(url: str, index: int, start: threading.Barrier) -> dict[str, Any]:
    with httpx.Client(base_url=url, timeout=30) as root:
        created = ok(root.post("/_emulator/sandboxes", json={"name": f"worker-{index}"}), 201)
        sandbox, key = created["id"], created["api_key"]
        headers = {"Authorization": f"Bearer {key}".encode()}
        control = f"/_emulator/sandboxes/{sandbox}"
        start.wait(timeout=30)  # every client works at once from here
        seen: list[str] = []
        with WebhookReceiver() as receiver:
            ok(
                root.post(
                    "/v1/webhooks",
                    json={"url": receiver.url, "events": ["instance.*"], "secret": "isolated!"},
                    headers=headers,
                ),
                201,
            )
            for round_ in range(ROUNDS):
                name = f"w{index}-r{round_}"
                made = ok(
                    root.post(
                        "/v1/instances",
                        json={
                            "name": name,
                            "instance_type": "compute-1x",
                            "region": "us-west-1",
                            "image": "ubuntu-22.04",
                        },
                        headers=headers,
                    ),
                    201,
                )
                assert made["status"] == "pending"
                ok(root.post(f"{control}/clock/advance", json={"seconds": 120}))
                listed = ok(root.get("/v1/instances", headers=headers))
                assert [i["name"] for i in listed] == [name], listed
                assert listed[0]["status"] == "running"
                seen.append(made["id"])
                fault = ok(
                    root.post(f"{control}/faults", json={"path": "/v1/account", "status": 503}), 201
                )
                err(root.get("/v1/account", headers=headers), 503, "service_unavailable")
                ok(root.delete(f"{control}/faults/{fault['id']}"))
                ok(root.get("/v1/account", headers=headers))
                ok(root.post(f"{control}/webhooks/drain", json={"timeout_seconds": 20}))
                received = {d.json["data"]["name"] for d in receiver.deliveries}
                assert received == {name}, received
                journal = ok(root.get(f"{control}/requests"))
                assert {e["path"] for e in journal} <= {
                    "/v1/webhooks",
                    "/v1/instances",
                    "/v1/account",
                }
                assert all(e["account_id"] in (None, created["account"]["id"]) for e in journal)
                deliveries = ok(root.get(f"{control}/webhooks/deliveries"))
                assert {d["status"] for d in deliveries} == {"succeeded"}
                assert len(deliveries) == len(receiver.deliveries)
                ok(root.post(f"{control}/reset"))
                receiver.clear()
                assert ok(root.get("/v1/instances", headers=headers)) == []
                ok(
                    root.post(
                        "/v1/webhooks",
                        json={"url": receiver.url, "events": ["instance.*"], "secret": "isolated!"},
                        headers=headers,
                    ),
                    201,
                )
        ok(root.delete(f"/_emulator/sandboxes/{sandbox}"))
        return {"sandbox": sandbox, "instances": seen}


def test_parallel_clients_never_see_each_other(lambda_emulator: EmulatorHandle) -> None:
    start = threading.Barrier(CLIENTS)
    default_before = lambda_emulator.requests()
    with ThreadPoolExecutor(CLIENTS) as pool:
        results = list(pool.map(lambda i: _scenario(lambda_emulator.url, i, start), range(CLIENTS)))
    # a reset returns a sandbox's id counters too, so each round repeats its ids exactly;
    # across sandboxes no id is ever shared
    for result in results:
        assert len(set(result["instances"])) == 1
    assert len({r["instances"][0] for r in results}) == CLIENTS
    assert len({r["sandbox"] for r in results}) == CLIENTS
    assert lambda_emulator.requests() == default_before  # no request reached its journal
    with lambda_emulator.client() as client:
        assert ok(client.get("/v1/instances")) == []  # the default world saw none of it
    with httpx.Client(base_url=lambda_emulator.url) as root:
        assert [s["id"] for s in ok(root.get("/_emulator/sandboxes"))] == ["sbx_default"]
