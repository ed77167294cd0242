"""Browser safety (SPEC §15) over a real server: foreign pages cannot drive the control plane."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from lambda_emulator.http.browser_safety import is_loopback_host, refusal
from lambda_emulator.settings import SettingsError, settings_from
from lambda_emulator.testing.pytest_plugin import EmulatorHandle
from tests.support.envelope import err, ok

CREATE = {
    "name": "web-1",
    "instance_type": "compute-2x",
    "region": "us-west-1",
    "image": "ubuntu-22.04",
}


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "http://evil.example"},
        {"Origin": "null"},
        {"Origin": "http://localhost:1"},  # another port is another origin
        {"Sec-Fetch-Site": "cross-site"},
    ],
)
def test_foreign_browser_requests_are_refused_and_change_nothing(
    lambda_emulator: EmulatorHandle, client: httpx.Client, headers: dict[str, str]
) -> None:
    ok(client.post("/v1/instances", json=CREATE), 201)
    with httpx.Client(base_url=lambda_emulator.url) as c:
        error = err(c.post("/_emulator/reset", headers=headers), 403, "forbidden")
        assert error["details"]["header"] in ("Origin", "Sec-Fetch-Site")
        err(
            c.post("/_emulator/clock/advance", json={"seconds": 60}, headers=headers),
            403,
            "forbidden",
        )
        err(c.get("/_emulator/ui/", headers=headers), 403, "forbidden")
        err(
            c.get("/_emulator/ui/api/sandboxes/sbx_default/overview", headers=headers),
            403,
            "forbidden",
        )
        assert ok(c.get("/_emulator/clock"))["now"] == "2026-01-24T10:30:00Z"
    assert len(ok(client.get("/v1/instances"))) == 1  # the reset never happened


def test_the_emulators_own_origin_and_tools_pass(lambda_emulator: EmulatorHandle) -> None:
    with httpx.Client(base_url=lambda_emulator.url) as c:
        own = {"Origin": lambda_emulator.url, "Sec-Fetch-Site": "same-origin"}
        ok(c.post("/_emulator/clock/advance", json={"seconds": 1}, headers=own))
        ok(c.get("/_emulator/health", headers={"Sec-Fetch-Site": "none"}))  # typed in the bar
        ok(c.get("/_emulator/health"))  # curl, SDKs and the fixture send neither header


def test_a_foreign_host_is_refused_on_loopback(lambda_emulator: EmulatorHandle) -> None:
    with httpx.Client(base_url=lambda_emulator.url) as c:
        error = err(
            c.post("/_emulator/reset", headers={"Host": "rebound.example:8787"}), 403, "forbidden"
        )
        assert error["details"] == {"header": "Host", "value": "rebound.example:8787"}
        assert "--allowed-host rebound.example" in error["message"]
        for host in ("localhost:8787", "127.0.0.1", "[::1]:8787", "app.localhost"):
            ok(c.get("/_emulator/health", headers={"Host": host}))
    # the API keeps its own protection (a key, and CORS): the check is for the control plane
    with lambda_emulator.client() as api:
        ok(api.get("/v1/account", headers={"Host": "rebound.example"}))


def test_allowed_host_lets_a_name_in(make_emulator: Callable[..., EmulatorHandle]) -> None:
    emulator = make_emulator(allowed_host=("emulator.test",))
    with httpx.Client(base_url=emulator.url) as c:
        ok(c.get("/_emulator/health", headers={"Host": "emulator.test:8787"}))
        err(c.get("/_emulator/health", headers={"Host": "other.test"}), 403, "forbidden")
        own = {"Host": "emulator.test:8787", "Origin": "http://emulator.test:8787"}
        ok(c.get("/_emulator/ui/api/sandboxes", headers=own))


def test_listening_on_all_interfaces_answers_any_host_name(
    make_emulator: Callable[..., EmulatorHandle],
) -> None:
    emulator = make_emulator(host="0.0.0.0")  # a container reached by its service name
    port = emulator.url.rsplit(":", 1)[1]
    with httpx.Client(base_url=f"http://127.0.0.1:{port}") as c:
        ok(c.get("/_emulator/health", headers={"Host": f"lambda-emulator:{port}"}))
        own = {"Host": f"lambda-emulator:{port}", "Origin": f"http://lambda-emulator:{port}"}
        ok(c.post("/_emulator/clock/advance", json={"seconds": 1}, headers=own))
        err(c.post("/_emulator/reset", headers={"Origin": "http://evil.example"}), 403, "forbidden")


def test_the_rules_alone() -> None:
    assert is_loopback_host("LOCALHOST.") and is_loopback_host("127.8.9.1")
    assert is_loopback_host("[::1]") and not is_loopback_host("localhost.example")
    assert refusal({"host": "x:1"}, "http", check_host=False, allowed_hosts=()) is None
    why = refusal({"host": "x:1"}, "http", check_host=True, allowed_hosts=())
    assert why is not None and why[1]["header"] == "Host"
    assert refusal({"host": "x:1"}, "http", check_host=True, allowed_hosts=("x",)) is None
    same = {"host": "localhost:8787", "origin": "http://localhost:8787"}
    assert refusal(same, "http", check_host=True, allowed_hosts=()) is None
    assert refusal(same, "https", check_host=True, allowed_hosts=()) is not None


def test_allowed_host_flag_and_environment() -> None:
    flags = {"allowed_host": ["a.test", "B.test"]}
    assert settings_from(flags, {}).allowed_host == ("a.test", "b.test")
    env = {"LAMBDA_EMULATOR_ALLOWED_HOST": "ci-emulator, other"}
    assert settings_from({}, env).allowed_host == ("ci-emulator", "other")
    with pytest.raises(SettingsError, match="--allowed-host"):
        settings_from({"allowed_host": ["bad host:80"]}, {})
