"""``/v1/account``: the caller's account, its quota, and its API keys."""

from __future__ import annotations

from typing import Any

from lambda_emulator.core.pagination import paginate
from lambda_emulator.http.operations import Call, Operation, Result
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
    page = paginate(
        (api_keys.key_view(d) for d in api_keys.list_keys(call.rt, call.account_id)),
        sort=q.get("sort", "created_at"),
        order=q.get("order", "asc"),
        page=q.get("page", 1),
        limit=q.get("limit", 20),
    )
    return page


def delete_api_key(call: Call) -> Any:
    doc = api_keys.delete_key(call.rt, call.account_id, call.params["id"])
    return api_keys.key_view(doc)


OPERATIONS = [
    Operation(
        "GET",
        "/account",
        "getAccount",
        "Get Account Info",
        "Account",
        get_account,
        permission="account:read",
        response=S + "Account",
    ),
    Operation(
        "PATCH",
        "/account",
        "updateAccount",
        "Update Account",
        "Account",
        update_account,
        permission="account:write",
        body=S + "AccountUpdate",
        response=S + "Account",
    ),
    Operation(
        "GET",
        "/account/quota",
        "getQuota",
        "Get Quotas",
        "Account",
        get_quota,
        permission="account:read",
        response=S + "Quota",
    ),
    Operation(
        "POST",
        "/account/api-keys",
        "createApiKey",
        "Create API Key",
        "Account",
        create_api_key,
        permission="account:write",
        body=S + "ApiKeyCreate",
        response=S + "ApiKeyCreated",
        status=201,
    ),
    Operation(
        "GET",
        "/account/api-keys",
        "listApiKeys",
        "List API Keys",
        "Account",
        list_api_keys,
        permission="account:read",
        query=S + "ApiKeyListQuery",
        response=S + "ApiKey",
        listing=True,
    ),
    Operation(
        "DELETE",
        "/account/api-keys/{id}",
        "deleteApiKey",
        "Delete API Key",
        "Account",
        delete_api_key,
        permission="account:write",
        response=S + "ApiKey",
    ),
]
