"""Meters: the billable intervals of each resource, recorded as they happen on the clock.

A meter is opened when a resource starts to cost money (an instance enters ``running``, a volume
becomes ``available``, a snapshot completes) and closed when it stops (the instance leaves
``running``, the resource is deleted). A change of what is billed (an instance type, a volume
size) closes the current meter and opens a new one. Billing reads only this table, so it needs
no knowledge of lifecycles, and what it charges is exactly what happened.

A meter: ``{id, account_id, resource_type, resource_id, description, unit, sku, quantity,
started_at, ended_at}`` where ``started_at``/``ended_at`` are emulator epoch seconds (floats;
``ended_at`` is ``None`` while open), ``sku`` names the price (an instance type, ``volume``,
``snapshot``) and ``quantity`` is the count being billed per hour (1 instance, N GB).
"""

from __future__ import annotations

from lambda_emulator.runtime import Runtime
from lambda_emulator.storage.protocol import Doc

__all__ = ["METERS", "close_meter", "open_meter", "open_meters", "open_storage_meter"]

METERS = "meters"


def _open_index(rt: Runtime) -> dict[str, str]:
    """resource id → its open meter's id; rebuilt from the store after a reset or import."""
    index = rt.caches.open_meters
    if index is None:
        index = {m["resource_id"]: m["id"] for m in rt.store.all(METERS) if m["ended_at"] is None}
        rt.caches.open_meters = index
    return index


def open_meters(rt: Runtime, resource_id: str) -> list[Doc]:
    meter_id = _open_index(rt).get(resource_id)
    meter = rt.store.get(METERS, meter_id) if meter_id else None
    return [meter] if meter is not None and meter["ended_at"] is None else []


def open_meter(
    rt: Runtime,
    account_id: str,
    resource_type: str,
    resource_id: str,
    *,
    sku: str,
    quantity: float,
    unit: str,
    description: str,
) -> Doc:
    """Start billing ``resource_id`` now; an already open meter for it is closed first."""
    close_meter(rt, resource_id)
    meter: Doc = {
        "id": rt.new_id("mtr"),
        "account_id": account_id,
        "resource_type": resource_type,
        "resource_id": resource_id,
        "description": description,
        "unit": unit,
        "sku": sku,
        "quantity": quantity,
        "started_at": rt.clock.epoch(),
        "ended_at": None,
    }
    rt.store.put(METERS, meter)
    _open_index(rt)[resource_id] = meter["id"]
    return meter


def open_storage_meter(rt: Runtime, kind: str, doc: Doc) -> Doc:
    """Bill a volume or snapshot (``kind``, also its price's sku) by the GB-hour from now."""
    return open_meter(
        rt,
        doc["account_id"],
        kind,
        doc["id"],
        sku=kind,
        quantity=int(doc["size_gb"]),
        unit="GB-hour",
        description=f"{kind.capitalize()} {doc['name']} ({doc['size_gb']} GB)",
    )


def close_meter(rt: Runtime, resource_id: str) -> None:
    """Stop billing ``resource_id`` now (no-op when nothing is open)."""
    now = rt.clock.epoch()
    for meter in open_meters(rt, resource_id):
        rt.store.put(METERS, dict(meter, ended_at=now))
    _open_index(rt).pop(resource_id, None)
