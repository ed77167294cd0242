"""Which world a request is served in, decided once, at the outermost layer.

- ``/_emulator/sandboxes/{id}/…``: that sandbox (``None`` when there is no such sandbox, which
  the operation answers with a 404);
- the API (``/v1``, ``/v2``, and the metrics stream): the world of the presented key (the
  default world for an unknown or missing key, whose authentication then refuses it);
- anything else: the default world.

The answer is kept in ``scope["state"]["world"]``; everything downstream (the journal, the
pipeline, the 404/405 answers, the stream) reads it from there.
"""

from __future__ import annotations

from urllib.parse import parse_qsl

from starlette.types import Scope

from lambda_emulator.runtime import Runtime
from lambda_emulator.sandboxes.registry import Sandboxes

__all__ = ["SANDBOX_PATH", "resolve", "world_of"]

SANDBOX_PATH = "/_emulator/sandboxes/"


def resolve(sandboxes: Sandboxes, scope: Scope, api: bool) -> Runtime | None:
    path: str = scope["path"]
    if path.startswith(SANDBOX_PATH):
        sandbox_id = path[len(SANDBOX_PATH) :].split("/", 1)[0]
        return sandboxes.find(sandbox_id) if sandbox_id else sandboxes.default
    if not api or len(sandboxes) == 1:
        return sandboxes.default
    return sandboxes.for_key(_presented_key(scope))


def world_of(scope: Scope) -> Runtime | None:
    world: Runtime | None = scope["state"].get("world")
    return world


def _text(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def _presented_key(scope: Scope) -> str | None:
    """The key as authentication will read it (Bearer, X-API-Key, or a stream's query)."""
    api_key = None
    for name, value in scope["headers"]:
        if name == b"authorization":
            scheme, _, token = _text(value).strip().partition(" ")
            return token.strip() if scheme.lower() == "bearer" else None
        if name == b"x-api-key":
            api_key = _text(value).strip()
    if api_key is not None:
        return api_key
    if scope["type"] == "websocket" and scope.get("query_string"):
        for name, value in parse_qsl(scope["query_string"].decode("latin-1")):
            if name == "api_key":
                return str(value).strip()
    return None
