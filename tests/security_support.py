"""Helpers for the security tests: the exported state in a form that compares across requests."""

from __future__ import annotations

from typing import Any

from lambda_emulator.testing.pytest_plugin import EmulatorHandle


def tables(emu: EmulatorHandle) -> dict[str, Any]:
    """Every table of ``GET /_emulator/state``, without the one stamp a request may move
    legitimately: the caller's own key's ``last_used_at``."""
    state: dict[str, Any] = emu.control("GET", "state")
    out: dict[str, Any] = dict(state["tables"])
    out["api_keys"] = {
        kid: {k: v for k, v in row.items() if k != "last_used_at"}
        for kid, row in out.get("api_keys", {}).items()
    }
    return out


def changed(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """Table → rows that differ (old, new), empty when nothing changed: a readable failure."""
    out: dict[str, Any] = {}
    for name in set(before) | set(after):
        old, new = before.get(name, {}), after.get(name, {})
        rows = {
            k: (old.get(k), new.get(k)) for k in set(old) | set(new) if old.get(k) != new.get(k)
        }
        if rows:
            out[name] = rows
    return out
