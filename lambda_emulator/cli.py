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
    parser.add_argument("--version", action="version", version=f"lambda-emulator {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    serve = commands.add_parser(
        "serve",
        help="run the emulator",
        description="Run the emulator. Every flag is also LAMBDA_EMULATOR_<NAME> in the "
        "environment; a flag wins over the environment.",
    )
    for option in OPTIONS:
        help_text = f"{option.help} [env {option.env}; default {_shown(option.default)}]"
        if option.flag_only_bool:
            serve.add_argument(
                option.flag,
                dest=option.name,
                default=None,
                action=argparse.BooleanOptionalAction,
                help=help_text,
            )
        else:
            serve.add_argument(
                option.flag,
                dest=option.name,
                default=None,
                metavar=option.metavar,
                help=help_text,
                action="append" if option.repeatable else "store",
            )

    api_key = commands.add_parser("api-key", help="manage API keys of a running emulator")
    key_commands = api_key.add_subparsers(dest="key_command", metavar="ACTION")
    create = key_commands.add_parser("create", help="create an API key and print it once")
    create.add_argument("--name", required=True, help="a descriptive name for the key")
    create.add_argument(
        "--url",
        default=None,
        help="the emulator's root URL [env LAMBDA_EMULATOR_URL; default: the emulator that "
        f"LAMBDA_EMULATOR_HOST/PORT/TLS describe, {DEFAULT_URL} when unset]",
    )
    create.add_argument(
        "--api-key",
        dest="api_key",
        default=None,
        help="an existing key with account:write [env LAMBDA_EMULATOR_API_KEY; "
        "default: the emulator's default key]",
    )
    create.add_argument(
        "--permission",
        dest="permissions",
        action="append",
        default=None,
        help="a permission for the new key (repeatable; default '*')",
    )
    create.add_argument(
        "--ca-bundle",
        dest="ca_bundle",
        default=None,
        help="CA bundle to trust for an https URL (the emulator prints it)",
    )
    health = commands.add_parser(
        "health",
        help="exit 0 if a running emulator is ready (for container health checks)",
        description="Ask /_emulator/health of the emulator the LAMBDA_EMULATOR_* environment "
        "describes (host, port, TLS), or of --url; exit 0 when it answers ready, 1 otherwise.",
    )
    health.add_argument("--url", default=None, help="the emulator's root URL")
    return parser


def _shown(value: Any) -> str:
    if value is None:
        return "unset"
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, tuple):
        return ",".join(f"{v:g}" for v in value) or "none"
    return str(value)


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command == "serve":
        return _serve(vars(args))
    if args.command == "api-key" and args.key_command == "create":
        from lambda_emulator.client_commands import create_api_key

        url, ca_bundle = _client_target(args.url, args.ca_bundle)
        return create_api_key(
            name=args.name,
            url=url,
            api_key=args.api_key or os.environ.get("LAMBDA_EMULATOR_API_KEY"),
            permissions=args.permissions,
            ca_bundle=ca_bundle,
        )
    if args.command == "health":
        return _health(args.url)
    parser.print_help()
    return 2


def _client_target(url: str | None, ca_bundle: str | None) -> tuple[str, str | None]:
    """Where client commands go: --url, else LAMBDA_EMULATOR_URL, else the emulator that the
    LAMBDA_EMULATOR_* serve settings describe (so `docker exec … lambda-emulator api-key create`
    finds the container's emulator on whatever port it was given), trusting its local CA."""
    from lambda_emulator.healthcheck import local_url

    chosen = url or os.environ.get("LAMBDA_EMULATOR_URL")
    try:
        settings = settings_from({})
    except SettingsError:
        return chosen or DEFAULT_URL, ca_bundle
    if chosen is None:
        chosen = local_url(settings)
        if settings.tls and ca_bundle is None:
            from lambda_emulator.tls import default_tls_dir

            ca = (settings.tls_dir or default_tls_dir()) / "ca.pem"
            ca_bundle = str(ca) if ca.exists() else None
    return chosen, ca_bundle


def _health(url: str | None) -> int:
    from lambda_emulator.healthcheck import check, health_url

    if url:
        return check(url.rstrip("/") + "/_emulator/health")
    try:
        settings = settings_from({})
    except SettingsError as exc:
        print(f"lambda-emulator: error: {exc}", file=sys.stderr)
        return 2
    return check(health_url(settings))


def _serve(flags: dict[str, Any]) -> int:
    try:
        settings = settings_from(flags)
    except SettingsError as exc:
        print(f"lambda-emulator: error: {exc}", file=sys.stderr)
        return 2
    logging.basicConfig(
        level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    from lambda_emulator.server import ListenError, ServeInfo, run_forever

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

    try:
        run_forever(settings, banner)
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


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
