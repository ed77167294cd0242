"""Operations and the one path every API request takes through the edge.

An ``Operation`` declares a method and path, the permission it needs, the schemas of its body,
query and response, and a plain handler that calls a service. ``endpoint`` turns it into an
async Starlette endpoint that runs, in order:

    catch up the clock's due jobs → authenticate → check the permission → read and validate the
    query and body → run the handler in one store transaction → validate the response → envelope

Every failure on the way is an ``ApiError`` and leaves through ``error_response``.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from lambda_emulator.core.pagination import Page
from lambda_emulator.core.permissions import allows
from lambda_emulator.errors import (
    ApiError,
    Forbidden,
    InvalidRequest,
    PayloadTooLarge,
    ServerError,
    UnsupportedMediaType,
)
from lambda_emulator.http.auth import presented_key
from lambda_emulator.http.envelope import envelope_response, error_response, success_body
from lambda_emulator.http.validation import SchemaSet, ValidationFailure
from lambda_emulator.services import api_keys
from lambda_emulator.services.runtime import Runtime
from lambda_emulator.storage.base import Doc

__all__ = ["Call", "Edge", "Operation", "Result", "endpoint"]

log = logging.getLogger("lambda_emulator")

EMPTY_BODY = "common.json#/$defs/Empty"
NO_QUERY = "common.json#/$defs/NoQuery"
_JSON_TYPES = ("", "application/json", "application/x-www-form-urlencoded")


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


@dataclass(frozen=True)
class Result:
    """A handler's answer when a bare ``data`` value is not enough."""

    data: Any
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)


Handler = Callable[[Call], Any]


@dataclass(frozen=True)
class Operation:
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


@dataclass
class Edge:
    """What endpoints share: the runtime and the compiled schemas."""

    rt: Runtime
    schemas: SchemaSet

    def compile(self, operations: list[Operation]) -> None:
        """Compile every validator up front, so the first request pays nothing extra."""
        for op in operations:
            self.schemas.prepare(op.body or EMPTY_BODY)
            self.schemas.prepare(op.query or NO_QUERY)
            if op.response:
                self.schemas.prepare(op.response)


def endpoint(edge: Edge, op: Operation) -> Callable[[Request], Any]:
    rt, schemas = edge.rt, edge.schemas
    query_ref = op.query or NO_QUERY
    body_ref = op.body or EMPTY_BODY

    async def run(request: Request) -> Response:
        state = request.scope.setdefault("state", {})
        request_id: str = state["request_id"]
        try:
            rt.run_due()
            key: Doc | None = None
            account_id = ""
            if op.authenticated:
                key = api_keys.authenticate(rt, presented_key(request.headers))
                account_id = key["account_id"]
                state["account_id"] = account_id
                if op.permission and not allows(key["permissions"], op.permission):
                    raise Forbidden(
                        f"This API key lacks the '{op.permission}' permission",
                        {"permission": op.permission, "granted": key["permissions"]},
                    )
            query = schemas.coerce_query(query_ref, request.query_params.multi_items())
            raw = await read_json(request, rt.settings.max_body_bytes)
            body = {} if raw is None else raw
            schemas.check_body(body_ref, body)
            call = Call(
                rt, request, request_id, account_id, key, body, query, dict(request.path_params)
            )
            if op.transactional:
                with rt.transaction():
                    result = op.handler(call)
            else:
                result = op.handler(call)
            return _respond(edge, op, result, request_id)
        except ApiError as error:
            return error_response(error, request_id, rt.timestamp())

    run.__name__ = op.operation_id
    return run


def _respond(edge: Edge, op: Operation, result: Any, request_id: str) -> Response:
    status, headers, pagination = op.status, {}, None
    if isinstance(result, Result):
        status, headers, result = result.status, result.headers, result.data
    if isinstance(result, Page):
        pagination, result = result.pagination, result.items
    if op.response:
        try:
            if op.listing:
                for item in result:
                    edge.schemas.check_response(op.response, item)
            else:
                edge.schemas.check_response(op.response, result)
        except ValidationFailure as failure:
            log.error("request %s: %s", request_id, failure)
            if edge.rt.setting("strict"):
                raise ServerError(
                    "The emulator built a response that breaks its own schema (strict mode)",
                    {"reason": str(failure)},
                ) from None
    body = success_body(result, request_id, edge.rt.timestamp(), pagination)
    return envelope_response(body, status, headers)


def _reject_constant(name: str) -> Any:
    raise InvalidRequest(f"{name} is not valid JSON", {"field": "body", "constraint": "valid JSON"})


async def read_json(request: Request, limit: int) -> Any:
    """The body parsed as JSON, or ``None`` when there is none.

    A body without a ``Content-Type``, or with curl's ``-d`` default
    (``application/x-www-form-urlencoded``), is read as JSON, as the reference's own examples
    send it; any other non-JSON type is refused.
    """
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise PayloadTooLarge(
            f"Request body is {declared} bytes; the limit is {limit}",
            {"limit_bytes": limit, "content_length": int(declared)},
        )
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise PayloadTooLarge(
                f"Request body exceeds the limit of {limit} bytes", {"limit_bytes": limit}
            )
        chunks.append(chunk)
    raw = b"".join(chunks)
    if not raw.strip():
        return None
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media not in _JSON_TYPES and not media.endswith("+json"):
        raise UnsupportedMediaType(
            f"Content-Type '{media}' is not supported; send JSON (application/json)",
            {"content_type": media, "allowed_values": ["application/json"]},
        )
    try:
        return json.loads(raw.decode("utf-8"), parse_constant=_reject_constant)
    except UnicodeDecodeError:
        raise InvalidRequest(
            "The request body is not valid UTF-8", {"field": "body", "constraint": "utf-8"}
        ) from None
    except json.JSONDecodeError as exc:
        raise InvalidRequest(
            f"Malformed JSON in the request body: {exc.msg} at line {exc.lineno} "
            f"column {exc.colno}",
            {"field": "body", "constraint": "valid JSON", "position": exc.pos},
        ) from None
