"""Rate-limit headers on every answer to a valid key, and the sliding burst, over a real server.

The fixture's clock is frozen (speed 0), so every request of a test happens at the same emulator
instant until the test advances it: the sliding window's boundaries are exact, not timing luck.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from lambda_emulator.testing.pytest_plugin import EmulatorHandle
from tests.support.envelope import err, ok

HOUR_END = int(datetime(2026, 1, 24, 11, 0, tzinfo=UTC).timestamp())
LIMIT_HEADERS = ("x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset")


def remaining(response: httpx.Response) -> int:
    return int(response.headers["x-ratelimit-remaining"])


def burn(client: httpx.Client, n: int) -> None:
    for _ in range(n):
        assert client.get("/v1/account").status_code == 200


# every answer after authentication ------------------------------------------------------------
def test_errors_of_every_kind_carry_the_headers_and_count_once(
    lambda_emulator: EmulatorHandle, client: httpx.Client
) -> None:
    answers: list[tuple[httpx.Response, int, str]] = []
    answers.append((client.get("/v1/account"), 200, ""))
    answers.append((client.get("/v1/no-such-thing"), 404, "not_found"))  # routing: no route
    answers.append((client.delete("/v1/account"), 405, "method_not_allowed"))  # routing
    answers.append((client.get("/v1/instances/inst_nothere"), 404, "not_found"))  # handler
    answers.append((client.post("/v1/instances", json={"nme": 1}), 400, "invalid_request"))
    answers.append((client.get("/v1/instances", params={"region": "mars"}), 400, "invalid_request"))
    created = ok(
        client.post(
            "/v1/instances",
            json={"name": "a", "instance_type": "compute-1x", "region": "us-west-1",
                  "image": "ubuntu-22.04"},
        ),
        201,
    )  # fmt: skip
    answers.append((client.post(f"/v1/instances/{created['id']}/start"), 409, "conflict"))
    answers.append((client.get("/v2/account"), 200, ""))
    answers.append((client.get("/v3/account"), 404, "not_found"))  # an unknown version
    seen = []
    for response, status, code in answers:
        if code:
            err(response, status, code)
        else:
            assert response.status_code == status
        assert response.headers["x-ratelimit-limit"] == "10000", response.request.url
        assert response.headers["x-ratelimit-reset"] == str(HOUR_END)
        seen.append(remaining(response))
    # one less each time, the create included: nothing is counted twice, nothing skipped
    assert seen == [9999, 9998, 9997, 9996, 9995, 9994, 9992, 9991, 9990]


def test_no_headers_without_a_valid_key_or_on_the_control_plane(
    lambda_emulator: EmulatorHandle,
) -> None:
    valid_key = lambda_emulator.new_account("free").api_key
    for headers in [{}, {"Authorization": "Bearer λ_sk_unknownkey123".encode()}]:
        with httpx.Client(base_url=lambda_emulator.url, headers=headers) as anonymous:  # type: ignore[arg-type]
            for response in [anonymous.get("/v1/no-such-thing"), anonymous.delete("/v1/account")]:
                assert response.status_code in (404, 405)
                assert not set(LIMIT_HEADERS) & set(response.headers)
    with lambda_emulator.client(valid_key) as client:
        assert "x-ratelimit-limit" not in client.get("/_emulator/health").headers
        assert "x-ratelimit-limit" not in client.get("/_emulator/nothing").headers


def test_an_unknown_route_over_the_limit_is_the_429(lambda_emulator: EmulatorHandle) -> None:
    free = lambda_emulator.new_account("free")
    with lambda_emulator.client(free.api_key) as client:
        burn(client, 50)
        refused = client.get("/v1/no-such-thing")
        err(refused, 429, "rate_limit_exceeded")
        assert refused.headers["retry-after"] == "1"
        lambda_emulator.advance(1)
        answer = client.get("/v1/no-such-thing")
        err(answer, 404, "not_found")
        assert remaining(answer) == 949


# injected errors look real -----------------------------------------------------------------
def error_shape(response: httpx.Response) -> tuple[int, dict[str, Any], set[str]]:
    body = response.json()
    error = body["error"]
    names = {n for n in response.headers if n.startswith("x-ratelimit") or n == "retry-after"}
    return response.status_code, error, names


def test_an_injected_429_is_the_real_429_plus_x_emulator_fault(
    lambda_emulator: EmulatorHandle,
) -> None:
    free = lambda_emulator.new_account("free")
    with lambda_emulator.client(free.api_key) as client:
        burn(client, 50)
        real = client.get("/v1/account")
        lambda_emulator.advance(1)
        fault = lambda_emulator.inject_fault("/v1/account", status=429, count=1)
        injected = client.get("/v1/account")
    assert error_shape(injected) == error_shape(real)
    assert injected.headers["retry-after"] == real.headers["retry-after"] == "1"
    # the hour's count seen by both is the same: the injected one counted nothing
    for name in LIMIT_HEADERS:
        assert injected.headers[name] == real.headers[name], name
    assert injected.headers["x-emulator-fault"] == fault["id"]
    assert "x-emulator-fault" not in real.headers


@pytest.mark.parametrize(
    ("rule", "status"),
    [
        ({"status": 503}, 503),
        ({"code": "not_found"}, 404),
        ({"code": "conflict"}, 409),
        ({"status": 500}, 500),
        ({"code": "forbidden"}, 403),
    ],
)
def test_injected_errors_carry_the_limit_headers_of_a_valid_key(
    lambda_emulator: EmulatorHandle, client: httpx.Client, rule: dict[str, Any], status: int
) -> None:
    burn(client, 3)
    lambda_emulator.inject_fault("/v1/account", count=1, **rule)
    injected = client.get("/v1/account")
    assert injected.status_code == status
    assert injected.headers["x-ratelimit-limit"] == "10000"
    assert remaining(injected) == 9997  # what the next request would see: nothing counted
    assert remaining(client.get("/v1/account")) == 9996
    assert injected.headers["x-emulator-fault"].startswith("flt_")


def test_an_injected_401_looks_like_a_real_401(
    lambda_emulator: EmulatorHandle, client: httpx.Client
) -> None:
    lambda_emulator.inject_fault("/v1/account", status=401, count=1)
    injected = client.get("/v1/account")
    err(injected, 401, "authentication_failed")
    assert not set(LIMIT_HEADERS) & set(injected.headers)  # a real 401 never has them


# the sliding burst -------------------------------------------------------------------------
def test_the_audit_case_is_refused(lambda_emulator: EmulatorHandle) -> None:
    """50 at 10:30:00.9 and 50 at 10:30:01.1 on the free plan: the second 50 are refused."""
    free = lambda_emulator.new_account("free")
    with lambda_emulator.client(free.api_key) as client:
        lambda_emulator.advance(0.9)
        burn(client, 50)
        lambda_emulator.advance(0.2)
        for _ in range(50):
            refused = client.get("/v1/account")
            error = err(refused, 429, "rate_limit_exceeded")
            assert error["details"]["limit"] == "burst"
            assert error["retry_after"] == 1 and refused.headers["retry-after"] == "1"
        lambda_emulator.advance(0.7)  # 10:30:01.8: the first 50 are 0.9 s old
        err(client.get("/v1/account"), 429, "rate_limit_exceeded")
        lambda_emulator.advance(0.1)  # 10:30:01.9: exactly one second old, out of the window
        burn(client, 50)
        err(client.get("/v1/account"), 429, "rate_limit_exceeded")


def test_retry_after_counts_whole_seconds_until_the_oldest_leaves(
    lambda_emulator: EmulatorHandle,
) -> None:
    free = lambda_emulator.new_account("free")
    with lambda_emulator.client(free.api_key) as client:
        burn(client, 25)  # at 10:30:00
        lambda_emulator.advance(0.5)
        burn(client, 25)  # at 10:30:00.5
        lambda_emulator.advance(0.3)
        assert client.get("/v1/account").headers["retry-after"] == "1"  # 0.2 s to wait
        lambda_emulator.advance(0.2)  # 10:30:01: the first 25 leave
        burn(client, 25)
        refused = client.get("/v1/account")
        assert refused.status_code == 429 and refused.headers["retry-after"] == "1"
        lambda_emulator.advance(0.5)  # 10:30:01.5: the second 25 leave
        burn(client, 25)
