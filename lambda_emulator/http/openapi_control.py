"""``/_emulator/openapi.json``: the control plane's own document, so that test suites written in
any language can generate a client for it (reset, clock, accounts, faults, journal, state…).

It is assembled from the control operations like the public document is from the API's, with
the same component rules (``http/openapi.py``): an operation added to the control plane appears
here with no other change. Its tags are the first segment of each path (``/faults/{id}`` →
``Faults``), so a new family of endpoints gets its own tag.
"""

from __future__ import annotations

import json
from typing import Any

from lambda_emulator import __version__
from lambda_emulator.http.openapi import DocumentBuilder, OperationText, template
from lambda_emulator.http.openapi_public import DEFAULT_SERVER
from lambda_emulator.http.operations import Operation
from lambda_emulator.http.validation import SchemaSet

__all__ = ["build_control_openapi"]

_DESCRIPTIONS: dict[str, str] = {
    "emulatorHealth": "Whether the emulator serves, with its version, clock reading and seed.",
    "emulatorReset": "Returns the emulator to its fixtures and start-up flags: state, clock "
    "offset, transition mode, faults, journal, rate-limit windows and idempotency records.",
    "emulatorClock": "The emulator clock's reading, speed and pending time-driven work.",
    "emulatorClockAdvance": "Moves the clock forward and runs everything that falls due on the "
    "way: transitions finish, rate-limit windows reset, webhook retries fire.",
    "emulatorCreateAccount": "A new account on a plan, with a key holding every permission.",
    "emulatorSetPlan": "Moves an account to another plan (its quotas and rate limits follow).",
    "emulatorCreateFault": "A rule that answers matching API requests with an error, or delays "
    "them, a number of times or with a probability.",
    "emulatorListFaults": "Every fault rule with how often it matched and fired.",
    "emulatorClearFaults": "Deletes every fault rule.",
    "emulatorGetFault": "One fault rule.",
    "emulatorDeleteFault": "Deletes one fault rule.",
    "emulatorListRequests": "The journal of recent API requests, oldest first, with their "
    "requests and answers (secrets redacted).",
    "emulatorClearRequests": "Empties the journal.",
    "emulatorExportState": "The whole state as one JSON document, to import later.",
    "emulatorImportState": "Replaces the whole state with an exported document, after checking "
    "it completely.",
    "emulatorRateLimits": "The rate limits of every plan and whether they are enforced.",
    "emulatorSetRateLimits": "Switches rate limiting on or off until the next reset.",
    "emulatorGetTransitions": "The transition mode and each transition's duration.",
    "emulatorSetTransitions": "Makes transitions realistic, instant or manual, and sets their "
    "durations, until the next reset.",
    "emulatorListDeliveries": "Webhook deliveries of every account, with every attempt.",
    "emulatorGetDelivery": "One webhook delivery with every attempt.",
    "emulatorRedeliver": "Sends a finished delivery's event again, as a new delivery.",
    "emulatorWebhookConfig": "The delivery timeout and retry schedule.",
    "emulatorSetWebhookConfig": "Changes the delivery timeout or retry schedule until the next "
    "reset.",
    "emulatorDrainWebhooks": "Waits until every delivery that is due has been attempted.",
}

#: Control operations that answer 409 besides a bad request, and why.
_CONFLICTS: dict[str, str] = {
    "emulatorRedeliver": "conflict: the delivery has not finished yet.",
    "sandboxRedeliver": "conflict: the delivery has not finished yet.",
    "emulatorDeleteSandbox": "conflict: the default sandbox cannot be deleted (reset it).",
}


def _tag(path: str) -> str:
    first = path.strip("/").split("/", 1)[0]
    return " ".join(word.title() for word in first.split("-"))


def _common_errors(op: Operation) -> set[int]:
    return {400, 404, 405, 413, 415, 500, 503}


def build_control_openapi(operations: list[Operation], schemas: SchemaSet) -> dict[str, Any]:
    builder = DocumentBuilder(schemas)
    paths: dict[str, dict[str, Any]] = {}
    tags: dict[str, str] = {}
    for op in operations:
        text = OperationText(
            description=_DESCRIPTIONS.get(op.operation_id, op.summary + "."),
            tag=_tag(op.path),
            extra_errors={409: _CONFLICTS[op.operation_id]}
            if op.operation_id in _CONFLICTS
            else {},
        )
        tags[text.tag] = op.path.strip("/").split("/", 1)[0]
        spec = builder.operation(op, text, common_errors=_common_errors)
        paths.setdefault(template(op.path), {})[op.method.lower()] = spec
    document = {
        "openapi": "3.1.0",
        "info": {
            "title": "Lambda Emulator control plane",
            "version": __version__,
            "summary": "Steers a running Lambda Emulator: time, faults, accounts, state.",
            "description": "Not part of the emulated API: no key is needed, and no fault, rate "
            "limit or idempotency rule applies. Answers use the same envelope as the API.",
            "license": {"name": "Apache 2.0", "identifier": "Apache-2.0"},
        },
        "jsonSchemaDialect": "https://json-schema.org/draft/2020-12/schema",
        "servers": [
            {
                "url": f"{DEFAULT_SERVER}/_emulator",
                "description": "lambda-emulator serve with its default host and port; "
                "a client passes its own base URL otherwise.",
            }
        ],
        "security": [],
        "tags": [
            {"name": name, "description": f"Control-plane endpoints under /_emulator/{segment}."}
            for name, segment in tags.items()
        ],
        "paths": paths,
        "components": {
            "schemas": dict(sorted(builder.components.items())),
            "headers": builder.component_headers(),
        },
    }
    result: dict[str, Any] = json.loads(json.dumps(document))
    return result
