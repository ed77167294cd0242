"""``core.billing``: exact decimal arithmetic and the documented rounding rule."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import pytest

from lambda_emulator.core import billing as b

PRICES = b.PriceBook(
    currency="USD",
    hourly={"compute-1x": Decimal("0.0250"), "compute-4x": Decimal("0.1000")},
    volume_gb_month=Decimal("0.10"),
    snapshot_gb_month=Decimal("0.05"),
    hours_per_month=730,
)
H = 3_600_000  # milliseconds in an hour


def meter(
    rid: str, sku: str, start_h: float, end_h: float | None, qty: int = 1, rtype: str = ""
) -> b.MeterSpan:
    kind = rtype or ("instance" if sku.startswith("compute") else sku)
    return b.MeterSpan(
        rid,
        kind,
        f"{kind} {rid}",
        sku,
        Decimal(qty),
        round(start_h * H),
        None if end_h is None else round(end_h * H),
    )


@pytest.mark.parametrize(
    ("value", "places", "expected"),
    [
        (Fraction(5, 1000), 2, "0.01"),
        (Fraction(4999, 1000000), 2, "0.00"),
        (Fraction(15, 1000), 2, "0.02"),
        (Fraction(25, 1000), 2, "0.03"),  # half-up, not banker's rounding
        (Fraction(-5, 1000), 2, "-0.01"),
        (Fraction(1, 3), 6, "0.333333"),
        (Fraction(2, 3), 6, "0.666667"),
        (Decimal("0.0000005"), 6, "0.000001"),
        (Fraction(100, 730), 6, "0.136986"),
    ],
)
def test_round_half_up(value: Fraction | Decimal, places: int, expected: str) -> None:
    assert str(b.round_half_up(value, places)) == expected


@pytest.mark.parametrize(
    ("value", "money", "plain"),
    [
        ("3", "3.00", "3"),
        ("0.300000", "0.30", "0.3"),
        ("12.345", "12.35", "12.345"),
        ("0", "0.00", "0"),
    ],
)
def test_text_forms(value: str, money: str, plain: str) -> None:
    assert b.money_text(Decimal(value)) == money
    assert b.decimal_text(Decimal(value)) == plain


def test_two_runs_of_one_instance_are_one_line_item_of_exact_hours() -> None:
    stmt = b.usage(
        [meter("inst_a", "compute-4x", 0, 2), meter("inst_a", "compute-4x", 5, 6)],
        0,
        10 * H,
        PRICES,
    )
    (item,) = stmt.line_items
    assert (item.quantity, item.unit, item.unit_price, item.amount) == (
        Decimal("3.000000"),
        "hour",
        Decimal("0.1000"),
        Decimal("0.30"),
    )
    assert stmt.total == Decimal("0.30")


def test_meters_are_clipped_to_the_period_and_open_ones_run_to_its_end() -> None:
    meters = [meter("inst_a", "compute-4x", -5, 1), meter("inst_b", "compute-1x", 2, None)]
    stmt = b.usage(meters, 0, 4 * H, PRICES)
    assert [(i.resource_id, i.quantity) for i in stmt.line_items] == [
        ("inst_a", Decimal("1.000000")),
        ("inst_b", Decimal("2.000000")),
    ]
    assert b.usage(meters, 10 * H, 20 * H, PRICES).line_items == (
        b.usage([meter("inst_b", "compute-1x", 10, 20)], 10 * H, 20 * H, PRICES).line_items
    )
    assert b.usage(meters, -10 * H, -5 * H, PRICES).line_items == ()


def test_volumes_and_snapshots_are_gb_months() -> None:
    stmt = b.usage(
        [meter("vol_a", "volume", 0, 730, qty=100), meter("snap_a", "snapshot", 0, 1, qty=10)],
        0,
        730 * H,
        PRICES,
    )
    vol, snap = stmt.line_items
    assert (vol.quantity, vol.unit, vol.amount) == (Decimal(100), "GB-month", Decimal("10.00"))
    # 10 GB for one hour: 10/730 GB-month = 0.013699 (rounded), × 0.05 = 0.00068 → 0.00
    assert (snap.quantity, snap.amount) == (Decimal("0.013699"), Decimal("0.00"))


def test_a_resized_volume_has_one_line_item_per_size() -> None:
    stmt = b.usage(
        [meter("vol_a", "volume", 0, 365, qty=100), meter("vol_a", "volume", 365, 730, qty=200)],
        0,
        730 * H,
        PRICES,
    )
    assert [(i.quantity, i.amount) for i in stmt.line_items] == [
        (Decimal(50), Decimal("5.00")),
        (Decimal(100), Decimal("10.00")),
    ]


def test_amount_is_quantity_times_price_rounded_and_total_is_the_exact_sum() -> None:
    rng = random.Random(42)
    skus = ["compute-1x", "compute-4x", "volume", "snapshot"]
    meters = []
    for n in range(300):
        start = rng.randrange(0, 700 * H)
        end = start + rng.randrange(1, 100 * H)
        meters.append(
            b.MeterSpan(
                f"r{n % 97}", "x", "d", skus[n % 4], Decimal(rng.randint(1, 500)), start, end
            )
        )
    stmt = b.usage(meters, 0, 730 * H, PRICES)
    for item in stmt.line_items:
        expected = (item.quantity * item.unit_price).quantize(Decimal("0.01"), ROUND_HALF_UP)
        assert item.amount == expected
        assert item.quantity == item.quantity.quantize(Decimal("0.000001"))
    assert stmt.total == sum(i.amount for i in stmt.line_items)
    views = [i.view() for i in stmt.line_items]
    assert sum(Decimal(v["amount"] or "0") for v in views) == stmt.total


@pytest.mark.parametrize("instance_type", ["compute-1x", "compute-4x"])
@pytest.mark.parametrize("count", [1, 3, 50])
def test_estimate_for_a_month_is_count_times_hours_times_price_exactly(
    instance_type: str, count: int
) -> None:
    stmt = b.estimate(
        PRICES, instance_type=instance_type, count=count, hours=Decimal(730), volume_size_gb=250
    )
    exact = count * 730 * PRICES.hourly[instance_type] + count * 250 * Decimal("0.10")
    assert stmt.total == exact
    assert [i.resource_type for i in stmt.line_items] == ["instance", "volume"]


def test_estimate_uses_the_same_rounding_as_usage() -> None:
    planned = b.estimate(PRICES, instance_type="compute-1x", count=1, hours=Decimal(3))
    used = b.usage([meter("inst_a", "compute-1x", 0, 3)], 0, 3 * H, PRICES)
    # 3 × 0.025 = 0.075 → 0.08 in both
    assert planned.total == used.total == Decimal("0.08")
    extra = b.estimate(
        PRICES, instance_type="compute-1x", count=2, hours=Decimal("1.5"), snapshot_size_gb=20
    )
    assert [i.quantity for i in extra.line_items] == [Decimal("3.000000"), Decimal("0.082192")]


def test_unknown_sku_is_a_bug_not_a_free_resource() -> None:
    with pytest.raises(KeyError):
        b.usage([meter("inst_a", "compute-99x", 0, 1)], 0, H, PRICES)


@pytest.mark.parametrize(
    ("moment", "start", "following"),
    [
        (datetime(2026, 1, 24, 10, 30, tzinfo=UTC), "2026-01-01", "2026-02-01"),
        (datetime(2026, 12, 31, 23, 59, tzinfo=UTC), "2026-12-01", "2027-01-01"),
        (datetime(2026, 3, 1, 0, 0, tzinfo=UTC), "2026-03-01", "2026-04-01"),
    ],
)
def test_month_boundaries(moment: datetime, start: str, following: str) -> None:
    assert b.month_start(moment).date().isoformat() == start
    assert b.next_month_start(moment).date().isoformat() == following
