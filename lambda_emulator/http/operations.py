"""The one path every request to an operation takes through the edge.

An ``Operation`` (``http.declare``) declares a method and path, the permission it needs, the
schemas of its body, query and response, and a plain handler that calls a service.
``endpoint`` turns it into an async Starlette endpoint whose ``Pipeline`` runs, in order:

    catch up the clock's due jobs → the front door (an injected error or a front-door network
    failure) → identify (the key, the rate limit, the permission) → read the body → claim the
    Idempotency-Key (or replay its stored answer) → injected latency → validate the query and
    body → run the handler in one store transaction (with the idempotency record) → validate
    the response → envelope, with the rate-limit headers on every answer after the request was
    counted → a network failure of the answer (truncated or slow body), if a rule says so

Every failure on the way is an ``ApiError`` and leaves through ``error_response``. Faults, rate
limits and idempotency apply to the emulated API only, never to the control plane.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import time
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
    NotFound,
    ServerError,
)
from lambda_emulator.http import network_faults
from lambda_emulator.http.auth import presented_key, utf8_header
from lambda_emulator.http.bodies import parse_json, read_body
from lambda_emulator.http.declare import Call, Operation, OperationFamily, Result
from lambda_emulator.http.envelope import envelope_response, error_response
from lambda_emulator.http.validation import SchemaSet, ValidationFailure
from lambda_emulator.resources import api_keys
from lambda_emulator.runtime import Doc, Runtime
from lambda_emulator.sandboxes.registry import Sandboxes
from lambda_emulator.traffic import faults, idempotency, ratelimit

__all__ = ["Call", "Edge", "Operation", "OperationFamily", "Pipeline", "Result", "endpoint"]

#: A handler's answer: (status, headers, the envelope without ``metadata``).
Outcome = tuple[int, dict[str, str], dict[str, Any]]

log = logging.getLogger("lambda_emulator")

EMPTY_BODY = "common.json#/$defs/Empty"
NO_QUERY = "common.json#/$defs/NoQuery"


@dataclass
class Edge:
    """What endpoints share: the worlds, the compiled schemas, and strict mode (a response
    that breaks its schema is a 500 rather than a logged warning)."""

    sandboxes: Sandboxes
    schemas: SchemaSet
    strict: bool = False

    def compile(self, operations: list[Operation]) -> None:
        """Compile every validator up front, so the first request pays nothing extra."""
        for op in operations:
            self.schemas.prepare(op.body or EMPTY_BODY)
            self.schemas.prepare(op.query or NO_QUERY)
            if op.response:
                self.schemas.prepare(op.response)


def endpoint(edge: Edge, op: Operation) -> Callable[[Request], Any]:
    """The Starlette endpoint of ``op``: a ``Pipeline`` named after its operation id."""
    pipeline = Pipeline(edge, op)

    async def run(request: Request) -> Response:
        return await pipeline.answer(request)

    run.__name__ = op.operation_id
    return run


@dataclass
class Exchange:
    """One request on its way through the pipeline: what the steps have learned so far, and
    what the answer must carry whichever step ends it."""

    request: Request
    state: dict[str, Any]
    request_id: str
    #: The world the request is served in (``http.worlds`` chose it).
    rt: Runtime
    account_id: str = ""
    key: Doc | None = None
    #: ``X-RateLimit-*``: on every answer once the request was counted, errors included.
    limit_headers: dict[str, str] = field(default_factory=dict)
    #: The Idempotency-Key this request holds until it answers.
    held: idempotency.Claim | None = None
    #: Whether the handler ran: only then is an error answer remembered for the key.
    handler_ran: bool = False
    #: The fault rule that fired for this request, if any.
    fault: faults.Fault | None = None


class Pipeline:
    """The steps of one operation, in order; each is a method named after what it decides."""

    def __init__(self, edge: Edge, op: Operation) -> None:
        self.edge = edge
        self.schemas = edge.schemas
        self.op = op
        self.query_ref = op.query or NO_QUERY
        self.body_ref = op.body or EMPTY_BODY
        # The emulated API needs a key; the control plane does not, and no fault, rate limit
        # or idempotency rule ever applies to it (a test must always be able to steer it).
        self.api = op.authenticated
        self.idempotent = self.api and op.method == "POST"

    async def answer(self, request: Request) -> Response:
        state = request.scope.setdefault("state", {})
        world = state.get("world")
        if world is None:  # a sandbox path naming no sandbox
            sandbox_id = request.path_params.get("sandbox_id", "")
            default = self.edge.sandboxes.default
            return error_response(_no_sandbox(sandbox_id), state["request_id"], default.timestamp())
        ex = Exchange(request, state, state["request_id"], world)
        try:
            response = await self._steps(ex)
        except ApiError as error:
            self._remember_error(ex, error)
            response = error_response(error, ex.request_id, ex.rt.timestamp())
        finally:
            if ex.held is not None:
                idempotency.release(ex.rt, ex.held)
        if ex.limit_headers:
            response.headers.update(ex.limit_headers)
        fault = ex.fault
        if fault is not None and fault.failure in faults.RESPONSE_FAILURES:
            response.headers["X-Emulator-Fault"] = fault.id
            response = network_faults.spoiled(fault.failure, response, fault.latency_ms)
        return response

    async def _steps(self, ex: Exchange) -> Response:
        ex.rt.run_due()  # what fell due on the clock happens before this request is served
        broken = await self._front_door(ex)
        if broken is not None:
            return broken
        self._identify(ex)
        limit = self.op.max_body_bytes or ex.rt.settings.max_body_bytes
        raw = await read_body(ex.request, limit)
        replay = self._claim_key(ex, raw)
        if replay is not None:
            return replay
        if ex.fault is not None and ex.fault.delay_before_operation:
            await sleep_at_least(ex.fault.delay_before_operation)
        call = self._validated_call(ex, raw)
        ex.handler_ran = True
        status, headers, payload = await self._run_handler(ex, call)
        body = _with_metadata(ex.rt, payload, ex.request_id)
        return envelope_response(body, status, headers)

    async def _front_door(self, ex: Exchange) -> Response | None:
        """An injected error or a front-door network failure answers here, before anything is
        counted or stored; any other rule that fired (latency, a failure of the answer) is
        kept in ``ex.fault`` for the steps that apply it. With no rule this is one check."""
        fault = _fault_for(ex.rt, ex.request) if self.api else None
        if fault is None:
            return None
        ex.fault = fault
        ex.state["fault_id"] = fault.id
        if fault.failure is not None:
            ex.state["failure"] = fault.failure
        if not fault.at_front_door:
            return None
        await sleep_at_least(fault.latency_ms / 1000)
        # A caller with a valid key gets what the real answer would carry (X-RateLimit-*),
        # read without counting: the front door failed before the limiter.
        caller = api_keys.valid_key(ex.rt, _secret(ex.request))
        seen = None
        if caller is not None:
            ex.state["account_id"] = caller["account_id"]
            seen = ratelimit.peek(ex.rt, caller["account_id"])
        if fault.is_error:
            raise faults.injected_error(fault, seen)
        headers = {"X-Emulator-Fault": fault.id}
        if seen is not None:
            headers.update(seen[1].headers())
        assert fault.failure is not None
        return network_faults.broken_answer(fault.failure, headers)

    def _identify(self, ex: Exchange) -> None:
        """Who is calling: the key (401), the rate limit (429), the permission (403)."""
        if not self.op.authenticated:
            return
        key = api_keys.authenticate(ex.rt, presented_key(ex.request.headers))
        ex.key = key
        ex.account_id = key["account_id"]
        ex.state["account_id"] = ex.account_id
        decision = ratelimit.admit(ex.rt, ex.account_id)
        if decision is not None:
            ex.limit_headers = decision.headers()
        permission = self.op.permission
        if permission and not allows(key["permissions"], permission):
            raise Forbidden(
                f"This API key lacks the '{permission}' permission",
                {"permission": permission, "granted": key["permissions"]},
            )

    def _claim_key(self, ex: Exchange, raw: bytes) -> Response | None:
        """Hold the request's Idempotency-Key, or the stored answer to replay."""
        header = ex.request.headers.get(idempotency.HEADER) if self.idempotent else None
        if header is None:
            return None
        path = ex.request.scope["path"]
        claim = idempotency.claim(
            ex.rt, ex.account_id, utf8_header(header), self.op.method, path, raw
        )
        if isinstance(claim, idempotency.Claim):
            ex.held = claim
            return None
        return _replay(ex.rt, claim, ex.request_id, ex.limit_headers)

    def _validated_call(self, ex: Exchange, raw: bytes) -> Call:
        request = ex.request
        # most requests carry no query: skip parsing an empty one
        pairs = request.query_params.multi_items() if request.scope["query_string"] else []
        query = self.schemas.coerce_query(self.query_ref, pairs)
        parsed = parse_json(request, raw)
        # Only an absent body means "no parameters"; a JSON ``null`` is checked (and refused)
        # like any other non-object.
        body = {} if parsed is None and not raw.strip() else parsed
        self.schemas.check_body(self.body_ref, body)
        return Call(
            ex.rt,
            request,
            ex.request_id,
            ex.account_id,
            ex.key,
            body,
            query,
            dict(request.path_params),
            self.schemas,
            self.edge.sandboxes,
        )

    async def _run_handler(self, ex: Exchange, call: Call) -> Outcome:
        """The handler in one store transaction, with the idempotency record it answers."""
        op, rt = self.op, ex.rt
        if not op.transactional:
            result = op.handler(call)
        else:
            with rt.transaction():
                result = op.handler(call)
                if not inspect.isawaitable(result):
                    outcome = _outcome(self.edge, op, result, ex.request_id)
                    if ex.held is not None:
                        status, headers, payload = outcome
                        idempotency.save(rt, ex.held, ex.request_id, status, payload, headers)
                    return outcome
        if inspect.isawaitable(result):
            # A handler that must wait (webhook drain) returns an awaitable, awaited after its
            # transaction so other requests and the sender go on meanwhile.
            result = await result
        return _outcome(self.edge, op, result, ex.request_id)

    def _remember_error(self, ex: Exchange, error: ApiError) -> None:
        """An error the handler itself raised is the key's answer too (a retry gets it again);
        one raised before the handler ran leaves the key free for a retry."""
        if ex.held is not None and ex.handler_ran and error.status < 500:
            with ex.rt.transaction():
                idempotency.save(
                    ex.rt,
                    ex.held,
                    ex.request_id,
                    error.status,
                    _error_payload(error),
                    error.headers,
                )


async def sleep_at_least(seconds: float) -> None:
    """Injected latency is a promise to the client: the event loop's timers may wake a little
    early (millisecond granularity), so sleep again for whatever is left."""
    deadline = time.perf_counter() + seconds
    while (left := deadline - time.perf_counter()) > 0:
        await asyncio.sleep(left)


def _secret(request: Request) -> str:
    """The key a request presents, or "" (which no key matches)."""
    try:
        return presented_key(request.headers)
    except ApiError:
        return ""


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


def _outcome(edge: Edge, op: Operation, result: Any, request_id: str) -> Outcome:
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
            if edge.strict:
                raise ServerError(
                    "The emulator built a response that breaks its own schema (strict mode)",
                    {"reason": str(failure)},
                ) from None
    payload: dict[str, Any] = {"success": True, "data": result}
    if pagination is not None:
        payload["pagination"] = pagination
    return status, dict(headers), payload


def _no_sandbox(sandbox_id: str) -> ApiError:
    return NotFound(
        f"Sandbox '{sandbox_id}' not found",
        {"field": "sandbox_id", "value": sandbox_id, "resource": "sandbox"},
    )
