"""Billing arithmetic: meter intervals × prices → line items and totals, in exact decimals.

The rounding rule, applied the same way to usage, invoices and estimates:

1. Time is counted in whole milliseconds of emulator time, clipped to the billed period.
2. A line item's ``quantity`` is its exact usage (instance-hours, or GB-months for volumes and
   snapshots, where a month is ``hours_per_month`` hours) rounded half-up to 6 decimal places.
3. Its ``amount`` is ``quantity × unit_price`` rounded half-up to the cent, so anyone can
   recompute an amount from the two numbers beside it.
4. A ``total`` is the exact sum of its line items' amounts: no second rounding, no drift.

Money is ``Decimal`` throughout (``Fraction`` where a division would not terminate), never a
binary float.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import NamedTuple

__all__ = [
    "QUANTITY_PLACES",
    "LineItem",
    "MeterSpan",
    "PriceBook",
    "Statement",
    "decimal_text",
    "estimate",
    "money_text",
    "month_start",
    "next_month_start",
    "round_half_up",
    "usage",
]

QUANTITY_PLACES = 6
_CENT = Decimal("0.01")
_MS_PER_HOUR = 3_600_000
_TYPE_ORDER = {"instance": 0, "volume": 1, "snapshot": 2}


@dataclass(frozen=True)
class PriceBook:
    currency: str
    hourly: Mapping[str, Decimal]
    volume_gb_month: Decimal
    snapshot_gb_month: Decimal
    hours_per_month: int

    def rate(self, sku: str) -> tuple[str, Decimal, int]:
        """(unit, unit price, milliseconds per unit of time) for a meter's ``sku``."""
        if sku == "volume":
            return "GB-month", self.volume_gb_month, self.hours_per_month * _MS_PER_HOUR
        if sku == "snapshot":
            return "GB-month", self.snapshot_gb_month, self.hours_per_month * _MS_PER_HOUR
        if sku in self.hourly:
            return "hour", self.hourly[sku], _MS_PER_HOUR
        raise KeyError(f"no price for sku '{sku}'")


class MeterSpan(NamedTuple):
    """One meter: ``quantity`` units of ``sku`` billed from ``started_ms`` to ``ended_ms``."""

    resource_id: str
    resource_type: str
    description: str
    sku: str
    quantity: int | Decimal
    started_ms: int
    ended_ms: int | None


@dataclass(frozen=True)
class LineItem:
    resource_id: str | None
    resource_type: str
    description: str
    quantity: Decimal
    unit: str
    unit_price: Decimal
    amount: Decimal

    def view(self) -> dict[str, str | None]:
        return {
            "resource_id": self.resource_id,
            "resource_type": self.resource_type,
            "description": self.description,
            "quantity": decimal_text(self.quantity),
            "unit": self.unit,
            "unit_price": f"{self.unit_price:f}",
            "amount": money_text(self.amount),
        }


@dataclass(frozen=True)
class Statement:
    currency: str
    line_items: tuple[LineItem, ...]

    @property
    def total(self) -> Decimal:
        return sum((item.amount for item in self.line_items), Decimal("0.00"))


def round_half_up(value: Fraction | Decimal, places: int) -> Decimal:
    """``value`` rounded half away from zero to ``places`` decimals, exactly."""
    exact = Fraction(value) * 10**places
    magnitude = (abs(exact) + Fraction(1, 2)).__floor__()
    result = Decimal(magnitude if exact >= 0 else -magnitude).scaleb(-places)
    return result.quantize(Decimal(1).scaleb(-places))


def money_text(amount: Decimal) -> str:
    """Money on the wire: a plain decimal string with exactly two places (``"12.30"``)."""
    return f"{amount.quantize(_CENT, rounding=ROUND_HALF_UP):f}"


def decimal_text(value: Decimal) -> str:
    """A quantity or price without exponent or trailing zeros (``"3"``, ``"0.136986"``)."""
    text = f"{value:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


@functools.lru_cache(maxsize=256)
def _ratio(price: Decimal) -> tuple[int, int]:
    """A price as an exact integer fraction (prices are few; each is converted once)."""
    return price.as_integer_ratio()


def _item(
    resource_id: str | None,
    resource_type: str,
    description: str,
    exact_quantity: Fraction | tuple[int, int],
    unit: str,
    unit_price: Decimal,
) -> LineItem:
    """Round by the rule, in integers (this runs once per line item of every usage read);
    the exact quantity is a Fraction or a (numerator, denominator) pair."""
    if isinstance(exact_quantity, Fraction):
        num, den = exact_quantity.numerator, exact_quantity.denominator
    else:
        num, den = exact_quantity
    scale = 10**QUANTITY_PLACES
    micro = (2 * num * scale + den) // (2 * den)  # half-up; quantities are never negative
    p_num, p_den = _ratio(unit_price)
    cents = (2 * micro * p_num * 100 + scale * p_den) // (2 * scale * p_den)
    return LineItem(
        resource_id,
        resource_type,
        description,
        Decimal(micro).scaleb(-QUANTITY_PLACES),
        unit,
        unit_price,
        Decimal(cents).scaleb(-2),
    )


def usage(meters: Iterable[MeterSpan], start_ms: int, end_ms: int, prices: PriceBook) -> Statement:
    """What ``meters`` cost between ``start_ms`` and ``end_ms`` (an open meter runs to
    ``end_ms``): one line item per resource and billed configuration (sku and quantity), with
    all of its intervals in the period added up before rounding."""
    totals: dict[tuple[str, str, str, int | Decimal], int] = {}
    first_seen: dict[tuple[str, str, str, int | Decimal], tuple[int, str]] = {}
    for meter in meters:
        begin = max(meter.started_ms, start_ms)
        finish = end_ms if meter.ended_ms is None else min(meter.ended_ms, end_ms)
        if finish <= begin:
            continue
        key = (meter.resource_type, meter.resource_id, meter.sku, meter.quantity)
        totals[key] = totals.get(key, 0) + (finish - begin)
        seen = first_seen.get(key)
        # The description of the latest interval wins (a renamed resource shows its new name).
        if seen is None or meter.started_ms >= seen[0]:
            first_seen[key] = (meter.started_ms, meter.description)
    items = []
    for key in sorted(totals, key=lambda k: (_TYPE_ORDER.get(k[0], 9), k[1], k[2], k[3])):
        resource_type, resource_id, sku, quantity = key
        unit, price, ms_per_unit = prices.rate(sku)
        q_num, q_den = quantity.as_integer_ratio()
        exact = (q_num * totals[key], q_den * ms_per_unit)
        items.append(_item(resource_id, resource_type, first_seen[key][1], exact, unit, price))
    return Statement(prices.currency, tuple(items))


def estimate(
    prices: PriceBook,
    *,
    instance_type: str,
    count: int,
    hours: Decimal,
    volume_size_gb: int = 0,
    snapshot_size_gb: int = 0,
) -> Statement:
    """The cost of ``count`` instances of ``instance_type`` (each with a volume and a snapshot
    of the given sizes) for ``hours``, by the same rounding rule as usage."""
    exact_hours = Fraction(hours)
    plural = "s" if count != 1 else ""
    items = [
        _item(
            None,
            "instance",
            f"{count} × {instance_type} instance{plural} for {decimal_text(hours)} hours",
            count * exact_hours,
            "hour",
            prices.hourly[instance_type],
        )
    ]
    months = exact_hours / prices.hours_per_month
    for resource_type, size, price in (
        ("volume", volume_size_gb, prices.volume_gb_month),
        ("snapshot", snapshot_size_gb, prices.snapshot_gb_month),
    ):
        if size > 0:
            items.append(
                _item(
                    None,
                    resource_type,
                    f"{count} × {size} GB {resource_type}{plural} for {decimal_text(hours)} hours",
                    count * size * months,
                    "GB-month",
                    price,
                )
            )
    return Statement(prices.currency, tuple(items))


def month_start(moment: datetime) -> datetime:
    """Midnight UTC on the first day of ``moment``'s month."""
    moment = moment.astimezone(UTC)
    return datetime(moment.year, moment.month, 1, tzinfo=UTC)


def next_month_start(moment: datetime) -> datetime:
    start = month_start(moment)
    if start.month == 12:
        return datetime(start.year + 1, 1, 1, tzinfo=UTC)
    return datetime(start.year, start.month + 1, 1, tzinfo=UTC)
