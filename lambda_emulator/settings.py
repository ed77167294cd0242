"""Start-up settings: one table of options feeds the CLI flags, the environment and the docs.

Each option is ``--name`` on the command line and ``LAMBDA_EMULATOR_NAME`` in the environment
(the flag wins; an empty variable is the same as an unset one). Values are parsed and checked
here so that a bad value stops the program with a clear message before anything starts.
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from lambda_emulator.core.keys import DEFAULT_API_KEY, is_well_formed
from lambda_emulator.core.webhooks import DEFAULT_RETRY_SCHEDULE

__all__ = [
    "OPTIONS",
    "Option",
    "Settings",
    "SettingsError",
    "markdown_table",
    "option",
    "parse_value",
    "settings_from",
]

ENV_PREFIX = "LAMBDA_EMULATOR_"


class SettingsError(ValueError):
    """A start-up value that cannot be used; the CLI prints it and exits with status 2."""


def _port(raw: str) -> int:
    value = int(raw)
    if not 0 <= value <= 65535:
        raise ValueError("must be between 0 and 65535")
    return value


def _speed(raw: str) -> float:
    value = float(raw)
    if not 0 <= value <= 1_000_000:
        raise ValueError("must be between 0 (a frozen clock) and 1000000")
    return value


def _seed(raw: str) -> int:
    value = int(raw)
    if value < 0:
        raise ValueError("must be a non-negative integer")
    return value


def _bool(raw: str) -> bool:
    lowered = raw.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off", ""}:
        return False
    raise ValueError("must be true or false")


def _api_key(raw: str) -> str:
    if not is_well_formed(raw):
        raise ValueError("must look like λ_sk_ followed by lowercase letters and digits")
    return raw


def _log_level(raw: str) -> str:
    value = raw.lower()
    if value not in {"critical", "error", "warning", "info", "debug"}:
        raise ValueError("must be one of critical, error, warning, info, debug")
    return value


def _timestamp(raw: str) -> datetime:
    text = raw.strip()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    value = datetime.fromisoformat(text)
    if value.tzinfo is None:
        raise ValueError("must be an RFC 3339 time with a zone, such as 2026-01-24T10:30:00Z")
    return value.astimezone(UTC)


def _transitions(raw: str) -> str:
    if raw not in {"realistic", "instant", "manual"}:
        raise ValueError("must be one of realistic, instant, manual")
    return raw


def _positive_int(raw: str) -> int:
    value = int(raw)
    if value < 1:
        raise ValueError("must be a positive integer")
    return value


def _timeout(raw: str) -> float:
    value = float(raw)
    if not 0 < value <= 300:
        raise ValueError("must be more than 0 and at most 300 seconds")
    return value


def _schedule(raw: str) -> tuple[float, ...]:
    """Comma-separated seconds between attempts; empty or 'none' means no retries."""
    text = raw.strip().lower()
    if text in ("", "none"):
        return ()
    try:
        values = tuple(float(part) for part in text.split(","))
    except ValueError:
        raise ValueError(f"'{raw}' is not a comma-separated list of seconds") from None
    if len(values) > 50 or any(not 0 < v <= 2_592_000 for v in values):
        raise ValueError("needs at most 50 delays, each more than 0 and at most 30 days")
    return values


def _hosts(raw: str) -> tuple[str, ...]:
    """Host names allowed besides loopback ones, comma-separated (the flag may repeat)."""
    names = tuple(part.strip().lower() for part in raw.split(",") if part.strip())
    for name in names:
        if not all(c.isalnum() or c in "-._" for c in name):
            raise ValueError(f"'{name}' is not a host name (give the name alone, no port)")
    return names


def _path(raw: str) -> Path:
    if not raw:
        raise ValueError("must not be empty")
    return Path(raw).expanduser()


def _existing_file(raw: str) -> Path:
    path = _path(raw)
    if not path.is_file():
        raise ValueError(f"no such file: {path}")
    return path


def _origins(raw: str) -> tuple[str, ...]:
    """Browser origins allowed to call ``/v1`` (CORS): ``scheme://host[:port]`` or ``*``."""
    found: list[str] = []
    for part in raw.replace(",", " ").split():
        origin = part.rstrip("/").lower()
        if origin != "*" and not _ORIGIN.fullmatch(origin):
            raise ValueError(f"'{part}' is not an origin such as http://localhost:5173 or *")
        found.append(origin)
    if not found:
        raise ValueError("must name at least one origin")
    return tuple(found)


_ORIGIN = re.compile(r"https?://(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(:[0-9]{1,5})?")


@dataclass(frozen=True)
class Option:
    """One setting: its flag, environment variable, parser, default and help text."""

    name: str
    parse: Callable[[str], Any]
    default: Any
    help: str
    metavar: str = "VALUE"
    flag_only_bool: bool = False
    #: The flag may be given more than once; the parsed tuples are joined (the environment
    #: variable takes a comma-separated list).
    repeatable: bool = False

    @property
    def flag(self) -> str:
        return "--" + self.name.replace("_", "-")

    @property
    def env(self) -> str:
        return ENV_PREFIX + self.name.upper()


OPTIONS: tuple[Option, ...] = (
    Option("host", str, "127.0.0.1", "Interface to listen on.", "HOST"),
    Option("port", _port, 8787, "Port to listen on (0 picks a free one).", "PORT"),
    Option(
        "state_file", _path, None, "Keep state in this TinyDB file and restore it on start.", "PATH"
    ),
    Option("seed", _seed, None, "Seed for ids, IPs and fake values (random when unset).", "INT"),
    Option(
        "speed",
        _speed,
        1.0,
        "Emulator clock speed: real time × this factor (0 freezes it).",
        "FACTOR",
    ),
    Option(
        "start_time",
        _timestamp,
        None,
        "Emulator clock reading at start (RFC 3339); the real time when unset.",
        "TIME",
    ),
    Option("api_key", _api_key, DEFAULT_API_KEY, "The default account's API key.", "KEY"),
    Option(
        "log_level",
        _log_level,
        "info",
        "Log level: critical, error, warning, info, debug.",
        "LEVEL",
    ),
    Option(
        "transitions",
        _transitions,
        "realistic",
        "How lifecycle transitions complete: realistic, instant or manual.",
        "MODE",
    ),
    Option(
        "tls", _bool, False, "Serve HTTPS with a certificate from a local CA.", flag_only_bool=True
    ),
    Option("tls_dir", _path, None, "Where the local CA and certificate are written.", "DIR"),
    Option("rate_limits", _bool, True, "Enforce the plans' rate limits.", flag_only_bool=True),
    Option(
        "strict",
        _bool,
        False,
        "Answer 500 when a response breaks its schema (a bug) instead of logging it.",
        flag_only_bool=True,
    ),
    Option("journal_size", _positive_int, 1000, "How many recent requests the journal keeps.", "N"),
    Option(
        "fixtures", _existing_file, None, "Start from this exported state document (JSON).", "FILE"
    ),
    Option(
        "webhook_timeout",
        _timeout,
        10.0,
        "Real seconds one webhook delivery attempt may take before it counts as failed.",
        "SECONDS",
    ),
    Option(
        "webhook_retry_schedule",
        _schedule,
        DEFAULT_RETRY_SCHEDULE,
        "Emulator seconds to wait before each webhook retry, comma-separated "
        "(default 10,20,40,80,160,320,640,1280; 'none' for no retries).",
        "LIST",
    ),
    Option(
        "fsync",
        _bool,
        False,
        "fsync every write to the state file (survives power loss, not just a crash).",
        flag_only_bool=True,
    ),
    Option(
        "ready_file",
        _path,
        None,
        "Once serving, write {url, port, pid} to this file as JSON (atomically), for scripts "
        "that start it with --port 0; removed again on a clean stop.",
        "PATH",
    ),
    Option(
        "cors_origin",
        _origins,
        (),
        "Another browser origin allowed to call /v1 (repeatable; * for any); loopback origins "
        "always are.",
        "ORIGIN",
        repeatable=True,
    ),
    Option(
        "allowed_host",
        _hosts,
        (),
        "A host name the dashboard and control plane answer to besides loopback ones, "
        "against DNS rebinding (repeatable; comma-separated in the environment).",
        "NAME",
        repeatable=True,
    ),
)


@dataclass(frozen=True)
class Settings:
    """What the emulator was started with; ``reset`` returns to exactly this."""

    host: str = "127.0.0.1"
    port: int = 8787
    state_file: Path | None = None
    seed: int | None = None
    speed: float = 1.0
    start_time: datetime | None = None
    api_key: str = DEFAULT_API_KEY
    log_level: str = "info"
    transitions: str = "realistic"
    tls: bool = False
    tls_dir: Path | None = None
    rate_limits: bool = True
    strict: bool = False
    journal_size: int = 1000
    fixtures: Path | None = None
    fsync: bool = False
    webhook_timeout: float = 10.0
    webhook_retry_schedule: tuple[float, ...] = DEFAULT_RETRY_SCHEDULE
    allowed_host: tuple[str, ...] = ()
    max_body_bytes: int = field(default=1024 * 1024)
    cors_origin: tuple[str, ...] = ()
    ready_file: Path | None = None

    def replace(self, **changes: Any) -> Settings:
        return dataclasses.replace(self, **changes)


def settings_from(flags: Mapping[str, Any], env: Mapping[str, str] | None = None) -> Settings:
    """Merge parsed CLI flags (``None`` = not given) over the environment over the defaults."""
    environ = os.environ if env is None else env
    values: dict[str, Any] = {}
    for option in OPTIONS:
        raw_flag = flags.get(option.name)
        if option.repeatable and isinstance(raw_flag, list):
            raw_flag = ",".join(raw_flag)
        if raw_flag is not None:
            values[option.name] = _parse(option, raw_flag, option.flag)
        elif environ.get(option.env, ""):
            # an empty variable counts as unset, so `-e LAMBDA_EMULATOR_STATE_FILE=` clears
            # a default an image or a CI file set (here: back to in-memory state)
            values[option.name] = _parse(option, environ[option.env], option.env)
    return Settings(**values)


def option(name: str) -> Option:
    """The option called ``name`` (its setting's name, such as ``rate_limits``)."""
    for candidate in OPTIONS:
        if candidate.name == name:
            return candidate
    raise KeyError(name)


def parse_value(name: str, raw: str, source: str) -> Any:
    """Parse ``raw`` by the rules of option ``name``; a :class:`SettingsError` names ``source``
    (a flag, a variable, or the pytest plugin's option) so every front end reports the same."""
    return _parse(option(name), raw, source)


def _parse(option: Option, raw: Any, source: str) -> Any:
    if isinstance(raw, list):  # a repeatable flag: each occurrence parsed, the results joined
        return tuple(value for item in raw for value in _parse(option, item, source))
    if not isinstance(raw, str):
        return raw
    try:
        return option.parse(raw)
    except ValueError as exc:
        reason = str(exc)
        if reason.startswith(("invalid literal", "could not convert", "Invalid isoformat")):
            reason = f"'{raw}' is not a valid {option.metavar.lower()}"
        raise SettingsError(f"{source}: {reason}") from None


def markdown_table() -> str:
    """The configuration table of the docs, generated here so that it cannot drift."""
    rows = ["| Flag | Environment variable | Default | Meaning |", "|---|---|---|---|"]
    for option in OPTIONS:
        flag = (
            f"`{option.flag}` / `--no-{option.flag[2:]}`"
            if option.flag_only_bool
            else (f"`{option.flag} {option.metavar}`")
        )
        default = option.default
        if default is None:
            shown = "unset"
        elif isinstance(default, bool):
            shown = "on" if default else "off"
        elif default == ():
            shown = "none"
        else:
            shown = f"`{default}`"
        rows.append(f"| {flag} | `{option.env}` | {shown} | {option.help} |")
    return "\n".join(rows)
