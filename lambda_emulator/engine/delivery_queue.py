"""The in-process queue of webhook deliveries ready to send: a wake-up list, not storage.

Everything a delivery needs is in the store; the queue only says which ids the sender should
look at now, and which are being sent. It is ``rt.deliveries``, and only the event loop's
thread touches it.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

__all__ = ["DeliveryQueue"]


@dataclass
class DeliveryQueue:
    """Delivery ids ready to send now, and which ones are being sent.

    Only the event loop's thread touches it. ``generation`` changes on
    reset, so an attempt that started before a reset never writes into the new state.
    """

    ready: deque[str] = field(default_factory=deque)
    queued: set[str] = field(default_factory=set)
    in_flight: set[str] = field(default_factory=set)
    generation: int = 0
    #: Called when ids are added (the sender wakes up) and on reset (it cancels its tasks).
    on_ready: list[Callable[[], None]] = field(default_factory=list)
    on_reset: list[Callable[[], None]] = field(default_factory=list)
    #: Set by the running sender: waits up to N seconds until nothing is queued or in flight.
    drainer: Callable[[float], Awaitable[bool]] | None = None

    def push(self, delivery_id: str) -> None:
        if delivery_id not in self.queued:
            self.queued.add(delivery_id)
            self.ready.append(delivery_id)
        for wake in self.on_ready:
            wake()

    def pop(self) -> str:
        delivery_id = self.ready.popleft()
        self.queued.discard(delivery_id)
        return delivery_id

    def clear(self) -> None:
        self.generation += 1
        self.ready.clear()
        self.queued.clear()
        self.in_flight.clear()
        for hook in self.on_reset:
            hook()
