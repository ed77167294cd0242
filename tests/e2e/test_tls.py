"""``--tls``: HTTPS with a certificate from a local CA, trusted by curl, httpx and the plugin."""

from __future__ import annotations

import json
import os
import ssl
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from lambda_emulator.testing.pytest_plugin import EmulatorHandle
from tests.support.curl import curl
from tests.support.envelope import ok

pytestmark = pytest.mark.slow  # certificates, TLS handshakes, a pytest run in a subprocess


@pytest.fixture
def tls_emulator(make_emulator: Callable[..., EmulatorHandle], tmp_path: Path) -> EmulatorHandle:
    return make_emulator(tls=True, tls_dir=tmp_path / "tls")


def test_https_with_the_ca_bundle(tls_emulator: EmulatorHandle, tmp_path: Path) -> None:
    assert tls_emulator.url.startswith("https://localhost:")
    assert tls_emulator.ca_bundle == tmp_path / "tls" / "ca.pem"
    assert (tmp_path / "tls" / "server-key.pem").stat().st_mode & 0o077 == 0
    context = ssl.create_default_context(cafile=str(tls_emulator.ca_bundle))
    headers = {b"Authorization": b"Bearer " + tls_emulator.api_key.encode()}
    with httpx.Client(base_url=tls_emulator.url, verify=context, headers=headers) as client:
        assert ok(client.get("/v1/account"))["plan"] == "professional"
    port = tls_emulator.url.rsplit(":", 1)[1]
    with httpx.Client(base_url=f"https://127.0.0.1:{port}", verify=context) as by_ip:
        assert ok(by_ip.get("/_emulator/health"))["status"] == "ok"
    with (
        httpx.Client(base_url=tls_emulator.url) as untrusting,
        pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"),
    ):
        untrusting.get("/_emulator/health")


def test_curl_with_cacert(tls_emulator: EmulatorHandle) -> None:
    trusted = curl(
        "--cacert",
        str(tls_emulator.ca_bundle),
        "-H",
        f"Authorization: Bearer {tls_emulator.api_key}",
        f"{tls_emulator.url}/v1/account",
    )
    assert trusted.returncode == 0, trusted.stderr
    assert json.loads(trusted.stdout)["data"]["plan"] == "professional"
    untrusted = curl(f"{tls_emulator.url}/_emulator/health")
    assert untrusted.returncode == 60  # "peer certificate cannot be authenticated"


def test_the_ca_is_reused_across_restarts(
    make_emulator: Callable[..., EmulatorHandle], tmp_path: Path
) -> None:
    first = make_emulator(tls=True, tls_dir=tmp_path)
    ca = first.ca_bundle
    assert ca is not None
    before = ca.read_bytes()
    second = make_emulator(tls=True, tls_dir=tmp_path)
    assert second.ca_bundle == ca and ca.read_bytes() == before
    with second.client() as client:
        ok(client.get("/v1/account"))


def test_the_pytest_fixture_in_tls_mode_hands_out_the_ca_and_takes_options(tmp_path: Path) -> None:
    (tmp_path / "test_over_tls.py").write_text(
        textwrap.dedent(
            """
            def test_tls(lambda_emulator):
                assert lambda_emulator.url.startswith("https://")
                assert lambda_emulator.ca_bundle.name == "ca.pem"
                with lambda_emulator.client() as client:
                    answer = client.get("/v1/account")
                    assert answer.json()["success"] is True
                    assert "x-ratelimit-limit" not in answer.headers  # switched off below
                lambda_emulator.inject_fault("/v1/account", status=503, count=1)
                with lambda_emulator.client() as client:
                    assert client.get("/v1/account").status_code == 503
                assert [e["status"] for e in lambda_emulator.requests()] == [200, 503]
            """
        )
    )
    env = dict(os.environ, XDG_DATA_HOME=str(tmp_path / "data"))
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "--lambda-emulator-tls=true",
            "--lambda-emulator-rate-limits=false",
            "test_over_tls.py",
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert (tmp_path / "data" / "lambda-emulator" / "tls" / "ca.pem").exists()


def test_serve_tls_prints_the_ca_bundle_in_its_banner(tmp_path: Path) -> None:
    command = [sys.executable, "-m", "lambda_emulator", "serve", "--tls", "--port", "0"]
    env = dict(os.environ, LAMBDA_EMULATOR_TLS_DIR=str(tmp_path), LAMBDA_EMULATOR_SEED="0")
    with subprocess.Popen(command, env=env, stdout=subprocess.PIPE, text=True) as server:
        try:
            assert server.stdout is not None
            banner = {}
            for line in server.stdout:
                name, _, value = line.strip().partition("  ")
                banner[name] = value.strip()
                if name == "CA bundle":
                    break
            assert banner["CA bundle"] == str(tmp_path / "ca.pem")
            url = banner["Root URL"]
            result = curl("--cacert", banner["CA bundle"], f"{url}/_emulator/health")
            assert json.loads(result.stdout)["data"]["status"] == "ok"
        finally:
            server.terminate()


def test_api_key_create_trusts_the_ca_bundle(tls_emulator: EmulatorHandle) -> None:
    command = [sys.executable, "-W", "error::DeprecationWarning", "-m", "lambda_emulator"]
    args = ["api-key", "create", "--name", "over-tls", "--url", tls_emulator.url]
    result = subprocess.run(
        [*command, *args, "--ca-bundle", str(tls_emulator.ca_bundle)],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 0, result.stderr
    assert "Name: over-tls" in result.stdout
    refused = subprocess.run([*command, *args], capture_output=True, text=True, timeout=30)
    assert refused.returncode == 1 and "CERTIFICATE_VERIFY_FAILED" in refused.stderr
