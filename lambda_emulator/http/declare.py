"""What a route module declares: its operations, and what their handlers receive and return.

The pipeline that runs them is ``http.operations``; keeping the declarations apart lets a
route module, the OpenAPI assembly and the tests read them without the request machinery.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request

from lambda_emulator.http.validation import SchemaSet
from lambda_emulator.runtime import Doc, Runtime

__all__ = [
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


@dataclass(frozen=True)
class Result:
    """A handler's answer when a bare ``data`` value is not enough."""

    data: Any
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)


Handler = Callable[[Call], Any]


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


#: How a handler shows a stored document (a resource module's ``PublicView``).
View = Callable[[Doc], Any]


def creates(service: Callable[[Runtime, str, dict[str, Any]], Doc], view: View) -> Handler:
    """A create: ``service(rt, account_id, body)``, shown through ``view``, answered 201."""

    def handler(call: Call) -> Any:
        return Result(view(service(call.rt, call.account_id, call.body)), status=201)

    return handler


def lists(service: Callable[[Runtime, str, dict[str, Any]], Any]) -> Handler:
    """A list: ``service(rt, account_id, query)`` returns the page as it is shown."""

    def handler(call: Call) -> Any:
        return service(call.rt, call.account_id, call.query)

    return handler


def on_resource(service: Callable[[Runtime, str, str], Doc], view: View) -> Handler:
    """An operation on the path's ``{id}``: ``service(rt, account_id, id)``, through ``view``."""

    def handler(call: Call) -> Any:
        return view(service(call.rt, call.account_id, call.params["id"]))

    return handler


def on_resource_with_body(
    service: Callable[[Runtime, str, str, dict[str, Any]], Doc], view: View, status: int = 200
) -> Handler:
    """An operation on the path's ``{id}`` that takes the body:
    ``service(rt, account_id, id, body)``, shown through ``view``."""

    def handler(call: Call) -> Any:
        doc = service(call.rt, call.account_id, call.params["id"], call.body)
        return Result(view(doc), status=status)

    return handler
