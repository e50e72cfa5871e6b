"""The `esatis` command: serve, migrate, schema, imports, admin-create, demo-users."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Awaitable, Callable, Sequence
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Any

from settings import Settings, SettingsError

if TYPE_CHECKING:
    from domain.imports import ImportSummary
    from services.keyring import Keyring

log = logging.getLogger("esatis")


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    # Tortoise announces every connect and disconnect at INFO: noise in a command's output.
    logging.getLogger("tortoise").setLevel(logging.WARNING)
    from db.lifecycle import DatabaseUnavailable

    try:
        settings = Settings.from_env()
        code: int = args.handler(args, settings)
    except SettingsError as exc:
        print(f"esatis: configuration error: {exc}", file=sys.stderr)
        return 2
    except DatabaseUnavailable as exc:
        print(f"esatis: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    return code


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="esatis", description="e-Satış portal backend")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = sub.add_parser("serve", help="apply migrations, load demo data, serve the API")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=_port, default=8000)
    serve.add_argument("--workers", type=int, default=1)
    serve.set_defaults(handler=_cmd_serve)

    sub.add_parser("migrate", help="apply database migrations").set_defaults(handler=_cmd_migrate)
    sub.add_parser("schema", help="print the GraphQL SDL").set_defaults(handler=_cmd_schema)

    imp = sub.add_parser("import-catalogue", help="import products from a file")
    imp.add_argument("file", type=Path)
    imp.add_argument(
        "--format", dest="fmt", default="auto", choices=["auto", "dummyjson", "openboxes", "csv"]
    )
    imp.add_argument(
        "--rate",
        type=_decimal_arg,
        default=None,
        help="TRY per unit of the file's currency (USD sources); default 1",
    )
    imp.set_defaults(handler=_cmd_import_catalogue)

    cpv = sub.add_parser("import-cpv", help="build the category tree from a CPV JSON file")
    cpv.add_argument("file", type=Path)
    cpv.set_defaults(handler=_cmd_import_cpv)

    admin = sub.add_parser(
        "admin-create", help="invite the first platform administrator (prints the invitation)"
    )
    admin.add_argument("username")
    admin.set_defaults(handler=_cmd_admin_create)

    demo = sub.add_parser("demo-users", help="list the demo accounts (development only)")
    demo.add_argument("--json", action="store_true", help="as a JSON list")
    demo.set_defaults(handler=_cmd_demo_users)
    return parser


def _port(raw: str) -> int:
    try:
        port = int(raw)
    except ValueError:
        port = -1
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError("must be a port number from 1 to 65535")
    return port


def _decimal_arg(raw: str) -> Decimal:
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise argparse.ArgumentTypeError("must be a decimal number such as 41.25") from None
    if not value.is_finite() or value <= 0:
        raise argparse.ArgumentTypeError("must be a positive number")
    return value


def _cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    settings.check_startable()
    if args.workers < 1:
        print("esatis: --workers must be at least 1", file=sys.stderr)
        return 2
    if args.workers > 1 and settings.bus_url.startswith("memory://"):
        print(
            "esatis: --workers > 1 needs a shared event bus: set "
            "ESATIS_BUS_URL=redis://HOST:6379/0 (the memory:// bus cannot reach subscribers "
            "in other worker processes)",
            file=sys.stderr,
        )
        return 2
    keys = _keys(settings)
    if keys is None:
        return 2
    asyncio.run(_prepare_database(settings, keys))
    uvicorn.run(
        "app:create_app",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_level=settings.log_level.lower(),
        ws="websockets-sansio",
    )
    return 0


def _keys(settings: Settings) -> Keyring | None:
    """The token keys, or None after printing why they cannot be loaded."""
    from app import load_keys
    from services.keyring import KeyringError

    try:
        return load_keys(settings)
    except KeyringError as exc:
        print(f"esatis: configuration error: {exc}", file=sys.stderr)
        return None


async def _prepare_database(settings: Settings, keys: Keyring) -> None:
    from datetime import UTC, datetime

    from db import lifecycle
    from services import demo

    async with lifecycle.database(settings.database_url):
        if settings.demo_data_enabled:
            for loaded in await demo.load_if_empty(keys=keys, now=datetime.now(UTC)):
                log.info("demo data loaded: %s", loaded)


def _cmd_migrate(args: argparse.Namespace, settings: Settings) -> int:
    from db import lifecycle

    asyncio.run(lifecycle.migrate(settings.database_url))
    print("migrations applied")
    return 0


def _cmd_schema(args: argparse.Namespace, settings: Settings) -> int:
    from graph.schema.root import schema

    print(schema.as_str())
    return 0


def _cmd_import_catalogue(args: argparse.Namespace, settings: Settings) -> int:
    from services import imports

    return _run_import(
        settings,
        lambda progress: imports.import_catalogue(
            args.file, fmt=args.fmt, rate=args.rate, progress=progress
        ),
    )


def _cmd_import_cpv(args: argparse.Namespace, settings: Settings) -> int:
    from services import imports

    return _run_import(settings, lambda progress: imports.import_cpv(args.file, progress=progress))


def _run_import(
    settings: Settings, use_case: Callable[[_TqdmProgress], Awaitable[ImportSummary]]
) -> int:
    """Run an import against the migrated database: summary on stdout, 1 on a fatal error."""
    from db import lifecycle
    from domain.errors import DomainError

    async def run() -> ImportSummary:
        async with lifecycle.database(settings.database_url):
            return await use_case(_TqdmProgress())

    try:
        summary = asyncio.run(run())
    except DomainError as exc:
        print(f"esatis: import failed: {exc.message}", file=sys.stderr)
        return 1
    except OSError as exc:
        # Connection refused, unknown host, unwritable SQLite directory: nothing was imported.
        print(f"esatis: import failed: cannot open the database ({exc})", file=sys.stderr)
        return 1
    print(summary.render())
    return 0


def _cmd_admin_create(args: argparse.Namespace, settings: Settings) -> int:
    from datetime import UTC, datetime

    from db import lifecycle
    from domain.errors import DomainError
    from services import accounts

    async def run() -> accounts.Invited:
        async with lifecycle.database(settings.database_url):
            return await accounts.invite_platform_admin(args.username, now=datetime.now(UTC))

    try:
        invited = asyncio.run(run())
    except DomainError as exc:
        print(f"esatis: {exc.message}", file=sys.stderr)
        return 1
    name = invited.invitation.username
    expires = invited.invitation.expires_at.isoformat(timespec="minutes")
    print(f"Invitation for the platform administrator {name} (single use, until {expires}):")
    print(f"  {invited.token}")
    print("Accept it with the invitationAccept mutation (token, username, a password of 12+")
    print("characters); it returns the otpauth:// URI for an authenticator app. Then confirm the")
    print("first code with totpEnrolConfirm, which signs you in.")
    return 0


def _cmd_demo_users(args: argparse.Namespace, settings: Settings) -> int:
    import json

    from services import demo

    if settings.is_production:
        print("esatis: demo accounts exist only in development", file=sys.stderr)
        return 2
    users = demo.demo_users_listing()
    if args.json:
        print(json.dumps(users, ensure_ascii=False, indent=2))
        return 0
    for user in users:
        place = user["institution"] or "DMO"
        print(f"{user['username']:<24} {', '.join(user['roles']):<24} {place}")
    print(f"password (all): {users[0]['password']}; TOTP secrets: esatis demo-users --json")
    return 0


class _TqdmProgress:
    """domain.imports.Progress drawn by tqdm on stderr (no bar when stderr is not a terminal)."""

    def __init__(self) -> None:
        self._bar: Any = None

    def start(self, total: int, label: str) -> None:
        from tqdm import tqdm

        self._bar = tqdm(total=total, desc=label, unit=" rows", file=sys.stderr, disable=None)

    def advance(self, n: int = 1) -> None:
        if self._bar is not None:
            self._bar.update(n)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None


if __name__ == "__main__":
    raise SystemExit(main())
