"""An emulator runtime in process, without a server, for tests of the service rules
(lifecycle transitions, quotas, cascades) that call ``lambda_emulator.resources.*`` directly.

    rt = in_process_runtime()
    me = default_account(rt)
    instance = call(rt, instances.create_instance, me, INSTANCE)
    rt.advance(60)  # the clock is frozen: only an advance moves it, running what fell due

Each ``call`` runs one service function inside ``rt.transaction()``, as a request does. The
app's lifespan does not run: no background ticker and no webhook sender, so time and delivery
attempts move only when the test says so.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from lambda_emulator.app import create_app, runtime_of
from lambda_emulator.resources import accounts, onboarding
from lambda_emulator.runtime import Runtime
from tests.support.server import emulator_settings

T = TypeVar("T")

INSTANCE: dict[str, Any] = {
    "name": "web-1",
    "instance_type": "compute-2x",
    "region": "us-west-1",
    "image": "ubuntu-22.04",
}
VOLUME: dict[str, Any] = {"name": "data", "size_gb": 100, "region": "us-west-1"}
#: Long enough for any transitional state to finish with the default durations.
SETTLE = 600


def in_process_runtime(**overrides: Any) -> Runtime:
    """The runtime of an app built with the fixture's settings (seed 0, a frozen clock at the
    fixture's start, in-memory store) and ``overrides``."""
    return runtime_of(create_app(emulator_settings(**overrides)))


def default_account(rt: Runtime) -> str:
    """The id of the account that owns the start-up key."""
    return accounts.default_account_id(rt)


def new_account(rt: Runtime, plan: str = "professional") -> str:
    """A new account on ``plan`` (with its first key, as the control plane makes one); its id."""
    with rt.transaction():
        account, _, _ = onboarding.create_account(rt, plan)
    return str(account["id"])


def call(rt: Runtime, service: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """``service(rt, *args, **kwargs)`` inside one transaction, as one request runs it."""
    with rt.transaction():
        return service(rt, *args, **kwargs)
