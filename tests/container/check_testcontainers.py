"""The Testcontainers module against the real image, run by ``make docker-check`` (not by
``make test``: it needs a container engine and the built image).

    LAMBDA_EMULATOR_IMAGE=localhost/lambda-emulator:check DOCKER_HOST=unix:///… \
    TESTCONTAINERS_RYUK_DISABLED=true pytest tests/container/check_testcontainers.py

Both ways of reaching the container are checked: the module's port mapping, and
``network_mode="host"`` (for engines without port mapping).
"""

from __future__ import annotations

import os
import socket

import httpx
import pytest

from lambda_emulator.testcontainers import LambdaEmulatorContainer

IMAGE = os.environ.get("LAMBDA_EMULATOR_IMAGE", "localhost/lambda-emulator:check")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.mark.parametrize("network", [None, "host"], ids=["mapped-port", "host-network"])
def test_the_container_is_healthy_when_started_and_serves_the_api(network: str | None) -> None:
    port = _free_port() if network == "host" else 8787
    with LambdaEmulatorContainer(
        IMAGE, port=port, seed=7, speed=0, network_mode=network
    ) as emulator:
        # no waiting here: start() returned only once /_emulator/health said ready
        health = httpx.get(emulator.get_url() + "/_emulator/health", timeout=5).json()
        assert health["data"]["ready"] is True
        assert health["data"]["seed"] == 7
        key = emulator.api_key.encode("utf-8")
        account = httpx.get(
            emulator.get_url() + "/v1/account",
            headers={b"Authorization": b"Bearer " + key},
            timeout=5,
        )
        assert account.status_code == 200
        assert account.json()["data"]["plan"] == "professional"
