"""A new account always comes with its first key: the default one at start-up (and after a
reset or an import), and the ones tests ask the control plane for.

This module composes the two resources so that neither imports the other.
"""

from __future__ import annotations

from lambda_emulator.core import keys as keycore
from lambda_emulator.resources import accounts, api_keys
from lambda_emulator.resources.accounts import ACCOUNTS
from lambda_emulator.runtime import META, Runtime
from lambda_emulator.storage.protocol import Doc

__all__ = ["bootstrap", "create_account", "found_world"]


def bootstrap(rt: Runtime) -> None:
    """Make sure the default account and its start-up key exist (a fresh or a restored store).

    Only the default world has them; a sandbox's account and key are its initial state."""
    if rt.bootstrap_key is None:
        return
    meta = rt.store.get(META, "default")
    account = rt.store.get(ACCOUNTS, meta["account_id"]) if meta else None
    with rt.transaction():
        if account is None:
            now = rt.timestamp()
            account = {
                "id": rt.new_id("acct"),
                "name": "Default Account",
                "email": "developer@example.com",
                "plan": "professional",
                "created_at": now,
                "updated_at": now,
            }
            rt.store.put(ACCOUNTS, account)
            rt.store.put(META, {"id": "default", "account_id": account["id"]})
        key = rt.bootstrap_key
        if api_keys.find_by_secret(rt, key) is None:
            api_keys.store_key(rt, account["id"], key, name="default", permissions=["*"])


def create_account(
    rt: Runtime, plan: str, name: str | None = None, email: str | None = None
) -> tuple[Doc, Doc, str]:
    """A new account with one all-permission key: (account, key document, secret); a name or
    an email not given is a fake one."""
    with rt.transaction():
        account = accounts.new_account(rt, plan, name, email)
        secret = keycore.generate(rt.rng("api-key", account["id"]))
        key_doc = api_keys.store_key(rt, account["id"], secret, name="default", permissions=["*"])
    return account, key_doc, secret


def found_world(rt: Runtime, plan: str, name: str, email: str) -> tuple[Doc, str]:
    """A new sandbox's one account and its all-permission key, made its default account:
    (account, secret). The secret is returned once and never stored."""
    account, _, secret = create_account(rt, plan, name, email)
    with rt.transaction():
        rt.store.put(META, {"id": "default", "account_id": account["id"]})
    return account, secret
