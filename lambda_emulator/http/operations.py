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
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from lambda_emulator.core.pagination import Page
from lambda_emulator.core.permissions import allows
from lambda_emulator.errors import (
    ApiError,
    Forbidden,
    ServerError,
)
from lambda_emulator.http.auth import presented_key, utf8_header
from lambda_emulator.http.bodies import parse_json, read_body
from lambda_emulator.http.declare import Call, Operation, OperationFamily, Result
from lambda_emulator.http.envelope import envelope_response, error_response
from lambda_emulator.http.validation import SchemaSet, ValidationFailure
from lambda_emulator.resources import api_keys
from lambda_emulator.runtime import Doc, Runtime
from lambda_emulator.traffic import faults, idempotency, ratelimit

__all__ = ["Call", "Edge", "Operation", "OperationFamily", "Result", "endpoint"]

log = logging.getLogger("lambda_emulator")

EMPTY_BODY = "common.json#/$defs/Empty"
NO_QUERY = "common.json#/$defs/NoQuery"


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
                    await sleep_at_least(fault.latency_ms / 1000)
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
                await sleep_at_least(delay)
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


async def sleep_at_least(seconds: float) -> None:
    """Injected latency is a promise to the client: the event loop's timers may wake a little
    early (millisecond granularity), so sleep again for whatever is left."""
    deadline = time.perf_counter() + seconds
    while (left := deadline - time.perf_counter()) > 0:
        await asyncio.sleep(left)


def _fault_for(rt: Runtime, request: Request) -> faults.Fault | None:
    """The fault rule that fires for this request; the account is looked up only if a rule
    names one, and without failing (authentication comes later, and may refuse the key)."""
    rules = rt.traffic.faults
    if not rules.rules:
        return None
    account_id = None
    if rules.needs_account():
        try:
            doc = api_keys.find_by_secret(rt, presented_key(request.headers))
        except ApiError:
            doc = None
        account_id = doc["account_id"] if doc else None
    return rules.fire(request.method, request.scope["path"], account_id)


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
            if edge.rt.settings.strict:
                raise ServerError(
                    "The emulator built a response that breaks its own schema (strict mode)",
                    {"reason": str(failure)},
                ) from None
    payload: dict[str, Any] = {"success": True, "data": result}
    if pagination is not None:
        payload["pagination"] = pagination
    return status, dict(headers), payload
