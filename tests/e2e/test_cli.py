"""``lambda-emulator`` as a user runs it: a real process, real signals, real curl."""

from __future__ import annotations

import json
import re
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from lambda_emulator import __version__
from tests.support.envelope import ok
from tests.support.keys import KEY
from tests.support.process import Served, run, serve

CUSTOM_KEY = "λ_sk_customcli0042"
START = "2026-01-24T10:30:00Z"


def test_version() -> None:
    result = run("--version")
    assert (result.returncode, result.stdout.strip()) == (0, f"lambda-emulator {__version__}")


def test_serve_prints_banner_and_answers(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    served = serve("--seed", "7", "--state-file", str(state), tmp=tmp_path)
    try:
        assert served.lines[0] == f"Lambda Emulator {__version__} is ready"
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+", served.url)
        assert served.url.rsplit(":", 1)[1] != "0"
        assert served.banner["API key"] == KEY
        assert served.banner["Storage"] == f"TinyDB file {state}"
        assert served.banner["Seed"] == "7"
        assert served.banner["API"].startswith(f"{served.url}/v1")
        assert served.banner["OpenAPI"] == f"{served.url}/v1/openapi.json"
        with served.client() as client:
            assert ok(client.get("/v1/account"))["plan"] == "professional"
            health = ok(client.get("/_emulator/health"))
            assert health["seed"] == 7 and health["ready"] is True
    finally:
        assert served.stop(signal.SIGINT) == 0


def test_start_up_imports_stay_lean() -> None:
    """Launch time is mostly imports: jsonschema (error reports only) and Faker (fake values on
    demand) must not be imported just to start serving."""
    code = (
        "import sys, lambda_emulator.process.cli, lambda_emulator.process.server;"
        "from lambda_emulator.app import create_app; create_app();"
        "heavy = ('jsonschema', 'referencing', 'faker', 'httpx');"
        "print(sorted(m for m in heavy if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "[]"


def test_serve_in_memory_and_random_seed_are_shown(tmp_path: Path) -> None:
    served = serve(tmp=tmp_path)
    try:
        assert served.banner["Storage"] == "in memory"
        assert served.banner["Seed"].isdigit()
    finally:
        assert served.stop() == 0


BAD_FLAGS = [
    (["--port", "70000"], "--port: must be between 0 and 65535"),
    (["--port", "http"], "--port: 'http' is not a valid port"),
    (["--speed", "-1"], "--speed: must be between 0"),
    (["--speed", "fast"], "--speed: 'fast' is not a valid factor"),
    (["--seed", "-3"], "--seed: must be a non-negative integer"),
    (["--seed", "1.5"], "--seed: '1.5' is not a valid int"),
    (["--api-key", "sk_live_123"], "--api-key: must look like λ_sk_"),
    (["--log-level", "loud"], "--log-level: must be one of critical, error"),
    (["--start-time", "2026-01-24T10:30:00"], "--start-time: must be an RFC 3339 time with a zone"),
    (["--start-time", "yesterday"], "--start-time: 'yesterday' is not a valid time"),
    (["--transitions", "fast"], "--transitions: must be one of realistic, instant, manual"),
    (["--journal-size", "0"], "--journal-size: must be a positive integer"),
    (["--state-file", ""], "--state-file: must not be empty"),
    (
        ["--fixtures", "/nonexistent/state.json"],
        "--fixtures: no such file: /nonexistent/state.json",
    ),
]


@pytest.mark.parametrize(("args", "message"), BAD_FLAGS, ids=[" ".join(a) for a, _ in BAD_FLAGS])
def test_bad_flag_value_exits_2_with_a_clear_message(args: list[str], message: str) -> None:
    result = run("serve", *args)
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith("lambda-emulator: error: "), result.stderr
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


BAD_ENV = [
    ("LAMBDA_EMULATOR_PORT", "eighty", "LAMBDA_EMULATOR_PORT: 'eighty' is not a valid port"),
    ("LAMBDA_EMULATOR_SPEED", "-2", "LAMBDA_EMULATOR_SPEED: must be between 0"),
    ("LAMBDA_EMULATOR_SEED", "abc", "LAMBDA_EMULATOR_SEED: 'abc' is not a valid int"),
    ("LAMBDA_EMULATOR_API_KEY", "λ_sk_UPPER", "LAMBDA_EMULATOR_API_KEY: must look like"),
    ("LAMBDA_EMULATOR_TLS", "maybe", "LAMBDA_EMULATOR_TLS: must be true or false"),
    ("LAMBDA_EMULATOR_STRICT", "2", "LAMBDA_EMULATOR_STRICT: must be true or false"),
    ("LAMBDA_EMULATOR_LOG_LEVEL", "trace", "LAMBDA_EMULATOR_LOG_LEVEL: must be one of"),
    ("LAMBDA_EMULATOR_TRANSITIONS", "slow", "LAMBDA_EMULATOR_TRANSITIONS: must be one of"),
]


@pytest.mark.parametrize(("name", "value", "message"), BAD_ENV, ids=[n for n, _, _ in BAD_ENV])
def test_bad_env_value_exits_2_naming_the_variable(name: str, value: str, message: str) -> None:
    result = run("serve", env={name: value})
    assert result.returncode == 2, result.stderr
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_empty_env_value_counts_as_unset(tmp_path: Path) -> None:
    served = serve(tmp=tmp_path, env={"LAMBDA_EMULATOR_STATE_FILE": "", "LAMBDA_EMULATOR_SEED": ""})
    try:
        assert served.banner["Storage"] == "in memory"
    finally:
        assert served.stop() == 0


def test_every_setting_is_documented_for_the_container() -> None:
    from lambda_emulator.settings import OPTIONS

    docs = (Path(__file__).resolve().parents[2] / "docs" / "docker.md").read_text()
    for option in OPTIONS:
        assert f"| `{option.env}` | `{option.flag}` |" in docs, option.env


def test_unknown_flag_and_missing_command_exit_2() -> None:
    unknown = run("serve", "--colour", "blue")
    assert unknown.returncode == 2
    assert "unrecognized arguments: --colour blue" in unknown.stderr
    nothing = run()
    assert nothing.returncode == 2
    assert "serve" in nothing.stdout


def test_port_in_use_is_a_clear_error(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        result = run("serve", "--port", str(port))
    assert result.returncode == 1
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr
    assert "Traceback" not in result.stderr


def test_unusable_state_file_is_a_clear_error_and_left_alone(tmp_path: Path) -> None:
    corrupt = tmp_path / "state.json"
    corrupt.write_text("{not json")
    result = run("serve", "--port", "0", "--state-file", str(corrupt))
    assert result.returncode == 2
    assert f"--state-file {corrupt}:" in result.stderr  # the flag is named
    assert f"{corrupt} is not a readable state file" in result.stderr
    assert "Traceback" not in result.stderr
    assert corrupt.read_text() == "{not json"
    blocked = tmp_path / "a-file"
    blocked.write_text("")
    result = run("serve", "--port", "0", "--state-file", str(blocked / "state.json"))
    assert result.returncode == 2
    assert str(blocked) in result.stderr and "cannot listen" not in result.stderr
    assert "Traceback" not in result.stderr


def test_env_configures_and_flags_win(tmp_path: Path) -> None:
    env = {
        "LAMBDA_EMULATOR_SEED": "5",
        "LAMBDA_EMULATOR_API_KEY": CUSTOM_KEY,
        "LAMBDA_EMULATOR_SPEED": "0",
        "LAMBDA_EMULATOR_START_TIME": START,
        # a bad value in the environment is never read when the flag is given
        "LAMBDA_EMULATOR_LOG_LEVEL": "nonsense",
    }
    served = serve("--seed", "9", "--log-level", "warning", tmp=tmp_path, env=env)
    try:
        assert served.banner["Seed"] == "9"
        assert served.banner["API key"] == CUSTOM_KEY
        assert served.banner["Clock"].startswith("speed ×0")
        with served.client() as client:
            assert ok(client.get("/_emulator/clock"))["now"] == START
            assert ok(client.get("/v1/account"))["id"].startswith("acct_")
        with served.client(KEY) as default:
            assert default.get("/v1/account").status_code == 401
    finally:
        assert served.stop() == 0


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_signal_stops_cleanly_and_flushes_the_state_file(tmp_path: Path, sig: int) -> None:
    state = tmp_path / "state.json"
    served = serve("--state-file", str(state), "--seed", "1", tmp=tmp_path)
    with served.client() as client:
        ok(client.patch("/v1/account", json={"name": "Before shutdown"}))
        created = ok(client.post("/v1/account/api-keys", json={"name": "kept"}), 201)
    assert served.stop(sig) == 0
    assert "Traceback" not in served.stderr()
    # a clean stop folds the journal into the snapshot
    wal = state.with_name(state.name + ".wal")
    assert not wal.exists() or wal.stat().st_size == 0
    snapshot = json.loads(state.read_text(encoding="utf-8"))
    assert "Before shutdown" in json.dumps(snapshot, ensure_ascii=False)

    again = serve("--state-file", str(state), "--seed", "1", tmp=tmp_path)
    try:
        with again.client() as client:
            assert ok(client.get("/v1/account"))["name"] == "Before shutdown"
        with again.client(created["key"]) as client:
            assert ok(client.get("/v1/account"))["name"] == "Before shutdown"
    finally:
        assert again.stop() == 0


# ``lambda-emulator api-key create`` -----------------------------------------------------------

CREATED = re.compile(
    r"API Key Created:\n"
    r"Name: (?P<name>.+)\n"
    r"Key: (?P<key>λ_sk_[a-z0-9]+)\n"
    r"Created: (?P<created>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)\n"
    r"⚠️ Save this key securely\. It won't be shown again\.\n"
)


@pytest.fixture(scope="module")
def custom_served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    tmp = tmp_path_factory.mktemp("custom")
    served = serve(
        "--api-key", CUSTOM_KEY, "--speed", "0", "--start-time", START, "--seed", "3", tmp=tmp
    )
    yield served
    assert served.stop() == 0


def test_api_key_create_prints_the_reference_output(custom_served: Served) -> None:
    result = run(
        "api-key", "create", "--name", "my-api-key", "--url", custom_served.url,
        "--api-key", CUSTOM_KEY,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    match = CREATED.fullmatch(result.stdout)
    assert match, result.stdout
    assert match["name"] == "my-api-key"
    assert match["created"] == START
    with custom_served.client(match["key"]) as client:
        assert ok(client.get("/v1/account"))["id"].startswith("acct_")
        names = [k["name"] for k in ok(client.get("/v1/account/api-keys"))]
        assert "my-api-key" in names


def test_api_key_create_takes_url_and_key_from_the_environment(custom_served: Served) -> None:
    env = {"LAMBDA_EMULATOR_URL": custom_served.url, "LAMBDA_EMULATOR_API_KEY": CUSTOM_KEY}
    result = run("api-key", "create", "--name", "from env", env=env)
    assert result.returncode == 0, result.stderr
    match = CREATED.fullmatch(result.stdout)
    assert match and match["name"] == "from env"
    # the flag beats the environment: the default key is unknown to this emulator
    refused = run("api-key", "create", "--name", "x", "--api-key", KEY, env=env)
    assert refused.returncode == 1
    assert refused.stdout == ""
    assert "authentication_failed" in refused.stderr and "unknown" in refused.stderr.lower()


def test_api_key_create_finds_the_emulator_from_the_serve_settings(tmp_path: Path) -> None:
    # as in a container: only LAMBDA_EMULATOR_PORT/HOST are set, for serve and the CLI alike
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {"LAMBDA_EMULATOR_PORT": str(port), "LAMBDA_EMULATOR_HOST": "0.0.0.0"}
    served = serve(tmp=tmp_path, env=env)
    try:
        result = run("api-key", "create", "--name", "from settings", env=env)
        assert result.returncode == 0, result.stderr
        assert CREATED.fullmatch(result.stdout)
        health = run("health", env=env)
        assert health.returncode == 0, health.stderr
        assert f"http://127.0.0.1:{port}/_emulator/health" in health.stdout
    finally:
        assert served.stop() == 0
    down = run("health", env=env)
    assert down.returncode == 1 and "unhealthy" in down.stderr


def test_api_key_create_reports_an_unreachable_emulator() -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    result = run("api-key", "create", "--name", "x", "--url", f"http://127.0.0.1:{port}")
    assert result.returncode == 1
    assert "cannot reach the emulator" in result.stderr
    assert "Traceback" not in result.stderr


def test_api_key_create_requires_a_name() -> None:
    result = run("api-key", "create")
    assert result.returncode == 2
    assert "--name" in result.stderr


# the raw λ key on the wire -------------------------------------------------------------------


@pytest.mark.parametrize("header", ["Authorization: Bearer {key}", "X-API-Key: {key}"])
def test_curl_sends_the_raw_utf8_key(custom_served: Served, header: str) -> None:
    result = subprocess.run(
        ["curl", "-sS", "-m", "10", "-H", header.format(key=CUSTOM_KEY), "-w", "\n%{http_code}",
         f"{custom_served.url}/v1/account"],
        capture_output=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    body, status = result.stdout.decode("utf-8").rsplit("\n", 1)
    assert status == "200", body
    assert json.loads(body)["data"]["id"].startswith("acct_")
    wrong = subprocess.run(
        ["curl", "-sS", "-m", "10", "-H", header.format(key="λ_sk_notthekey000"),
         "-w", "\n%{http_code}", f"{custom_served.url}/v1/account"],
        capture_output=True, check=False,
    )  # fmt: skip
    body, status = wrong.stdout.decode("utf-8").rsplit("\n", 1)
    assert status == "401"
    assert json.loads(body)["error"]["code"] == "authentication_failed"


def test_httpx_with_the_key_as_bytes(custom_served: Served) -> None:
    key = CUSTOM_KEY.encode("utf-8")
    for headers in ({b"Authorization": b"Bearer " + key}, {b"X-API-Key": key}):
        response = httpx.get(f"{custom_served.url}/v1/account", headers=headers, timeout=10)
        assert ok(response)["id"].startswith("acct_")
    with pytest.raises(UnicodeEncodeError):
        # why the bytes: httpx (like most clients) refuses a str header outside ASCII
        httpx.get(f"{custom_served.url}/v1/account", headers={"X-API-Key": CUSTOM_KEY})
