"""The plugin's everyday promises, checked in a user's own pytest run (``pytester``): options
parsed like the CLI's flags before any test runs, the failing test's requests in its report,
no cost when unused, a quick end over HTTPS, and the clock and transition helpers."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from lambda_emulator.testing.pytest_plugin import EmulatorHandle

pytest_plugins = ["pytester"]


@pytest.mark.parametrize(
    ("option", "message"),
    [
        ("--lambda-emulator-transitions=fast", "--lambda-emulator-transitions: must be one of"),
        ("--lambda-emulator-speed=-3", "--lambda-emulator-speed: must be between 0"),
        ("--lambda-emulator-rate-limits=maybe", "--lambda-emulator-rate-limits: must be true"),
        ("--lambda-emulator-seed=abc", "--lambda-emulator-seed: 'abc' is not a valid int"),
        ("--lambda-emulator-tls=sure", "--lambda-emulator-tls: must be true or false"),
    ],
)
def test_a_bad_option_is_a_usage_error_before_any_test(
    pytester: pytest.Pytester, option: str, message: str
) -> None:
    pytester.makepyfile("def test_never_runs(lambda_emulator):\n    raise SystemExit(9)\n")
    result = pytester.runpytest_subprocess(option)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert message in result.stderr.str()
    assert "never_runs" not in result.stdout.str()


def test_a_bad_ini_value_names_the_ini_key(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nlambda_emulator_speed = fast\n")
    pytester.makepyfile("def test_never_runs():\n    pass\n")
    result = pytester.runpytest_subprocess()
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert "lambda_emulator_speed (ini): 'fast' is not a valid factor" in result.stderr.str()


FAILING = """
def test_creates_then_fails(lambda_emulator):
    with lambda_emulator.client() as api:
        api.post("/v1/account/api-keys", json={"name": "ci"})
        api.get("/v1/instances", params={"limit": 500})
    assert False, "the SDK got it wrong"


def test_passes(lambda_emulator):
    with lambda_emulator.client() as api:
        api.get("/v1/account")
"""


def test_a_failing_test_shows_its_requests(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(FAILING)
    result = pytester.runpytest_subprocess("-rN")
    result.assert_outcomes(passed=1, failed=1)
    out = result.stdout.str()
    assert out.count("lambda-emulator requests") == 1
    section = out.split("lambda-emulator requests")[1]
    lines = [line for line in section.splitlines() if " -> " in line]
    assert lines[0].startswith("POST /v1/account/api-keys -> 201 req_")
    assert lines[1].startswith("GET /v1/instances?limit=500 -> 400 req_")
    assert "request:" not in section  # bodies only with -vv
    verbose = pytester.runpytest_subprocess("-vv", "-rN")
    section = verbose.stdout.str().split("lambda-emulator requests")[1]
    assert 'request: {"name": "ci"}' in section
    assert "invalid_request" in section
    assert '"key": "[REDACTED]"' in section  # the new key's secret, redacted like the journal


def test_the_plugin_costs_nothing_until_the_fixture_is_used(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
import sys

HEAVY = ("lambda_emulator.process.server", "lambda_emulator.app", "uvicorn", "starlette")


def test_1_unused():
    assert [name for name in HEAVY if name in sys.modules] == []


def test_2_used(lambda_emulator):
    assert "lambda_emulator.app" in sys.modules
"""
    )
    result = pytester.runpytest_subprocess("-p", "no:randomly")
    result.assert_outcomes(passed=2)
    # measured the way the docs report it: the plugin's own import time over pytest's
    probe = subprocess.run(
        [sys.executable, "-X", "importtime", "-c",
         "import pytest; import lambda_emulator.testing.pytest_plugin"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    line = next(
        line
        for line in probe.stderr.splitlines()
        if line.endswith("| lambda_emulator.testing.pytest_plugin")
    )
    cumulative_us = int(line.split("|")[1])
    assert cumulative_us < 100_000, line  # about 10 ms quietly; generous for a loaded machine


@pytest.mark.slow
def test_https_session_ends_promptly_with_a_client_left_open(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
def test_leaves_its_client_open(lambda_emulator):
    api = lambda_emulator.client()
    assert api.get("/v1/account").status_code == 200
"""
    )
    result = pytester.runpytest_subprocess("--lambda-emulator-tls=true")
    result.assert_outcomes(passed=1)
    # pytest's own session time includes the server's shutdown (session fixtures end before
    # the summary line), not the interpreter's start, which a busy machine makes slow
    took = float(re.search(r"1 passed in ([0-9.]+)s", result.stdout.str()).group(1))  # type: ignore[union-attr]
    assert took < 4.5, f"the session took {took:.1f} s to end (a 5 s graceful-shutdown stall)"


def test_set_speed_and_set_transitions(lambda_emulator: EmulatorHandle) -> None:
    start = lambda_emulator.now()
    clock = lambda_emulator.set_speed(1000)
    assert clock["speed"] == 1000
    assert lambda_emulator.control("GET", "clock")["speed"] == 1000
    assert lambda_emulator.now() >= start
    lambda_emulator.set_speed(0)
    frozen = lambda_emulator.now()
    assert lambda_emulator.now() == frozen
    modes = lambda_emulator.set_transitions("manual", {"instance.pending": 5}, reads=2)
    assert (modes["mode"], modes["durations"]["instance.pending"], modes["reads"]) == (
        "manual",
        5,
        2,
    )
    with lambda_emulator.client() as api:
        created = api.post(
            "/v1/instances",
            json={"name": "m", "instance_type": "compute-2x", "region": "us-west-1",
                  "image": "ubuntu-22.04"},
        ).json()["data"]  # fmt: skip
        assert api.get(f"/v1/instances/{created['id']}").json()["data"]["status"] == "pending"
        assert api.get(f"/v1/instances/{created['id']}").json()["data"]["status"] == "running"
    lambda_emulator.reset()
    assert lambda_emulator.control("GET", "clock")["speed"] == 0
    assert lambda_emulator.control("GET", "transitions")["mode"] == "realistic"
    refused = lambda_emulator._control.put("/_emulator/clock", json={"speed": -1})
    assert refused.status_code == 400
