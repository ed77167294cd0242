"""Running the app on uvicorn: in the foreground for the CLI, or in a thread for tests.

Both bind the socket themselves first, so ``port=0`` gives a free port that is known before the
first request, and the URL printed or handed to a test is always the real one.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import json
import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import uvicorn
from starlette.applications import Starlette

from lambda_emulator.app import create_app, runtime_of
from lambda_emulator.http.dashboard import close_streams
from lambda_emulator.process import log_redaction
from lambda_emulator.process.connections import protocol_class
from lambda_emulator.runtime import Runtime
from lambda_emulator.settings import Settings, SettingsError
from lambda_emulator.storage.protocol import StoreError

__all__ = [
    "EmulatorThread",
    "ListenError",
    "ServeInfo",
    "bind",
    "build_app",
    "run_forever",
    "write_ready_file",
]


@dataclass(frozen=True)
class ServeInfo:
    url: str
    api_key: str
    store: str
    seed: int
    ca_bundle: Path | None


class ListenError(OSError):
    """The socket could not be bound: a port in use, an address not on this machine."""


def bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP explicitly: asyncio turns Nagle off (TCP_NODELAY) only on sockets whose
    # ``proto`` says TCP; with proto 0 every response's body waited ~40 ms for a delayed ACK.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.bind((host, port))
        sock.listen(2048)
    except OSError as exc:
        sock.close()
        raise ListenError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from exc
    sock.set_inheritable(True)
    return sock


def _url(settings: Settings, sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    scheme = "https" if settings.tls else "http"
    shown = "localhost" if settings.tls and host in ("127.0.0.1", "::1") else host
    if ":" in shown:
        shown = f"[{shown}]"
    return f"{scheme}://{shown}:{port}"


def _config(app: Starlette, settings: Settings, tls_files: dict[str, Any]) -> uvicorn.Config:
    config = uvicorn.Config(
        app,
        # uvicorn's own protocol, lending requests the socket control network faults need
        http=protocol_class(),
        log_level=settings.log_level,
        access_log=settings.log_level == "debug",
        lifespan="on",
        timeout_graceful_shutdown=5,
        server_header=False,
        **tls_files,
    )
    # After uvicorn has configured its loggers: keys never reach the log output.
    log_redaction.install()
    return config


def build_app(settings: Settings) -> Starlette:
    """``create_app``, with a start-up file that cannot be used reported as the setting that
    named it (a :class:`SettingsError`, exit status 2), not as the inner file that failed."""
    try:
        return create_app(settings)
    except StoreError as exc:
        raise SettingsError(f"--state-file {settings.state_file}: {exc}") from None
    except OSError as exc:
        if settings.state_file is None:
            raise
        folder = settings.state_file.expanduser().absolute().parent
        reason = exc.strerror or str(exc)
        raise SettingsError(
            f"--state-file {settings.state_file}: cannot write state in {folder}: {reason}"
        ) from None
    except ValueError as exc:
        if str(exc).startswith("--fixtures"):
            raise SettingsError(str(exc)) from None
        raise


def write_ready_file(path: Path, info: ServeInfo) -> None:
    """``{"url", "port", "pid"}`` as JSON, written to a temporary file beside ``path`` and
    renamed over it, so a script polling for the file never reads half of it."""
    port = int(info.url.rsplit(":", 1)[1])
    document = json.dumps({"url": info.url, "port": port, "pid": os.getpid()})
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_text(document + "\n", encoding="utf-8")
    os.replace(temporary, path)


def _tls_files(settings: Settings, rt: Runtime) -> tuple[dict[str, Any], Path | None]:
    if not settings.tls:
        return {}, None
    from lambda_emulator.process.tls import ensure_certificates

    try:
        files = ensure_certificates(settings.tls_dir, settings.host)
    except OSError as exc:
        where = settings.tls_dir or "the default TLS folder"
        raise SettingsError(f"--tls-dir {where}: {exc.strerror or exc}") from None
    return {"ssl_certfile": str(files.cert), "ssl_keyfile": str(files.key)}, files.ca


def _info(settings: Settings, rt: Runtime, sock: socket.socket, ca: Path | None) -> ServeInfo:
    return ServeInfo(
        url=_url(settings, sock),
        api_key=settings.api_key,
        store=rt.store.description,
        seed=rt.seed,
        ca_bundle=ca,
    )


class _Server(uvicorn.Server):
    def __init__(self, config: uvicorn.Config, on_started: Callable[[], None]) -> None:
        super().__init__(config)
        self._on_started = on_started

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        # Open dashboard streams end first: uvicorn waits for every open response to finish.
        app = self.config.app
        if isinstance(app, Starlette):
            close_streams(app)
        await super().shutdown(sockets=sockets)

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=sockets)
        if self.started:
            self._on_started()

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        """Stop on SIGINT/SIGTERM like uvicorn, but exit with status 0 afterwards.

        uvicorn re-raises the captured signal once it has shut down, so the process dies of
        it (status -2/-15 and a KeyboardInterrupt traceback) even though it stopped cleanly;
        for a service that was asked to stop, a clean stop is a success."""
        with super().capture_signals():
            yield
            self._captured_signals.clear()


def run_forever(settings: Settings, on_started: Callable[[ServeInfo], None]) -> None:
    """Serve in the foreground until SIGINT or SIGTERM; state is flushed on the way out."""
    sock = bind(settings.host, settings.port)
    app = build_app(settings)
    rt = runtime_of(app)
    tls, ca = _tls_files(settings, rt)
    info = _info(settings, rt, sock, ca)
    server = _Server(_config(app, settings, tls), lambda: on_started(info))
    try:
        server.run(sockets=[sock])
    finally:
        if settings.ready_file is not None:
            # a stopped emulator leaves no file that says it serves
            with contextlib.suppress(OSError):
                settings.ready_file.unlink()


T = TypeVar("T")


class EmulatorThread:
    """An emulator on a free loopback port in a background thread (tests, the pytest plugin)."""

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings if settings is not None else Settings(port=0)
        self._sock = bind(self.settings.host, self.settings.port)
        self.app = create_app(self.settings)
        self.runtime = runtime_of(self.app)
        tls, ca = _tls_files(self.settings, self.runtime)
        self.info = _info(self.settings, self.runtime, self._sock, ca)
        self._started = threading.Event()
        self._server = _Server(_config(self.app, self.settings, tls), self._started.set)
        self._thread = threading.Thread(target=self._run, name="lambda-emulator", daemon=True)
        self._error: BaseException | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    @property
    def url(self) -> str:
        return self.info.url

    def _run(self) -> None:
        try:
            # The event loop uvicorn picks for the CLI (uvloop where installed).
            with asyncio.Runner(loop_factory=self._server.config.get_loop_factory()) as runner:
                self._loop = runner.get_loop()
                runner.run(self._server.serve(sockets=[self._sock]))
        except BaseException as exc:  # surfaced by start()
            self._error = exc
        finally:
            self._started.set()

    def start(self, timeout: float = 10.0) -> EmulatorThread:
        self._thread.start()
        if not self._started.wait(timeout) or self._error or not self._server.started:
            raise RuntimeError(f"the emulator did not start: {self._error!r}")
        return self

    def call(self, fn: Callable[[], T], timeout: float = 10.0) -> T:
        """Run ``fn`` on the server's event loop and return what it returns: how a caller in
        the same process (the pytest fixture) acts on the emulator without an HTTP round
        trip, and without racing the requests and background tasks the loop runs."""
        loop = self._loop
        if loop is None or not self._server.started:
            raise RuntimeError("the emulator is not running")
        done: concurrent.futures.Future[T] = concurrent.futures.Future()

        def run() -> None:
            try:
                done.set_result(fn())
            except BaseException as exc:  # handed to the caller
                done.set_exception(exc)

        loop.call_soon_threadsafe(run)
        return done.result(timeout)

    def stop(self, timeout: float = 10.0) -> None:
        self._server.should_exit = True
        deadline = time.monotonic() + timeout
        self._thread.join(max(0.0, deadline - time.monotonic()))
        self._sock.close()

    def __enter__(self) -> EmulatorThread:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
