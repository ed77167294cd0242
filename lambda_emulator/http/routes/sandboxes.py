"""``/_emulator/sandboxes``: isolated worlds that parallel test runs share one emulator with.

Each sandbox's own control plane is every other ``/_emulator`` endpoint under
``/_emulator/sandboxes/{sandbox_id}/…`` (wired in ``app.py``).
"""

from __future__ import annotations

import dataclasses
from typing import Any

from lambda_emulator.core.pagination import page_of
from lambda_emulator.http.declare import CONTROL, Call, Operation, Result

__all__ = ["OPERATIONS", "scoped"]

S = "sandboxes.json#/$defs/"


def scoped(op: Operation) -> Operation:
    """``op`` as it acts on one sandbox: under ``/sandboxes/{sandbox_id}``, with an operation
    id of its own (``emulatorReset`` → ``sandboxReset``)."""
    return dataclasses.replace(
        op,
        path="/sandboxes/{sandbox_id}" + op.path,
        operation_id="sandbox" + op.operation_id.removeprefix("emulator"),
        summary=f"{op.summary} (one sandbox)",
    )


def create_sandbox(call: Call) -> Any:
    sandbox, secret = call.sandboxes.create(call.body)
    return Result(dict(sandbox.view(), api_key=secret), status=201)


def list_sandboxes(call: Call) -> Any:
    return page_of((s.view() for s in call.sandboxes), call.query)


def get_sandbox(call: Call) -> Any:
    return call.sandboxes.get(call.params["sandbox_id"]).view()


def delete_sandbox(call: Call) -> Any:
    return call.sandboxes.delete(call.params["sandbox_id"])


op = CONTROL

OPERATIONS = [
    op(
        "POST",
        "/sandboxes",
        "emulatorCreateSandbox",
        "Create a sandbox: a world of its own with one account and its key",
        create_sandbox,
        body=S + "SandboxCreate",
        response=S + "SandboxCreated",
        status=201,
    ),
    op(
        "GET",
        "/sandboxes",
        "emulatorListSandboxes",
        "List sandboxes, the default one included",
        list_sandboxes,
        query=S + "SandboxListQuery",
        response=S + "Sandbox",
        listing=True,
    ),
    op.clear(
        "/sandboxes",
        "emulatorDeleteSandboxes",
        "Delete every sandbox but the default one",
        lambda call: call.sandboxes.delete_all(),
        response=S + "SandboxesDeleted",
    ),
    op(
        "GET",
        "/sandboxes/{sandbox_id}",
        "emulatorGetSandbox",
        "Get a sandbox",
        get_sandbox,
        response=S + "Sandbox",
    ),
    op(
        "DELETE",
        "/sandboxes/{sandbox_id}",
        "emulatorDeleteSandbox",
        "Delete a sandbox and everything in it",
        delete_sandbox,
        response=S + "Sandbox",
    ),
]
