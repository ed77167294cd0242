"""uvicorn's HTTP protocol, lending each request the socket control that network faults need.

ASGI gives an application messages, never the socket, so a fault that must reset or close the
connection (``http.network_faults``) needs the server's help. The help is this thin subclass of
the protocol uvicorn would pick itself (httptools, else h11): when a connection is made it
wraps the transport in a ``SocketControl`` and adds it to the protocol's ``app_state``, which
uvicorn copies into every request's ``scope["state"]``. That copy happens for every request
anyway, so the normal path pays nothing: no extra call, no lookup, one more key in a dict that
is copied regardless. Only the two protocol callbacks at a connection's start and end change.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import struct
from typing import Any

from lambda_emulator.http.network_faults import CONNECTION_KEY

__all__ = ["SocketControl", "protocol_class"]

#: How long a close may wait for the client to take what was written before giving up on it.
CLOSE_WAIT_SECONDS = 5.0
#: ``struct linger`` with ``l_onoff=1, l_linger=0``: close() discards and sends RST.
_LINGER_RESET = struct.pack("ii", 1, 0)


class SocketControl:
    """One connection's socket, as far as a network fault may touch it."""

    __slots__ = ("_gone", "_lost", "_transport")

    def __init__(self, transport: asyncio.Transport) -> None:
        self._transport = transport
        self._lost = False
        self._gone: asyncio.Future[None] | None = None

    async def reset(self) -> None:
        """Abort with a TCP RST: zero linger makes the kernel reset rather than close."""
        sock = self._transport.get_extra_info("socket")
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, _LINGER_RESET)
        self._transport.abort()
        await self._wait_until_gone()

    async def close(self) -> None:
        """Close with a FIN once what was written has been flushed."""
        self._transport.close()
        await self._wait_until_gone()

    def connection_lost(self) -> None:
        self._lost = True
        if self._gone is not None and not self._gone.done():
            self._gone.set_result(None)

    async def _wait_until_gone(self) -> None:
        """Return once the protocol saw the connection go, so uvicorn knows the exchange is
        over (it would otherwise answer a 500 for an app that "returned without a response")."""
        if self._lost:
            return
        self._gone = asyncio.get_running_loop().create_future()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._gone, CLOSE_WAIT_SECONDS)


def _base() -> type[asyncio.Protocol]:
    try:
        import httptools  # noqa: F401
    except ImportError:  # pragma: no cover - uvicorn[standard] brings httptools
        from uvicorn.protocols.http.h11_impl import H11Protocol

        return H11Protocol
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

    return HttpToolsProtocol


def protocol_class() -> type[asyncio.Protocol]:
    """uvicorn's own HTTP protocol, plus a ``SocketControl`` in every request's state."""
    base: Any = _base()

    class ControlledProtocol(base):  # type: ignore[misc]
        def connection_made(self, transport: asyncio.Transport) -> None:
            super().connection_made(transport)
            self._socket_control = SocketControl(transport)
            shared: dict[str, Any] = getattr(self, "app_state")  # noqa: B009 (untyped base)
            self.app_state = {**shared, CONNECTION_KEY: self._socket_control}

        def connection_lost(self, exc: Exception | None) -> None:
            control: SocketControl | None = getattr(self, "_socket_control", None)
            if control is not None:
                control.connection_lost()
            super().connection_lost(exc)

    ControlledProtocol.__name__ = ControlledProtocol.__qualname__ = f"Controlled{base.__name__}"
    return ControlledProtocol
