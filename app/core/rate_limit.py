"""Abuse limits: fixed-window counters that every app process shares.

The counters live in the database (``rate_limit_counters``), or in Redis when
``COWORKING_REDIS_URL`` is set, never in process memory, so a limit holds however many app
processes run. A counter's key is an HMAC of the limit's scope and the limited identity (an
email or a client address) with the secret key: neither is stored in clear.

Two kinds of limit:

* **public forms** (registration, survey answers, interest forms): every attempt from a
  client address counts, valid or not, in its own short transaction, so a failing request
  still counts. Each form has its own counter at ``COWORKING_RATE_LIMIT_PUBLIC_FORMS``.
* **logins**: failed logins count per account (``COWORKING_RATE_LIMIT_LOGIN``) and per client
  address (ten times that). While either is exhausted every login answers 429, even with the
  right password; a successful login resets the account's counter.

The client address is the socket peer, or, when the peer is one of
``COWORKING_TRUSTED_PROXIES``, the first address in ``X-Forwarded-For`` (read from the right)
that is not itself a trusted proxy.
"""

import hashlib
import hmac
import ipaddress
import math
import re
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Annotated, Any, Protocol

from fastapi import Depends, Request
from redis.asyncio import Redis
from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from app.core import clock
from app.core.db import DbSession, is_sqlite
from app.core.errors import RateLimited
from app.core.i18n import N_
from app.core.schemas import normalise_email
from app.models import RateLimitCounter

if TYPE_CHECKING:
    from app.core.config import Settings

UNITS = {"second": 1, "minute": 60, "hour": 3600, "day": 86_400}
_RATE = re.compile(r"\s*([0-9]{1,9})\s*/\s*(second|minute|hour|day)\s*")
#: failed logins per client address, as a multiple of the per-account limit
ADDRESS_LOGIN_FACTOR = 10

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True)
class Rate:
    """At most ``limit`` hits per fixed window of ``window_seconds``."""

    limit: int
    window_seconds: int

    def times(self, factor: int) -> "Rate":
        return Rate(self.limit * factor, self.window_seconds)


def parse_rate(text: str) -> Rate:
    """``"5/minute"`` → ``Rate(5, 60)``; units: second, minute, hour, day."""
    match = _RATE.fullmatch(text)
    if match is None or int(match.group(1)) < 1:
        raise ValueError(f"{text!r} is not a rate like '5/minute' (N ≥ 1 per second|minute|...)")
    return Rate(int(match.group(1)), UNITS[match.group(2)])


def parse_networks(entries: list[str]) -> list[IPNetwork]:
    """Addresses or CIDR networks; an address is a network of one."""
    return [ipaddress.ip_network(entry, strict=False) for entry in entries]


@dataclass(frozen=True)
class Window:
    """The hits counted in the current window and when the window ends."""

    hits: int
    resets_at: datetime

    def retry_after(self, now: datetime) -> int:
        return max(1, math.ceil((self.resets_at - now).total_seconds()))


def _window(rate: Rate, now: datetime) -> tuple[datetime, datetime]:
    seconds = int(now.timestamp()) // rate.window_seconds * rate.window_seconds
    start = datetime.fromtimestamp(seconds, UTC)
    return start, start + timedelta(seconds=rate.window_seconds)


class CounterStore(Protocol):
    async def hit(self, key: str, rate: Rate, now: datetime) -> Window: ...

    async def peek(self, key: str, rate: Rate, now: datetime) -> Window: ...

    async def reset(self, key: str, rate: Rate, now: datetime) -> None: ...


class DatabaseCounters:
    """Counters in ``rate_limit_counters``, written in the given session's transaction."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def hit(self, key: str, rate: Rate, now: datetime) -> Window:
        start, end = _window(rate, now)
        insert = sqlite.insert if is_sqlite(self.session) else postgresql.insert
        statement = (
            insert(RateLimitCounter)
            .values(key=key, window_start=start, hits=1, expires_at=end)
            .on_conflict_do_update(
                index_elements=["key", "window_start"],
                set_={"hits": RateLimitCounter.hits + 1},
            )
            .returning(RateLimitCounter.hits)
        )
        hits = (await self.session.execute(statement)).scalar_one()
        if hits == 1:
            # A window opened: a cheap moment to forget every window that has ended.
            await self.session.execute(
                delete(RateLimitCounter).where(RateLimitCounter.expires_at <= now)
            )
        return Window(hits, end)

    async def peek(self, key: str, rate: Rate, now: datetime) -> Window:
        start, end = _window(rate, now)
        hits = await self.session.scalar(
            select(RateLimitCounter.hits).where(
                RateLimitCounter.key == key, RateLimitCounter.window_start == start
            )
        )
        return Window(hits or 0, end)

    async def reset(self, key: str, rate: Rate, now: datetime) -> None:
        await self.session.execute(delete(RateLimitCounter).where(RateLimitCounter.key == key))


class RedisCounters:
    """Counters in Redis: one key per window, expiring with it."""

    PREFIX = "coworking:rate:"

    def __init__(self, client: Redis) -> None:
        self.client = client

    def _name(self, key: str, start: datetime) -> str:
        return f"{self.PREFIX}{key}:{int(start.timestamp())}"

    async def hit(self, key: str, rate: Rate, now: datetime) -> Window:
        start, end = _window(rate, now)
        name = self._name(key, start)
        async with self.client.pipeline(transaction=True) as pipe:
            pipe.incr(name)
            pipe.expire(name, rate.window_seconds + 1)
            hits, _ = await pipe.execute()
        return Window(int(hits), end)

    async def peek(self, key: str, rate: Rate, now: datetime) -> Window:
        start, end = _window(rate, now)
        hits = await self.client.get(self._name(key, start))
        return Window(int(hits or 0), end)

    async def reset(self, key: str, rate: Rate, now: datetime) -> None:
        # Only the current window is ever read; older ones expire by themselves.
        await self.client.delete(self._name(key, _window(rate, now)[0]))


class RateLimiter:
    """The app's limits; one per app, kept in ``app.state.rate_limiter``."""

    def __init__(self, settings: "Settings") -> None:
        self.secret = settings.secret_key.encode()
        self.login = parse_rate(settings.rate_limit_login)
        self.login_per_address = self.login.times(ADDRESS_LOGIN_FACTOR)
        self.public_forms = parse_rate(settings.rate_limit_public_forms)
        self.trusted_proxies = parse_networks(settings.trusted_proxies)
        self.redis = Redis.from_url(settings.redis_url) if settings.redis_url else None

    async def close(self) -> None:
        if self.redis is not None:
            await self.redis.aclose()

    def key(self, scope: str, identity: str) -> str:
        message = f"{scope}\x00{identity}".encode()
        return hmac.new(self.secret, message, hashlib.sha256).hexdigest()

    def counters(self, session: AsyncSession) -> CounterStore:
        """Redis when configured, else the database in ``session``'s transaction."""
        return RedisCounters(self.redis) if self.redis is not None else DatabaseCounters(session)

    def client_address(self, request: Request) -> str:
        peer = request.client.host if request.client else "unknown"
        forwarded = request.headers.get("x-forwarded-for")
        if not forwarded or not self._trusted(peer):
            return peer
        client = peer
        for entry in reversed([part.strip() for part in forwarded.split(",")]):
            if not _is_address(entry):
                break
            client = entry
            if not self._trusted(entry):
                break
        return client

    def _trusted(self, address: str) -> bool:
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in network for network in self.trusted_proxies)


def _is_address(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def limiter_of(request: Request) -> RateLimiter:
    limiter: RateLimiter = request.app.state.rate_limiter
    return limiter


def _limited(window: Window, now: datetime, detail: str) -> RateLimited:
    """429 with ``detail``, a template whose ``{seconds}`` says when to try again."""
    seconds = window.retry_after(now)
    return RateLimited(detail, retry_after=seconds, seconds=seconds)


def public_form_limit(form: str) -> Callable[[Request], Coroutine[Any, Any, None]]:
    """A route dependency counting every request of ``form`` per client address.

    The hit is committed in its own short transaction before the route touches the
    database, so a request that fails afterwards still counts.
    """

    async def limit(request: Request) -> None:
        limiter = limiter_of(request)
        key = limiter.key(f"form:{form}", limiter.client_address(request))
        rate, now = limiter.public_forms, clock.now()
        if limiter.redis is not None:
            window = await RedisCounters(limiter.redis).hit(key, rate, now)
        else:
            async with request.app.state.database.write_sessions.begin() as session:
                window = await DatabaseCounters(session).hit(key, rate, now)
        if window.hits > rate.limit:
            raise _limited(
                window,
                now,
                N_("Too many submissions from your address; try again in {seconds} seconds."),
            )

    return limit


class LoginGuard:
    """Failed-login limits for one sign-in request.

    Failures are written in the request's transaction; the 401 that follows a failure keeps
    its changes (``AppError.commit``), so the count survives the failed request.
    """

    def __init__(self, limiter: RateLimiter, counters: CounterStore, address: str) -> None:
        self.limiter = limiter
        self.counters = counters
        self.address_key = limiter.key("login:address", address)

    def _account_key(self, email: str) -> str:
        return self.limiter.key("login:account", normalise_email(email))

    async def check(self, email: str) -> None:
        """429 while the account or the address has used up its failed logins."""
        now = clock.now()
        for key, rate, what in (
            (
                self._account_key(email),
                self.limiter.login,
                N_("Too many failed sign-ins for this account; try again in {seconds} seconds."),
            ),
            (
                self.address_key,
                self.limiter.login_per_address,
                N_("Too many failed sign-ins from your address; try again in {seconds} seconds."),
            ),
        ):
            window = await self.counters.peek(key, rate, now)
            if window.hits >= rate.limit:
                raise _limited(window, now, what)

    async def failed(self, email: str) -> None:
        now = clock.now()
        await self.counters.hit(self._account_key(email), self.limiter.login, now)
        await self.counters.hit(self.address_key, self.limiter.login_per_address, now)

    async def succeeded(self, email: str) -> None:
        await self.counters.reset(self._account_key(email), self.limiter.login, clock.now())


async def _login_guard(request: Request, session: DbSession) -> LoginGuard:
    limiter = limiter_of(request)
    return LoginGuard(limiter, limiter.counters(session), limiter.client_address(request))


LoginLimit = Annotated[LoginGuard, Depends(_login_guard)]
