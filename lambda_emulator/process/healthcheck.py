"""``lambda-emulator health``: exit 0 when the emulator this environment configures is ready.

It exists for container health checks (the image has no curl): it reads the same
``LAMBDA_EMULATOR_*`` settings as ``serve`` and asks ``/_emulator/health`` on the loopback
address, so the check follows whatever host, port and TLS setting the container was started
with. It uses only the standard library, keeping the probe cheap to start every few seconds.
"""

from __future__ import annotations

import json
import ssl
import sys
import urllib.error
import urllib.request

from lambda_emulator.settings import Settings

__all__ = ["check", "health_url", "local_url"]

#: Addresses that mean "every interface": probe the loopback address of the same family.
_WILDCARDS = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}


def local_url(settings: Settings) -> str:
    """The root URL at which a process on the same machine reaches an emulator started with
    ``settings`` (a wildcard address is reached on loopback)."""
    host = _WILDCARDS.get(settings.host, settings.host)
    if ":" in host:
        host = f"[{host}]"
    scheme = "https" if settings.tls else "http"
    return f"{scheme}://{host}:{settings.port}"


def health_url(settings: Settings) -> str:
    return local_url(settings) + "/_emulator/health"


def check(url: str, timeout: float = 3.0) -> int:
    """Print one line and return 0 if the emulator answers ready, 1 otherwise."""
    # A liveness probe against our own loopback socket: the certificate is the emulator's own.
    context = ssl._create_unverified_context() if url.startswith("https:") else None
    try:
        with urllib.request.urlopen(url, timeout=timeout, context=context) as response:
            payload = json.loads(response.read())
    except urllib.error.HTTPError as exc:
        print(f"unhealthy: {url} answered HTTP {exc.code}", file=sys.stderr)
        return 1
    except (OSError, ValueError) as exc:
        print(f"unhealthy: {url}: {exc}", file=sys.stderr)
        return 1
    data = payload.get("data") if isinstance(payload, dict) else None
    if not isinstance(data, dict) or data.get("ready") is not True:
        print(f"unhealthy: {url} is not ready", file=sys.stderr)
        return 1
    print(f"healthy: {url} (version {data.get('version')}, {data.get('store')})")
    return 0
