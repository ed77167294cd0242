"""Rate limits per plan over a real server: headers, 429s, plan changes, the off switch."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import httpx

from lambda_emulator.testing.pytest_plugin import EmulatorHandle
from tests.support.envelope import err, ok

#: The fixture's clock starts at 10:30:00Z; its hourly window ends at 11:00:00Z.
HOUR_END = int(datetime(2026, 1, 24, 11, 0, tzinfo=UTC).timestamp())


def burn(client: httpx.Client, n: int) -> httpx.Response:
    """Make ``n`` cheap authenticated requests; the last response."""
    response = None
    for _ in range(n):
        response = client.get("/v1/account")
        assert response.status_code == 200, response.text
    assert response is not None
    return response


def limit_headers(response: httpx.Response) -> tuple[str, str, str]:
    h = response.headers
    return h["x-ratelimit-limit"], h["x-ratelimit-remaining"], h["x-ratelimit-reset"]


def test_every_authenticated_response_has_the_headers(client: httpx.Client) -> None:
    assert limit_headers(client.get("/v1/account")) == ("10000", "9999", str(HOUR_END))
    # Errors after authentication count and carry them too.
    missing = client.delete("/v1/account/api-keys/key_doesnotexist")
    err(missing, 404, "not_found")
    assert limit_headers(missing) == ("10000", "9998", str(HOUR_END))
    invalid = client.post("/v1/account/api-keys", json={"nme": "typo"})
    err(invalid, 400, "invalid_request")
    assert limit_headers(invalid)[1] == "9997"


def test_unauthenticated_and_control_plane_responses_have_none(
    lambda_emulator: EmulatorHandle,
) -> None:
    with httpx.Client(base_url=lambda_emulator.url) as anonymous:
        refused = anonymous.get("/v1/account")
        err(refused, 401, "authentication_failed")
        assert "x-ratelimit-limit" not in refused.headers
        assert "x-ratelimit-limit" not in anonymous.get("/_emulator/health").headers


def test_the_51st_request_in_a_second_on_free_is_refused(lambda_emulator: EmulatorHandle) -> None:
    free = lambda_emulator.new_account("free")
    with lambda_emulator.client(free.api_key) as client:
        assert limit_headers(burn(client, 50)) == ("1000", "950", str(HOUR_END))
        refused = client.get("/v1/account")
        error = err(refused, 429, "rate_limit_exceeded")
        assert error["retry_after"] == 1
        assert error["message"] == "Rate limit exceeded. Retry after 1 seconds."
        assert error["details"]["limit"] == "burst"
        assert refused.headers["retry-after"] == "1"
        assert limit_headers(refused) == ("1000", "950", str(HOUR_END))
        lambda_emulator.advance(1)
        assert limit_headers(burn(client, 1))[1] == "949"
        # The control plane is never limited.
        burn(client, 49)
        err(client.get("/v1/account"), 429, "rate_limit_exceeded")
        assert lambda_emulator.control("GET", "health")["status"] == "ok"


def test_the_1001st_request_in_an_hour_waits_for_the_hour_to_end(
    lambda_emulator: EmulatorHandle,
) -> None:
    free = lambda_emulator.new_account("free")
    with lambda_emulator.client(free.api_key) as client:
        for _ in range(20):  # 50 a second, for 20 seconds: 10:30:00 to 10:30:19
            burn(client, 50)
            lambda_emulator.advance(1)
        refused = client.get("/v1/account")  # at 10:30:20, 1,780 s before 11:00
        error = err(refused, 429, "rate_limit_exceeded")
        assert error["retry_after"] == 1780
        assert error["details"]["limit"] == "hourly"
        assert refused.headers["retry-after"] == "1780"
        assert limit_headers(refused) == ("1000", "0", str(HOUR_END))
        lambda_emulator.advance(1779)
        err(client.get("/v1/account"), 429, "rate_limit_exceeded")
        lambda_emulator.advance(1)
        assert limit_headers(burn(client, 1)) == ("1000", "999", str(HOUR_END + 3600))


def test_limits_are_per_account_and_follow_plan_changes(lambda_emulator: EmulatorHandle) -> None:
    free = lambda_emulator.new_account("free")
    with lambda_emulator.client(free.api_key) as client, lambda_emulator.client() as default:
        burn(client, 50)
        err(client.get("/v1/account"), 429, "rate_limit_exceeded")
        assert limit_headers(burn(default, 1))[:2] == ("10000", "9999")
        assert lambda_emulator.set_plan(free.id, "enterprise")["plan"] == "enterprise"
        # The count so far carries over; the new plan's limits apply at once.
        assert limit_headers(burn(client, 1))[:2] == ("100000", "99949")


def test_rate_limits_can_be_switched_off_at_start_or_at_run_time(
    lambda_emulator: EmulatorHandle, make_emulator: Callable[..., EmulatorHandle]
) -> None:
    unlimited = make_emulator(rate_limits=False)
    with unlimited.client() as client:
        last = burn(client, 250)  # more than the professional burst, in one frozen second
        assert "x-ratelimit-limit" not in last.headers
    assert unlimited.control("GET", "rate-limits")["enabled"] is False

    free = lambda_emulator.new_account("free")
    lambda_emulator.set_rate_limits(False)
    with lambda_emulator.client(free.api_key) as client:
        burn(client, 60)
        lambda_emulator.set_rate_limits(True)
        assert limit_headers(burn(client, 1))[1] == "999"
        lambda_emulator.reset()  # reset returns to the start-up flag (on)
        plans = lambda_emulator.control("GET", "rate-limits")
        assert plans["enabled"] is True
        assert plans["plans"]["free"] == {"requests_per_hour": 1000, "burst": 50}


def create_instance_with_retry(
    client: httpx.Client,
    data: dict[str, object],
    sleep: Callable[[float], object],
    max_retries: int = 3,
    headers: dict[str, str] | None = None,
) -> httpx.Response | None:
    """The reference's "exponential backoff" loop, in Python (1 s, 2 s, 4 s)."""
    for i in range(max_retries):
        response = client.post("/v1/account/api-keys", json=data, headers=headers)
        if response.status_code == 429:
            delay = 2**i
            sleep(delay)
        else:
            return response
    return None


def test_exponential_backoff_succeeds_once_the_clock_advances(
    lambda_emulator: EmulatorHandle,
) -> None:
    free = lambda_emulator.new_account("free")
    slept: list[float] = []

    def sleep(seconds: float) -> None:  # the emulator's clock instead of real sleeping
        slept.append(seconds)
        lambda_emulator.advance(seconds)

    with lambda_emulator.client(free.api_key) as client:
        # A burst used up: the first attempt is refused, the retry one second later passes.
        burn(client, 50)
        key = {"Idempotency-Key": "create-deploy-key"}
        created = create_instance_with_retry(client, {"name": "deploy"}, sleep, headers=key)
        assert created is not None
        assert ok(created, 201)["name"] == "deploy"
        assert slept == [1]

        # Every failed attempt was refused before it ran: nothing was stored for the key, so
        # the successful retry made exactly one key, and a later retry replays it.
        replay = client.post("/v1/account/api-keys", json={"name": "deploy"}, headers=key)
        assert replay.headers["idempotent-replayed"] == "true"
        names = [k["name"] for k in ok(client.get("/v1/account/api-keys"))]
        assert names.count("deploy") == 1


def test_the_switch_reads_the_flag_and_the_environment() -> None:
    from lambda_emulator.settings import settings_from

    assert settings_from({}, {}).rate_limits is True
    assert settings_from({}, {"LAMBDA_EMULATOR_RATE_LIMITS": "false"}).rate_limits is False
    assert settings_from({"rate_limits": False}, {}).rate_limits is False
    flags = {"rate_limits": True}
    assert settings_from(flags, {"LAMBDA_EMULATOR_RATE_LIMITS": "false"}).rate_limits is True
