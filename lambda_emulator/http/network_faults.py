"""Network faults: answers that break the connection instead of returning an HTTP error.

A fault rule with ``failure`` (``traffic.faults``) makes the pipeline answer with one of the
responses below. Two of them only need ASGI: ``malformed_json`` is an ordinary 200 whose
body is not JSON, and ``slow_body`` sends the real answer's headers at once and its body in ten
pieces at equal intervals over ``latency_ms`` (the first after one interval). The other three
need the socket, which ASGI does not give an application:

- ``connection_reset``: the connection is aborted with ``SO_LINGER`` set to zero, so the kernel
  sends a TCP RST instead of a FIN (a client reads ``ECONNRESET``) before any response byte;
- ``empty_response``: the request is read in full, then the connection is closed with a FIN and
  no byte sent (read in full first: closing with unread input also makes the kernel send RST);
- ``truncated_body``: the real answer's status and headers (with its real ``Content-Length``)
  and the first half of its body, then a FIN.

So the server lends each request a ``Connection`` (``process.connections`` builds it around
uvicorn's transport) in the request's ``state`` under ``CONNECTION_KEY``. A response here asks
it to reset or close, and returns without finishing the ASGI exchange; ``Connection`` waits until
the server has seen the connection go, so uvicorn does not try to answer a 500 in its place.
Under another ASGI server there is no ``Connection``: those three failures then raise
``NetworkFaultUnavailable``, which the edge turns into a 500 naming the cause.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Awaitable
from typing import Protocol

from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from lambda_emulator.http.envelope import JSON_TYPE

__all__ = [
    "CONNECTION_KEY",
    "Connection",
    "NetworkFaultUnavailable",
    "broken_answer",
    "spoiled",
]

#: Where the server puts the request's ``Connection`` in ``scope["state"]``.
CONNECTION_KEY = "lambda_emulator.connection"
#: The body of a ``malformed_json`` answer: what a proxy's error page or a cut JSON looks like.
MALFORMED_BODY = b'{"success": true, "data": {"id": "inst_'
#: A ``slow_body`` sends its body in this many pieces at equal intervals (fewer when the
#: intervals would be shorter than ``SLOW_STEP`` seconds): a client's per-read timeout shorter
#: than ``latency_ms / SLOW_PIECES`` fires, and so does a total deadline under ``latency_ms``.
SLOW_PIECES = 10
SLOW_STEP = 0.05


class Connection(Protocol):
    """What a network fault may do to the socket under the request."""

    def reset(self) -> Awaitable[None]:
        """Abort with a TCP reset; returns once the server has dropped the connection."""
        ...

    def close(self) -> Awaitable[None]:
        """Close after what was written is flushed; returns once the connection is gone."""
        ...


class NetworkFaultUnavailable(RuntimeError):
    """A socket-level fault under an ASGI server that does not lend its ``Connection``."""


def _connection(scope: Scope) -> Connection:
    connection: Connection | None = scope.get("state", {}).get(CONNECTION_KEY)
    if connection is None:
        raise NetworkFaultUnavailable(
            "this network fault needs the emulator's own server (lambda-emulator serve, the "
            "pytest fixture or EmulatorThread): the ASGI server in use lends no socket"
        )
    return connection


async def _drain(receive: Receive) -> None:
    """Read what is left of the request body, so closing sends a FIN and not a reset."""
    while True:
        message = await receive()
        if message["type"] != "http.request" or not message.get("more_body", False):
            return


class _Reset(Response):
    def __init__(self) -> None:
        super().__init__(b"")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await _connection(scope).reset()


class _Empty(Response):
    def __init__(self) -> None:
        super().__init__(b"")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        connection = _connection(scope)
        await _drain(receive)
        await connection.close()


class _Truncated(Response):
    """The real answer's head and the first half of its body, then the connection closes."""

    def __init__(self, real: Response) -> None:
        self.status_code = real.status_code
        self.body = real.body
        self.raw_headers = real.raw_headers

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        connection = _connection(scope)
        await send(
            {"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers}
        )
        await send(
            {
                "type": "http.response.body",
                "body": self.body[: len(self.body) // 2],
                "more_body": True,
            }
        )
        await connection.close()


class _Slow(Response):
    """The real answer's head at once, then its body in pieces spread over ``seconds``."""

    def __init__(self, real: Response, seconds: float) -> None:
        self.status_code = real.status_code
        self.body = real.body
        self.raw_headers = real.raw_headers
        self.seconds = seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send(
            {"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers}
        )
        body = self.body
        pieces = max(1, min(len(body), SLOW_PIECES, math.floor(self.seconds / SLOW_STEP)))
        size = math.ceil(len(body) / pieces) if body else 0
        started = time.perf_counter()
        for i in range(pieces):
            # Each piece leaves at its own deadline, so the total is ``seconds`` however long
            # the sends took; the last piece leaves at the end.
            deadline = started + self.seconds * (i + 1) / pieces
            while (left := deadline - time.perf_counter()) > 0:
                await asyncio.sleep(left)
            chunk = body[i * size : (i + 1) * size]
            await send({"type": "http.response.body", "body": chunk, "more_body": i < pieces - 1})


def broken_answer(failure: str, headers: dict[str, str]) -> Response:
    """The answer of a front-door failure (``connection_reset``, ``empty_response``,
    ``malformed_json``); ``headers`` are those a real 200 would carry, for the last."""
    if failure == "connection_reset":
        return _Reset()
    if failure == "empty_response":
        return _Empty()
    if failure == "malformed_json":
        return Response(MALFORMED_BODY, status_code=200, headers=headers, media_type=JSON_TYPE)
    raise ValueError(f"not a front-door failure: {failure}")


def spoiled(failure: str, real: Response, latency_ms: int) -> Response:
    """The real answer, spoiled on its way back (``truncated_body``, ``slow_body``)."""
    if failure == "truncated_body":
        return _Truncated(real)
    if failure == "slow_body":
        return _Slow(real, latency_ms / 1000)
    raise ValueError(f"not a failure of the answer: {failure}")
