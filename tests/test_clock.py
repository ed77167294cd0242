from __future__ import annotations

from datetime import UTC, datetime

import pytest

from lambda_emulator.clock import Clock

START = datetime(2026, 1, 24, 10, 30, tzinfo=UTC)


class FakeTime:
    """A hand-turned monotonic source: the system clock is the one thing we may not read."""

    def __init__(self) -> None:
        self.t = 100.0

    def __call__(self) -> float:
        return self.t


def test_real_time_times_speed_plus_advance() -> None:
    mono = FakeTime()
    clock = Clock(speed=60, start=START, monotonic=mono)
    assert clock.now() == START
    mono.t += 2
    assert clock.epoch() == START.timestamp() + 120
    clock.advance(30)
    assert clock.epoch() == START.timestamp() + 150


def test_frozen_clock_moves_only_by_advance_and_never_back() -> None:
    mono = FakeTime()
    clock = Clock(speed=0, start=START, monotonic=mono)
    mono.t += 1000
    assert clock.now() == START
    clock.advance_to(START.timestamp() - 50)
    assert clock.now() == START
    with pytest.raises(ValueError):
        clock.advance(-1)


def test_restart_returns_to_the_start_reading() -> None:
    clock = Clock(speed=0, start=START)
    clock.advance(3600)
    clock.restart()
    assert clock.now() == START
