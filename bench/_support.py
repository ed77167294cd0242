"""What the benchmarks share: free ports, server processes and a raw keep-alive HTTP client.

The client is a plain socket sending pre-built request bytes and reading exactly
``Content-Length`` bytes back: a full HTTP client library costs more per request than the
server does, and would flatten the very differences a benchmark is meant to show.
"""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COMMAND = str(Path(sys.executable).with_name("lambda-emulator"))
DEFAULT_KEY = "λ_sk_1234567890abcdef"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def clean_env() -> dict[str, str]:
    """The environment without our own settings, and with bytecode caching on: an installed
    package has its ``.pyc`` files, so a benchmark that compiled every module on each start
    (``PYTHONDONTWRITEBYTECODE`` is set on some machines) would time what no user pays."""
    return {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("LAMBDA_EMULATOR_") and k != "PYTHONDONTWRITEBYTECODE"
    }


def start(argv: Sequence[str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        list(argv), env=clean_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )


def stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def request_bytes(method: str, path: str, headers: dict[str, str], body: bytes = b"") -> bytes:
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    if body or method in ("POST", "PUT", "PATCH"):
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8") + body


class RawClient:
    """One keep-alive connection; ``send`` returns (status, body)."""

    def __init__(self, port: int, timeout: float = 10.0) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._buffer = b""

    def send(self, raw: bytes) -> tuple[int, bytes]:
        self.sock.sendall(raw)
        while b"\r\n\r\n" not in self._buffer:
            self._fill()
        head, self._buffer = self._buffer.split(b"\r\n\r\n", 1)
        lines = head.split(b"\r\n")
        status = int(lines[0].split()[1])
        length = 0
        for line in lines[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        while len(self._buffer) < length:
            self._fill()
        body, self._buffer = self._buffer[:length], self._buffer[length:]
        return status, body

    def _fill(self) -> None:
        chunk = self.sock.recv(1 << 16)
        if not chunk:
            raise ConnectionError("the server closed the connection")
        self._buffer += chunk

    def close(self) -> None:
        self.sock.close()


def wait_until_answered(port: int, raw: bytes, deadline: float) -> int:
    """Retry connect + request until an answer arrives; returns its status."""
    while True:
        try:
            client = RawClient(port, timeout=5)
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.002)
            continue
        try:
            return client.send(raw)[0]
        finally:
            client.close()


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far (Linux ``/proc``), in seconds.

    On a shared or busy machine, wall-clock rates mostly measure how often the scheduler lets a
    process run; the CPU a server spends per request is what the server itself costs."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
    return ticks / os.sysconf("SC_CLK_TCK")


def load_average() -> float:
    return os.getloadavg()[0]


def summary(values: Sequence[float], unit: str = "ms", scale: float = 1000.0) -> str:
    ordered = sorted(values)
    p90 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.9))]
    return (
        f"median {statistics.median(ordered) * scale:.2f} {unit}, "
        f"min {ordered[0] * scale:.2f}, p90 {p90 * scale:.2f}, n={len(ordered)}"
    )


def verdict(value: float, target: float, lower_is_better: bool = True) -> str:
    met = value <= target if lower_is_better else value >= target
    return "meets the target" if met else "MISSES the target"
