"""The request journal through ``/_emulator/requests``, over a real server."""

from __future__ import annotations

import json
import subprocess
import threading
import time
from collections.abc import Callable

import httpx

from lambda_emulator.testing.pytest_plugin import EmulatorHandle
from tests.support.envelope import err, ok


def test_every_api_request_is_recorded_whoever_answers_it(
    lambda_emulator: EmulatorHandle, client: httpx.Client
) -> None:
    err(client.get("/v1/account", params={"verbose": "no"}), 400, "invalid_request")
    ok(client.get("/v1/account"))
    err(client.get("/v1/no-such-thing"), 404, "not_found")
    err(client.put("/v1/account"), 405, "method_not_allowed")
    with httpx.Client(base_url=lambda_emulator.url) as anonymous:
        err(
            anonymous.post("/v1/account/api-keys", json={"name": "x"}), 401, "authentication_failed"
        )
    lambda_emulator.control("GET", "health")  # the control plane is not recorded
    entries = lambda_emulator.requests()
    assert [(e["method"], e["path"], e["status"]) for e in entries] == [
        ("GET", "/v1/account", 400),
        ("GET", "/v1/account", 200),
        ("GET", "/v1/no-such-thing", 404),
        ("PUT", "/v1/account", 405),
        ("POST", "/v1/account/api-keys", 401),
    ]
    first, second, _, _, anonymous_post = entries
    assert first["query"] == "verbose=no"
    assert first["response_body"]["error"]["details"]["field"] == "verbose"
    default_account = ok(client.get("/v1/account"))["id"]
    assert second["account_id"] == default_account
    assert second["request_id"].startswith("req_")
    assert second["timestamp"] == "2026-01-24T10:30:00Z"
    assert second["duration_ms"] > 0
    assert second["response_headers"]["x-ratelimit-remaining"] == "9998"
    assert second["response_body"]["data"]["id"] == default_account
    assert anonymous_post["account_id"] is None
    assert anonymous_post["request_body"] == {"name": "x"}  # even though nothing read it


def test_a_test_can_assert_what_its_client_sent(
    lambda_emulator: EmulatorHandle, client: httpx.Client
) -> None:
    client.post(
        "/v1/account/api-keys",
        json={"name": "deploy", "permissions": ["instances:read"]},
        headers={"Idempotency-Key": "abc-123", "User-Agent": "my-sdk/1.2"},
    )
    [sent] = lambda_emulator.requests(method="POST", path="/v1/account/api-keys")
    assert sent["request_body"] == {"name": "deploy", "permissions": ["instances:read"]}
    assert sent["request_headers"]["user-agent"] == "my-sdk/1.2"
    assert sent["idempotency_key"] == "abc-123"
    assert sent["idempotent_replayed"] is False
    assert sent["status"] == 201
    client.post(
        "/v1/account/api-keys",
        json={"name": "deploy", "permissions": ["instances:read"]},
        headers={"Idempotency-Key": "abc-123"},
    )
    assert lambda_emulator.requests(method="POST")[-1]["idempotent_replayed"] is True


def test_secrets_are_redacted(lambda_emulator: EmulatorHandle, client: httpx.Client) -> None:
    created = ok(client.post("/v1/account/api-keys", json={"name": "ci"}), 201)
    secret = created["key"]
    with lambda_emulator.client(secret) as with_new_key:
        ok(with_new_key.get("/v1/account", headers={"X-Trace": "x"}))
    with httpx.Client(base_url=lambda_emulator.url) as raw:
        raw.get("/v1/account", headers={b"X-API-Key": secret.encode()})
        raw.get("/v1/account", params={"api_key": secret})
        raw.post(
            "/v1/account/api-keys",
            json={"name": "hook", "secret": "whsec-very-private", "note": f"my key is {secret}"},
            headers={b"Authorization": b"Bearer " + lambda_emulator.api_key.encode()},
        )
    entries = lambda_emulator.requests()
    dump = json.dumps(entries, ensure_ascii=False)
    for leaked in (secret, lambda_emulator.api_key, "whsec-very-private"):
        assert leaked not in dump
    assert entries[0]["response_body"]["data"]["key"] == "[REDACTED]"
    assert entries[0]["response_body"]["data"]["last4"] == created["last4"]
    assert entries[0]["response_body"]["data"]["prefix"] == created["prefix"]
    assert entries[1]["request_headers"]["authorization"] == "[REDACTED]"
    assert entries[2]["request_headers"]["x-api-key"] == "[REDACTED]"
    assert entries[3]["query"] == "api_key=%5BREDACTED%5D"
    assert entries[4]["request_body"]["secret"] == "[REDACTED]"
    assert entries[4]["request_body"]["note"] == "my key is [REDACTED]"


def test_curl_bodies_and_raw_utf8_keys_are_recorded_and_redacted(
    lambda_emulator: EmulatorHandle,
) -> None:
    result = subprocess.run(
        [
            "curl",
            "-sS",
            "-X",
            "POST",
            f"{lambda_emulator.url}/v1/account/api-keys",
            "-H",
            "Idempotency-Key: unique-key-12345",
            "-H",
            f"Authorization: Bearer {lambda_emulator.api_key}",
            "-d",
            '{"name": "from-curl"}',
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(result.stdout)["success"] is True
    [entry] = lambda_emulator.requests()
    assert entry["request_body"] == {"name": "from-curl"}
    assert entry["request_headers"]["authorization"] == "[REDACTED]"
    assert entry["idempotency_key"] == "unique-key-12345"


def test_filters(lambda_emulator: EmulatorHandle, client: httpx.Client) -> None:
    other = lambda_emulator.new_account("free")
    ok(client.get("/v1/account"))
    ok(client.post("/v1/account/api-keys", json={"name": "a"}), 201)
    err(client.get("/v1/account/api-keys/key_x"), 405, "method_not_allowed")
    with lambda_emulator.client(other.api_key) as theirs:
        ok(theirs.get("/v1/account/quota"))
    requests = lambda_emulator.requests
    assert [e["path"] for e in requests(method="post")] == ["/v1/account/api-keys"]
    assert len(requests(path="/v1/account/*")) == 3
    assert [e["status"] for e in requests(status=405)] == [405]
    assert [e["path"] for e in requests(account_id=other.id)] == ["/v1/account/quota"]
    assert [e["path"] for e in requests(limit=2)] == [
        "/v1/account/api-keys/key_x",
        "/v1/account/quota",
    ]
    rid = requests()[0]["request_id"]
    assert [e["request_id"] for e in requests(request_id=rid)] == [rid]
    with httpx.Client(base_url=lambda_emulator.url) as raw:
        err(raw.get("/_emulator/requests", params={"colour": "red"}), 400, "invalid_request")


def test_the_journal_is_bounded_cleared_and_reset(
    lambda_emulator: EmulatorHandle, make_emulator: Callable[..., EmulatorHandle]
) -> None:
    small = make_emulator(journal_size=3)
    with small.client() as client:
        for page in range(1, 6):
            client.get("/v1/account/api-keys", params={"page": page})
    assert [e["query"] for e in small.requests()] == ["page=3", "page=4", "page=5"]
    assert small.control("DELETE", "requests") == {"deleted": 3}
    assert small.requests() == []

    with lambda_emulator.client() as client:
        client.get("/v1/account")
    assert len(lambda_emulator.requests()) == 1
    lambda_emulator.reset()
    assert lambda_emulator.requests() == []


def test_large_bodies_are_cut_off_in_the_journal(
    lambda_emulator: EmulatorHandle, client: httpx.Client
) -> None:
    big = "x" * 100_000
    err(client.post("/v1/account/api-keys", json={"name": big}), 400, "invalid_request")
    [entry] = lambda_emulator.requests()
    assert isinstance(entry["request_body"], str)
    assert entry["request_body"].endswith("[truncated at 65536 bytes]")
    assert len(entry["request_body"]) < 70_000


def test_a_request_is_in_the_journal_before_its_answer_is_complete(
    lambda_emulator: EmulatorHandle, client: httpx.Client
) -> None:
    # The entry is added before the last byte is sent, so a test that asserts on the journal
    # as soon as it has its answer never races the server (nor does the fixture's reset).
    with client.stream("GET", "/v1/account") as response:
        assert response.status_code == 200
        for chunk in response.iter_raw():
            assert chunk
            break
        [entry] = lambda_emulator.requests(path="/v1/account")
    assert entry["status"] == 200 and entry["request_id"] == response.headers["x-request-id"]


def test_a_request_in_flight_across_a_reset_is_not_in_the_new_journal(
    lambda_emulator: EmulatorHandle, client: httpx.Client
) -> None:
    # A test's slow request can still be running when the next test's reset comes; its entry
    # must not turn up in that test's journal (request ids start again after a reset).
    fault = lambda_emulator.inject_fault("/v1/account", latency_ms=1000, count=1)
    finished: list[httpx.Response] = []
    worker = threading.Thread(target=lambda: finished.append(client.get("/v1/account")))
    worker.start()
    deadline = time.monotonic() + 10
    while lambda_emulator.control("GET", f"faults/{fault['id']}")["fired"] == 0:
        assert time.monotonic() < deadline, "the request never reached the emulator"
    lambda_emulator.reset()
    worker.join(10)
    assert finished and finished[0].status_code == 200
    assert lambda_emulator.requests() == []
