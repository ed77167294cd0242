"""The webhook sender: an asyncio task in the app's lifespan, never inside an API request.

It waits for delivery ids on the runtime's ``DeliveryQueue`` and sends each in a task of its
own (so one slow receiver holds up nothing else), bounded by ``--webhook-timeout`` per attempt.
Each result is written through ``engine.delivery_log.record_attempt`` in one store
transaction; failures come back as retry jobs on the emulator clock.

On start it queues what a previous run left pending without a retry job (queued or in flight
when it stopped), so with ``--state-file`` nothing is lost across a restart. ``drain`` lets a
caller wait until everything that is due has been attempted.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import time
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from lambda_emulator import __version__
from lambda_emulator.engine import delivery_log
from lambda_emulator.runtime import Runtime

if TYPE_CHECKING:
    import httpx

__all__ = ["DeliverySender"]

log = logging.getLogger("lambda_emulator")

USER_AGENT = f"LambdaEmulator-Webhooks/{__version__}"
#: How much of a receiver's answer each attempt keeps, for the delivery log.
RESPONSE_EXCERPT = 1024
#: Attempts in flight at once, in all and towards one receiver (scheme, host and port).
MAX_IN_FLIGHT = 512
MAX_PER_ORIGIN = 64
#: Real seconds before a delivery whose attempt could not be recorded is tried again.
RECORD_RETRY_SECONDS = 5.0


class DeliverySender:
    """Sends queued deliveries from the app's event loop.

    ``transport`` is httpx's one-method seam: a test may hand one in (an in-memory receiver)
    to see what is sent without a socket; by default deliveries go over the network."""

    def __init__(self, rt: Runtime, transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.rt = rt
        self._transport = transport
        self.queue = rt.deliveries
        self._wake = asyncio.Event()
        self._idle = asyncio.Event()
        self._idle.set()
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._again: set[str] = set()
        self._slots = asyncio.Semaphore(MAX_IN_FLIGHT)
        self._origins: dict[str, asyncio.Semaphore] = {}
        self._loop_task: asyncio.Task[None] | None = None
        self._client: httpx.AsyncClient | None = None

    # lifecycle -----------------------------------------------------------------------------
    def start(self) -> None:
        self.queue.on_ready.append(self._notify)
        self.queue.on_reset.append(self._cancel_all)
        self.queue.drainer = self.drain
        for delivery_id in delivery_log.pending_unscheduled(self.rt):
            self.queue.push(delivery_id)
        self._notify()
        self._loop_task = asyncio.create_task(self._run(), name="webhook-sender")

    def _http(self) -> httpx.AsyncClient:
        """The HTTP client, made on the first delivery: httpx takes ~0.1 s to import, which
        start-up need not pay when no webhook is ever sent."""
        if self._client is None:
            import httpx

            self._client = httpx.AsyncClient(
                transport=self._transport,
                follow_redirects=False,
                limits=httpx.Limits(max_connections=MAX_IN_FLIGHT, max_keepalive_connections=64),
            )
        return self._client

    async def stop(self) -> None:
        """Stop sending; what is unfinished stays pending in the store for the next start."""
        self.queue.on_ready.remove(self._notify)
        self.queue.on_reset.remove(self._cancel_all)
        self.queue.drainer = None
        tasks = [t for t in (self._loop_task, *self._tasks.values()) if t is not None]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks.clear()
        if self._client is not None:
            await self._client.aclose()

    # waiting -------------------------------------------------------------------------------
    def busy(self) -> bool:
        return bool(self.queue.ready or self._tasks)

    async def drain(self, timeout: float) -> bool:
        """Wait until nothing is queued or in flight; False if ``timeout`` passed first."""
        try:
            async with asyncio.timeout(timeout):
                while self.busy():
                    self._idle.clear()
                    await self._idle.wait()
        except TimeoutError:
            return False
        return True

    # internals -----------------------------------------------------------------------------
    def _notify(self) -> None:
        self._idle.clear()
        self._wake.set()

    def _cancel_all(self) -> None:
        for task in self._tasks.values():
            task.cancel()
        self._tasks.clear()
        self._again.clear()
        self._settle()

    def _settle(self) -> None:
        if not self.busy():
            self._idle.set()

    async def _run(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            while self.queue.ready:
                delivery_id = self.queue.pop()
                if delivery_id in self._tasks:  # being sent: look again once that attempt ends
                    self._again.add(delivery_id)
                    continue
                task = asyncio.create_task(self._attempt(delivery_id), name=delivery_id)
                self._tasks[delivery_id] = task
                task.add_done_callback(functools.partial(self._done, delivery_id))
            self._settle()

    def _done(self, delivery_id: str, task: asyncio.Task[None]) -> None:
        if self._tasks.get(delivery_id) is task:
            del self._tasks[delivery_id]
            if delivery_id in self._again:
                self._again.discard(delivery_id)
                self.queue.push(delivery_id)  # sent only if still pending with no retry job
        if not task.cancelled() and task.exception() is not None:
            log.error("webhook delivery %s crashed", delivery_id, exc_info=task.exception())
        self._settle()

    def _origin_slots(self, url: str) -> asyncio.Semaphore:
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        slots = self._origins.get(origin)
        if slots is None:
            slots = self._origins[origin] = asyncio.Semaphore(MAX_PER_ORIGIN)
        return slots

    async def _attempt(self, delivery_id: str) -> None:
        rt = self.rt
        first = delivery_log.prepare(rt, delivery_id, USER_AGENT)
        if first is None:
            return
        # Wait for a free slot before the attempt (and its timeout) starts, so a hung receiver
        # holds at most MAX_PER_ORIGIN connections and never starves the others.
        async with self._origin_slots(first.url), self._slots:
            await self._send(delivery_id)

    async def _send(self, delivery_id: str) -> None:
        rt = self.rt
        out = delivery_log.prepare(rt, delivery_id, USER_AGENT)  # afresh: it may have changed
        if out is None:
            return
        self.queue.in_flight.add(delivery_id)
        at = rt.timestamp()
        started = time.perf_counter()
        status: int | None = None
        excerpt: str | None = None
        error = out.error
        if error is None:
            try:
                status, excerpt = await self._post(out)
            except TimeoutError:
                error = f"timed out after {out.timeout:g} s"
            except Exception as exc:  # httpx.HTTPError and what the transport raises
                if not _is_http_error(exc):
                    raise
                error = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        latency_ms = (time.perf_counter() - started) * 1000
        self.queue.in_flight.discard(delivery_id)
        if out.generation != self.queue.generation:
            return  # the emulator was reset while this attempt ran
        try:
            with rt.transaction():
                delivery_log.record_attempt(
                    rt,
                    out,
                    at=at,
                    status_code=status,
                    latency_ms=latency_ms,
                    error=error,
                    response_body=excerpt,
                )
        except Exception:
            # Rolled back, so still pending with no retry job: try again shortly rather than
            # leave it stranded until the next start.
            log.exception("recording webhook delivery %s failed; retrying it", delivery_id)
            asyncio.get_running_loop().call_later(
                RECORD_RETRY_SECONDS, self.queue.push, delivery_id
            )

    async def _post(self, out: delivery_log.Outgoing) -> tuple[int, str]:
        client = self._http()
        async with asyncio.timeout(out.timeout):
            async with client.stream(
                "POST", out.url, content=out.body, headers=out.headers, timeout=out.timeout
            ) as response:
                chunks: list[bytes] = []
                size = 0
                async for chunk in response.aiter_bytes():
                    chunks.append(chunk)
                    size += len(chunk)
                    if size >= RESPONSE_EXCERPT:
                        break
                raw = b"".join(chunks)[:RESPONSE_EXCERPT]
                return response.status_code, raw.decode("utf-8", errors="replace")


def _is_http_error(exc: BaseException) -> bool:
    import httpx

    return isinstance(exc, httpx.HTTPError)
