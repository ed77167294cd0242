"""``/v1/billing``: usage for a period, monthly invoices, and cost estimates."""

from __future__ import annotations

from typing import Any

from lambda_emulator.http.declare import Call, OperationFamily
from lambda_emulator.resources import billing

__all__ = ["OPERATIONS"]

S = "billing.json#/$defs/"
TAG = "Billing"


def get_usage(call: Call) -> Any:
    return billing.usage_view(call.rt, call.account_id, call.query)


def get_estimate(call: Call) -> Any:
    return billing.estimate_view(call.rt, call.query)


op = OperationFamily(tag=TAG, read="billing:read", write="billing:write")

OPERATIONS = [
    op(
        "GET",
        "/billing/usage",
        "getUsage",
        "Get Usage",
        get_usage,
        query=S + "UsageQuery",
        response=S + "Usage",
    ),
    *op.collection(
        "/billing/invoices",
        S,
        "Invoice",
        dict,
        page=billing.list_invoices,
        get=billing.get_invoice,
    ),
    op(
        "GET",
        "/billing/estimate",
        "estimateCost",
        "Estimate Cost",
        get_estimate,
        query=S + "EstimateQuery",
        response=S + "Estimate",
    ),
]
