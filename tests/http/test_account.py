"""``/v1/account``: the account, its quota and its API keys, over a real server."""

from __future__ import annotations

import httpx

from lambda_emulator.testing.pytest_plugin import EmulatorHandle
from tests.support.envelope import err, ok


def test_get_account_is_the_default_professional_account(client: httpx.Client) -> None:
    account = ok(client.get("/v1/account"))
    assert account["plan"] == "professional"
    assert account["id"].startswith("acct_")


def test_patch_account_changes_name_and_email_only(client: httpx.Client) -> None:
    updated = ok(client.patch("/v1/account", json={"name": "Acme", "email": "ops@acme.test"}))
    assert (updated["name"], updated["email"]) == ("Acme", "ops@acme.test")
    assert ok(client.get("/v1/account"))["name"] == "Acme"
    error = err(client.patch("/v1/account", json={"plan": "free"}), 400, "invalid_request")
    assert error["details"]["field"] == "plan"
    assert error["details"]["allowed_values"] == ["email", "name"]
    err(client.patch("/v1/account", json={"email": "not-an-email"}), 400, "invalid_request")
    assert ok(client.get("/v1/account"))["plan"] == "professional"


def test_quota_shows_plan_limits_and_live_key_count(client: httpx.Client) -> None:
    quota = ok(client.get("/v1/account/quota"))
    assert quota["plan"] == "professional"
    assert quota["quotas"]["instances"] == {"used": 0, "limit": 50}
    assert quota["quotas"]["api_keys"]["used"] == 1
    ok(client.post("/v1/account/api-keys", json={"name": "second"}), 201)
    assert ok(client.get("/v1/account/quota"))["quotas"]["api_keys"]["used"] == 2


def test_api_key_secret_is_shown_once_and_works(
    lambda_emulator: EmulatorHandle, client: httpx.Client
) -> None:
    created = ok(client.post("/v1/account/api-keys", json={"name": "deploy"}), 201)
    secret = created["key"]
    assert secret.startswith("λ_sk_")
    assert created["prefix"] == secret[:9] and created["last4"] == secret[-4:]
    listed = ok(client.get("/v1/account/api-keys"))
    assert {k["name"] for k in listed} == {"default", "deploy"}
    assert all("key" not in k and "hash" not in k for k in listed)
    with lambda_emulator.client(secret) as other:
        assert ok(other.get("/v1/account"))["id"] == ok(client.get("/v1/account"))["id"]


def test_deleted_key_fails_at_once_with_revoked(
    lambda_emulator: EmulatorHandle, client: httpx.Client
) -> None:
    created = ok(client.post("/v1/account/api-keys", json={"name": "temp"}), 201)
    with lambda_emulator.client(created["key"]) as temp:
        ok(temp.get("/v1/account"))
        deleted = ok(client.delete(f"/v1/account/api-keys/{created['id']}"))
        assert deleted["revoked_at"] is not None
        error = err(temp.get("/v1/account"), 401, "authentication_failed")
        assert "revoked" in error["message"]
    err(client.delete(f"/v1/account/api-keys/{created['id']}"), 404, "not_found")
    assert created["id"] not in {k["id"] for k in ok(client.get("/v1/account/api-keys"))}


def test_key_permissions_are_enforced(
    lambda_emulator: EmulatorHandle, client: httpx.Client
) -> None:
    created = ok(
        client.post(
            "/v1/account/api-keys", json={"name": "reader", "permissions": ["account:read"]}
        ),
        201,
    )
    with lambda_emulator.client(created["key"]) as reader:
        ok(reader.get("/v1/account"))
        error = err(reader.patch("/v1/account", json={"name": "x"}), 403, "forbidden")
        assert error["details"]["permission"] == "account:write"
    bad = err(
        client.post("/v1/account/api-keys", json={"name": "x", "permissions": ["rockets:launch"]}),
        400,
        "invalid_request",
    )
    assert bad["details"]["field"] == "permissions.0"


def test_expired_key_is_refused(lambda_emulator: EmulatorHandle, client: httpx.Client) -> None:
    created = ok(
        client.post(
            "/v1/account/api-keys", json={"name": "short", "expires_at": "2026-01-24T11:30:00Z"}
        ),
        201,
    )
    with lambda_emulator.client(created["key"]) as short:
        ok(short.get("/v1/account"))
        lambda_emulator.advance(3600)
        assert "expired" in err(short.get("/v1/account"), 401, "authentication_failed")["message"]
    past = err(
        client.post(
            "/v1/account/api-keys", json={"name": "p", "expires_at": "2020-01-01T00:00:00Z"}
        ),
        400,
        "invalid_request",
    )
    assert past["details"]["field"] == "expires_at"


def test_api_key_list_paginates(client: httpx.Client) -> None:
    for i in range(4):
        ok(client.post("/v1/account/api-keys", json={"name": f"k{i}"}), 201)
    response = client.get(
        "/v1/account/api-keys", params={"page": 2, "limit": 2, "sort": "name", "order": "desc"}
    )
    payload = response.json()
    assert [k["name"] for k in payload["data"]] == ["k1", "k0"]
    assert payload["pagination"] == {
        "page": 2,
        "limit": 2,
        "total_items": 5,
        "total_pages": 3,
        "has_next": True,
        "has_prev": True,
    }
    past = client.get("/v1/account/api-keys", params={"page": 9}).json()
    assert past["data"] == [] and past["pagination"]["has_next"] is False


def test_impossible_times_and_control_characters_are_400(client: httpx.Client) -> None:
    # found by schemathesis: a pattern-valid but impossible date was a 500
    error = err(
        client.post(
            "/v1/account/api-keys", json={"name": "x", "expires_at": "0000-00-00T00:00:00Z"}
        ),
        400,
        "invalid_request",
    )
    assert error["details"]["field"] == "expires_at"
    err(client.patch("/v1/account", json={"email": "a\x1cb@example.com"}), 400, "invalid_request")
    assert ok(client.patch("/v1/account", json={"email": "ops@exämple.test"}))["email"]


def test_api_key_expiry_beyond_year_9999_in_utc_is_a_400(client: httpx.Client) -> None:
    """Found by fuzzing: converting this time to UTC overflowed (500)."""
    body = {"name": "far", "expires_at": "9999-12-31T23:59:59-01:00"}
    error = err(client.post("/v1/account/api-keys", json=body), 400, "invalid_request")
    assert error["details"]["field"] == "expires_at"
