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
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

from lambda_emulator.settings import Settings

__all__ = ["check", "health_url", "local_url", "url_from_ready_file"]

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


def url_from_ready_file(path: Path) -> str | None:
    """The health URL of the emulator that wrote ``path`` (``serve --ready-file``), or ``None``
    while the file is not there yet."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    url = document.get("url") if isinstance(document, dict) else None
    return str(url).rstrip("/") + "/_emulator/health" if url else None


def check(url: str | Callable[[], str | None], timeout: float = 3.0, wait: float = 0.0) -> int:
    """Print one line and return 0 if the emulator answers ready, 1 otherwise.

    With ``wait`` it asks again (every 0.1 s) until the emulator is ready or ``wait`` seconds
    have passed, for scripts that start the emulator in the background and go on once it serves;
    only the last failure is printed. ``url`` may be a function, asked before every attempt
    (``None``: nothing to ask yet), so a ready file that appears later is followed."""
    deadline = time.monotonic() + wait
    while True:
        target = url() if callable(url) else url
        problem = (
            _ask(target, min(timeout, max(0.5, deadline - time.monotonic())))
            if target is not None
            else "unhealthy: the ready file names no emulator yet"
        )
        if problem is None:
            return 0
        if time.monotonic() >= deadline:
            print(problem, file=sys.stderr)
            return 1
        time.sleep(0.1)


def _ask(url: str, timeout: float) -> str | None:
    """``None`` when ready (and the healthy line printed), else why not."""
    # A liveness probe against our own loopback socket: the certificate is the emulator's own.
    context = ssl._create_unverified_context() if url.startswith("https:") else None
    try:
        with urllib.request.urlopen(url, timeout=timeout, context=context) as response:
            payload = json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return f"unhealthy: {url} answered HTTP {exc.code}"
    except (OSError, ValueError) as exc:
        return f"unhealthy: {url}: {exc}"
    data = payload.get("data") if isinstance(payload, dict) else None
    if not isinstance(data, dict) or data.get("ready") is not True:
        return f"unhealthy: {url} is not ready"
    print(f"healthy: {url} (version {data.get('version')}, {data.get('store')})")
    return None
