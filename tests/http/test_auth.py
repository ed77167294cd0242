"""API keys on the wire: both headers, the raw UTF-8 ``λ`` from curl, and every refusal."""

from __future__ import annotations

import httpx
import pytest

from lambda_emulator.testing.pytest_plugin import EmulatorHandle
from tests.support.curl import curl_status
from tests.support.envelope import err, ok
from tests.support.keys import KEY


@pytest.mark.parametrize("header", [f"Authorization: Bearer {KEY}", f"X-API-Key: {KEY}"])
def test_curl_sends_lambda_as_raw_utf8_and_is_accepted(
    lambda_emulator: EmulatorHandle, header: str
) -> None:
    status, payload = curl_status("-H", header, lambda_emulator.url + "/v1/account")
    assert status == 200 and payload["success"] is True


def test_httpx_sends_the_key_as_bytes(lambda_emulator: EmulatorHandle) -> None:
    with httpx.Client(base_url=lambda_emulator.url) as raw:
        ok(raw.get("/v1/account", headers={"X-API-Key": KEY.encode("utf-8")}))
        ok(raw.get("/v1/account", headers={"Authorization": b"Bearer " + KEY.encode()}))
        ok(raw.get("/v1/account", headers={"Authorization": b"bearer " + KEY.encode()}))


@pytest.mark.parametrize(
    ("headers", "says"),
    [
        ({}, "Missing"),
        ({"Authorization": "Basic dXNlcjpwYXNz"}, "Malformed Authorization"),
        ({"Authorization": "Bearer"}, "Malformed Authorization"),
        ({"Authorization": b"Bearer sk_1234567890abcdef"}, "Malformed API key"),
        ({"X-API-Key": "not-a-key"}, "Malformed API key"),
        ({"X-API-Key": "λ_sk_0000000000000000".encode()}, "Unknown API key"),
    ],
)
def test_refusals_say_why(
    lambda_emulator: EmulatorHandle, headers: dict[str, object], says: str
) -> None:
    with httpx.Client(base_url=lambda_emulator.url) as raw:
        error = err(
            raw.get("/v1/account", headers=headers),
            401,  # type: ignore[arg-type]
            "authentication_failed",
        )
        assert says in error["message"]


def test_curl_with_an_unknown_key_is_401(lambda_emulator: EmulatorHandle) -> None:
    status, payload = curl_status(
        "-H", "Authorization: Bearer λ_sk_ffffffffffffffff", lambda_emulator.url + "/v1/account"
    )
    assert status == 401
    assert payload["error"]["code"] == "authentication_failed"  # type: ignore[index]


def test_another_accounts_key_sees_its_own_account_only(
    lambda_emulator: EmulatorHandle, client: httpx.Client
) -> None:
    other = lambda_emulator.new_account("free", name="Other Co")
    mine = ok(client.post("/v1/account/api-keys", json={"name": "mine"}), 201)
    with lambda_emulator.client(other.api_key) as theirs:
        assert ok(theirs.get("/v1/account"))["id"] == other.id
        assert ok(theirs.get("/v1/account/quota"))["plan"] == "free"
        err(theirs.delete(f"/v1/account/api-keys/{mine['id']}"), 404, "not_found")
        assert len(ok(theirs.get("/v1/account/api-keys"))) == 1
    assert mine["id"] in {k["id"] for k in ok(client.get("/v1/account/api-keys"))}


def test_api_key_quota_is_enforced(lambda_emulator: EmulatorHandle) -> None:
    free = lambda_emulator.new_account("free")
    with lambda_emulator.client(free.api_key) as c:
        for n in range(4):
            ok(c.post("/v1/account/api-keys", json={"name": f"k{n}"}), 201)
        error = err(
            c.post("/v1/account/api-keys", json={"name": "one-too-many"}), 403, "quota_exceeded"
        )
        assert error["details"]["quota"] == "api_keys" and error["details"]["limit"] == 5


def test_the_start_up_key_is_overridable(make_emulator: object) -> None:
    custom = "λ_sk_customkey12345678"
    emulator = make_emulator(api_key=custom)  # type: ignore[operator]
    with emulator.client() as c:
        ok(c.get("/v1/account"))
    with emulator.client(KEY) as c:
        err(c.get("/v1/account"), 401, "authentication_failed")
