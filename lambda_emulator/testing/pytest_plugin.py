"""The ``lambda_emulator`` pytest fixture: a real emulator on a free loopback port.

One server is started per test session (per worker under pytest-xdist, so workers never share
state) and reset before every test. The clock is frozen by default (``speed 0``) so a test moves
time only by ``advance``, and responses are validated strictly, so an emulator bug fails loudly.

    def test_create(lambda_emulator):
        with lambda_emulator.client() as client:
            r = client.post("/v1/instances", json={...})
        lambda_emulator.advance(60)

What the fixture gives is :class:`~lambda_emulator.testing.handle.EmulatorHandle` (see
``docs/pytest.md`` for every method). A failing test's report gets a section
``lambda-emulator requests``: the requests that test made, from the journal (bodies with
``-vv``), redacted like the journal.

Options (command line or ini): ``--lambda-emulator-seed``, ``--lambda-emulator-speed``,
``--lambda-emulator-transitions``, ``--lambda-emulator-tls`` (HTTPS; ``.ca_bundle`` is the CA
to trust), ``--lambda-emulator-rate-limits``. They are parsed by the rules of the CLI's flags
(one table, in ``settings.py``), when pytest starts: a bad value is a usage error naming the
option before any test runs.

This module is loaded into every pytest run of an environment where the package is installed,
used or not, so it imports only pytest and the settings table; the server, httpx and the handle
are imported when a test first asks for the fixture.
"""

from __future__ import annotations

import os
from collections.abc import Generator, Iterator
from datetime import datetime
from typing import TYPE_CHECKING, Any

import pytest

from lambda_emulator.settings import SettingsError, parse_value

if TYPE_CHECKING:
    import ssl

    import httpx

    from lambda_emulator.process.server import EmulatorThread
    from lambda_emulator.testing.handle import (
        DEFAULT_START,
        Account,
        Attached,
        EmulatorHandle,
        ReceivedDelivery,
        WebhookReceiver,
        client_ssl_context,
    )

__all__ = [
    "DEFAULT_START",
    "Account",
    "EmulatorHandle",
    "ReceivedDelivery",
    "WebhookReceiver",
    "client_ssl_context",
    "lambda_emulator",
]

#: The names this module has always offered, now kept in ``handle`` and imported on first use.
_LAZY = {"DEFAULT_START", "Account", "EmulatorHandle", "ReceivedDelivery", "WebhookReceiver",
         "client_ssl_context"}  # fmt: skip

REPORT_SECTION = "lambda-emulator requests"

#: The plugin's options: setting name → default (as the CLI would read it) and help.
_OPTIONS = {
    "seed": ("0", "seed of the fixture's emulator"),
    "speed": ("0", "clock speed of the fixture's emulator (0: moves only by advance)"),
    "transitions": ("realistic", "realistic, instant or manual"),
    "tls": ("false", "serve the fixture's emulator over HTTPS"),
    "rate_limits": ("true", "enforce the plans' rate limits"),
}

_settings_key = pytest.StashKey[dict[str, Any]]()
_url_key = pytest.StashKey[str]()


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        from lambda_emulator.testing import handle

        return getattr(handle, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _flag(name: str) -> str:
    return f"--lambda-emulator-{name.replace('_', '-')}"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("lambda-emulator")
    group.addoption(
        "--lambda-emulator-url",
        dest="lambda_emulator_url",
        default=None,
        help="use the emulator running at this root URL (in a sandbox of this session's own) "
        "instead of starting one (default: $LAMBDA_EMULATOR_URL)",
    )
    for name, (default, help_text) in _OPTIONS.items():
        group.addoption(
            _flag(name),
            dest=f"lambda_emulator_{name}",
            default=None,
            help=f"{help_text} (default {default})",
        )
        parser.addini(f"lambda_emulator_{name}", help_text, default=default)


def pytest_configure(config: pytest.Config) -> None:
    """Parse every option now, by the CLI's rules, so a bad value stops pytest before a test
    runs (``--lambda-emulator-transitions=fast`` used to start an emulator that then failed
    each control call)."""
    values: dict[str, Any] = {}
    for name in _OPTIONS:
        raw = config.getoption(f"lambda_emulator_{name}")
        source = _flag(name)
        if raw is None:
            raw = config.getini(f"lambda_emulator_{name}")
            source = f"lambda_emulator_{name} (ini)"
        try:
            values[name] = parse_value(name, str(raw), source)
        except SettingsError as exc:
            raise pytest.UsageError(str(exc)) from None
    config.stash[_settings_key] = values
    url = config.getoption("lambda_emulator_url") or os.environ.get("LAMBDA_EMULATOR_URL")
    if url:
        if not url.startswith(("http://", "https://")):
            raise pytest.UsageError(
                f"--lambda-emulator-url: {url!r} is not an http(s) URL "
                "(the emulator's root URL, as serve prints it)"
            )
        config.stash[_url_key] = url.rstrip("/")


@pytest.fixture(scope="session")
def _lambda_emulator_server(pytestconfig: pytest.Config) -> Iterator[EmulatorThread | Attached]:
    from lambda_emulator.process.server import EmulatorThread
    from lambda_emulator.settings import Settings
    from lambda_emulator.testing.handle import DEFAULT_START

    chosen = pytestconfig.stash[_settings_key]
    url = pytestconfig.stash.get(_url_key, None)
    if url is not None:
        yield from _attach(pytestconfig, url, chosen, DEFAULT_START)
        return
    settings = Settings(
        host="127.0.0.1",
        port=0,
        start_time=DEFAULT_START,
        strict=True,
        log_level="warning",
        **chosen,
    )
    server = EmulatorThread(settings).start()
    try:
        yield server
    finally:
        server.stop()


def _attach(
    config: pytest.Config, url: str, chosen: dict[str, Any], start: datetime
) -> Iterator[Attached]:
    """A sandbox of this session's own (of this xdist worker's) on a running emulator,
    deleted at the end; the fixture's options become the sandbox's settings."""
    import httpx

    from lambda_emulator.testing.handle import Attached

    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    body = {
        "name": f"pytest {worker} (pid {os.getpid()})",
        "seed": chosen["seed"],
        "speed": chosen["speed"],
        "start_time": start.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "transitions": chosen["transitions"],
    }
    with httpx.Client(base_url=url, timeout=30) as client:
        try:
            response = client.post("/_emulator/sandboxes", json=body)
        except httpx.HTTPError as exc:
            raise pytest.UsageError(f"--lambda-emulator-url {url}: not reachable ({exc})") from None
        payload = response.json() if response.content else {}
        if response.status_code != 201:
            raise pytest.UsageError(
                f"--lambda-emulator-url {url}: creating a sandbox failed "
                f"({response.status_code}: {payload.get('error', payload)})"
            )
        created = payload["data"]
        try:
            yield Attached(url, created["id"], created["api_key"], chosen["rate_limits"])
        finally:
            client.delete(f"/_emulator/sandboxes/{created['id']}")


@pytest.fixture(scope="session")
def _lambda_emulator_ssl(_lambda_emulator_server: EmulatorThread | Attached) -> ssl.SSLContext:
    from lambda_emulator.testing.handle import Attached, client_ssl_context

    if isinstance(_lambda_emulator_server, Attached):
        return client_ssl_context(None)
    return client_ssl_context(_lambda_emulator_server.info.ca_bundle)


@pytest.fixture(scope="session")
def _lambda_emulator_control(
    _lambda_emulator_server: EmulatorThread | Attached, _lambda_emulator_ssl: ssl.SSLContext
) -> Iterator[httpx.Client]:
    """One control-plane client for the session: its connection is reused by every test's
    reset instead of being made anew per test."""
    from lambda_emulator.testing.handle import control_client

    client = control_client(_lambda_emulator_server.url, _lambda_emulator_ssl)
    try:
        yield client
    finally:
        client.close()


@pytest.fixture
def lambda_emulator(
    request: pytest.FixtureRequest,
    _lambda_emulator_server: EmulatorThread | Attached,
    _lambda_emulator_ssl: ssl.SSLContext,
    _lambda_emulator_control: httpx.Client,
) -> Iterator[EmulatorHandle]:
    """A running emulator, reset to its start-up state for this test."""
    from lambda_emulator.testing.handle import EmulatorHandle

    handle = EmulatorHandle(
        _lambda_emulator_server, _lambda_emulator_ssl, control=_lambda_emulator_control
    )
    handle.reset()
    request.node.stash[_handle_key] = handle
    try:
        yield handle
    finally:
        handle.close()


_handle_key = pytest.StashKey["EmulatorHandle"]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Add the ``lambda-emulator requests`` section to a failing test's report, while the
    fixture's emulator still holds that test's journal (teardown comes later)."""
    report: pytest.TestReport = yield
    handle = item.stash.get(_handle_key, None)
    if handle is None or report.when != "call" or not report.failed:
        return report
    try:
        text = handle.journal_report(bodies=int(item.config.getoption("verbose")) >= 2)
    except Exception as exc:  # a report must never hide the test's own failure
        text = f"(the journal could not be read: {exc!r})"
    report.sections.append((REPORT_SECTION, text))
    return report
