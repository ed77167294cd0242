"""``/v1/billing``: usage for a period, monthly invoices, and cost estimates."""

from __future__ import annotations

from typing import Any

from lambda_emulator.http.operations import Call, Operation
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


OPERATIONS = [
    Operation(
        "GET",
        "/billing/usage",
        "getUsage",
        "Get Usage",
        TAG,
        get_usage,
        permission="billing:read",
        query=S + "UsageQuery",
        response=S + "Usage",
    ),
    Operation(
        "GET",
        "/billing/invoices",
        "listInvoices",
        "List Invoices",
        TAG,
        list_invoices,
        permission="billing:read",
        query=S + "InvoiceListQuery",
        response=S + "Invoice",
        listing=True,
    ),
    Operation(
        "GET",
        "/billing/invoices/{id}",
        "getInvoice",
        "Get Invoice",
        TAG,
        get_invoice,
        permission="billing:read",
        response=S + "Invoice",
    ),
    Operation(
        "GET",
        "/billing/estimate",
        "estimateCost",
        "Estimate Cost",
        TAG,
        get_estimate,
        permission="billing:read",
        query=S + "EstimateQuery",
        response=S + "Estimate",
    ),
]
