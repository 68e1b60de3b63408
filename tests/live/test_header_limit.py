"""Headers over 16 KiB are refused (DESIGN §7), whether they arrive at once (the app counts
them) or bit by bit (uvicorn's h11 limit, set as in `make run` and the image), and the server
keeps answering everybody else."""

import asyncio
import contextlib
from urllib.parse import urlsplit

import httpx
import pytest

from tests.live.support import MAX_HEADER_BYTES, LiveServer

pytestmark = pytest.mark.live


@pytest.mark.parametrize("kib", [20, 200])
async def test_an_oversized_header_is_refused_and_the_server_stays_up(
    live_client: httpx.AsyncClient, kib: int
) -> None:
    try:
        refused = await live_client.get("/health", headers={"X-Padding": "x" * kib * 1024})
    except httpx.TransportError:
        pass  # refused while still sending: the server answered and closed the connection
    else:
        assert 400 <= refused.status_code < 500, refused.text
    assert (await live_client.get("/health")).status_code == 200


async def test_headers_under_the_limit_are_served(live_client: httpx.AsyncClient) -> None:
    padding = "x" * (MAX_HEADER_BYTES // 2)

    response = await live_client.get("/health", headers={"X-Padding": padding})

    assert response.status_code == 200, response.text


async def test_a_header_sent_bit_by_bit_is_refused_by_the_server_before_the_app(
    live_server: LiveServer, live_client: httpx.AsyncClient
) -> None:
    address = urlsplit(live_server.base_url)
    assert address.hostname is not None
    assert address.port is not None
    reader, writer = await asyncio.open_connection(address.hostname, address.port)
    try:
        # Read while writing: the server answers (and closes) before the head is complete.
        answering = asyncio.create_task(reader.read(65536))
        writer.write(b"GET /health HTTP/1.1\r\nHost: test\r\nX-Padding: ")
        with contextlib.suppress(ConnectionError):
            for _ in range(20):  # a slow client: the head grows past the limit unfinished
                if answering.done():
                    break
                writer.write(b"x" * 1024)
                await writer.drain()
                await asyncio.sleep(0.02)
        answer = await asyncio.wait_for(answering, timeout=10)
    finally:
        writer.close()
        with contextlib.suppress(ConnectionError):
            await writer.wait_closed()

    status_line, _, rest = answer.partition(b"\r\n")
    assert status_line.startswith(b"HTTP/1.1 4"), answer[:200]
    # Refused by uvicorn itself: an answer of the app would carry its request id.
    assert b"x-request-id" not in rest.lower().partition(b"\r\n\r\n")[0]
    assert (await live_client.get("/health")).status_code == 200
