"""A Testcontainers module for the emulator's image (extra: ``lambda-emulator[testcontainers]``).

    from lambda_emulator.testing.testcontainers import LambdaEmulatorContainer

    with LambdaEmulatorContainer("lambda-emulator:latest", seed=7) as emulator:
        sdk = MySdk(base_url=emulator.get_url() + "/v1", api_key=emulator.api_key)

It waits on ``GET /_emulator/health`` answering ``ready: true`` (never on a log line, whose
wording may change), so the first request of a test always meets a serving emulator.
Settings go in as ``LAMBDA_EMULATOR_*`` variables (``with_env``, or the keyword arguments here).
``network_mode="host"`` (for engines without port mapping, such as rootless podman set-ups)
serves on the host's loopback at ``port``.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from typing import Any

from testcontainers.core.container import DockerContainer

from lambda_emulator.core.keys import DEFAULT_API_KEY

__all__ = ["LambdaEmulatorContainer"]


class LambdaEmulatorContainer(DockerContainer):
    """The emulator image as a throwaway container; ``get_url()`` is its root URL."""

    def __init__(
        self,
        image: str = "lambda-emulator:latest",
        *,
        port: int = 8787,
        api_key: str = DEFAULT_API_KEY,
        seed: int | None = None,
        speed: float | None = None,
        transitions: str | None = None,
        startup_timeout: float = 60.0,
        network_mode: str | None = None,
        **kwargs: Any,
    ) -> None:
        if network_mode is not None:
            kwargs["network_mode"] = network_mode
        super().__init__(image, **kwargs)
        self.port = port
        self.api_key = api_key
        self.startup_timeout = startup_timeout
        self._host_network = network_mode == "host"
        self.with_env("LAMBDA_EMULATOR_PORT", str(port))
        self.with_env("LAMBDA_EMULATOR_API_KEY", api_key)
        self.with_env("LAMBDA_EMULATOR_HOST", "127.0.0.1" if self._host_network else "0.0.0.0")
        for name, value in (("SEED", seed), ("SPEED", speed), ("TRANSITIONS", transitions)):
            if value is not None:
                self.with_env(f"LAMBDA_EMULATOR_{name}", str(value))
        if not self._host_network:
            self.with_exposed_ports(port)

    def get_url(self) -> str:
        """The root URL as seen from the test process (the API is ``get_url() + "/v1"``)."""
        if self._host_network:
            return f"http://127.0.0.1:{self.port}"
        host = self.get_container_host_ip()
        return f"http://{host}:{self.get_exposed_port(self.port)}"

    def start(self) -> LambdaEmulatorContainer:
        super().start()
        self._wait_until_healthy()
        return self

    def _wait_until_healthy(self) -> None:
        deadline = time.monotonic() + self.startup_timeout
        last = "no answer yet"
        while time.monotonic() < deadline:
            try:
                url = self.get_url() + "/_emulator/health"
                with urllib.request.urlopen(url, timeout=2) as response:
                    if json.loads(response.read()).get("data", {}).get("ready") is True:
                        return
                    last = "answered but not ready"
            except (OSError, ValueError, urllib.error.URLError) as exc:
                last = str(exc)
            except Exception as exc:  # the engine has not mapped the port yet
                last = repr(exc)
            time.sleep(0.2)
        logs = self.get_logs()
        raise TimeoutError(
            f"the emulator in {self.image} was not healthy after {self.startup_timeout} s "
            f"({last}); its output: {logs!r}"
        )
