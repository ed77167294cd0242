"""Operations and the one path every API request takes through the edge.

An ``Operation`` declares a method and path, the permission it needs, the schemas of its body,
query and response, and a plain handler that calls a service. ``endpoint`` turns it into an
async Starlette endpoint that runs, in order:

    catch up the clock's due jobs → injected error (fault rules) → authenticate → count against
    the rate limit → check the permission → read the body → claim the Idempotency-Key (or
    replay its stored answer) → injected latency → validate the query and body → run the
    handler in one store transaction (with the idempotency record) → validate the response →
    envelope, with the rate-limit headers on every answer after authentication

Every failure on the way is an ``ApiError`` and leaves through ``error_response``. Faults, rate
limits and idempotency apply to the emulated API only, never to the control plane.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import logging
import math
import sys
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
from lambda_emulator.http.auth import presented_key, utf8_header
from lambda_emulator.http.envelope import envelope_response, error_response
from lambda_emulator.http.validation import SchemaSet, ValidationFailure
from lambda_emulator.services import api_keys, faults, idempotency, ratelimit
from lambda_emulator.services.runtime import Doc, Runtime

__all__ = [
    "Call",
    "Edge",
    "Operation",
    "Result",
    "endpoint",
    "parse_json",
    "read_body",
    "read_json",
]

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
    #: The schema files, for the few handlers that check parts of a body themselves.
    schemas: SchemaSet


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
    #: A larger body limit than ``--max-body-bytes`` for the operation (state import).
    max_body_bytes: int | None = None


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
    # The emulated API needs a key; the control plane does not, and no fault, rate limit or
    # idempotency rule ever applies to it (a test must always be able to steer the emulator).
    api = op.authenticated
    idempotent = api and op.method == "POST"

    async def run(request: Request) -> Response:
        state = request.scope.setdefault("state", {})
        request_id: str = state["request_id"]
        limit_headers: dict[str, str] = {}
        held: idempotency.Claim | None = None
        handler_ran = False
        try:
            rt.run_due()
            delay = 0.0
            fault = _fault_for(rt, request) if api else None
            if fault is not None:
                state["fault_id"] = fault.id
                if fault.is_error:
                    await asyncio.sleep(fault.latency_ms / 1000)
                    raise faults.injected_error(fault)
                delay = fault.latency_ms / 1000
            key: Doc | None = None
            account_id = ""
            if op.authenticated:
                key = api_keys.authenticate(rt, presented_key(request.headers))
                account_id = key["account_id"]
                state["account_id"] = account_id
                decision = ratelimit.admit(rt, account_id)
                if decision is not None:
                    limit_headers = decision.headers()
                if op.permission and not allows(key["permissions"], op.permission):
                    raise Forbidden(
                        f"This API key lacks the '{op.permission}' permission",
                        {"permission": op.permission, "granted": key["permissions"]},
                    )
            raw = await read_body(request, op.max_body_bytes or rt.settings.max_body_bytes)
            idempotency_key = request.headers.get(idempotency.HEADER) if idempotent else None
            if idempotency_key is not None:
                claim = idempotency.claim(
                    rt,
                    account_id,
                    utf8_header(idempotency_key),
                    op.method,
                    request.scope["path"],
                    raw,
                )
                if not isinstance(claim, idempotency.Claim):
                    return _replay(rt, claim, request_id, limit_headers)
                held = claim
            if delay:
                await asyncio.sleep(delay)
            # most requests carry no query: skip parsing an empty one
            pairs = request.query_params.multi_items() if request.scope["query_string"] else []
            query = schemas.coerce_query(query_ref, pairs)
            parsed = parse_json(request, raw)
            # Only an absent body means "no parameters"; a JSON ``null`` is checked (and refused)
            # like any other non-object.
            body = {} if parsed is None and not raw.strip() else parsed
            schemas.check_body(body_ref, body)
            call = Call(
                rt,
                request,
                request_id,
                account_id,
                key,
                body,
                query,
                dict(request.path_params),
                schemas,
            )
            handler_ran = True
            outcome: tuple[int, dict[str, str], dict[str, Any]] | None = None
            if op.transactional:
                with rt.transaction():
                    result = op.handler(call)
                    if not inspect.isawaitable(result):
                        outcome = _outcome(edge, op, result, request_id)
                        if held is not None:
                            status, headers, payload = outcome
                            idempotency.save(rt, held, request_id, status, payload, headers)
            else:
                result = op.handler(call)
            if outcome is None:
                if inspect.isawaitable(result):
                    # A handler that must wait (webhook drain) returns an awaitable, awaited
                    # after its transaction so other requests and the sender go on meanwhile.
                    result = await result
                outcome = _outcome(edge, op, result, request_id)
            status, headers, payload = outcome
            response = envelope_response(_with_metadata(rt, payload, request_id), status, headers)
        except ApiError as error:
            if held is not None and handler_ran and error.status < 500:
                with rt.transaction():
                    idempotency.save(
                        rt, held, request_id, error.status, _error_payload(error), error.headers
                    )
            response = error_response(error, request_id, rt.timestamp())
        finally:
            if held is not None:
                idempotency.release(rt, held)
        if limit_headers:
            response.headers.update(limit_headers)
        return response

    run.__name__ = op.operation_id
    return run


def _fault_for(rt: Runtime, request: Request) -> faults.Fault | None:
    """The fault rule that fires for this request; the account is looked up only if a rule
    names one, and without failing (authentication comes later, and may refuse the key)."""
    if not faults.has_rules(rt):
        return None
    account_id = None
    if faults.needs_account(rt):
        try:
            doc = api_keys.find_by_secret(rt, presented_key(request.headers))
        except ApiError:
            doc = None
        account_id = doc["account_id"] if doc else None
    return faults.fire(rt, request.method, request.scope["path"], account_id)


def _with_metadata(rt: Runtime, payload: dict[str, Any], request_id: str) -> dict[str, Any]:
    return {**payload, "metadata": {"request_id": request_id, "timestamp": rt.timestamp()}}


def _error_payload(error: ApiError) -> dict[str, Any]:
    return {"success": False, "error": error.to_error_object()}


def _replay(rt: Runtime, record: Doc, request_id: str, limit_headers: dict[str, str]) -> Response:
    """The stored answer of an Idempotency-Key, again; ``metadata`` describes this response,
    so its request id matches ``X-Request-Id`` (the original one is in a header)."""
    headers = {
        **record["headers"],
        **limit_headers,
        "Idempotent-Replayed": "true",
        "Idempotent-Original-Request-Id": record["request_id"],
    }
    body = _with_metadata(rt, idempotency.replay_payload(rt, record), request_id)
    return envelope_response(body, record["status"], headers)


def _outcome(
    edge: Edge, op: Operation, result: Any, request_id: str
) -> tuple[int, dict[str, str], dict[str, Any]]:
    """A handler's result as (status, headers, envelope without metadata), schema-checked."""
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
    payload: dict[str, Any] = {"success": True, "data": result}
    if pagination is not None:
        payload["pagination"] = pagination
    return status, dict(headers), payload


def _reject_constant(name: str) -> Any:
    raise InvalidRequest(f"{name} is not valid JSON", {"field": "body", "constraint": "valid JSON"})


async def read_json(request: Request, limit: int) -> Any:
    """The body parsed as JSON, or ``None`` when there is none (``read_body`` + ``parse_json``)."""
    return parse_json(request, await read_body(request, limit))


async def read_body(request: Request, limit: int) -> bytes:
    """The raw body, refused with 413 past ``limit`` bytes (declared or streamed)."""
    headers = request.headers
    declared = headers.get("content-length")
    if declared is None and "transfer-encoding" not in headers:
        return b""  # HTTP/1.1 has no body without one of the two: nothing to wait for
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
    return b"".join(chunks)


def parse_json(request: Request, raw: bytes) -> Any:
    """``raw`` parsed as JSON, or ``None`` when it is empty.

    A body without a ``Content-Type``, or with curl's ``-d`` default
    (``application/x-www-form-urlencoded``), is read as JSON, as the reference's own examples
    send it; any other non-JSON type is refused.
    """
    if not raw.strip():
        return None
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media not in _JSON_TYPES and not media.endswith("+json"):
        raise UnsupportedMediaType(
            f"Content-Type '{media}' is not supported; send JSON (application/json)",
            {"content_type": media, "allowed_values": ["application/json"]},
        )
    try:
        parsed = json.loads(
            raw.decode("utf-8"),
            parse_constant=_reject_constant,
            parse_float=_finite_float,
            object_pairs_hook=_unique_keys,
        )
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
    except RecursionError:
        raise _too_deep() from None
    except ValueError:  # an integer past Python's digit limit for int(str)
        raise InvalidRequest(
            "A number in the request body has too many digits",
            {"field": "body", "constraint": {"max_digits": sys.get_int_max_str_digits()}},
        ) from None
    if _depth(parsed) > MAX_JSON_DEPTH:
        raise _too_deep()
    return parsed


#: The deepest nesting of objects and arrays a body may have; no request schema comes close,
#: and validators and the error echo recurse, so a deeper body is refused before them.
MAX_JSON_DEPTH = 32


def _too_deep() -> InvalidRequest:
    return InvalidRequest(
        f"The request body nests objects and arrays deeper than {MAX_JSON_DEPTH} levels",
        {"field": "body", "constraint": {"max_depth": MAX_JSON_DEPTH}},
    )


def _depth(value: Any) -> int:
    """How deeply ``value`` nests containers, without recursion."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        node, level = stack.pop()
        if isinstance(node, dict):
            children: list[Any] = list(node.values())
        elif isinstance(node, list):
            children = node
        else:
            continue
        deepest = max(deepest, level + 1)
        if deepest > MAX_JSON_DEPTH:
            return deepest
        stack.extend((child, level + 1) for child in children)
    return deepest


def _finite_float(text: str) -> float:
    """A JSON number as a float, refused when it overflows (``1e309`` would become infinity,
    which no schema bound catches cleanly and strict JSON cannot echo back)."""
    number = float(text)
    if not math.isfinite(number):
        raise InvalidRequest(
            f"The number {text[:40]} in the request body is out of range",
            {"field": "body", "value": text[:40], "constraint": "finite number"},
        )
    return number


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """An object whose keys are unique: with a repeated key, which value wins would depend on
    the parser, so the request is ambiguous and refused."""
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise InvalidRequest(
                f"The key '{key}' appears more than once in a JSON object",
                {"field": key, "constraint": "unique keys"},
            )
        result[key] = value
    return result
