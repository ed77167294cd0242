"""Accounts: the default one, new ones for tests, their plans and their quota usage."""

from __future__ import annotations

from typing import Any

from lambda_emulator.engine import quotas
from lambda_emulator.engine.fake_values import faker_for
from lambda_emulator.engine.views import PublicView
from lambda_emulator.errors import NotFound
from lambda_emulator.runtime import META, Runtime
from lambda_emulator.storage.protocol import Doc

__all__ = [
    "ACCOUNTS",
    "account_view",
    "default_account_id",
    "get_account",
    "new_account",
    "quota_view",
    "set_plan",
    "update_account",
]

ACCOUNTS = "accounts"


#: What the API shows of a stored document: the properties of its response schema.
account_view = PublicView("account.json#/$defs/Account")


def new_account(rt: Runtime, plan: str, name: str | None, email: str | None) -> Doc:
    rt.catalog.require("plan", plan)
    account_id = rt.new_id("acct")
    fake = faker_for(rt, "account", account_id)
    now = rt.timestamp()
    doc = {
        "id": account_id,
        "name": name or fake.company(),
        "email": email or fake.company_email(),
        "plan": plan,
        "created_at": now,
        "updated_at": now,
    }
    rt.store.put(ACCOUNTS, doc)
    return doc


def default_account_id(rt: Runtime) -> str:
    meta = rt.store.get(META, "default")
    if meta is None:
        raise NotFound("The default account does not exist")
    return str(meta["account_id"])


def get_account(rt: Runtime, account_id: str) -> Doc:
    doc = rt.store.get(ACCOUNTS, account_id)
    if doc is None:
        raise NotFound(f"Account '{account_id}' not found", {"field": "id", "value": account_id})
    return doc


def update_account(rt: Runtime, account_id: str, changes: dict[str, Any]) -> Doc:
    doc = dict(get_account(rt, account_id))
    doc.update({k: v for k, v in changes.items() if k in ("name", "email")})
    doc["updated_at"] = rt.timestamp()
    rt.store.put(ACCOUNTS, doc)
    return doc


def set_plan(rt: Runtime, account_id: str, plan: str) -> Doc:
    rt.catalog.require("plan", plan)
    doc = dict(get_account(rt, account_id))
    doc["plan"] = plan
    doc["updated_at"] = rt.timestamp()
    rt.store.put(ACCOUNTS, doc)
    return doc


def quota_view(rt: Runtime, account_id: str) -> dict[str, Any]:
    account = get_account(rt, account_id)
    return {"plan": account["plan"], "quotas": quotas.usage(rt, account_id, account["plan"])}
