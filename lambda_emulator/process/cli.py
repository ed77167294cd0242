"""``lambda-emulator``: parse the command line and hand over; no logic of its own."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence
from typing import Any

from lambda_emulator import __version__
from lambda_emulator.settings import OPTIONS, SettingsError, settings_from

__all__ = ["main"]

DEFAULT_URL = "http://127.0.0.1:8787"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="lambda-emulator",
        description="A local emulator of the Lambda compute platform's REST API.",
    )
    parser.add_argument(
        "-V", "--version", action="version", version=f"lambda-emulator {__version__}"
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    serve = commands.add_parser(
        "serve",
        help="run the emulator",
        description="Run the emulator. Every flag is also LAMBDA_EMULATOR_<NAME> in the "
        "environment; a flag wins over the environment.",
    )
    for option in OPTIONS:
        help_text = f"{option.help} [env {option.env}; default {_shown(option.default)}]"
        shape: dict[str, Any] = {"metavar": option.metavar}
        if option.repeatable:
            shape["action"] = "append"
        elif option.flag_only_bool:
            shape = {"action": argparse.BooleanOptionalAction}
        serve.add_argument(option.flag, dest=option.name, default=None, help=help_text, **shape)

    api_key = commands.add_parser("api-key", help="manage API keys of a running emulator")
    key_commands = api_key.add_subparsers(dest="key_command", metavar="ACTION")
    create = key_commands.add_parser("create", help="create an API key and print it once")
    create.add_argument("--name", required=True, help="a descriptive name for the key")
    listing = key_commands.add_parser("list", help="list the account's keys (never a secret)")
    revoke = key_commands.add_parser("revoke", help="revoke a key: it fails at once")
    revoke.add_argument("key_id", metavar="KEY_ID", help="the key's id (key_…), as list shows")
    for sub in (create, listing, revoke):
        _client_arguments(sub)
    create.add_argument(
        "--permission",
        dest="permissions",
        action="append",
        default=None,
        help="a permission for the new key (repeatable; default '*')",
    )
    health = commands.add_parser(
        "health",
        help="exit 0 if a running emulator is ready (for container health checks)",
        description="Ask /_emulator/health of the emulator the LAMBDA_EMULATOR_* environment "
        "describes (host, port, TLS), or of --url; exit 0 when it answers ready, 1 otherwise.",
    )
    health.add_argument("--url", default=None, help="the emulator's root URL")
    health.add_argument(
        "--ready-file",
        dest="ready_file",
        default=None,
        metavar="PATH",
        help="ask the emulator that `serve --ready-file PATH` names (with --wait, wait for the "
        "file to appear too)",
    )
    health.add_argument(
        "--wait",
        type=_wait_seconds,
        default=0.0,
        metavar="SECONDS",
        help="keep asking for up to SECONDS until it is ready (default 0: ask once)",
    )
    return parser


def _client_arguments(sub: argparse.ArgumentParser) -> None:
    """The flags every command that talks to a running emulator takes."""
    sub.add_argument(
        "--url",
        default=None,
        help="the emulator's root URL [env LAMBDA_EMULATOR_URL; default: the emulator that "
        f"LAMBDA_EMULATOR_HOST/PORT/TLS describe, {DEFAULT_URL} when unset]",
    )
    sub.add_argument(
        "--api-key",
        dest="api_key",
        default=None,
        help="an existing key with account:read/write [env LAMBDA_EMULATOR_API_KEY; "
        "default: the emulator's default key]",
    )
    sub.add_argument(
        "--ca-bundle",
        dest="ca_bundle",
        default=None,
        help="CA bundle to trust for an https URL (the emulator prints it)",
    )


def _wait_seconds(raw: str) -> float:
    try:
        value = float(raw)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{raw}' is not a number of seconds") from None
    if not 0 <= value <= 3600:
        raise argparse.ArgumentTypeError("must be between 0 and 3600 seconds")
    return value


def _shown(value: Any) -> str:
    if value is None:
        return "unset"
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, tuple):
        return ",".join(f"{v:g}" for v in value) or "none"
    return str(value)


def _subparser(parser: argparse.ArgumentParser, *names: str) -> argparse.ArgumentParser:
    """The parser of ``lambda-emulator NAMES…``, so an error shows that command's usage."""
    for name in names:
        action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
        parser = action.choices[name]
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command == "serve":
        return _serve(vars(args), _subparser(parser, "serve"))
    if args.command == "api-key":
        return _api_key(args, _subparser(parser, "api-key"))
    if args.command == "health":
        return _health(args.url, args.wait, args.ready_file)
    parser.print_help()
    return 2


def _api_key(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    from lambda_emulator.process import client_commands

    if args.key_command is None:
        parser.print_usage(sys.stderr)
        print(
            "lambda-emulator api-key: error: choose an ACTION: create, list or revoke",
            file=sys.stderr,
        )
        return 2
    url, ca_bundle = _client_target(args.url, args.ca_bundle)
    target = client_commands.Target(
        url=url,
        api_key=args.api_key or os.environ.get("LAMBDA_EMULATOR_API_KEY"),
        ca_bundle=ca_bundle,
    )
    if args.key_command == "create":
        return client_commands.create_api_key(target, name=args.name, permissions=args.permissions)
    if args.key_command == "list":
        return client_commands.list_api_keys(target)
    return client_commands.revoke_api_key(target, args.key_id)


def _client_target(url: str | None, ca_bundle: str | None) -> tuple[str, str | None]:
    """Where client commands go: --url, else LAMBDA_EMULATOR_URL, else the emulator that the
    LAMBDA_EMULATOR_* serve settings describe (so `docker exec … lambda-emulator api-key create`
    finds the container's emulator on whatever port it was given), trusting its local CA."""
    from lambda_emulator.process.healthcheck import local_url

    chosen = url or os.environ.get("LAMBDA_EMULATOR_URL")
    try:
        settings = settings_from({})
    except SettingsError:
        return chosen or DEFAULT_URL, ca_bundle
    if chosen is None:
        chosen = local_url(settings)
        if settings.tls and ca_bundle is None:
            from lambda_emulator.process.tls import default_tls_dir

            ca = (settings.tls_dir or default_tls_dir()) / "ca.pem"
            ca_bundle = str(ca) if ca.exists() else None
    return chosen, ca_bundle


def _health(url: str | None, wait: float, ready_file: str | None) -> int:
    from pathlib import Path

    from lambda_emulator.process.healthcheck import check, health_url, url_from_ready_file

    if ready_file:
        path = Path(ready_file).expanduser()
        return check(lambda: url_from_ready_file(path), wait=wait)
    if url:
        return check(url.rstrip("/") + "/_emulator/health", wait=wait)
    try:
        settings = settings_from({})
    except SettingsError as exc:
        print(f"lambda-emulator: error: {exc}", file=sys.stderr)
        return 2
    return check(health_url(settings), wait=wait)


def _serve(flags: dict[str, Any], parser: argparse.ArgumentParser) -> int:
    try:
        settings = settings_from(flags)
    except SettingsError as exc:
        return _usage_error(parser, str(exc))
    logging.basicConfig(
        level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    from lambda_emulator.process.server import ListenError, ServeInfo, run_forever, write_ready_file

    def banner(info: ServeInfo) -> None:
        lines = [
            f"Lambda Emulator {__version__} is ready",
            f"  Root URL   {info.url}",
            f"  API        {info.url}/v1   (beta: {info.url}/v2)",
            f"  API key    {info.api_key}",
            f"  Storage    {info.store}",
            f"  Seed       {info.seed}",
            f"  Clock      speed ×{settings.speed:g}, transitions {settings.transitions}",
            f"  OpenAPI    {info.url}/v1/openapi.json",
            f"  Dashboard  {info.url}/_emulator/ui/",
            f"  Control    {info.url}/_emulator/health",
        ]
        if info.ca_bundle is not None:
            lines.append(f"  CA bundle  {info.ca_bundle}")
        print("\n".join(lines), flush=True)
        if settings.ready_file is not None:
            write_ready_file(settings.ready_file, info)

    try:
        run_forever(settings, banner)
    except SettingsError as exc:  # a state file, fixtures or TLS folder that cannot be used
        return _usage_error(parser, str(exc))
    except ListenError as exc:
        print(f"lambda-emulator: error: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:  # a state file or TLS folder that cannot be created or read
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"lambda-emulator: error: {where}{exc.strerror or exc}", file=sys.stderr)
        return 1
    except Exception as exc:  # a state file that cannot be read, a bad fixtures document
        print(f"lambda-emulator: error: {exc}", file=sys.stderr)
        return 1
    return 0


def _usage_error(parser: argparse.ArgumentParser, message: str) -> int:
    """Exit status 2: the message first (scripts grep ``lambda-emulator: error:``), then the
    command's usage, as argparse shows it for its own errors."""
    print(f"lambda-emulator: error: {message}", file=sys.stderr)
    parser.print_usage(sys.stderr)
    return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
