"""The two OpenAPI documents, fetched from the real emulator of this worker."""

from __future__ import annotations

import httpx
import pytest

from lambda_emulator.testing.pytest_plugin import EmulatorHandle

PATHS = {"public": "/v1/openapi.json", "control": "/_emulator/openapi.json"}


@pytest.fixture
def documents(lambda_emulator: EmulatorHandle) -> dict[str, bytes]:
    with httpx.Client(base_url=lambda_emulator.url, timeout=30) as raw:
        return {name: raw.get(path).content for name, path in PATHS.items()}
