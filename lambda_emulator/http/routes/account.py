"""``/v1/account``: the caller's account, its quota, and its API keys."""

from __future__ import annotations

from typing import Any

from lambda_emulator.core.pagination import page_of
from lambda_emulator.http.declare import Call, OperationFamily, Result
from lambda_emulator.resources import accounts, api_keys

__all__ = ["OPERATIONS"]

S = "account.json#/$defs/"


def get_account(call: Call) -> Any:
    return accounts.account_view(accounts.get_account(call.rt, call.account_id))


def update_account(call: Call) -> Any:
    doc = accounts.update_account(call.rt, call.account_id, call.body)
    return accounts.account_view(doc)


def get_quota(call: Call) -> Any:
    return accounts.quota_view(call.rt, call.account_id)


def create_api_key(call: Call) -> Any:
    body = call.body
    doc, secret = api_keys.create_key(
        call.rt, call.account_id, body["name"], body.get("permissions"), body.get("expires_at")
    )
    return Result(dict(api_keys.key_view(doc), key=secret), status=201)


def list_api_keys(call: Call) -> Any:
    q = call.query
    return page_of((api_keys.key_view(d) for d in api_keys.list_keys(call.rt, call.account_id)), q)


def delete_api_key(call: Call) -> Any:
    doc = api_keys.delete_key(call.rt, call.account_id, call.params["id"])
    return api_keys.key_view(doc)


op = OperationFamily(tag="Account", read="account:read", write="account:write")

OPERATIONS = [
    op(
        "GET",
        "/account",
        "getAccount",
        "Get Account Info",
        get_account,
        response=S + "Account",
    ),
    op(
        "PATCH",
        "/account",
        "updateAccount",
        "Update Account",
        update_account,
        body=S + "AccountUpdate",
        response=S + "Account",
    ),
    op(
        "GET",
        "/account/quota",
        "getQuota",
        "Get Quotas",
        get_quota,
        response=S + "Quota",
    ),
    op(
        "POST",
        "/account/api-keys",
        "createApiKey",
        "Create API Key",
        create_api_key,
        body=S + "ApiKeyCreate",
        response=S + "ApiKeyCreated",
        status=201,
    ),
    op(
        "GET",
        "/account/api-keys",
        "listApiKeys",
        "List API Keys",
        list_api_keys,
        query=S + "ApiKeyListQuery",
        response=S + "ApiKey",
        listing=True,
    ),
    op(
        "DELETE",
        "/account/api-keys/{id}",
        "deleteApiKey",
        "Delete API Key",
        delete_api_key,
        response=S + "ApiKey",
    ),
]
