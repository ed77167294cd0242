"""``/v1/billing``: usage for a period, monthly invoices, and cost estimates."""

from __future__ import annotations

from typing import Any

from lambda_emulator.http.declare import Call, OperationFamily, lists, on_resource
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
        permission="billing:read",
        query=S + "UsageQuery",
        response=S + "Usage",
    ),
    op(
        "GET",
        "/billing/invoices",
        "listInvoices",
        "List Invoices",
        lists(billing.list_invoices),
        permission="billing:read",
        query=S + "InvoiceListQuery",
        response=S + "Invoice",
        listing=True,
    ),
    op(
        "GET",
        "/billing/invoices/{id}",
        "getInvoice",
        "Get Invoice",
        on_resource(billing.get_invoice, dict),
        permission="billing:read",
        response=S + "Invoice",
    ),
    op(
        "GET",
        "/billing/estimate",
        "estimateCost",
        "Estimate Cost",
        get_estimate,
        permission="billing:read",
        query=S + "EstimateQuery",
        response=S + "Estimate",
    ),
]
