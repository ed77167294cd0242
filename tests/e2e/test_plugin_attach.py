"""``--lambda-emulator-url``: the fixture attaches to an emulator that is already running (a CI
service container), each session (each xdist worker) in a sandbox of its own, reset before
every test and deleted at the end; the fixture's API is unchanged."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from lambda_emulator.process.server import EmulatorThread
from tests.support.envelope import ok
from tests.support.server import emulator_settings

pytest_plugins = ["pytester"]

USER_TESTS = """
import os

START = "2026-01-24T10:30:00Z"
INSTANCE = {"name": "w", "instance_type": "compute-1x", "region": "us-west-1",
            "image": "ubuntu-22.04"}


def test_a_sandbox_of_its_own(lambda_emulator):
    sandbox = lambda_emulator.sandbox_id
    assert sandbox.startswith("sbx_") and sandbox != "sbx_default"
    assert lambda_emulator.api_key != "λ_sk_1234567890abcdef"
    assert lambda_emulator.now() == START  # the frozen clock of the fixture's options
    with lambda_emulator.client() as client:
        made = client.post("/v1/instances", json=INSTANCE).json()["data"]
        assert made["status"] == "pending"
        lambda_emulator.advance(120)
        assert client.get(f"/v1/instances/{made['id']}").json()["data"]["status"] == "running"
    paths = [r["path"] for r in lambda_emulator.requests()]
    assert paths == ["/v1/instances", f"/v1/instances/{made['id']}"]


def test_reset_before_every_test(lambda_emulator):
    with lambda_emulator.client() as client:
        assert client.get("/v1/instances").json()["data"] == []
    assert lambda_emulator.now() == START
    # the journal holds this test's one request, nothing of the test before
    assert [r["path"] for r in lambda_emulator.requests()] == ["/v1/instances"]


def test_faults_and_accounts_stay_in_the_sandbox(lambda_emulator):
    lambda_emulator.inject_fault("/v1/account", status=503, count=1)
    with lambda_emulator.client() as client:
        assert client.get("/v1/account").status_code == 503
        assert client.get("/v1/account").status_code == 200
    other = lambda_emulator.new_account("free")
    with lambda_emulator.client(other.api_key) as theirs:
        assert theirs.get("/v1/account").json()["data"]["plan"] == "free"


def test_rate_limits_off_as_asked(lambda_emulator):
    with lambda_emulator.client() as client:
        for _ in range(250):  # past the professional burst of 200 at one frozen instant
            assert client.get("/v1/account").status_code == 200
"""


@pytest.fixture
def running() -> Iterator[str]:
    server = EmulatorThread(emulator_settings(seed=5)).start()
    try:
        yield server.url
    finally:
        server.stop()


def _sandboxes(url: str) -> list[str]:
    with httpx.Client(base_url=url) as root:
        return [s["id"] for s in ok(root.get("/_emulator/sandboxes"))]


@pytest.mark.parametrize("workers", [[], ["-n", "2"]], ids=["one-session", "xdist"])
def test_attached_sessions_work_in_sandboxes_and_leave_none(
    pytester: pytest.Pytester, running: str, workers: list[str]
) -> None:
    pytester.makepyfile(test_user=USER_TESTS)
    with httpx.Client(
        base_url=running, headers={b"X-API-Key": "λ_sk_1234567890abcdef".encode()}
    ) as c:
        ok(c.patch("/v1/account", json={"name": "the default world"}))
    result = pytester.runpytest_subprocess(
        "-p", "no:cacheprovider", f"--lambda-emulator-url={running}",
        "--lambda-emulator-rate-limits=false", *workers,
    )  # fmt: skip
    result.assert_outcomes(passed=4)
    assert _sandboxes(running) == ["sbx_default"]  # every session deleted its sandbox
    with httpx.Client(
        base_url=running, headers={b"X-API-Key": "λ_sk_1234567890abcdef".encode()}
    ) as c:
        assert ok(c.get("/v1/account"))["name"] == "the default world"  # never reset
        assert ok(c.get("/v1/instances")) == []


def test_the_environment_variable_works_too(
    pytester: pytest.Pytester, running: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytester.makepyfile(test_user=USER_TESTS)
    monkeypatch.setenv("LAMBDA_EMULATOR_URL", running)
    result = pytester.runpytest_subprocess(
        "-p", "no:cacheprovider", "--lambda-emulator-rate-limits=false"
    )
    result.assert_outcomes(passed=4)


def test_an_unreachable_url_is_a_usage_error(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_user="def test_x(lambda_emulator):\n    pass\n")
    result = pytester.runpytest_subprocess("--lambda-emulator-url=ftp://nowhere")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--lambda-emulator-url*not an http(s) URL*"])
