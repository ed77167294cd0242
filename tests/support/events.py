"""The event outbox and the meters of a runtime (in process, or a fixture server's), and a check
of every event against the event catalogue's schema."""

from __future__ import annotations

import json
from typing import Any

from jsonschema import Draft202012Validator

from lambda_emulator.http.validation import SCHEMA_BASE, SchemaSet
from lambda_emulator.runtime import Runtime


def events(rt: Runtime, *, prefix: str = "") -> list[dict[str, Any]]:
    found = [e for e in rt.store.all("events") if e["type"].startswith(prefix)]
    return sorted(found, key=lambda e: int(e["seq"]))


def event_types(rt: Runtime, *, prefix: str = "", resource_id: str | None = None) -> list[str]:
    return [
        e["type"]
        for e in events(rt, prefix=prefix)
        if resource_id is None or resource_id in json.dumps(e["data"])
    ]


#: A volume's events from its creation through one attach and detach, in order: the same
#: whether the service is called in process or over HTTP.
VOLUME_ATTACH_DETACH_EVENTS = [
    "volume.creating",
    "volume.created",
    "volume.attaching",
    "volume.attached",
    "volume.detaching",
    "volume.detached",
]


def meters_of(rt: Runtime, resource_id: str) -> list[dict[str, Any]]:
    found = [m for m in rt.store.all("meters") if m["resource_id"] == resource_id]
    return sorted(found, key=lambda m: (m["started_at"], m["id"]))


_SCHEMAS = SchemaSet()
_EVENT = Draft202012Validator(
    {"$ref": SCHEMA_BASE + "events.json#/$defs/Event"}, registry=_SCHEMAS.registry
)


def assert_events_match_catalogue(rt: Runtime) -> None:
    """Every event in the outbox is in the catalogue with data of its documented shape."""
    for event in events(rt):
        public = {k: event[k] for k in ("id", "type", "timestamp", "data")}
        errors = list(_EVENT.iter_errors(public))
        assert not errors, (event, [e.message for e in errors])
