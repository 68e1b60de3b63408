"""Create and drop throwaway PostgreSQL databases (tests and CI): ``python -m tests.pgadmin
create|drop <server-url> <name>``."""

import asyncio
import re
import sys
from concurrent.futures import ThreadPoolExecutor

import asyncpg


def dsn(url: str) -> str:
    return re.sub(r"^postgresql\+asyncpg://", "postgresql://", url)


async def _execute(url: str, statement: str) -> None:
    connection = await asyncpg.connect(dsn(url), timeout=10)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


def _admin(url: str, statement: str) -> None:
    """Run ``statement`` on a loop of its own thread: callers may be inside a running loop
    (Playwright's sync API keeps one in the browser tests' thread)."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, _execute(url, statement)).result()


def create_database(url: str, name: str, **options: str) -> str:
    """Create database ``name`` on the server of ``url``, with these settings of its sessions
    (``ALTER DATABASE ... SET``); the URL of the new database."""
    assert re.fullmatch(r"[a-z0-9_]+", name)
    _admin(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    _admin(url, f'CREATE DATABASE "{name}"')
    for option, value in options.items():
        assert re.fullmatch(r"[a-z_]+", option)
        assert re.fullmatch(r"[a-z0-9_]+", value)
        _admin(url, f'ALTER DATABASE "{name}" SET {option} = {value}')
    return url.rsplit("/", 1)[0] + "/" + name


def drop_database(url: str, name: str) -> None:
    assert re.fullmatch(r"[a-z0-9_]+", name)
    _admin(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    action, server_url, database = sys.argv[1:4]
    if action == "create":
        create_database(server_url, database)
    else:
        drop_database(server_url, database)
