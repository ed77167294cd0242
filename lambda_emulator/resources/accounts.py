"""Accounts: the default one, new ones for tests, their plans and their quota usage."""

from __future__ import annotations

from typing import Any

from lambda_emulator.core import keys as keycore
from lambda_emulator.engine.fake_values import faker_for
from lambda_emulator.errors import InvalidRequest, NotFound, QuotaExceeded
from lambda_emulator.resources import api_keys
from lambda_emulator.runtime import META, Runtime
from lambda_emulator.storage.base import Doc

__all__ = [
    "ACCOUNTS",
    "QUOTA_USAGE",
    "account_view",
    "bootstrap",
    "check_quota",
    "create_account",
    "default_account_id",
    "get_account",
    "quota_view",
    "set_plan",
    "update_account",
]

ACCOUNTS = "accounts"
_PUBLIC = ("id", "name", "email", "plan", "created_at", "updated_at")


def account_view(doc: Doc) -> dict[str, Any]:
    return {name: doc[name] for name in _PUBLIC}


def _new_account(rt: Runtime, plan: str, name: str | None, email: str | None) -> Doc:
    if plan not in rt.catalog.plans:
        raise InvalidRequest(
            f"Unknown plan '{plan}'",
            {"field": "plan", "value": plan, "allowed_values": list(rt.catalog.plans)},
        )
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


def bootstrap(rt: Runtime) -> Doc:
    """Make sure the default account and its start-up key exist (a fresh or a restored store)."""
    meta = rt.store.get(META, "default")
    account = rt.store.get(ACCOUNTS, meta["account_id"]) if meta else None
    with rt.transaction():
        if account is None:
            now = rt.timestamp()
            account = {
                "id": rt.new_id("acct"),
                "name": "Default Account",
                "email": "developer@example.com",
                "plan": "professional",
                "created_at": now,
                "updated_at": now,
            }
            rt.store.put(ACCOUNTS, account)
            rt.store.put(META, {"id": "default", "account_id": account["id"]})
        key = rt.settings.api_key
        if api_keys.find_by_secret(rt, key) is None:
            api_keys.store_key(rt, account["id"], key, name="default", permissions=["*"])
    return account


def default_account_id(rt: Runtime) -> str:
    meta = rt.store.get(META, "default")
    if meta is None:
        raise NotFound("The default account does not exist")
    return str(meta["account_id"])


def create_account(rt: Runtime, plan: str, name: str | None = None) -> tuple[Doc, Doc, str]:
    """A new account with one all-permission key: (account, key document, secret)."""
    with rt.transaction():
        account = _new_account(rt, plan, name, None)
        secret = keycore.generate(rt.rng("api-key", account["id"]))
        key_doc = api_keys.store_key(rt, account["id"], secret, name="default", permissions=["*"])
    return account, key_doc, secret


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
    if plan not in rt.catalog.plans:
        raise InvalidRequest(
            f"Unknown plan '{plan}'",
            {"field": "plan", "value": plan, "allowed_values": list(rt.catalog.plans)},
        )
    doc = dict(get_account(rt, account_id))
    doc["plan"] = plan
    doc["updated_at"] = rt.timestamp()
    rt.store.put(ACCOUNTS, doc)
    return doc


def _live(rt: Runtime, table: str, account_id: str) -> list[Doc]:
    """Documents that still count against a quota (not deleted or being deleted)."""
    return [
        d
        for d in rt.store.find(table, account_id)
        if d.get("status") not in ("deleting", "deleted") and not d.get("revoked_at")
    ]


def _sum(rt: Runtime, table: str, account_id: str, fld: str) -> int:
    return sum(int(d.get(fld, 0)) for d in _live(rt, table, account_id))


#: How each quota's "used" figure is counted from the store.
QUOTA_USAGE: dict[str, Any] = {
    "instances": lambda rt, a: len(_live(rt, "instances", a)),
    "vcpus": lambda rt, a: _sum(rt, "instances", a, "vcpus"),
    "volumes": lambda rt, a: len(_live(rt, "volumes", a)),
    "storage_gb": lambda rt, a: _sum(rt, "volumes", a, "size_gb"),
    "snapshots": lambda rt, a: len(_live(rt, "snapshots", a)),
    "vpns": lambda rt, a: len(_live(rt, "vpns", a)),
    "firewall_rules": lambda rt, a: len(_live(rt, "firewall_rules", a)),
    "api_keys": lambda rt, a: len(_live(rt, "api_keys", a)),
    "webhooks": lambda rt, a: len(_live(rt, "webhooks", a)),
}


def quota_view(rt: Runtime, account_id: str) -> dict[str, Any]:
    account = get_account(rt, account_id)
    limits = rt.catalog.quotas(account["plan"])
    return {
        "plan": account["plan"],
        "quotas": {
            name: {"used": int(count(rt, account_id)), "limit": int(limits[name])}
            for name, count in QUOTA_USAGE.items()
        },
    }


def check_quota(rt: Runtime, account_id: str, name: str, adding: int = 1) -> None:
    """Refuse a create or resize that would take ``name`` past the plan's limit."""
    account = get_account(rt, account_id)
    limit = int(rt.catalog.quotas(account["plan"])[name])
    used = int(QUOTA_USAGE[name](rt, account_id))
    if used + adding > limit:
        raise QuotaExceeded(
            f"Quota '{name}' exceeded: {used} used + {adding} requested > {limit} allowed "
            f"on the {account['plan']} plan",
            {
                "quota": name,
                "used": used,
                "requested": adding,
                "limit": limit,
                "plan": account["plan"],
            },
        )
