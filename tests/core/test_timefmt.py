from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from lambda_emulator.core.timefmt import format_time, parse_time


def test_format_is_utc_whole_seconds_with_z() -> None:
    moment = datetime(2026, 1, 24, 12, 30, 5, 999999, tzinfo=timezone(timedelta(hours=2)))
    assert format_time(moment) == "2026-01-24T10:30:05Z"


def test_parse_accepts_z_and_offsets_and_refuses_naive() -> None:
    assert parse_time("2026-01-24T10:30:00Z") == datetime(2026, 1, 24, 10, 30, tzinfo=UTC)
    assert parse_time("2026-01-24T12:30:00+02:00") == datetime(2026, 1, 24, 10, 30, tzinfo=UTC)
    with pytest.raises(ValueError):
        parse_time("2026-01-24T10:30:00")


def test_years_before_1000_are_zero_padded_and_out_of_range_utc_is_a_value_error() -> None:
    assert format_time(datetime(524, 8, 15, 17, 2, 42, tzinfo=UTC)) == "0524-08-15T17:02:42Z"
    assert format_time(datetime(1, 1, 1, tzinfo=UTC)) == "0001-01-01T00:00:00Z"
    for text in ("0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00"):
        with pytest.raises(ValueError):
            parse_time(text)
