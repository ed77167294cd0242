"""Fault and latency injection through ``/_emulator/faults``, over a real server."""

from __future__ import annotations

import time
from collections.abc import Callable

import httpx
import pytest

from lambda_emulator.testing.pytest_plugin import EmulatorHandle
from tests.support.envelope import err, ok


def test_a_rule_fails_the_next_n_matching_requests(
    lambda_emulator: EmulatorHandle, client: httpx.Client
) -> None:
    fault = lambda_emulator.inject_fault(
        "/v1/account", method="GET", code="service_unavailable", count=2
    )
    assert fault["id"].startswith("flt_")
    assert (fault["status"], fault["code"], fault["remaining"]) == (503, "service_unavailable", 2)
    for _ in range(2):
        failed = client.get("/v1/account")
        error = err(failed, 503, "service_unavailable")
        assert set(error) == {"code", "message"}  # looks like the real thing
        assert failed.headers["x-emulator-fault"] == fault["id"]
    ok(client.get("/v1/account"))
    listed = lambda_emulator.faults()
    assert [(f["id"], f["fired"], f["remaining"]) for f in listed] == [(fault["id"], 2, 0)]


@pytest.mark.parametrize(
    ("rule", "status", "code"),
    [
        ({"status": 500}, 500, "server_error"),
        ({"code": "service_unavailable"}, 503, "service_unavailable"),
        ({"status": 502}, 502, "server_error"),
        ({"status": 400, "code": "invalid_request", "message": "Bad luck"}, 400, "invalid_request"),
        ({"status": 429}, 429, "rate_limit_exceeded"),
    ],
)
def test_status_and_code_complete_each_other(
    lambda_emulator: EmulatorHandle,
    client: httpx.Client,
    rule: dict[str, object],
    status: int,
    code: str,
) -> None:
    lambda_emulator.inject_fault("/v1/*", **rule)
    response = client.get("/v1/account")
    error = err(response, status, code)
    if "message" in rule:
        assert error["message"] == rule["message"]
    if status == 429:
        assert error["retry_after"] == 1 and response.headers["retry-after"] == "1"
        assert error["message"] == "Rate limit exceeded. Retry after 1 seconds."


def test_method_path_and_account_narrow_a_rule(lambda_emulator: EmulatorHandle) -> None:
    other = lambda_emulator.new_account("free")
    lambda_emulator.inject_fault("/v1/account/*", method="POST", status=500)
    lambda_emulator.inject_fault("/v*/account", status=503, account_id=other.id)
    with lambda_emulator.client() as mine, lambda_emulator.client(other.api_key) as theirs:
        ok(mine.get("/v1/account"))
        ok(mine.get("/v1/account/api-keys"))
        err(mine.post("/v1/account/api-keys", json={"name": "x"}), 500, "server_error")
        err(theirs.get("/v1/account"), 503, "service_unavailable")
        err(theirs.get("/v2/account"), 503, "service_unavailable")
        ok(theirs.get("/v1/account/quota"))


def test_an_injected_error_answers_before_authentication_and_counts_nothing(
    lambda_emulator: EmulatorHandle,
) -> None:
    lambda_emulator.inject_fault("/v1/account", status=503, count=1)
    with httpx.Client(base_url=lambda_emulator.url) as anonymous:
        refused = anonymous.get("/v1/account")
        err(refused, 503, "service_unavailable")  # not 401: the front door failed first
        assert "x-ratelimit-remaining" not in refused.headers
    with lambda_emulator.client() as client:
        assert client.get("/v1/account").headers["x-ratelimit-remaining"] == "9999"


def test_latency_slows_matching_requests_down(
    lambda_emulator: EmulatorHandle, client: httpx.Client
) -> None:
    lambda_emulator.inject_fault("/v1/account", latency_ms=300, count=1)
    started = time.monotonic()
    ok(client.get("/v1/account"))
    assert time.monotonic() - started >= 0.3
    ok(client.get("/v1/account"))  # count=1: the rule is spent (a wall-clock bound would flake)
    [entry, fast] = lambda_emulator.requests(path="/v1/account")
    assert entry["duration_ms"] >= 300 and entry["fault_id"] is not None
    assert fast["fault_id"] is None


def pattern(lambda_emulator: EmulatorHandle, client: httpx.Client) -> list[int]:
    lambda_emulator.inject_fault("/v1/account", status=503, probability=0.4)
    return [client.get("/v1/account").status_code for _ in range(30)]


def test_probability_is_deterministic_under_the_seed(
    lambda_emulator: EmulatorHandle,
    client: httpx.Client,
    make_emulator: Callable[..., EmulatorHandle],
) -> None:
    first = pattern(lambda_emulator, client)
    assert 3 <= first.count(503) <= 27 and set(first) == {200, 503}
    lambda_emulator.reset()
    assert pattern(lambda_emulator, client) == first
    [rule] = lambda_emulator.faults()
    assert (rule["matched"], rule["fired"]) == (30, first.count(503))
    other = make_emulator(seed=7)
    with other.client() as other_client:
        assert pattern(other, other_client) != first


def test_rules_are_listed_deleted_cleared_and_reset(lambda_emulator: EmulatorHandle) -> None:
    a = lambda_emulator.inject_fault("/v1/account", status=500)
    b = lambda_emulator.inject_fault("/v1/instances*", latency_ms=10)
    assert lambda_emulator.control("GET", f"faults/{a['id']}") == a
    assert [f["id"] for f in lambda_emulator.faults()] == [a["id"], b["id"]]
    assert lambda_emulator.control("DELETE", f"faults/{a['id']}")["id"] == a["id"]
    with httpx.Client(base_url=lambda_emulator.url) as raw:
        err(raw.get(f"/_emulator/faults/{a['id']}"), 404, "not_found")
    assert lambda_emulator.control("DELETE", "faults") == {"deleted": 1}
    lambda_emulator.inject_fault("/v1/account", status=500)
    lambda_emulator.reset()
    assert lambda_emulator.faults() == []


@pytest.mark.parametrize(
    "body",
    [
        {"path": "/v1/account"},  # neither an error nor latency
        {"path": "v1/account", "status": 500},  # not a path pattern
        {"path": "/v1/account", "code": "teapot"},
        {"path": "/v1/account", "status": 200},
        {"path": "/v1/account", "status": 500, "probability": -0.1},
        {"path": "/v1/account", "status": 500, "probability": 1.5},
        {"path": "/v1/account", "status": 500, "count": 0},
        {"path": "/v1/account", "status": 500, "colour": "red"},
    ],
)
def test_bad_rules_are_400(lambda_emulator: EmulatorHandle, body: dict[str, object]) -> None:
    with httpx.Client(base_url=lambda_emulator.url) as raw:
        err(raw.post("/_emulator/faults", json=body), 400, "invalid_request")
    assert lambda_emulator.faults() == []


def test_the_control_plane_is_never_faulted(lambda_emulator: EmulatorHandle) -> None:
    lambda_emulator.inject_fault("*", status=503)
    assert lambda_emulator.control("GET", "health")["status"] == "ok"
    lambda_emulator.clear_faults()
