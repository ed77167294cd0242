"""``/v1/openapi.json``: the emulated API's document, for SDK authors and their generators.

It describes the platform's API alone (the control plane has its own document) and is the same
bytes on every port, host, seed and run: ``servers`` names ``lambda-emulator serve``'s default
address rather than the address the document was fetched from, so a client generated from an
emulator on an ephemeral port does not bake that port in (a client passes its own base URL).

The 409 answers of lifecycle-guarded operations are derived from the lifecycle tables
(``core/lifecycle.py``) that the services enforce: an operation names the lifecycle action it
performs, and it documents a 409 when some state of that lifecycle refuses the action.
"""

from __future__ import annotations

import json
import re
from typing import Any

from lambda_emulator import __version__
from lambda_emulator.core.lifecycle import LIFECYCLES
from lambda_emulator.http.openapi import DocumentBuilder, OperationText, add_links, template
from lambda_emulator.http.operations import Operation
from lambda_emulator.http.validation import SchemaSet

__all__ = ["DEFAULT_SERVER", "GUARDS", "build_public_openapi"]

#: Where ``lambda-emulator serve`` listens with its defaults.
DEFAULT_SERVER = "http://127.0.0.1:8787"

#: operationId → the lifecycle actions (``resource.action``) it performs.
GUARDS: dict[str, tuple[str, ...]] = {
    "updateInstance": ("instance.update",),
    "deleteInstance": ("instance.delete",),
    "startInstance": ("instance.start",),
    "stopInstance": ("instance.stop",),
    "restartInstance": ("instance.restart",),
    "resizeInstance": ("instance.resize",),
    "attachVolume": ("volume.attach", "instance.attach_volume"),
    "detachVolume": ("volume.detach",),
    "resizeVolume": ("volume.resize",),
    "deleteVolume": ("volume.delete",),
    "createSnapshot": ("volume.snapshot",),
    "restoreSnapshot": ("snapshot.restore",),
    "deleteSnapshot": ("snapshot.delete",),
    "deleteVpn": ("vpn.delete",),
}

#: Tags name the resources; operations on an instance's sub-resources go with that resource.
_TAGS: tuple[tuple[str, str, str], ...] = (
    ("/account/api-keys", "API Keys", "Keys that authenticate requests to the API."),
    ("/account", "Account", "The caller's account, its plan and its quotas."),
    ("/instances/{id}/network", "Networking", "An instance's addresses and firewall rules."),
    ("/instances/{id}/metrics", "Monitoring", "Instance metrics, queried or streamed."),
    ("/instances", "Instances", "Compute instances and their power and size actions."),
    ("/volumes", "Volumes", "Block storage volumes, attached to instances."),
    ("/snapshots", "Snapshots", "Point-in-time copies of volumes."),
    ("/firewall/rules", "Firewall Rules", "Rules on the traffic of an instance or of all."),
    ("/vpn", "VPN", "Site-to-site VPN gateways per region."),
    ("/billing", "Billing", "Usage, invoices and cost estimates, in decimal strings."),
    ("/webhooks", "Webhooks", "Event subscriptions and their delivery attempts."),
)

_DESCRIPTIONS: dict[str, str] = {
    "getAccount": "The account the key belongs to.",
    "updateAccount": "Changes the account's name or email; at least one of them.",
    "getQuota": "For every quota of the plan, how much is used and the limit.",
    "createApiKey": "Creates a key. The answer is the only one that contains the secret "
    "(`key`); later answers show its prefix and last four characters.",
    "listApiKeys": "The account's keys, without their secrets.",
    "deleteApiKey": "Revokes a key at once: requests that present it answer 401 from now on.",
    "createInstance": "Launches an instance of a catalogue type and image in a region. It "
    "starts `pending` and becomes `running` once its launch time has passed on the emulator "
    "clock.",
    "listInstances": "One page of the account's instances, filtered and sorted.",
    "getInstance": "One instance with its current status and addresses.",
    "updateInstance": "Renames an instance or replaces its tags.",
    "deleteInstance": "Starts deleting an instance: the answer shows it `deleting`; once "
    "deleted it answers 404. Attached volumes are detached.",
    "startInstance": "Starts a `stopped` instance (`starting`, then `running`).",
    "stopInstance": "Stops a `running` instance (`stopping`, then `stopped`).",
    "restartInstance": "Restarts a `running` instance (`restarting`, then `running`).",
    "resizeInstance": "Changes the type of a `stopped` instance (`resizing`, then `stopped`).",
    "createVolume": "Creates a volume in a region (`creating`, then `available`).",
    "listVolumes": "One page of the account's volumes, filtered and sorted.",
    "getVolume": "One volume with its status and attachment.",
    "deleteVolume": "Deletes an `available` volume; an attached one must be detached first.",
    "attachVolume": "Attaches an `available` volume to an instance of the same region "
    "(`attaching`, then `in-use`).",
    "detachVolume": "Detaches a volume from its instance (`detaching`, then `available`).",
    "resizeVolume": "Grows a volume; a smaller size is refused.",
    "createSnapshot": "Takes a snapshot of a volume (`pending`, then `completed`).",
    "listSnapshots": "One page of the account's snapshots, filtered and sorted.",
    "getSnapshot": "One snapshot with its status.",
    "deleteSnapshot": "Deletes a snapshot; it answers 404 once deleted.",
    "restoreSnapshot": "Creates a new volume from a `completed` snapshot, in the snapshot's "
    "region, and answers that volume.",
    "getNetworkInfo": "An instance's public and private addresses and the firewall rules that "
    "apply to it.",
    "createFirewallRule": "Adds a rule for one instance, or for every instance of the account "
    "when `instance_id` is left out.",
    "listFirewallRules": "One page of the account's firewall rules.",
    "deleteFirewallRule": "Removes a firewall rule.",
    "createVpn": "Creates a VPN gateway in a region (`pending`, then `active`).",
    "listVpns": "One page of the account's VPNs.",
    "getVpn": "One VPN with its status and endpoint.",
    "deleteVpn": "Starts deleting a VPN; it answers 404 once deleted.",
    "getMetrics": "Metric series of an instance for a time range and period; zero while the "
    "instance was stopped, none before it existed.",
    "streamMetrics": "A WebSocket, not a JSON answer: connect with `Upgrade: websocket` "
    "(browsers pass the key as `?api_key=`). After the handshake (101) every text message is a "
    "`StreamMessage` for one complete period, pushed as the emulator clock passes the period's "
    "end. Refusals after the handshake are close frames with codes 4400, 4401, 4403, 4404 and "
    "4410 (instance deleted). A plain HTTP GET answers 400 telling how to connect.",
    "getUsage": "What the account used in a period (default: this month until now), priced "
    "line by line.",
    "listInvoices": "One page of the account's monthly invoices.",
    "getInvoice": "One invoice with its line items.",
    "estimateCost": "The cost of a planned configuration: count × hours × the type's hourly "
    "price, plus volume storage.",
    "createWebhook": "Subscribes a URL to event types. Deliveries are signed with the secret, "
    "which no answer ever shows again.",
    "listWebhooks": "One page of the account's webhook subscriptions.",
    "getWebhook": "One webhook subscription.",
    "updateWebhook": "Changes a webhook's URL, events, secret, description or status.",
    "deleteWebhook": "Deletes a webhook; its pending deliveries are cancelled.",
    "pingWebhook": "Queues a `webhook.ping` event for this webhook alone; the answer is the "
    "queued delivery.",
    "listWebhookDeliveries": "One page of this webhook's deliveries, each with every attempt.",
    "getWebhookDelivery": "One delivery of this webhook with every attempt.",
    "redeliverWebhookDelivery": "Sends a finished delivery's event again, as a new delivery.",
}


def _tag(path: str) -> str:
    for prefix, name, _ in _TAGS:
        if path == prefix or path.startswith(prefix + "/"):
            return name
    raise LookupError(f"no tag for {path}")


def _guard_text(operation_id: str) -> dict[int, str]:
    """The 409 of an operation whose lifecycle action some state refuses, naming the states
    that allow it (read from the same tables that ``engine/transitions.py`` enforces)."""
    notes = []
    for guard in GUARDS.get(operation_id, ()):
        resource, action = guard.split(".", 1)
        lifecycle = LIFECYCLES[resource]
        allowed = [s for s in lifecycle.states if s in lifecycle.actions[action]]
        if len(allowed) < len(lifecycle.states):
            notes.append(
                f"conflict: the {resource}'s status does not allow {action.replace('_', ' ')} "
                f"(allowed from: {', '.join(allowed)})"
            )
    return {409: "; ".join(notes) + "."} if notes else {}


def _common_errors(op: Operation) -> set[int]:
    statuses = {400, 401, 403, 404, 405, 413, 415, 429, 500, 503}
    if op.method == "POST":
        statuses |= {409, 422}  # an Idempotency-Key in flight, or reused for another request
    return statuses


def _event_types(schemas: SchemaSet) -> list[tuple[str, str]]:
    """(event type, schema ref of its data) in catalogue order, from ``events.json``."""
    events = schemas.documents["events.json"]["$defs"]
    data_of: dict[str, str] = {}
    for rule in events["Event"]["allOf"]:
        ref = rule["then"]["properties"]["data"]["$ref"]
        for name in rule["if"]["properties"]["type"]["enum"]:
            data_of[name] = "events.json" + ref
    return [(name, data_of[name]) for name in events["EventType"]["enum"]]


def _webhooks(builder: DocumentBuilder, schemas: SchemaSet) -> dict[str, Any]:
    """One webhook per event type: the POST a subscribed URL receives, its body typed with the
    event's ``type`` fixed, so a generated model parses exactly that event."""
    signature = (
        "sha256= and the hex HMAC-SHA256, with the subscription's secret, of the body's bytes "
        'before its last member `,"signature":"…"` followed by `}` (the body without this '
        "member, as the emulator serialised it). The X-Lambda-Signature header signs the whole "
        "raw body."
    )
    webhooks: dict[str, Any] = {}
    for event_type, data_ref in _event_types(schemas):
        name = "".join(part.title() for part in re.split(r"[._]", event_type)) + "Event"
        payload = builder.add(
            name,
            {
                "description": f"The body of a `{event_type}` delivery.",
                "type": "object",
                "required": ["id", "type", "timestamp", "data", "signature"],
                "additionalProperties": False,
                "properties": {
                    "id": {"type": "string", "pattern": "^evt_[a-z0-9]+$"},
                    "type": {"type": "string", "const": event_type},
                    "timestamp": {"$ref": "common.json#/$defs/Timestamp"},
                    "data": {"$ref": data_ref},
                    "signature": {
                        "type": "string",
                        "pattern": "^sha256=[0-9a-f]{64}$",
                        "description": signature,
                    },
                },
            },
        )
        webhooks[event_type] = {
            "post": {
                "operationId": "on" + name,
                "summary": f"{event_type} event",
                "description": f"Sent to every active subscription of `{event_type}` (or of a "
                "pattern that matches it). Any 2xx answer acknowledges the delivery; another "
                "status, a refused connection or a timeout is retried with exponential backoff.",
                "tags": ["Webhooks"],
                "security": [],
                "parameters": [
                    _header("X-Lambda-Signature", "sha256=<hex HMAC-SHA256 of the raw body>"),
                    _header("X-Lambda-Event", "The event type, as the body's `type`."),
                    _header("X-Lambda-Delivery", "The delivery's id (`dlv_…`)."),
                ],
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": payload}},
                },
                "responses": {
                    "200": {"description": "Acknowledged (any 2xx status does)."},
                    "400": {"description": "Not acknowledged: the delivery is retried."},
                },
            }
        }
    return webhooks


def _header(name: str, description: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "header",
        "required": True,
        "description": description,
        "schema": {"type": "string"},
    }


def _stream(spec: dict[str, Any], builder: DocumentBuilder) -> None:
    """The metrics stream is a WebSocket: its success is a 101 handshake whose messages are
    ``StreamMessage`` (``x-websocket``); the only HTTP answers are refusals."""
    message = builder.ref("monitoring.json#/$defs/StreamMessage")
    spec["responses"] = {
        "101": {
            "description": "Switching Protocols: the connection is a WebSocket from here on; "
            "every text message is a StreamMessage.",
            "headers": {
                "Upgrade": {"schema": {"type": "string", "const": "websocket"}},
            },
        },
        **spec["responses"],
    }
    spec["x-websocket"] = {
        "messages": message,
        "close_codes": {
            "4400": "a bad query parameter",
            "4401": "missing, unknown, revoked or expired key",
            "4403": "the key lacks monitoring:read",
            "4404": "no such instance",
            "4410": "the instance was deleted while the stream was open",
        },
    }


def build_public_openapi(
    operations: list[Operation], schemas: SchemaSet, version: str = "v1"
) -> dict[str, Any]:
    builder = DocumentBuilder(schemas)
    paths: dict[str, dict[str, Any]] = {}
    for op in operations:
        text = OperationText(
            description=_DESCRIPTIONS.get(op.operation_id, op.summary + "."),
            tag=_tag(op.path),
            extra_errors=_guard_text(op.operation_id),
        )
        spec = builder.operation(op, text, common_errors=_common_errors)
        if op.operation_id == "streamMetrics":
            _stream(spec, builder)
        paths.setdefault(template(op.path), {})[op.method.lower()] = spec
    add_links(operations, paths)
    webhooks = _webhooks(builder, schemas)
    beta = version != "v1"
    document = {
        "openapi": "3.1.0",
        "info": {
            "title": "Lambda compute platform API" + (" (beta)" if beta else ""),
            "version": __version__,
            "summary": "The Lambda compute platform's REST API, as Lambda Emulator serves it.",
            "description": "Every JSON answer is an envelope: `success`, then `data` (lists "
            "add `pagination`) or `error {code, message, details}`, and `metadata {request_id, "
            "timestamp}`. Authenticate with `Authorization: Bearer λ_sk_…` or `X-API-Key`; the "
            "key holds a non-ASCII character, sent as its UTF-8 bytes.",
            "license": {"name": "Apache 2.0", "identifier": "Apache-2.0"},
        },
        "jsonSchemaDialect": "https://json-schema.org/draft/2020-12/schema",
        "servers": [
            {
                "url": f"{DEFAULT_SERVER}/{version}",
                "description": "lambda-emulator serve with its default host and port; "
                "a client passes its own base URL otherwise.",
            }
        ],
        "security": [{"bearerAuth": []}, {"apiKeyHeader": []}],
        "tags": [{"name": name, "description": description} for _, name, description in _TAGS],
        "paths": paths,
        "webhooks": webhooks,
        "components": {
            "schemas": dict(sorted(builder.components.items())),
            "headers": builder.component_headers(),
            "securitySchemes": {
                "bearerAuth": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "Authorization: Bearer λ_sk_… (the key's UTF-8 bytes).",
                },
                "apiKeyHeader": {
                    "type": "apiKey",
                    "in": "header",
                    "name": "X-API-Key",
                    "description": "X-API-Key: λ_sk_… (the key's UTF-8 bytes).",
                },
            },
        },
    }
    # A round trip through JSON proves the document is plain data (no shared sub-objects).
    result: dict[str, Any] = json.loads(json.dumps(document))
    return result
