"""``/v1/instances/{id}/metrics`` and its WebSocket stream ``…/metrics/stream``.

The stream is a Starlette WebSocket route: the HTTP operation pipeline does not cover
WebSockets, so it authenticates here with the same services (a header key, or ``?api_key=``
for browsers, which cannot set headers on a WebSocket). Every refusal is sent after the
handshake as a close frame with a code in the 4000 range and a reason, because a refused
handshake reaches a browser only as an anonymous failure:

====  ===========================================================================
4400  a bad query parameter (``period``, ``metrics``, an unknown name)
4401  missing, malformed, unknown, revoked or expired key (also when revoked mid-stream)
4403  the key lacks ``monitoring:read``
4404  no such instance (or another account's)
4410  the instance was deleted while the stream was open
====  ===========================================================================

Each message is ``{timestamp, metrics: {name: value}}`` for one complete period, the same
numbers ``GET …/metrics`` returns for that point. The first message is the latest complete
period (when the instance existed then); after that one message per period as the emulator
clock passes the period's end, so a faster ``--speed`` gives faster messages, and a clock
advanced through the control plane pushes every period of the advanced span, in order.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.routing import BaseRoute, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from lambda_emulator.core.permissions import allows
from lambda_emulator.errors import ApiError, AuthenticationFailed, InvalidRequest
from lambda_emulator.http.auth import presented_key
from lambda_emulator.http.declare import Call, OperationFamily
from lambda_emulator.http.operations import Edge
from lambda_emulator.resources import api_keys, monitoring
from lambda_emulator.runtime import Doc, Runtime

__all__ = ["CLOSE_CODES", "OPERATIONS", "STREAM_PATH", "websocket_routes"]

S = "monitoring.json#/$defs/"
TAG = "Monitoring"
STREAM_PATH = "/instances/{id}/metrics/stream"
PERMISSION = "monitoring:read"
CLOSE_CODES = {
    "invalid_request": 4400,
    "authentication_failed": 4401,
    "forbidden": 4403,
    "not_found": 4404,
    "gone": 4410,
}
#: How often (real seconds) an open stream looks at the clock.
POLL_SECONDS = 0.05
#: At most this many messages are built at once when the clock jumps far ahead.
BATCH = 500


def get_metrics(call: Call) -> Any:
    return monitoring.query_metrics(call.rt, call.account_id, call.params["id"], call.query)


def stream_over_http(call: Call) -> Any:
    """A plain GET on the stream's URL: say how to connect instead of a bare 404."""
    instance = monitoring.get_instance(call.rt, call.account_id, call.params["id"])
    url = call.request.url.replace(scheme="wss" if call.request.url.scheme == "https" else "ws")
    raise InvalidRequest(
        "This endpoint is a WebSocket: connect with a WebSocket client (Upgrade: websocket)",
        {"field": "Upgrade", "constraint": "websocket", "url": str(url), "id": instance["id"]},
    )


op = OperationFamily(tag=TAG, read=PERMISSION)

OPERATIONS = [
    op(
        "GET",
        "/instances/{id}/metrics",
        "getMetrics",
        "Get Metrics",
        get_metrics,
        query=S + "MetricsQuery",
        response=S + "Metrics",
    ),
    op(
        "GET",
        STREAM_PATH,
        "streamMetrics",
        "Stream Metrics (WebSocket: messages are monitoring.StreamMessage)",
        stream_over_http,
        query=S + "StreamQuery",
        errors=(400, 404),
    ),
]


def websocket_routes(edge: Edge, prefix: str) -> list[BaseRoute]:
    return [WebSocketRoute(prefix + STREAM_PATH, _stream_endpoint(edge))]


def _reason(text: str) -> str:
    """A close reason fits in 123 bytes of UTF-8."""
    data = text.encode("utf-8")[:123]
    return data.decode("utf-8", errors="ignore")


async def _refuse(ws: WebSocket, error: ApiError) -> None:
    code = CLOSE_CODES.get(error.code, 4400)
    await ws.close(code=code, reason=_reason(error.message))


def _stream_endpoint(edge: Edge) -> Callable[[WebSocket], Awaitable[None]]:
    rt = edge.rt

    async def stream(ws: WebSocket) -> None:
        await ws.accept()
        try:
            rt.run_due()
            with rt.transaction():
                key = api_keys.authenticate(
                    rt, presented_key(ws.headers, ws.query_params.get("api_key"))
                )
            if not allows(key["permissions"], PERMISSION):
                await ws.close(4403, _reason(f"This API key lacks the '{PERMISSION}' permission"))
                return
            query = edge.schemas.coerce_query(S + "StreamQuery", ws.query_params.multi_items())
            names = monitoring.parse_metric_names(query.get("metrics"))
            period = int(query.get("period", monitoring.DEFAULT_PERIOD))
            instance = monitoring.get_instance(rt, key["account_id"], ws.path_params["id"])
        except AuthenticationFailed as error:
            if error.message.startswith("Missing API key"):
                error = AuthenticationFailed(
                    "Missing API key: send 'Authorization: Bearer <key>', 'X-API-Key', or ?api_key="
                )
            await _refuse(ws, error)
            return
        except ApiError as error:
            await _refuse(ws, error)
            return
        # Start with the latest complete period, so a client sees a number at once.
        after = float((math.floor(rt.clock.epoch() / period) - 1) * period)
        await _pump(rt, ws, key, instance, names, period, after)

    return stream


async def _pump(
    rt: Runtime,
    ws: WebSocket,
    key: Doc,
    instance: Doc,
    names: list[str],
    period: int,
    after: float,
) -> None:
    disconnected = asyncio.Event()

    async def watch() -> None:
        with contextlib.suppress(Exception):
            while True:
                message = await ws.receive()
                if message["type"] == "websocket.disconnect":
                    break
        disconnected.set()

    reader = asyncio.create_task(watch())
    try:
        while not disconnected.is_set():
            rt.run_due()
            problem = api_keys.still_valid(rt, key["id"])
            if problem:
                await ws.close(4401, problem)
                return
            instance, deleted = monitoring.stream_target(rt, instance)
            backlog = False
            next_end = math.ceil(after / period) * period + period
            if deleted is not None or rt.clock.epoch() >= next_end:
                messages, after = monitoring.stream_samples(
                    rt, instance, names, period, after, deleted=deleted, limit=BATCH
                )
                for message in messages:
                    await ws.send_json(message)
                backlog = len(messages) == BATCH
            if deleted is not None and not backlog:
                await ws.close(4410, _reason(f"Instance '{instance['id']}' was deleted"))
                return
            if not backlog:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(disconnected.wait(), POLL_SECONDS)
            else:
                await asyncio.sleep(0)
    except (WebSocketDisconnect, RuntimeError, OSError):
        return
    finally:
        reader.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await reader
