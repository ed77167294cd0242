"""Network faults over real sockets, met by real clients: httpx, requests, curl and Node's fetch.

Each kind is checked for what reaches the wire (a reset is an RST, not a FIN; a truncated body
stops short of its Content-Length) through the exception or exit code each client raises, and
for what the emulator keeps: nothing for a front-door failure, the operation's effect for a
spoiled answer, and a journal entry saying what happened.
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
import requests

from lambda_emulator.testing.pytest_plugin import EmulatorHandle
from tests.support.envelope import err, ok

NODE = shutil.which("node")
CURL = shutil.which("curl")


@pytest.fixture
def curl() -> str:
    """curl is part of the toolchain ``make test`` checks for: missing, the test fails."""
    assert CURL, "curl is not installed (apt-get install curl; .ci/run installs it)"
    return CURL


@pytest.fixture
def node() -> str:
    assert NODE, "node is not installed (apt-get install nodejs; .ci/run installs it)"
    return NODE


def instance_body(name: str = "web") -> dict[str, Any]:
    return {"name": name, "instance_type": "compute-1x", "region": "us-west-1",
            "image": "ubuntu-22.04"}  # fmt: skip


def raw_exchange(url: str, request: bytes) -> tuple[bytes, BaseException | None]:
    """Send ``request`` on a fresh socket and read until the server ends: what arrived, and
    the error that ended it (``None`` for a clean FIN)."""
    host, port = url.removeprefix("http://").rsplit(":", 1)
    received = b""
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(request)
        try:
            while chunk := sock.recv(65536):
                received += chunk
        except OSError as exc:
            return received, exc
    return received, None


def get_account_bytes(lambda_emulator: EmulatorHandle) -> bytes:
    key = lambda_emulator.api_key.encode()
    return b"GET /v1/account HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + key + b"\r\n\r\n"


# what reaches the wire ---------------------------------------------------------------------
def test_connection_reset_is_a_tcp_reset_before_any_byte(lambda_emulator: EmulatorHandle) -> None:
    lambda_emulator.inject_fault("/v1/account", failure="connection_reset")
    received, error = raw_exchange(lambda_emulator.url, get_account_bytes(lambda_emulator))
    assert received == b""
    assert isinstance(error, ConnectionResetError)


def test_empty_response_closes_cleanly_without_a_byte(lambda_emulator: EmulatorHandle) -> None:
    lambda_emulator.inject_fault("/v1/account", failure="empty_response")
    received, error = raw_exchange(lambda_emulator.url, get_account_bytes(lambda_emulator))
    assert (received, error) == (b"", None)  # a FIN, not a reset


def test_empty_response_reads_the_body_first_so_it_is_still_a_fin(
    lambda_emulator: EmulatorHandle,
) -> None:
    lambda_emulator.inject_fault("/v1/instances", failure="empty_response")
    body = json.dumps(instance_body()).encode()
    key = lambda_emulator.api_key.encode()
    request = (
        b"POST /v1/instances HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + key + b"\r\n"
        b"Content-Type: application/json\r\nContent-Length: "
        + str(len(body)).encode()
        + b"\r\n\r\n"
        + body
    )
    assert raw_exchange(lambda_emulator.url, request) == (b"", None)


def test_truncated_body_stops_short_of_its_content_length(lambda_emulator: EmulatorHandle) -> None:
    lambda_emulator.inject_fault("/v1/account", failure="truncated_body")
    received, error = raw_exchange(lambda_emulator.url, get_account_bytes(lambda_emulator))
    assert error is None
    head, _, body = received.partition(b"\r\n\r\n")
    lines = head.decode().split("\r\n")
    assert lines[0] == "HTTP/1.1 200 OK"
    headers = dict(line.lower().split(": ", 1) for line in lines[1:])
    assert 0 < len(body) < int(headers["content-length"])
    assert headers["x-emulator-fault"].startswith("flt_")
    assert "x-ratelimit-remaining" in headers  # the real answer's head, as it was


# httpx -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("failure", "exception"),
    [
        # the reset reaches httpx while it reads the answer, or (under load) while it is
        # still writing the request: either way the connection was reset
        ("connection_reset", (httpx.ReadError, httpx.WriteError)),
        ("empty_response", httpx.RemoteProtocolError),
        ("truncated_body", httpx.RemoteProtocolError),
    ],
)
def test_httpx_raises_a_transport_error(
    lambda_emulator: EmulatorHandle,
    failure: str,
    exception: type[Exception] | tuple[type[Exception], ...],
) -> None:
    fault = lambda_emulator.inject_fault("/v1/account", failure=failure, count=1)
    with lambda_emulator.client() as client:
        with pytest.raises(exception):
            client.get("/v1/account")
        ok(client.get("/v1/account"))  # count=1: the next one passes, on a new connection
    [entry, after] = lambda_emulator.requests(path="/v1/account")
    assert entry["fault_id"] == fault["id"] and entry["failure"] == failure
    assert entry["status"] == (200 if failure == "truncated_body" else None)
    assert after["fault_id"] is None and after["status"] == 200


def test_httpx_meets_malformed_json_as_a_decode_error(lambda_emulator: EmulatorHandle) -> None:
    fault = lambda_emulator.inject_fault("/v1/account", failure="malformed_json")
    with lambda_emulator.client() as client:
        response = client.get("/v1/account")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.headers["x-emulator-fault"] == fault["id"]
    assert response.headers["x-request-id"].startswith("req_")
    assert response.headers["x-api-version"] == "v1"
    assert "x-ratelimit-limit" in response.headers
    with pytest.raises(json.JSONDecodeError):
        response.json()


def test_httpx_read_timeout_meets_a_slow_body_and_a_patient_client_gets_it_all(
    lambda_emulator: EmulatorHandle,
) -> None:
    # ten pieces 150 ms apart: a read timeout of 50 ms strikes between two of them
    lambda_emulator.inject_fault("/v1/account", failure="slow_body", latency_ms=1500, count=1)
    with (
        lambda_emulator.client(timeout=httpx.Timeout(5.0, read=0.05)) as impatient,
        pytest.raises(httpx.ReadTimeout),
    ):
        impatient.get("/v1/account")
    lambda_emulator.inject_fault("/v1/account", failure="slow_body", latency_ms=600, count=1)
    with lambda_emulator.client() as patient:
        started = time.perf_counter()
        with patient.stream("GET", "/v1/account") as response:
            headers_after = time.perf_counter() - started
            pieces = list(response.iter_raw())
        elapsed = time.perf_counter() - started
    assert elapsed - headers_after >= 0.5  # the head at once, the body over latency_ms
    assert len(pieces) > 1
    assert json.loads(b"".join(pieces))["success"] is True


# requests ----------------------------------------------------------------------------------
def requests_session(lambda_emulator: EmulatorHandle) -> requests.Session:
    session = requests.Session()
    # requests refuses a str header holding λ: send the key as UTF-8 bytes
    session.headers["Authorization"] = b"Bearer " + lambda_emulator.api_key.encode()  # type: ignore[assignment]
    return session


@pytest.mark.parametrize(
    ("failure", "exception"),
    [
        ("connection_reset", requests.exceptions.ConnectionError),
        ("empty_response", requests.exceptions.ConnectionError),
        ("truncated_body", requests.exceptions.ChunkedEncodingError),
        ("malformed_json", requests.exceptions.JSONDecodeError),
    ],
)
def test_requests_raises(
    lambda_emulator: EmulatorHandle, failure: str, exception: type[Exception]
) -> None:
    lambda_emulator.inject_fault("/v1/account", failure=failure, count=1)
    with requests_session(lambda_emulator) as session:
        with pytest.raises(exception) as raised:
            session.get(lambda_emulator.url + "/v1/account", timeout=10).json()
        assert session.get(lambda_emulator.url + "/v1/account", timeout=10).status_code == 200
    text = repr(raised.value)
    if failure == "connection_reset":
        assert "Connection reset by peer" in text
    if failure == "empty_response":
        assert "RemoteDisconnected" in text


def test_requests_read_timeout_meets_a_slow_body(lambda_emulator: EmulatorHandle) -> None:
    lambda_emulator.inject_fault("/v1/account", failure="slow_body", latency_ms=1500)
    # the head arrives at once, so the timeout strikes while the body is read
    with (
        requests_session(lambda_emulator) as session,
        pytest.raises(requests.exceptions.ConnectionError) as raised,
    ):
        session.get(lambda_emulator.url + "/v1/account", timeout=(5, 0.05))
    assert "Read timed out" in repr(raised.value)


# curl --------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("failure", "extra", "exit_code"),
    [
        ("connection_reset", {}, 56),  # CURLE_RECV_ERROR: Connection reset by peer
        ("empty_response", {}, 52),  # CURLE_GOT_NOTHING: Empty reply from server
        ("truncated_body", {}, 18),  # CURLE_PARTIAL_FILE: transfer closed with bytes left
        ("slow_body", {"latency_ms": 1500}, 28),  # CURLE_OPERATION_TIMEDOUT with --max-time
        ("malformed_json", {}, 0),  # the transfer is fine; the JSON is not
    ],
)
def test_curl_exit_codes(
    lambda_emulator: EmulatorHandle,
    curl: str,
    failure: str,
    extra: dict[str, Any],
    exit_code: int,
) -> None:
    lambda_emulator.inject_fault("/v1/account", failure=failure, **extra)
    done = subprocess.run(
        [curl, "-sS", "--max-time", "0.5" if failure == "slow_body" else "10",
         "-H", f"Authorization: Bearer {lambda_emulator.api_key}",
         lambda_emulator.url + "/v1/account"],
        capture_output=True, timeout=30, check=False,
    )  # fmt: skip
    assert done.returncode == exit_code, done.stderr
    if failure == "malformed_json":
        with pytest.raises(json.JSONDecodeError):
            json.loads(done.stdout)


# Node's fetch ------------------------------------------------------------------------------
NODE_SCRIPT = r"""
const [url, key, timeoutMs] = process.argv.slice(-3);
const report = (o) => console.log(JSON.stringify(o));
try {
  // fetch takes header values as bytes 0-255: send the key's UTF-8 bytes, one per character
  const raw = Buffer.from(key, "utf8").toString("latin1");
  const res = await fetch(url, {headers: {Authorization: `Bearer ${raw}`},
                                signal: AbortSignal.timeout(Number(timeoutMs))});
  try {
    await res.json();
    report({ok: true, status: res.status});
  } catch (e) {
    report({stage: "body", status: res.status, name: e.name, cause: e.cause?.code ?? null,
            message: String(e.message)});
  }
} catch (e) {
  report({stage: "fetch", name: e.name, cause: e.cause?.code ?? null, message: String(e.message)});
}
"""


@pytest.mark.parametrize(
    ("failure", "extra", "expected"),
    [
        ("connection_reset", {}, {"stage": "fetch", "name": "TypeError", "cause": "ECONNRESET"}),
        ("empty_response", {}, {"stage": "fetch", "name": "TypeError", "cause": "UND_ERR_SOCKET"}),
        ("truncated_body", {}, {"stage": "body", "name": "TypeError", "status": 200}),
        ("malformed_json", {}, {"stage": "body", "name": "SyntaxError", "status": 200}),
        ("slow_body", {"latency_ms": 2000}, {"stage": "body", "name": "TimeoutError"}),
    ],
)
def test_node_fetch(
    lambda_emulator: EmulatorHandle,
    node: str,
    failure: str,
    extra: dict[str, Any],
    expected: dict[str, Any],
) -> None:
    lambda_emulator.inject_fault("/v1/account", failure=failure, **extra)
    done = subprocess.run(
        [node, "--input-type=module", "-e", NODE_SCRIPT, "-",
         lambda_emulator.url + "/v1/account", lambda_emulator.api_key,
         "500" if failure == "slow_body" else "10000"],
        capture_output=True, text=True, timeout=30, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    outcome = json.loads(done.stdout)
    assert {k: outcome.get(k) for k in expected} == expected, outcome


# what the emulator keeps -------------------------------------------------------------------
@pytest.mark.parametrize("failure", ["connection_reset", "empty_response", "malformed_json"])
def test_a_front_door_failure_stores_and_counts_nothing(
    lambda_emulator: EmulatorHandle, failure: str
) -> None:
    lambda_emulator.inject_fault("/v1/instances", method="POST", failure=failure, count=1)
    with lambda_emulator.client() as client:
        before = client.get("/v1/account").headers["x-ratelimit-remaining"]
        with pytest.raises((httpx.TransportError, json.JSONDecodeError)):
            client.post(
                "/v1/instances", json=instance_body(), headers={"Idempotency-Key": "k-1"}
            ).json()
        assert ok(client.get("/v1/instances")) == []
        after = client.get("/v1/account").headers["x-ratelimit-remaining"]
        assert int(before) - int(after) == 2  # the list and this GET: the POST counted nothing
        # the key was never claimed: the retry creates the instance
        created = client.post(
            "/v1/instances", json=instance_body(), headers={"Idempotency-Key": "k-1"}
        )
        ok(created, 201)
        assert "idempotent-replayed" not in created.headers


def test_a_truncated_answer_was_applied_and_an_idempotent_retry_replays_it(
    lambda_emulator: EmulatorHandle,
) -> None:
    """The classic lost response: the instance exists; the retry with the same key gets the
    stored answer instead of creating a second one."""
    lambda_emulator.inject_fault("/v1/instances", method="POST", failure="truncated_body", count=1)
    with lambda_emulator.client() as client:
        with pytest.raises(httpx.RemoteProtocolError):
            client.post("/v1/instances", json=instance_body(), headers={"Idempotency-Key": "k-2"})
        retry = client.post(
            "/v1/instances", json=instance_body(), headers={"Idempotency-Key": "k-2"}
        )
        created = ok(retry, 201)
        assert retry.headers["idempotent-replayed"] == "true"
        assert [i["id"] for i in ok(client.get("/v1/instances"))] == [created["id"]]


def test_failures_combine_with_method_path_account_and_probability(
    lambda_emulator: EmulatorHandle,
) -> None:
    other = lambda_emulator.new_account("free")
    lambda_emulator.inject_fault("/v1/account", failure="empty_response", account_id=other.id)
    lambda_emulator.inject_fault("/v1/instances*", method="DELETE", failure="connection_reset")
    never = lambda_emulator.inject_fault("/v1/*", failure="connection_reset", probability=0)
    with lambda_emulator.client() as mine, lambda_emulator.client(other.api_key) as theirs:
        ok(mine.get("/v1/account"))
        with pytest.raises(httpx.RemoteProtocolError):
            theirs.get("/v1/account")
        ok(mine.get("/v1/instances"))
        err(mine.get("/v1/instances/inst_nothere"), 404, "not_found")
        with pytest.raises(httpx.ReadError):
            mine.delete("/v1/instances/inst_nothere")
    seen = next(f for f in lambda_emulator.faults() if f["id"] == never["id"])
    assert seen["matched"] >= 3 and seen["fired"] == 0


def test_probability_fails_some_requests_deterministically(
    lambda_emulator: EmulatorHandle,
) -> None:
    lambda_emulator.inject_fault("/v1/account", failure="empty_response", probability=0.5)
    outcomes = []
    with lambda_emulator.client() as client:
        for _ in range(20):
            try:
                outcomes.append(client.get("/v1/account").status_code)
            except httpx.RemoteProtocolError:
                outcomes.append(None)
    assert 0 < outcomes.count(None) < 20
    [rule] = lambda_emulator.faults()
    assert (rule["matched"], rule["fired"]) == (20, outcomes.count(None))


@pytest.mark.parametrize(
    ("rule", "field"),
    [
        ({"failure": "connection_reset", "status": 500}, "status"),
        ({"failure": "truncated_body", "code": "server_error"}, "code"),
        ({"failure": "slow_body"}, "latency_ms"),
        ({"failure": "dns_failure"}, "failure"),
    ],
)
def test_bad_failure_rules_are_400(
    lambda_emulator: EmulatorHandle, rule: dict[str, Any], field: str
) -> None:
    with httpx.Client(base_url=lambda_emulator.url) as control:
        error = err(
            control.post("/_emulator/faults", json={"path": "/v1/*", **rule}),
            400,
            "invalid_request",
        )
    assert error["details"]["field"] == field
    if field == "failure":
        assert error["details"]["allowed_values"] == [
            "connection_reset", "empty_response", "malformed_json", "truncated_body", "slow_body"
        ]  # fmt: skip
    assert lambda_emulator.faults() == []


def test_a_rule_shows_its_failure(lambda_emulator: EmulatorHandle) -> None:
    rule = lambda_emulator.inject_fault("/v1/*", failure="slow_body", latency_ms=250)
    assert (rule["failure"], rule["status"], rule["latency_ms"]) == ("slow_body", None, 250)
    assert lambda_emulator.inject_fault("/v1/*", status=500)["failure"] is None


def test_the_socket_level_kinds_work_over_tls(
    make_emulator: Callable[..., EmulatorHandle], tmp_path: Path
) -> None:
    secure = make_emulator(tls=True, tls_dir=tmp_path / "tls")
    for failure in ("connection_reset", "empty_response", "truncated_body"):
        secure.inject_fault("/v1/account", failure=failure, count=1)
    with secure.client() as client:
        # Python's ssl module reads a reset under TLS as the end of the stream, so httpx says
        # "disconnected" there (curl, below, sees the reset itself)
        for _ in range(3):
            with pytest.raises(httpx.RemoteProtocolError):
                client.get("/v1/account")
        ok(client.get("/v1/account"))
    assert [e["failure"] for e in secure.requests()] == [
        "connection_reset", "empty_response", "truncated_body", None
    ]  # fmt: skip
    if CURL is not None:
        secure.inject_fault("/v1/account", failure="connection_reset", count=1)
        done = subprocess.run(
            [CURL, "-sS", "--cacert", str(secure.ca_bundle), "-H",
             f"Authorization: Bearer {secure.api_key}", secure.url + "/v1/account"],
            capture_output=True, text=True, timeout=30, check=False,
        )  # fmt: skip
        assert done.returncode == 56 and "reset by peer" in done.stderr, done.stderr
