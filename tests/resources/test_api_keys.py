"""``resources.api_keys`` on an in-process runtime: a key stops working when it expires on the
emulator clock or is revoked, for a new request and for a stream that holds it; the free plan
allows five keys."""

from __future__ import annotations

import pytest

from lambda_emulator.errors import AuthenticationFailed, QuotaExceeded
from lambda_emulator.resources import api_keys
from lambda_emulator.runtime import Runtime
from tests.support.runtime import call, default_account, new_account


def test_a_key_expires_on_the_emulator_clock(rt: Runtime) -> None:
    me = default_account(rt)
    doc, secret = call(rt, api_keys.create_key, me, "ci", None, "2026-01-24T11:30:00Z")
    assert call(rt, api_keys.authenticate, secret)["id"] == doc["id"]
    assert api_keys.still_valid(rt, doc["id"]) is None
    rt.advance(3599)
    call(rt, api_keys.authenticate, secret)
    rt.advance(1)
    with pytest.raises(AuthenticationFailed, match="expired at 2026-01-24T11:30:00Z"):
        call(rt, api_keys.authenticate, secret)
    assert api_keys.still_valid(rt, doc["id"]) == "API key expired"


def test_a_revoked_key_stops_working_at_once(rt: Runtime) -> None:
    me = default_account(rt)
    doc, secret = call(rt, api_keys.create_key, me, "ci", None, None)
    call(rt, api_keys.delete_key, me, doc["id"])
    with pytest.raises(AuthenticationFailed, match="was revoked"):
        call(rt, api_keys.authenticate, secret)
    assert api_keys.still_valid(rt, doc["id"]) == "API key was revoked"
    assert doc["id"] not in [k["id"] for k in call(rt, api_keys.list_keys, me)]


def test_the_free_plan_allows_five_keys_and_a_revoked_one_counts_no_more(rt: Runtime) -> None:
    free = new_account(rt, "free")  # made with its first key
    made = [call(rt, api_keys.create_key, free, f"k{n}", None, None)[0] for n in range(4)]
    with pytest.raises(QuotaExceeded) as refused:
        call(rt, api_keys.create_key, free, "sixth", None, None)
    assert refused.value.details is not None
    assert (refused.value.details["used"], refused.value.details["limit"]) == (5, 5)
    call(rt, api_keys.delete_key, free, made[0]["id"])
    call(rt, api_keys.create_key, free, "sixth", None, None)
