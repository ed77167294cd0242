"""Running ``lambda-emulator`` as a real process, the way a user starts it from a shell.

The e2e tests need the installed console script (not ``EmulatorThread``): its argument parsing,
banner, signal handling and exit codes are what they check. ``serve`` binds ``--port 0`` and the
tests read the real URL from the banner, so parallel workers never fight over a port. (An
emulator in a thread, for tests of the API rather than of the command, is in ``server``.)
"""

from __future__ import annotations

import os
import re
import selectors
import signal
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import httpx

#: The console script of the environment running the tests (the editable install).
EXECUTABLE = str(Path(sys.executable).with_name("lambda-emulator"))
START_TIMEOUT = 20.0


def clean_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The current environment without any ``LAMBDA_EMULATOR_*`` (so a developer's shell cannot
    change what a test sees), plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LAMBDA_EMULATOR_")}
    env["PYTHONUNBUFFERED"] = "1"
    env.update(extra or {})
    return env


def run(
    *args: str,
    env: Mapping[str, str] | None = None,
    executable: str = EXECUTABLE,
    cwd: Path | None = None,
    timeout: float = 30.0,
) -> subprocess.CompletedProcess[str]:
    """Run a short ``lambda-emulator`` command to completion and capture its output."""
    return subprocess.run(
        [executable, *args],
        env=clean_env(env),
        cwd=cwd,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=timeout,
        check=False,
    )


@dataclass
class Served:
    """A ``lambda-emulator serve`` process whose banner has been read."""

    proc: subprocess.Popen[bytes]
    banner: dict[str, str]
    lines: list[str]
    stderr_path: Path
    url: str = field(init=False)

    def __post_init__(self) -> None:
        self.url = self.banner["Root URL"]

    @property
    def api_key(self) -> str:
        return self.banner["API key"]

    def client(self, api_key: str | None = None) -> httpx.Client:
        key = (api_key or self.api_key).encode("utf-8")
        return httpx.Client(
            base_url=self.url, headers={b"Authorization": b"Bearer " + key}, timeout=10
        )

    def stderr(self) -> str:
        return self.stderr_path.read_text(encoding="utf-8", errors="replace")

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 15.0) -> int:
        """Send ``sig`` and wait for the process; returns its exit code."""
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            return self.proc.wait(timeout)
        finally:
            _close(self.proc.stdout)

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)
        _close(self.proc.stdout)


def _close(stream: IO[bytes] | None) -> None:
    if stream is not None:
        stream.close()


_BANNER_LINE = re.compile(r"^  (\S+(?: \S+)?)\s{2,}(.*)$")


def serve(
    *args: str,
    tmp: Path,
    env: Mapping[str, str] | None = None,
    executable: str = EXECUTABLE,
    cwd: Path | None = None,
    timeout: float = START_TIMEOUT,
) -> Served:
    """Start ``lambda-emulator serve ARGS`` and return once its banner is printed.

    ``--port 0`` is added unless a port is given (flag or environment). Raises with the
    process's output if it exits or stays silent instead.
    """
    argv = [executable, "serve", *args]
    if "--port" not in args and not (env and "LAMBDA_EMULATOR_PORT" in env):
        argv += ["--port", "0"]
    stderr_path = tmp / f"serve-{time.monotonic_ns()}.stderr"
    with open(stderr_path, "w", encoding="utf-8") as stderr_file:
        proc = subprocess.Popen(
            argv,
            env=clean_env(env),
            cwd=cwd,
            stdout=subprocess.PIPE,
            stderr=stderr_file,
        )
    lines = _read_banner(proc, timeout)
    if lines is None:
        proc.kill()
        proc.wait(10)
        _close(proc.stdout)
        raise AssertionError(
            f"serve did not print its banner (exit {proc.returncode}):\n"
            + stderr_path.read_text(encoding="utf-8", errors="replace")
        )
    banner: dict[str, str] = {}
    for line in lines[1:]:
        match = _BANNER_LINE.match(line)
        if match:
            banner[match.group(1)] = match.group(2).strip()
    return Served(proc=proc, banner=banner, lines=lines, stderr_path=stderr_path)


def _read_banner(proc: subprocess.Popen[bytes], timeout: float) -> list[str] | None:
    """Lines of stdout up to the banner's ``Control`` line, or ``None`` on exit or timeout.

    Reads the pipe's descriptor directly: a buffered reader could hold the banner's lines
    while the selector waits for more bytes that never come."""
    assert proc.stdout is not None
    fd = proc.stdout.fileno()
    deadline = time.monotonic() + timeout
    buffer = b""
    with selectors.DefaultSelector() as selector:
        selector.register(fd, selectors.EVENT_READ)
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not selector.select(remaining):
                return None
            chunk = os.read(fd, 65536)
            if not chunk:
                return None
            buffer += chunk
            lines = buffer.decode("utf-8", errors="replace").split("\n")
            for index, line in enumerate(lines[:-1]):
                if line.startswith("  Control"):
                    start = next(i for i, text in enumerate(lines) if "is ready" in text)
                    return lines[start : index + 1]
