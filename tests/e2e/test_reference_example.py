"""The reference's end-to-end example: create an instance with its exact body, wait until it
is ready, read its public IP. Once with curl (as the reference does), once in Python the way an
SDK's ``wait_until_ready()`` polls while the (test-controlled) clock advances."""

from __future__ import annotations

import ipaddress
from typing import Any

import httpx

from lambda_emulator.testing.pytest_plugin import EmulatorHandle
from tests.support.curl import curl_json
from tests.support.keys import KEY

#: Step 1 of the reference's example, byte for byte (curl sends it form-encoded by default,
#: with the explicit JSON content type the reference adds).
REFERENCE_BODY = """{
"name": "my-api-instance",
"instance_type": "compute-4x",
"region": "us-west-1",
"image": "ubuntu-22.04",
"ssh_keys": ["key_abc123"]
}"""


def test_reference_example_withcurl_json(lambda_emulator: EmulatorHandle) -> None:
    base = lambda_emulator.url + "/v1"
    created = curl_json(
        "-X", "POST", base + "/instances",
        "-H", f"Authorization: Bearer {KEY}",
        "-H", "Content-Type: application/json",
        "-d", REFERENCE_BODY,
    )  # fmt: skip
    assert created["success"] is True
    instance_id = created["data"]["id"]
    assert instance_id.startswith("inst_")
    assert created["data"]["status"] == "pending"
    # 2. Wait for the instance to be ready: poll, moving the emulator clock between polls.
    status, polls = created["data"]["status"], 0
    while status != "running":
        polls += 1
        assert polls <= 20, "the instance never became ready"
        lambda_emulator.advance(10)
        got = curl_json(base + f"/instances/{instance_id}", "-H", f"Authorization: Bearer {KEY}")
        status = got["data"]["status"]
    # 3. Connect via SSH: the public IP is in the reference's documentation range.
    public_ip = got["data"]["public_ip"]
    assert ipaddress.ip_address(public_ip) in ipaddress.ip_network("203.0.113.0/24")
    assert polls == 5  # booting takes 45 s by default


class Instance:
    """What a minimal SDK's instance object does: hold the data, refresh, wait until ready."""

    def __init__(self, client: httpx.Client, data: dict[str, Any]) -> None:
        self._client = client
        self.data = data

    @property
    def id(self) -> str:
        return str(self.data["id"])

    @property
    def public_ip(self) -> str | None:
        return self.data["public_ip"]

    def refresh(self) -> None:
        response = self._client.get(f"/v1/instances/{self.id}")
        response.raise_for_status()
        self.data = response.json()["data"]

    def wait_until_ready(self, sleep: Any, timeout: float = 600, interval: float = 5) -> None:
        waited = 0.0
        while self.data["status"] != "running":
            if waited >= timeout:
                raise TimeoutError(f"{self.id} is still {self.data['status']}")
            sleep(interval)
            waited += interval
            self.refresh()


def test_reference_example_the_sdk_way(lambda_emulator: EmulatorHandle) -> None:
    with lambda_emulator.client(KEY) as client:
        response = client.post(
            "/v1/instances",
            json={
                "name": "my-python-instance",
                "instance_type": "compute-4x",
                "region": "us-west-1",
                "image": "ubuntu-22.04",
                "ssh_keys": ["key_abc123"],
            },
        )
        assert response.status_code == 201
        instance = Instance(client, response.json()["data"])
        # The SDK's sleep becomes a move of the emulator clock: no real waiting.
        instance.wait_until_ready(sleep=lambda seconds: lambda_emulator.advance(seconds))
        assert instance.data["status"] == "running"
        assert instance.public_ip is not None
        assert ipaddress.ip_address(instance.public_ip) in ipaddress.ip_network("203.0.113.0/24")
        assert lambda_emulator.now() == "2026-01-24T10:30:45Z"
