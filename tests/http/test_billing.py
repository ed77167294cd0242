"""``/v1/billing``: usage, invoices and estimates from what happened on the emulator clock."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import httpx

from lambda_emulator.testing.pytest_plugin import EmulatorHandle
from tests.support.envelope import err, ok
from tests.support.resources import HOUR, action, create_instance, instant

DAY = 24 * HOUR
#: From the fixture's start (2026-01-24T10:30:00Z) to 2026-02-01T00:00:00Z.
TO_FEBRUARY = 7 * DAY + 13 * HOUR + 30 * 60


def total_of(items: list[dict[str, Any]]) -> Decimal:
    return sum((Decimal(i["amount"]) for i in items), Decimal(0))


def test_two_hours_then_three_stopped_then_one_more_is_three_hours_everywhere(
    lambda_emulator: EmulatorHandle, client: httpx.Client
) -> None:
    instant(lambda_emulator)
    inst = create_instance(client, "api", "compute-4x")
    lambda_emulator.advance(2 * HOUR)
    action(client, inst["id"], "stop")
    lambda_emulator.advance(3 * HOUR)
    action(client, inst["id"], "start")
    lambda_emulator.advance(HOUR)
    action(client, inst["id"], "stop")

    usage = ok(client.get("/v1/billing/usage"))
    assert (usage["period_start"], usage["period_end"]) == (
        "2026-01-01T00:00:00Z",
        "2026-01-24T16:30:00Z",
    )
    (item,) = usage["line_items"]
    assert item == {
        "resource_id": inst["id"],
        "resource_type": "instance",
        "description": "Instance api (compute-4x)",
        "quantity": "3",
        "unit": "hour",
        "unit_price": "0.1000",
        "amount": "0.30",
    }
    assert (usage["currency"], usage["total"]) == ("USD", "0.30")

    estimate = ok(
        client.get("/v1/billing/estimate", params={"instance_type": "compute-4x", "hours": 3})
    )
    assert estimate["total"] == usage["total"]
    assert estimate["line_items"][0]["amount"] == item["amount"]
    assert estimate["line_items"][0]["quantity"] == item["quantity"]

    (draft,) = ok(client.get("/v1/billing/invoices"))
    assert draft["status"] == "draft"
    assert (draft["total"], draft["line_items"]) == (usage["total"], usage["line_items"])

    lambda_emulator.advance(TO_FEBRUARY - 6 * HOUR + HOUR)  # into February
    invoices = ok(client.get("/v1/billing/invoices"))
    assert [i["status"] for i in invoices] == ["draft", "open"]
    february, january = invoices
    assert january["id"] == draft["id"]
    assert (january["period_start"], january["period_end"]) == (
        "2026-01-01T00:00:00Z",
        "2026-02-01T00:00:00Z",
    )
    assert (january["total"], january["line_items"]) == (usage["total"], usage["line_items"])
    assert (january["issued_at"], january["due_at"], january["paid_at"]) == (
        "2026-02-01T00:00:00Z",
        "2026-02-15T00:00:00Z",
        None,
    )
    assert february["period_start"] == "2026-02-01T00:00:00Z"
    assert february["total"] == "0.00"
    assert ok(client.get(f"/v1/billing/invoices/{january['id']}")) == january
    january_usage = ok(
        client.get(
            "/v1/billing/usage",
            params={"start": "2026-01-01T00:00:00Z", "end": "2026-02-01T00:00:00Z"},
        )
    )
    assert january_usage["line_items"] == january["line_items"]

    lambda_emulator.advance(14 * DAY)
    paid = ok(client.get(f"/v1/billing/invoices/{january['id']}"))
    assert (paid["status"], paid["paid_at"]) == ("paid", "2026-02-15T00:00:00Z")
    assert ok(client.get("/v1/billing/invoices", params={"status": "paid"}))[0]["id"] == paid["id"]


def test_a_running_instance_is_billed_up_to_now_and_split_at_the_month_end(
    lambda_emulator: EmulatorHandle, client: httpx.Client
) -> None:
    instant(lambda_emulator)
    inst = create_instance(client, "batch", "compute-1x")
    lambda_emulator.advance(90 * 60)
    usage = ok(client.get("/v1/billing/usage"))
    # 1.5 h × 0.025 = 0.0375 → 0.04 (half-up to the cent)
    assert [(i["quantity"], i["amount"]) for i in usage["line_items"]] == [("1.5", "0.04")]
    lambda_emulator.advance(TO_FEBRUARY - 90 * 60 + 2 * HOUR)
    january = ok(client.get("/v1/billing/invoices", params={"status": "open"}))[0]
    hours_in_january = Decimal(TO_FEBRUARY) / HOUR  # 181.5
    assert january["line_items"][0]["quantity"] == str(hours_in_january)
    assert Decimal(january["total"]) == (hours_in_january * Decimal("0.025")).quantize(
        Decimal("0.01")
    )
    february = ok(client.get("/v1/billing/usage"))
    assert february["period_start"] == "2026-02-01T00:00:00Z"
    assert february["line_items"][0]["quantity"] == "2"
    assert inst["id"] == february["line_items"][0]["resource_id"]


def test_volumes_and_snapshots_cost_gb_months(
    lambda_emulator: EmulatorHandle, client: httpx.Client
) -> None:
    instant(lambda_emulator)
    volume = ok(
        client.post("/v1/volumes", json={"name": "data", "size_gb": 100, "region": "us-west-1"}),
        201,
    )
    snapshot = ok(client.post("/v1/snapshots", json={"volume_id": volume["id"]}), 201)
    lambda_emulator.advance(73 * HOUR)  # a tenth of a 730-hour month
    usage = ok(client.get("/v1/billing/usage"))
    by_type = {i["resource_type"]: i for i in usage["line_items"]}
    assert by_type["volume"]["resource_id"] == volume["id"]
    assert (by_type["volume"]["quantity"], by_type["volume"]["unit"]) == ("10", "GB-month")
    assert (by_type["volume"]["unit_price"], by_type["volume"]["amount"]) == ("0.10", "1.00")
    assert by_type["snapshot"]["resource_id"] == snapshot["id"]
    assert (by_type["snapshot"]["quantity"], by_type["snapshot"]["amount"]) == ("10", "0.50")
    assert usage["total"] == "1.50"
    ok(client.delete(f"/v1/snapshots/{snapshot['id']}"))
    lambda_emulator.advance(73 * HOUR)
    usage = ok(client.get("/v1/billing/usage"))
    by_type = {i["resource_type"]: i for i in usage["line_items"]}
    assert by_type["snapshot"]["amount"] == "0.50"  # no longer growing once deleted
    assert by_type["volume"]["amount"] == "2.00"
    assert Decimal(usage["total"]) == total_of(usage["line_items"])


def test_usage_is_per_account_and_for_the_window_asked(
    lambda_emulator: EmulatorHandle, client: httpx.Client
) -> None:
    instant(lambda_emulator)
    create_instance(client, "mine", "compute-8x")
    lambda_emulator.advance(10 * HOUR)
    other = lambda_emulator.new_account()
    with lambda_emulator.client(other.api_key) as stranger:
        assert ok(stranger.get("/v1/billing/usage"))["line_items"] == []
    window = ok(
        client.get(
            "/v1/billing/usage",
            params={"start": "2026-01-24T12:00:00Z", "end": "2026-01-24T14:15:00Z"},
        )
    )
    assert window["line_items"][0]["quantity"] == "2.25"
    assert window["total"] == "0.45"
    future = ok(client.get("/v1/billing/usage", params={"end": "2026-03-01T00:00:00Z"}))
    assert future["as_of"] == "2026-01-24T20:30:00Z"  # nothing after now is counted
    assert future["line_items"][0]["quantity"] == "10"


def test_usage_totals_equal_the_sum_of_line_items_for_many_resources(
    lambda_emulator: EmulatorHandle, client: httpx.Client
) -> None:
    instant(lambda_emulator)
    types = ["compute-1x", "compute-2x", "compute-4x", "compute-8x", "compute-16x"]
    ids = [create_instance(client, f"node-{n}", types[n % 5])["id"] for n in range(10)]
    for n, instance_id in enumerate(ids):
        lambda_emulator.advance(7 * 60 + 13 * n)
        action(client, instance_id, "stop")
    usage = ok(client.get("/v1/billing/usage"))
    assert len(usage["line_items"]) == 10
    assert Decimal(usage["total"]) == total_of(usage["line_items"])
    for item in usage["line_items"]:
        recomputed = Decimal(item["quantity"]) * Decimal(item["unit_price"])
        assert Decimal(item["amount"]) == recomputed.quantize(Decimal("0.01"), "ROUND_HALF_UP")


def test_estimates(client: httpx.Client) -> None:
    month = ok(
        client.get(
            "/v1/billing/estimate",
            params={"instance_type": "compute-16x", "count": 3, "volume_size_gb": 500},
        )
    )
    # 3 × 730 h × 0.40 + 3 × 500 GB × 0.10 for a 730-hour month, exactly.
    assert month["total"] == str(3 * 730 * Decimal("0.40") + 3 * 500 * Decimal("0.10"))
    assert (month["hours"], month["count"], month["currency"]) == ("730", 3, "USD")
    assert [i["resource_type"] for i in month["line_items"]] == ["instance", "volume"]
    assert all(i["resource_id"] is None for i in month["line_items"])
    assert Decimal(month["total"]) == total_of(month["line_items"])
    half = ok(
        client.get(
            "/v1/billing/estimate",
            params={"instance_type": "compute-2x", "hours": "0.5", "snapshot_size_gb": 40},
        )
    )
    assert [i["quantity"] for i in half["line_items"]] == ["0.5", "0.027397"]
    assert half["total"] == "0.03"


def test_estimate_rejects_bad_input(client: httpx.Client) -> None:
    url = "/v1/billing/estimate"
    error = err(client.get(url, params={"instance_type": "gpu-1x"}), 400, "invalid_request")
    assert error["details"]["field"] == "instance_type"
    assert "compute-4x" in error["details"]["allowed_values"]
    error = err(client.get(url), 400, "invalid_request")
    assert error["details"] == {"field": "instance_type", "constraint": "required"}
    for params in ({"count": 0}, {"hours": 0}, {"hours": "lots"}, {"volume_size_gb": -1}):
        error = err(
            client.get(url, params={"instance_type": "compute-1x", **params}),
            400,
            "invalid_request",
        )
        assert error["details"]["field"] == next(iter(params))
    error = err(
        client.get(url, params={"instance_type": "compute-1x", "hours": "nan"}),
        400,
        "invalid_request",
    )
    assert error["details"]["field"] == "hours"


def test_invoices_404_and_permissions(
    lambda_emulator: EmulatorHandle, client: httpx.Client
) -> None:
    (draft,) = ok(client.get("/v1/billing/invoices"))
    err(client.get("/v1/billing/invoices/inv_doesnotexist"), 404, "not_found")
    other = lambda_emulator.new_account()
    with lambda_emulator.client(other.api_key) as stranger:
        err(stranger.get(f"/v1/billing/invoices/{draft['id']}"), 404, "not_found")
        (theirs,) = ok(stranger.get("/v1/billing/invoices"))
        assert theirs["id"] != draft["id"]
    key = ok(
        client.post(
            "/v1/account/api-keys", json={"name": "ops", "permissions": ["monitoring:read"]}
        ),
        201,
    )
    with lambda_emulator.client(key["key"]) as limited:
        for path in ("usage", "invoices", f"invoices/{draft['id']}", "estimate"):
            error = err(limited.get(f"/v1/billing/{path}"), 403, "forbidden")
            assert error["details"]["permission"] == "billing:read"
    err(client.get("/v1/billing/usage", params={"start": "soon"}), 400, "invalid_request")
    error = err(
        client.get(
            "/v1/billing/usage",
            params={"start": "2026-01-20T00:00:00Z", "end": "2026-01-10T00:00:00Z"},
        ),
        400,
        "invalid_request",
    )
    assert error["details"]["field"] == "start"


def test_every_closed_month_gets_one_invoice(
    lambda_emulator: EmulatorHandle, client: httpx.Client
) -> None:
    instant(lambda_emulator)
    create_instance(client, "always-on", "compute-2x")
    lambda_emulator.advance(TO_FEBRUARY + 28 * DAY + 31 * DAY + HOUR)  # into April
    invoices = ok(client.get("/v1/billing/invoices", params={"order": "asc"}))
    assert [i["period_start"][:7] for i in invoices] == ["2026-01", "2026-02", "2026-03", "2026-04"]
    assert [i["status"] for i in invoices] == ["paid", "paid", "open", "draft"]
    assert [i["line_items"][0]["quantity"] for i in invoices[1:3]] == ["672", "744"]
    assert [i["total"] for i in invoices[1:3]] == ["33.60", "37.20"]
    ids = {i["id"] for i in invoices}
    assert len(ids) == 4
    page = ok(client.get("/v1/billing/invoices", params={"limit": 2}))
    assert [i["period_start"][:7] for i in page] == ["2026-04", "2026-03"]


def test_a_resized_instance_is_billed_at_each_type_and_still_after_deletion(
    lambda_emulator: EmulatorHandle, client: httpx.Client
) -> None:
    instant(lambda_emulator)
    inst = create_instance(client, "grower", "compute-1x")
    lambda_emulator.advance(HOUR)
    action(client, inst["id"], "stop")
    ok(client.post(f"/v1/instances/{inst['id']}/resize", json={"instance_type": "compute-8x"}))
    action(client, inst["id"], "start")
    lambda_emulator.advance(2 * HOUR)
    ok(client.delete(f"/v1/instances/{inst['id']}"))
    lambda_emulator.advance(HOUR)
    items = ok(client.get("/v1/billing/usage"))["line_items"]
    assert [(i["resource_id"], i["unit_price"], i["quantity"], i["amount"]) for i in items] == [
        (inst["id"], "0.0250", "1", "0.03"),  # 0.025 → 0.03, half-up
        (inst["id"], "0.2000", "2", "0.40"),
    ]


def test_usage_periods_before_year_1000_keep_four_digit_years(client: httpx.Client) -> None:
    """Found by fuzzing: ``start=0524-…`` answered 500 (strict mode): ``period_start`` came
    out as ``524-08-15T17:02:42Z``."""
    data = ok(client.get("/v1/billing/usage", params={"start": "0524-08-15T17:02:42Z"}))
    assert data["period_start"] == "0524-08-15T17:02:42Z"
    assert data["total"] == "0.00"


def test_usage_times_outside_utc_years_1_to_9999_are_a_400(client: httpx.Client) -> None:
    """Found by fuzzing: a valid RFC 3339 time whose UTC reading falls outside datetime's
    range raised OverflowError (500) instead of being refused."""
    for name, value in (
        ("start", "0001-01-01T00:00:00+01:00"),
        ("end", "9999-12-31T23:59:59-01:00"),
    ):
        error = err(client.get("/v1/billing/usage", params={name: value}), 400, "invalid_request")
        assert error["details"]["field"] == name
