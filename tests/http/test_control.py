"""``/_emulator``: health, reset, the clock and accounts, without an API key."""

from __future__ import annotations

import httpx

from lambda_emulator.testing.pytest_plugin import EmulatorHandle
from tests.support.envelope import err, ok


def control(emulator: EmulatorHandle) -> httpx.Client:
    return httpx.Client(base_url=emulator.url + "/_emulator")


def test_health_is_ready_and_needs_no_key(lambda_emulator: EmulatorHandle) -> None:
    with control(lambda_emulator) as c:
        health = ok(c.get("/health"))
    assert health["ready"] is True and health["store"] == "in memory" and health["seed"] == 0


def test_reset_restores_fixtures_clock_and_keys(
    lambda_emulator: EmulatorHandle, client: httpx.Client
) -> None:
    created = ok(client.post("/v1/account/api-keys", json={"name": "gone"}), 201)
    ok(client.patch("/v1/account", json={"name": "Changed"}))
    lambda_emulator.advance(86400)
    with control(lambda_emulator) as c:
        ok(c.post("/reset"))
        assert ok(c.get("/clock"))["now"] == "2026-01-24T10:30:00Z"
    assert ok(client.get("/v1/account"))["name"] == "Default Account"
    with lambda_emulator.client(created["key"]) as old:
        err(old.get("/v1/account"), 401, "authentication_failed")


def test_advance_moves_the_clock_and_stamps_responses(
    lambda_emulator: EmulatorHandle, client: httpx.Client
) -> None:
    with control(lambda_emulator) as c:
        moved = ok(c.post("/clock/advance", json={"seconds": 90.5}))
        assert moved["now"] == "2026-01-24T10:31:30Z" and moved["jobs_run"] == 0
        err(c.post("/clock/advance", json={"seconds": -1}), 400, "invalid_request")
        err(c.post("/clock/advance", json={}), 400, "invalid_request")
    assert client.get("/v1/account").json()["metadata"]["timestamp"] == "2026-01-24T10:31:30Z"


def test_accounts_and_plans(lambda_emulator: EmulatorHandle) -> None:
    with control(lambda_emulator) as c:
        created = ok(c.post("/accounts", json={"plan": "enterprise", "name": "Big Co"}), 201)
        assert created["account"]["plan"] == "enterprise"
        assert created["api_key"].startswith("λ_sk_")
        bad = err(c.post("/accounts", json={"plan": "platinum"}), 400, "invalid_request")
        assert bad["details"]["allowed_values"] == ["free", "professional", "enterprise"]
        changed = ok(c.patch(f"/accounts/{created['account']['id']}", json={"plan": "free"}))
        assert changed["plan"] == "free"
        err(c.patch("/accounts/acct_nope", json={"plan": "free"}), 404, "not_found")
    with lambda_emulator.client(created["api_key"]) as theirs:
        assert ok(theirs.get("/v1/account/quota"))["quotas"]["instances"]["limit"] == 5


def test_new_accounts_are_deterministic_under_a_seed(make_emulator: object) -> None:
    first = make_emulator(seed=42)  # type: ignore[operator]
    second = make_emulator(seed=42)  # type: ignore[operator]
    a = first.new_account("free")
    b = second.new_account("free")
    assert (a.id, a.api_key) == (b.id, b.api_key)
    with first.client(a.api_key) as ca, second.client(b.api_key) as cb:
        assert ok(ca.get("/v1/account")) == ok(cb.get("/v1/account"))
