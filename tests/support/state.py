"""The emulator's whole state, as the tests build and compare it: ``populate`` makes one of
everything the emulator stores through the public API (its export must import again and
round-trip exactly); ``tables`` and ``changed`` compare exported state across requests."""

from __future__ import annotations

from typing import Any

import httpx

from lambda_emulator.testing.pytest_plugin import EmulatorHandle
from tests.support.envelope import ok
from tests.support.resources import SETTLE, create_instance

#: Nothing listens here, so deliveries fail and stay queued for a retry.
DEAD_RECEIVER = "http://127.0.0.1:9/hook"
A_WEEK = 8 * 24 * 3600


def _post(client: httpx.Client, path: str, body: dict[str, Any], **kw: Any) -> dict[str, Any]:
    data: dict[str, Any] = ok(client.post(path, json=body, **kw), 201)
    return data


def populate(emu: EmulatorHandle, client: httpx.Client) -> dict[str, str]:
    """One of every stored kind: accounts, API keys, instances, volumes (one attached),
    snapshots, firewall rules, VPNs, a webhook with failed deliveries queued for retry,
    idempotency records, invoices after a month end, events, meters, and pending jobs (an
    instance stopping and a volume creating at export time). Returns ids worth pointing at."""
    other = emu.new_account(name="Other")
    hook = _post(
        client,
        "/v1/webhooks",
        {
            "url": DEAD_RECEIVER,
            "events": ["instance.created", "volume.created"],
            "secret": "s3cret-s3cret",
        },
    )
    web = create_instance(client)
    attached = _post(client, "/v1/volumes", {"name": "data", "size_gb": 10, "region": "us-west-1"})
    emu.advance(SETTLE)
    ok(client.post(f"/v1/volumes/{attached['id']}/attach", json={"instance_id": web["id"]}))
    spare = _post(client, "/v1/volumes", {"name": "spare", "size_gb": 5, "region": "us-west-1"})
    emu.advance(SETTLE)
    snapshot = _post(client, "/v1/snapshots", {"volume_id": spare["id"], "name": "nightly"})
    rule = {"direction": "inbound", "protocol": "tcp", "ports": "22", "cidr": "0.0.0.0/0"}
    fw = _post(client, "/v1/firewall/rules", {**rule, "instance_id": web["id"]})
    vpn = _post(client, "/v1/vpn", {"name": "office", "region": "us-west-1"})
    emu.advance(A_WEEK)  # past the month end: January's invoices are issued
    ok(client.post(f"/v1/instances/{web['id']}/stop"))
    fresh = _post(client, "/v1/volumes", {"name": "fresh", "size_gb": 1, "region": "us-west-1"})
    _post(client, "/v1/account/api-keys", {"name": "ci"}, headers={"Idempotency-Key": "k1"})
    with emu.client(other.api_key) as theirs:
        their_instance = create_instance(theirs, name="theirs")
    # Every due delivery attempted (and its retry scheduled) before anyone exports.
    assert emu.control("POST", "webhooks/drain", json={})["drained"] is True
    return {
        "other_account": other.id,
        "instance": web["id"],
        "their_instance": their_instance["id"],
        "attached_volume": attached["id"],
        "creating_volume": fresh["id"],
        "snapshot": snapshot["id"],
        "firewall_rule": fw["id"],
        "vpn": vpn["id"],
        "webhook": hook["id"],
    }


def tables(emu: EmulatorHandle) -> dict[str, Any]:
    """Every table of ``GET /_emulator/state``, without the one stamp a request may move
    legitimately: the caller's own key's ``last_used_at``."""
    state: dict[str, Any] = emu.control("GET", "state")
    out: dict[str, Any] = dict(state["tables"])
    out["api_keys"] = {
        kid: {k: v for k, v in row.items() if k != "last_used_at"}
        for kid, row in out.get("api_keys", {}).items()
    }
    return out


def changed(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """Table → rows that differ (old, new), empty when nothing changed: a readable failure."""
    out: dict[str, Any] = {}
    for name in set(before) | set(after):
        old, new = before.get(name, {}), after.get(name, {})
        rows = {
            k: (old.get(k), new.get(k)) for k in set(old) | set(new) if old.get(k) != new.get(k)
        }
        if rows:
            out[name] = rows
    return out
