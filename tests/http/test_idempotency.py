"""Idempotency keys over a real server: replay, misuse, in-flight, retention, scope, restarts."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from lambda_emulator.process.server import EmulatorThread
from lambda_emulator.testing.pytest_plugin import EmulatorHandle
from tests.support.envelope import err, ok
from tests.support.server import emulator_settings as settings_for

KEYS = "/v1/account/api-keys"


def create(client: httpx.Client, key: str | None, **body: Any) -> httpx.Response:
    headers = {"Idempotency-Key": key} if key is not None else {}
    return client.post(KEYS, json=body or {"name": "deploy"}, headers=headers)


def key_names(client: httpx.Client) -> list[str]:
    return [k["name"] for k in ok(client.get(KEYS))]


def test_same_key_same_request_replays_without_a_second_resource(client: httpx.Client) -> None:
    first = create(client, "key-1")
    created = ok(first, 201)
    assert "idempotent-replayed" not in first.headers
    again = create(client, "key-1")
    assert ok(again, 201) == created  # the same id and even the same one-time secret
    assert again.headers["idempotent-replayed"] == "true"
    assert again.headers["idempotent-original-request-id"] == first.headers["x-request-id"]
    assert again.headers["x-request-id"] != first.headers["x-request-id"]
    assert key_names(client) == ["default", "deploy"]
    # Key order and spacing of the JSON body do not make it a different request.
    spaced = client.post(
        KEYS,
        content=b'{ "name" :  "deploy" }',
        headers={"Idempotency-Key": "key-1", "Content-Type": "application/json"},
    )
    assert spaced.headers["idempotent-replayed"] == "true"


def test_same_key_different_request_is_422(client: httpx.Client) -> None:
    ok(create(client, "key-2"), 201)
    error = err(create(client, "key-2", name="other"), 422, "idempotency_key_reused")
    assert error["details"] == {
        "field": "Idempotency-Key",
        "original_method": "POST",
        "original_path": KEYS,
    }
    err(
        client.post(
            "/v2/account/api-keys", json={"name": "deploy"}, headers={"Idempotency-Key": "key-2"}
        ),
        422,
        "idempotency_key_reused",
    )
    assert key_names(client) == ["default", "deploy"]


def test_keys_are_scoped_to_the_account(lambda_emulator: EmulatorHandle) -> None:
    other = lambda_emulator.new_account("professional")
    with lambda_emulator.client() as mine, lambda_emulator.client(other.api_key) as theirs:
        a = ok(create(mine, "shared-key"), 201)
        b = create(theirs, "shared-key")
        assert ok(b, 201)["id"] != a["id"]
        assert "idempotent-replayed" not in b.headers


def test_keys_are_kept_24_hours_of_emulator_time(
    lambda_emulator: EmulatorHandle, client: httpx.Client
) -> None:
    created = ok(create(client, "daily"), 201)
    lambda_emulator.advance(24 * 3600 - 1)
    assert ok(create(client, "daily"), 201)["id"] == created["id"]
    lambda_emulator.advance(1)
    fresh = create(client, "daily")
    assert ok(fresh, 201)["id"] != created["id"]
    assert "idempotent-replayed" not in fresh.headers


@pytest.mark.parametrize("length", [0, 256, 1000])
def test_a_key_must_be_1_to_255_characters(client: httpx.Client, length: int) -> None:
    error = err(create(client, "k" * length), 400, "invalid_request")
    assert error["details"]["field"] == "Idempotency-Key"
    assert key_names(client) == ["default"]


def test_a_255_character_key_works(client: httpx.Client) -> None:
    ok(create(client, "k" * 255), 201)
    assert create(client, "k" * 255).headers["idempotent-replayed"] == "true"


def test_requests_refused_before_the_handler_are_not_stored(
    lambda_emulator: EmulatorHandle,
) -> None:
    free = lambda_emulator.new_account("free")
    with lambda_emulator.client(free.api_key) as client:
        # An invalid body: fixing it and retrying with the same key is a fresh request.
        err(create(client, "fix-me", nmae="typo"), 400, "invalid_request")
        assert "idempotent-replayed" not in create(client, "fix-me").headers
        # A 429 is never stored.
        for _ in range(48):
            ok(client.get("/v1/account"))
        err(create(client, "limited", name="ci"), 429, "rate_limit_exceeded")
        lambda_emulator.advance(1)
        retried = create(client, "limited", name="ci")
        assert ok(retried, 201)["name"] == "ci" and "idempotent-replayed" not in retried.headers
        # Nor is an injected error (a failing front door).
        lambda_emulator.inject_fault(KEYS, method="POST", status=503, count=1)
        err(create(client, "faulty", name="web"), 503, "service_unavailable")
        assert "idempotent-replayed" not in ok_created(create(client, "faulty", name="web"))
        assert create(client, "faulty", name="web").headers["idempotent-replayed"] == "true"
        assert sorted(key_names(client)) == ["ci", "default", "deploy", "web"]


def ok_created(response: httpx.Response) -> httpx.Headers:
    ok(response, 201)
    return response.headers


def test_an_error_from_the_handler_is_stored_and_replayed(client: httpx.Client) -> None:
    body = {"name": "late", "expires_at": "2020-01-01T00:00:00Z"}
    first = err(create(client, "past", **body), 400, "invalid_request")
    replay = create(client, "past", **body)
    assert err(replay, 400, "invalid_request") == first
    assert replay.headers["idempotent-replayed"] == "true"


def test_get_requests_ignore_the_header(client: httpx.Client) -> None:
    response = client.get("/v1/account", headers={"Idempotency-Key": "x" * 300})
    ok(response)
    assert "idempotent-replayed" not in response.headers


def wait_for(predicate: Any, timeout: float = 10.0) -> None:
    """Poll a real-time condition (a request held by injected latency finishing)."""
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def test_a_second_request_while_the_first_is_in_flight_is_409(
    lambda_emulator: EmulatorHandle,
) -> None:
    fault = lambda_emulator.inject_fault(KEYS, method="POST", latency_ms=1500, count=1)
    outcome: dict[str, httpx.Response] = {}

    def slow_first() -> None:
        with lambda_emulator.client() as c:
            outcome["first"] = create(c, "slow")

    first = threading.Thread(target=slow_first)
    first.start()
    wait_for(lambda: lambda_emulator.faults()[0]["fired"] == 1)
    with lambda_emulator.client() as client:
        error = err(create(client, "slow"), 409, "idempotency_key_in_use")
        assert error["details"] == {"field": "Idempotency-Key"}
        first.join()
        created = ok(outcome["first"], 201)
        assert ok(create(client, "slow"), 201) == created
        assert key_names(client) == ["default", "deploy"]
    assert fault["latency_ms"] == 1500


def test_a_client_that_times_out_and_retries_meets_409_then_the_replay(
    lambda_emulator: EmulatorHandle,
) -> None:
    lambda_emulator.inject_fault(KEYS, method="POST", latency_ms=1000, count=1)
    with lambda_emulator.client(timeout=0.3) as impatient:
        with pytest.raises(httpx.ReadTimeout):
            create(impatient, "timeout-retry")
        err(create(impatient, "timeout-retry"), 409, "idempotency_key_in_use")
    wait_for(lambda: bool(lambda_emulator.requests(method="POST", status=201)))
    with lambda_emulator.client() as client:
        replay = create(client, "timeout-retry")
        assert ok(replay, 201)["name"] == "deploy"
        assert replay.headers["idempotent-replayed"] == "true"
        assert key_names(client) == ["default", "deploy"]


def test_records_survive_a_restart_with_a_state_file_without_secrets(tmp_path: Path) -> None:
    state_file = tmp_path / "state.json"
    settings = settings_for(state_file=state_file)
    headers = {
        b"Authorization": b"Bearer " + settings.api_key.encode(),
        b"Idempotency-Key": b"durable",
    }
    with EmulatorThread(settings) as server, httpx.Client(base_url=server.url) as c:
        created = ok(c.post(KEYS, json={"name": "deploy"}, headers=headers), 201)
        same_run = c.post(KEYS, json={"name": "deploy"}, headers=headers)
        assert ok(same_run, 201) == created  # the one-time secret again, from memory
    on_disk = b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.is_file())
    assert created["key"].encode() not in on_disk
    with EmulatorThread(settings) as server, httpx.Client(base_url=server.url) as c:
        replay = c.post(KEYS, json={"name": "deploy"}, headers=headers)
        assert replay.headers["idempotent-replayed"] == "true"
        # Secrets are never written to disk, so after a restart the replay cannot show it.
        assert ok(replay, 201) == dict(created, key="λ_sk_[REDACTED]")
