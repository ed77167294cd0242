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


def list_invoices(call: Call) -> Any:
    return billing.list_invoices(call.rt, call.account_id, call.query)


def get_invoice(call: Call) -> Any:
    return billing.get_invoice(call.rt, call.account_id, call.params["id"])


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
        list_invoices,
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
        get_invoice,
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
