"""Transition modes over a real server: realistic durations (configurable), instant, and
manual (moves only when the clock is advanced or after N reads), cleared by reset."""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from typing import Any

import httpx

from lambda_emulator.runtime import Runtime
from lambda_emulator.testing.pytest_plugin import EmulatorHandle
from tests.support.envelope import err, ok
from tests.support.events import event_types, meters_of
from tests.support.resources import create_instance


def _get(client: httpx.Client, instance: dict[str, Any]) -> dict[str, Any]:
    data: dict[str, Any] = ok(client.get(f"/v1/instances/{instance['id']}"))
    return data


def _put(emu: EmulatorHandle, **body: Any) -> dict[str, Any]:
    data: dict[str, Any] = emu.control("PUT", "transitions", json=body)
    return data


def test_default_config_is_realistic_and_documented(lambda_emulator: EmulatorHandle) -> None:
    config = lambda_emulator.control("GET", "transitions")
    assert config["mode"] == "realistic"
    assert config["reads"] == 3
    assert config["durations"]["instance.pending"] == 45
    assert len(config["durations"]) == 14


def test_instant_mode_settles_inside_the_request(
    lambda_emulator: EmulatorHandle, client: httpx.Client, runtime: Runtime
) -> None:
    _put(lambda_emulator, mode="instant")
    instance = create_instance(client)
    assert instance["status"] == "running"
    assert instance["public_ip"].startswith("203.0.113.")
    assert ok(client.post(f"/v1/instances/{instance['id']}/stop"))["status"] == "stopped"
    assert ok(client.delete(f"/v1/instances/{instance['id']}"))["status"] == "deleted"
    err(client.get(f"/v1/instances/{instance['id']}"), 404, "not_found")
    assert event_types(runtime, resource_id=instance["id"]) == [
        "instance.pending",
        "instance.created",
        "instance.stopping",
        "instance.stopped",
        "instance.deleting",
        "instance.deleted",
    ]
    # A zero-length instance meter was still opened and closed: billing sees the truth.
    (meter,) = meters_of(runtime, instance["id"])
    assert meter["started_at"] == meter["ended_at"]


def test_custom_durations(lambda_emulator: EmulatorHandle, client: httpx.Client) -> None:
    config = _put(
        lambda_emulator, mode="realistic", durations={"instance.pending": 5, "instance.stopping": 0}
    )
    assert config["durations"]["instance.pending"] == 5
    assert config["durations"]["instance.starting"] == 30
    instance = create_instance(client)
    lambda_emulator.advance(5)
    assert _get(client, instance)["status"] == "running"
    # A zero duration settles at once, in any mode.
    assert ok(client.post(f"/v1/instances/{instance['id']}/stop"))["status"] == "stopped"


def test_bad_config_is_400(lambda_emulator: EmulatorHandle) -> None:
    with httpx.Client(base_url=lambda_emulator.url) as c:
        bad_mode = err(
            c.put("/_emulator/transitions", json={"mode": "fast"}), 400, "invalid_request"
        )
        assert bad_mode["details"]["allowed_values"] == ["realistic", "instant", "manual"]
        bad_key = err(
            c.put(
                "/_emulator/transitions",
                json={"mode": "manual", "durations": {"instance.booting": 1}},
            ),
            400,
            "invalid_request",
        )
        assert "instance.pending" in bad_key["details"]["allowed_values"]
        negative = err(
            c.put(
                "/_emulator/transitions", json={"mode": "manual", "durations": {"vpn.pending": -1}}
            ),
            400,
            "invalid_request",
        )
        assert negative["details"]["field"] == "durations.vpn.pending"
        err(
            c.put("/_emulator/transitions", json={"mode": "manual", "reads": 0}),
            400,
            "invalid_request",
        )


def test_manual_mode_moves_on_the_nth_read(
    lambda_emulator: EmulatorHandle, client: httpx.Client
) -> None:
    _put(lambda_emulator, mode="manual", reads=2)
    instance = create_instance(client)
    assert _get(client, instance)["status"] == "pending"
    # Lists do not count as reads.
    assert ok(client.get("/v1/instances"))[0]["status"] == "pending"
    running = _get(client, instance)
    assert running["status"] == "running" and running["public_ip"]
    ok(client.post(f"/v1/instances/{instance['id']}/stop"))
    assert _get(client, instance)["status"] == "stopping"
    assert _get(client, instance)["status"] == "stopped"


def test_manual_mode_moves_when_the_clock_is_advanced(
    lambda_emulator: EmulatorHandle, client: httpx.Client
) -> None:
    _put(lambda_emulator, mode="manual", reads=100)
    volume = ok(
        client.post("/v1/volumes", json={"name": "v", "size_gb": 1, "region": "us-west-1"}), 201
    )
    lambda_emulator.advance(9)
    assert ok(client.get(f"/v1/volumes/{volume['id']}"))["status"] == "creating"
    lambda_emulator.advance(1)
    assert ok(client.get(f"/v1/volumes/{volume['id']}"))["status"] == "available"


def _wait_for_the_clock(emu: EmulatorHandle, since: str, seconds: float) -> None:
    """Return once the emulator clock (running by itself) reads ``seconds`` past ``since``:
    a condition on the emulator's own clock, not a guess at how long real time takes."""
    target = datetime.fromisoformat(since) + timedelta(seconds=seconds)
    deadline = time.monotonic() + 10
    while datetime.fromisoformat(emu.now()) < target:
        assert time.monotonic() < deadline, f"the clock never reached {target}"


def test_manual_mode_ignores_real_time(make_emulator: Any) -> None:
    emu = make_emulator(speed=1000.0, transitions="manual")
    with emu.client() as client:
        instance = create_instance(client)
        # 200 emulated seconds pass by themselves: not an advance
        _wait_for_the_clock(emu, instance["created_at"], 200)
        assert _get(client, instance)["status"] == "pending"
        emu.advance(45)
        assert _get(client, instance)["status"] == "running"


def test_realistic_mode_follows_a_running_clock(make_emulator: Any) -> None:
    emu = make_emulator(speed=1000.0)
    with emu.client() as client:
        instance = create_instance(client)
        assert instance["status"] == "pending"
        # Past the 45 s boot (one second more: stamps are whole seconds), the next request
        # finds it running: every request first runs what fell due.
        _wait_for_the_clock(emu, instance["created_at"], 46)
        assert _get(client, instance)["status"] == "running"


def test_reset_returns_to_the_start_up_mode(
    lambda_emulator: EmulatorHandle, client: httpx.Client
) -> None:
    _put(lambda_emulator, mode="instant", durations={"instance.pending": 1}, reads=7)
    lambda_emulator.reset()
    config = lambda_emulator.control("GET", "transitions")
    assert (config["mode"], config["reads"], config["durations"]["instance.pending"]) == (
        "realistic",
        3,
        45,
    )
    assert create_instance(client)["status"] == "pending"


def test_start_up_flag_sets_the_mode(make_emulator: Any) -> None:
    emu = make_emulator(transitions="instant")
    with emu.client() as client:
        assert create_instance(client)["status"] == "running"
    assert emu.control("GET", "transitions")["mode"] == "instant"
