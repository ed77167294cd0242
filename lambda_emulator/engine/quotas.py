"""Plan quotas: how much of each thing an account uses, and the refusal past its plan's limit.

Every resource that counts against a quota checks it here before it is created or grown, so
the rule lives once and no resource needs to know the account module.
"""

from __future__ import annotations

from collections.abc import Callable

from lambda_emulator.errors import NotFound, QuotaExceeded
from lambda_emulator.runtime import Runtime
from lambda_emulator.storage.protocol import Doc

__all__ = ["QUOTA_USAGE", "check_quota", "usage"]


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
QUOTA_USAGE: dict[str, Callable[[Runtime, str], int]] = {
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


def usage(rt: Runtime, account_id: str, plan: str) -> dict[str, dict[str, int]]:
    """Every quota of the account: what it uses and what its plan allows."""
    limits = rt.catalog.quotas(plan)
    return {
        name: {"used": int(count(rt, account_id)), "limit": int(limits[name])}
        for name, count in QUOTA_USAGE.items()
    }


def check_quota(rt: Runtime, account_id: str, name: str, adding: int = 1) -> None:
    """Refuse a create or resize that would take ``name`` past the plan's limit."""
    account = rt.store.get("accounts", account_id)
    if account is None:
        raise NotFound(f"Account '{account_id}' not found", {"field": "id", "value": account_id})
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
