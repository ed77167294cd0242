"""The emulator clock: real time × a speed factor, plus whatever tests have advanced it by.

This is the one place that reads the system time. Everything else is handed ``clock.now()``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime

__all__ = ["Clock"]


class Clock:
    """Monotonic emulator time; ``advance`` only ever moves it forward."""

    def __init__(
        self,
        speed: float = 1.0,
        start: datetime | None = None,
        *,
        wall: Callable[[], float] = time.time,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._wall = wall
        self._monotonic = monotonic
        self._configured_start = start
        self._configured_speed = speed
        self.restart()

    def restart(self) -> None:
        """Back to the start-up reading and speed, with no advance applied (used by reset)."""
        self._speed = self._configured_speed
        start = self._configured_start
        self._origin = start.timestamp() if start is not None else self._wall()
        self._mono0 = self._monotonic()
        self._offset = 0.0

    @property
    def speed(self) -> float:
        return self._speed

    def epoch(self) -> float:
        return self._origin + (self._monotonic() - self._mono0) * self._speed + self._offset

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.epoch(), tz=UTC)

    def set_speed(self, speed: float) -> None:
        """Run at ``speed`` from this reading on (until a restart); time never jumps."""
        if speed < 0:
            raise ValueError("the speed cannot be negative")
        reading = self.epoch()
        self._mono0 = self._monotonic()
        self._origin = reading - self._offset
        self._speed = speed

    def advance(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError("the clock only moves forward")
        self._offset += seconds

    def advance_to(self, epoch: float) -> None:
        """Move to ``epoch`` if it lies ahead; a reading in the past is ignored."""
        gap = epoch - self.epoch()
        if gap > 0:
            self._offset += gap

    def sleep_seconds(self, emulated: float) -> float:
        """Real seconds until ``emulated`` seconds of emulator time pass (inf when frozen)."""
        if self._speed == 0:
            return float("inf")
        return max(0.0, emulated / self._speed)

    def __repr__(self) -> str:
        return f"Clock(now={self.now().isoformat()}, speed={self._speed})"
