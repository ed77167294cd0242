"""What a route module declares: its operations, and what their handlers receive and return.

The pipeline that runs them is ``http.operations``; keeping the declarations apart lets a
route module, the OpenAPI assembly and the tests read them without the request machinery.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request

from lambda_emulator.http.validation import SchemaSet
from lambda_emulator.runtime import Doc, Runtime
from lambda_emulator.sandboxes.registry import Sandboxes

__all__ = [
    "CONTROL",
    "Call",
    "Handler",
    "Operation",
    "OperationFamily",
    "Result",
    "View",
    "creates",
    "lists",
    "on_resource",
    "on_resource_with_body",
]


@dataclass(frozen=True)
class Call:
    """What a handler gets: the runtime, who is calling, and the validated input."""

    rt: Runtime
    request: Request
    request_id: str
    account_id: str
    key: Doc | None
    body: dict[str, Any]
    query: dict[str, Any]
    params: dict[str, str]
    #: The schema files, for the few handlers that check parts of a body themselves.
    schemas: SchemaSet
    #: Every world of the emulator, for the control plane's sandbox operations.
    sandboxes: Sandboxes


@dataclass(frozen=True)
class Result:
    """A handler's answer when a bare ``data`` value is not enough."""

    data: Any
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)


Handler = Callable[[Call], Any]
#: How a handler shows a stored document (a resource module's ``PublicView``).
View = Callable[[Doc], Any]
#: The services a collection's operations call (see ``OperationFamily.collection``).
CreateService = Callable[[Runtime, str, dict[str, Any]], Doc]
PageService = Callable[[Runtime, str, dict[str, Any]], Any]
ResourceService = Callable[[Runtime, str, str], Doc]
BodyService = Callable[[Runtime, str, str, dict[str, Any]], Doc]


@dataclass(frozen=True, kw_only=True)
class Operation:
    """One operation of the API or the control plane: what it answers and how it is checked.

    Every field is a keyword, so a declaration reads as a table; route modules declare theirs
    through an ``OperationFamily`` that fills in what they share."""

    method: str
    path: str
    operation_id: str
    summary: str
    tag: str
    handler: Handler
    permission: str | None = None
    body: str | None = None
    query: str | None = None
    response: str | None = None
    listing: bool = False
    status: int = 200
    authenticated: bool = True
    errors: tuple[int, ...] = ()
    #: False for the few operations that replace the whole store (reset, state import).
    transactional: bool = True
    #: A larger body limit than ``--max-body-bytes`` for the operation (state import).
    max_body_bytes: int | None = None


@dataclass(frozen=True)
class OperationFamily:
    """The defaults one route module's operations share: their tag, the permission a read
    (``GET``) and a write need, their response schema, and whether they take an API key."""

    tag: str
    read: str | None = None
    write: str | None = None
    response: str | None = None
    authenticated: bool = True

    def __call__(
        self,
        method: str,
        path: str,
        operation_id: str,
        summary: str,
        handler: Handler,
        **fields: Any,
    ) -> Operation:
        defaults: dict[str, Any] = {
            "permission": self.read if method == "GET" else self.write,
            "response": self.response,
            "authenticated": self.authenticated,
        }
        return Operation(
            method=method,
            path=path,
            operation_id=operation_id,
            summary=summary,
            tag=self.tag,
            handler=handler,
            **{**defaults, **fields},
        )

    def clear(
        self,
        path: str,
        operation_id: str,
        summary: str,
        empty: Callable[[Call], int],
        response: str = "traffic.json#/$defs/Cleared",
    ) -> Operation:
        """A ``DELETE`` that empties something (the journal, the fault rules, the sandboxes)
        and answers how many items went: ``{"deleted": n}``."""

        def handler(call: Call) -> Any:
            return {"deleted": empty(call)}

        return self("DELETE", path, operation_id, summary, handler, response=response)

    def collection(
        self,
        path: str,
        schemas: str,
        noun: str,
        view: View,
        *,
        create: CreateService | None = None,
        page: PageService | None = None,
        get: ResourceService | None = None,
        update: BodyService | None = None,
        delete: ResourceService | None = None,
        title: str | None = None,
    ) -> list[Operation]:
        """The standard operations on one collection (``path`` and ``path/{id}``), in the
        order create, list, get, update, delete; those without a service are left out.

        The API names them all by one convention, and so does this: ``createVolume``,
        ``listVolumes``, ``getVolume``, ``updateVolume``, ``deleteVolume``, summarised
        "Create Volume"..., with the schemas ``VolumeCreate``, ``VolumeListQuery``,
        ``VolumeUpdate`` and ``Volume`` in ``schemas``. ``title`` is the noun as a summary
        spells it when splitting ``noun`` gets it wrong (``VPN``, not ``Vpn``). ``page`` is the
        list's service: it returns the page as it is shown."""
        shown, item, one = title or _words(noun), f"{path}/{{id}}", schemas + noun
        rows: list[tuple[str, str, str, str, Handler | None, dict[str, Any]]] = [
            ("POST", path, f"create{noun}", f"Create {shown}",
             creates(create, view) if create else None, {"body": one + "Create", "status": 201}),
            ("GET", path, f"list{noun}s", f"List {shown}s",
             lists(page) if page else None, {"query": one + "ListQuery", "listing": True}),
            ("GET", item, f"get{noun}", f"Get {shown}",
             on_resource(get, view) if get else None, {}),
            ("PATCH", item, f"update{noun}", f"Update {shown}",
             on_resource_with_body(update, view) if update else None, {"body": one + "Update"}),
            ("DELETE", item, f"delete{noun}", f"Delete {shown}",
             on_resource(delete, view) if delete else None, {}),
        ]  # fmt: skip
        return [
            self(method, at, operation_id, summary, handler, response=one, **fields)
            for method, at, operation_id, summary, handler, fields in rows
            if handler is not None
        ]


#: The control plane (``/_emulator``): one tag, and no API key (it is the test's own door).
CONTROL = OperationFamily(tag="Emulator control", authenticated=False)


def _words(noun: str) -> str:
    """``FirewallRule`` → ``Firewall Rule``."""
    return re.sub(r"(?<=[a-z])(?=[A-Z])", " ", noun)


def creates(service: CreateService, view: View) -> Handler:
    """A create: ``service(rt, account_id, body)``, shown through ``view``, answered 201."""

    def handler(call: Call) -> Any:
        return Result(view(service(call.rt, call.account_id, call.body)), status=201)

    return handler


def lists(service: PageService) -> Handler:
    """A list: ``service(rt, account_id, query)`` returns the page as it is shown."""

    def handler(call: Call) -> Any:
        return service(call.rt, call.account_id, call.query)

    return handler


def on_resource(service: ResourceService, view: View) -> Handler:
    """An operation on the path's ``{id}``: ``service(rt, account_id, id)``, through ``view``."""

    def handler(call: Call) -> Any:
        return view(service(call.rt, call.account_id, call.params["id"]))

    return handler


def on_resource_with_body(service: BodyService, view: View, status: int = 200) -> Handler:
    """An operation on the path's ``{id}`` that takes the body:
    ``service(rt, account_id, id, body)``, shown through ``view``."""

    def handler(call: Call) -> Any:
        doc = service(call.rt, call.account_id, call.params["id"], call.body)
        return Result(view(doc), status=status)

    return handler
