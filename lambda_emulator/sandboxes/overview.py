"""What the dashboard reads, one sandbox at a time, as plain JSON-ready values.

The emulated API needs a key per account and the page has none, so these functions read the
store through the services' own views (the same shapes the API answers with). They never return
a secret: API keys appear as their public view (prefix and last 4), webhooks without their
signing secret. They are read-only: no read counts towards manual transitions and nothing is
written, except the month's draft invoice that the API, too, creates on first read.
"""

from __future__ import annotations

import heapq
from typing import Any

from lambda_emulator.core.timefmt import format_time, from_epoch
from lambda_emulator.engine import delivery_log as webhook_deliveries
from lambda_emulator.engine import events, transitions
from lambda_emulator.engine import world as control
from lambda_emulator.errors import NotFound
from lambda_emulator.resources import (
    accounts,
    api_keys,
    billing,
    firewall,
    instances,
    monitoring,
    snapshots,
    volumes,
    vpns,
    webhooks,
)
from lambda_emulator.runtime import Runtime

__all__ = [
    "activity",
    "billing_view",
    "clock_view",
    "deliveries_signature",
    "faults_signature",
    "journal_signature",
    "metrics_view",
    "overview",
]

#: Tables shown as resource lists, with the view that turns a stored document into its wire shape.
RESOURCES = {
    "instances": (instances.INSTANCES, instances.instance_view),
    "volumes": (volumes.VOLUMES, volumes.volume_view),
    "snapshots": (snapshots.SNAPSHOTS, snapshots.snapshot_view),
    "firewall_rules": (firewall.FIREWALL_RULES, firewall.rule_view),
    "vpns": (vpns.VPNS, vpns.vpn_view),
}


def _by_creation(docs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(docs, key=lambda d: (str(d.get("created_at", "")), str(d.get("id", ""))))


def clock_view(rt: Runtime) -> dict[str, Any]:
    """The clock reading and speed, and the transition mode (shown together on the page)."""
    return {**control.clock_view(rt), "transitions": transitions.config(rt)["mode"]}


def overview(rt: Runtime) -> dict[str, Any]:
    """Accounts with their keys and quotas, every resource, and webhook subscriptions."""
    default_id = accounts.default_account_id(rt)
    account_list = []
    for doc in _by_creation(rt.store.all(accounts.ACCOUNTS)):
        keys = [
            api_keys.key_view(k) for k in _by_creation(rt.store.find(api_keys.API_KEYS, doc["id"]))
        ]
        account_list.append(
            {
                **accounts.account_view(doc),
                "default": doc["id"] == default_id,
                "keys": keys,
                "quota": accounts.quota_view(rt, doc["id"]),
            }
        )
    result: dict[str, Any] = {
        "accounts": account_list,
        "instance_types": sorted(
            rt.catalog.instance_types,
            key=lambda name: (rt.catalog.instance_types[name].get("vcpus", 0), name),
        ),
    }
    for name, (table, view) in RESOURCES.items():
        result[name] = [
            {**view(doc), "account_id": doc.get("account_id")}
            for doc in _by_creation(rt.store.all(table))
        ]
    result["webhooks"] = [
        {**webhooks.webhook_view(doc), "account_id": doc.get("account_id")}
        for doc in _by_creation(rt.store.all(webhook_deliveries.WEBHOOKS))
    ]
    return result


def activity(rt: Runtime, limit: int) -> list[dict[str, Any]]:
    """The most recent events (every change of state), newest first, in a short form: what
    changed, which resource, and the status it moved from and to."""
    recent = heapq.nlargest(limit, rt.store.all(events.EVENTS), key=lambda e: int(e["seq"]))
    items = []
    for event in recent:
        data = event.get("data") or {}
        resource = next(
            (str(v) for k, v in data.items() if k.endswith("_id") and isinstance(v, str)), None
        )
        items.append(
            {
                "id": event["id"],
                "type": event["type"],
                "timestamp": event["timestamp"],
                "account_id": event["account_id"],
                "resource_id": resource,
                "name": data.get("name"),
                "status": data.get("status"),
                "previous_status": data.get("previous_status"),
            }
        )
    return items


def metrics_view(rt: Runtime, instance_id: str, range_seconds: int) -> dict[str, Any]:
    """The instance's metrics over the last ``range_seconds`` of emulator time (≤ 240 points)."""
    doc = rt.store.get(instances.INSTANCES, instance_id)
    if doc is None:
        raise NotFound(f"Instance '{instance_id}' not found", {"field": "id", "value": instance_id})
    account_id = doc["account_id"]
    period = max(60, range_seconds // 240 // 60 * 60)
    end = rt.clock.epoch()
    query = {
        "start": format_time(from_epoch(end - range_seconds)),
        "end": format_time(from_epoch(end)),
        "period": period,
    }
    return monitoring.query_metrics(rt, account_id, instance_id, query)


def billing_view(rt: Runtime, account_id: str) -> dict[str, Any]:
    """This month's usage so far and every invoice of one account."""
    accounts.get_account(rt, account_id)
    with rt.transaction():
        invoices = billing.list_invoices(rt, account_id, {"limit": 100})
    return {
        "account_id": account_id,
        "usage": billing.usage_view(rt, account_id, {}),
        "invoices": invoices.items,
    }


def journal_signature(rt: Runtime) -> tuple[int, int, str]:
    """Changes whenever a request is recorded or the journal is emptied."""
    entries = rt.traffic.journal.entries
    last = entries[-1].request_id if entries else ""
    return (id(rt.traffic.journal), len(entries), last)


def deliveries_signature(rt: Runtime) -> tuple[Any, ...]:
    """Changes whenever a delivery is queued, attempted, retried or redelivered."""
    return tuple(
        (d["id"], d.get("status"), len(d.get("attempts", ())), d.get("next_attempt_at"))
        for d in webhook_deliveries.list_deliveries(rt)
    )


def faults_signature(rt: Runtime) -> tuple[Any, ...]:
    """Changes whenever a rule is added, removed, matched or fired."""
    return tuple((f.id, f.matched, f.fired, f.remaining) for f in rt.traffic.faults.rules)
