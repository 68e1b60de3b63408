"""Operator commands: ``python -m app.cli <command>`` on the database of ``COWORKING_DATABASE_URL``.

* ``create-operator --email E [--full-name N]`` — an operator account; the password comes from
  ``COWORKING_OPERATOR_PASSWORD`` or is asked for (never a command-line argument, which other
  users of the machine could read).
* ``seed-demo`` — the Oranienburg demo location and its desks, into a database without
  locations.
* ``seed-synthetic --bookings N --seed S`` — a year of synthetic pilot data (see
  :mod:`app.synthetic`) into an empty database; deterministic for a seed and ``--now``.
"""

import argparse
import asyncio
import getpass
import os
import sys
from collections.abc import Sequence
from datetime import datetime

from app import seed, synthetic
from app.core.config import Settings, get_settings
from app.core.db import Database
from app.core.enums import Role
from app.core.errors import AppError
from app.members import service as member_service

PASSWORD_VARIABLE = "COWORKING_OPERATOR_PASSWORD"  # noqa: S105 - a variable name
MIN_PASSWORD = 10


def _instant(value: str) -> datetime:
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        raise argparse.ArgumentTypeError("give an offset, e.g. 2030-01-07T08:00:00+01:00")
    return moment


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m app.cli", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)

    operator = commands.add_parser("create-operator", help="create an operator account")
    operator.add_argument("--email", required=True)
    operator.add_argument("--full-name", default="Operator")
    operator.add_argument("--municipality", default="Oranienburg")

    commands.add_parser("seed-demo", help="seed the Oranienburg demo location")

    synthetic_data = commands.add_parser(
        "seed-synthetic", help="fill an empty database with a year of synthetic pilot data"
    )
    synthetic_data.add_argument("--bookings", type=int, default=10_000, help="how many (N)")
    synthetic_data.add_argument("--seed", type=int, default=1, help="random seed")
    synthetic_data.add_argument(
        "--now",
        type=_instant,
        default=None,
        help="the moment the data describes (ISO 8601 with offset; default: now)",
    )
    synthetic_data.add_argument("--past-days", type=int, default=340)
    synthetic_data.add_argument("--future-days", type=int, default=25)
    return parser


def _password() -> str:
    password = os.environ.get(PASSWORD_VARIABLE)
    if password is None:
        if not sys.stdin.isatty():
            raise SystemExit(f"set {PASSWORD_VARIABLE} or run the command in a terminal")
        password = getpass.getpass("Password: ")
        if getpass.getpass("Repeat: ") != password:
            raise SystemExit("the passwords differ")
    if len(password) < MIN_PASSWORD:
        raise SystemExit(f"the password needs at least {MIN_PASSWORD} characters")
    return password


async def _create_operator(settings: Settings, args: argparse.Namespace) -> str:
    password = _password()
    database = Database(settings)
    try:
        async with database.write_sessions.begin() as session:
            member = await member_service.create(
                session,
                email=args.email,
                password=password,
                role=Role.OPERATOR,
                profile={
                    "full_name": args.full_name,
                    "groups": ["other"],
                    "home_municipality": args.municipality,
                },
            )
    except AppError as error:
        raise SystemExit(error.detail) from error
    finally:
        await database.dispose()
    return f"operator {member.id} created"


async def _seed_demo(settings: Settings) -> str:
    database = Database(settings)
    try:
        async with database.write_sessions.begin() as session:
            seeded = await seed.seed_demo(session)
    finally:
        await database.dispose()
    return "demo seeded" if seeded else "the database already has locations; nothing seeded"


async def _seed_synthetic(settings: Settings, args: argparse.Namespace) -> str:
    try:
        report = await synthetic.seed(
            settings.database_url,
            bookings=args.bookings,
            seed=args.seed,
            now=args.now,
            past_days=args.past_days,
            future_days=args.future_days,
        )
    except (RuntimeError, ValueError) as error:
        raise SystemExit(str(error)) from error
    rows = ", ".join(f"{table} {count}" for table, count in report.rows.items())
    statuses = ", ".join(f"{status} {count}" for status, count in report.statuses.items())
    return (
        f"{rows}\nbookings by status: {statuses}\n"
        f"members sign in with the password {synthetic.SYNTHETIC_PASSWORD!r} "
        f"(analyst: {synthetic.ANALYST_EMAIL}); {report.seconds:.1f} s"
    )


def main(argv: Sequence[str] | None = None) -> None:
    args = _parser().parse_args(argv)
    settings = get_settings()
    if args.command == "create-operator":
        outcome = asyncio.run(_create_operator(settings, args))
    elif args.command == "seed-demo":
        outcome = asyncio.run(_seed_demo(settings))
    else:
        outcome = asyncio.run(_seed_synthetic(settings, args))
    print(outcome)


if __name__ == "__main__":
    main()
