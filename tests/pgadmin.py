"""Create and drop throwaway PostgreSQL databases (tests and CI): ``python -m tests.pgadmin
create|drop <server-url> <name>``."""

import asyncio
import re
import sys

import asyncpg


def _dsn(url: str) -> str:
    return re.sub(r"^postgresql\+asyncpg://", "postgresql://", url)


async def _admin(url: str, statement: str) -> None:
    connection = await asyncpg.connect(_dsn(url), timeout=10)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


def create_database(url: str, name: str) -> str:
    """Create database ``name`` on the server of ``url``; the URL of the new database."""
    assert re.fullmatch(r"[a-z0-9_]+", name)
    asyncio.run(_admin(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    asyncio.run(_admin(url, f'CREATE DATABASE "{name}"'))
    return url.rsplit("/", 1)[0] + "/" + name


def drop_database(url: str, name: str) -> None:
    assert re.fullmatch(r"[a-z0-9_]+", name)
    asyncio.run(_admin(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


if __name__ == "__main__":
    action, server_url, database = sys.argv[1:4]
    if action == "create":
        create_database(server_url, database)
    else:
        drop_database(server_url, database)
