"""Password hashing (argon2) and JWTs (HS256, pinned on decode)."""

import functools
import time
import uuid
from dataclasses import dataclass
from typing import Any, Literal

from jose import JWTError, jwk, jwt
from jose.backends.base import Key
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

ALGORITHM = "HS256"
TokenType = Literal["access", "refresh"]


class _Passwords:
    """Argon2id with the library's recommended cost; the test environment uses a cheap cost
    (still argon2id) so suites that create hundreds of members stay fast."""

    def __init__(self, hasher: Argon2Hasher) -> None:
        self.hasher = PasswordHash((hasher,))
        # Verified against when the email is unknown, so both failures take the same time.
        self.dummy_hash = self.hasher.hash("not-a-real-password-but-the-same-work")


_passwords = _Passwords(Argon2Hasher())


def use_cheap_hashing_for_tests() -> None:
    global _passwords
    _passwords = _Passwords(Argon2Hasher(time_cost=1, memory_cost=1024, parallelism=1))


def hash_password(password: str) -> str:
    return _passwords.hasher.hash(password)


def verify_password(password: str, password_hash: str | None) -> bool:
    candidate = password_hash or _passwords.dummy_hash
    return _passwords.hasher.verify(password, candidate) and password_hash is not None


@dataclass(frozen=True)
class TokenClaims:
    subject: uuid.UUID
    token_id: uuid.UUID
    family_id: uuid.UUID | None
    expires_at: int


def encode_token(
    *,
    secret: str,
    subject: uuid.UUID,
    token_type: TokenType,
    lifetime_seconds: int,
    family_id: uuid.UUID | None = None,
    token_id: uuid.UUID | None = None,
) -> tuple[str, TokenClaims]:
    issued_at = int(time.time())
    claims = TokenClaims(
        subject=subject,
        token_id=token_id or uuid.uuid4(),
        family_id=family_id,
        expires_at=issued_at + lifetime_seconds,
    )
    payload: dict[str, Any] = {
        "sub": str(subject),
        "jti": str(claims.token_id),
        "iat": issued_at,
        "exp": claims.expires_at,
        "typ": token_type,
    }
    if family_id is not None:
        payload["fam"] = str(family_id)
    return jwt.encode(payload, secret, algorithm=ALGORITHM), claims


@functools.lru_cache(maxsize=4)
def _verification_key(secret: str) -> Key:
    """The HMAC key, built once: given the secret itself, python-jose would build it again for
    every token it checks, after first trying to parse the secret as a JSON key set."""
    key: Key = jwk.construct(secret, ALGORITHM)
    return key


class _NotOfType(ValueError):
    """A valid token of another type (an access token offered as a refresh token, ...)."""


@functools.lru_cache(maxsize=1024)
def _verified_claims(token: str, secret: str, token_type: TokenType) -> TokenClaims:
    """The claims of a token whose signature, algorithm, required claims, expiry and type
    check out; raises otherwise. Cached: a client sends the same token with every request,
    and checking it again costs more CPU than the rest of authentication (lru_cache keeps no
    failures, so an invalid token is checked, and refused, every time)."""
    payload = jwt.decode(
        token,
        _verification_key(secret),
        algorithms=[ALGORITHM],
        options={
            "require_exp": True,
            "require_iat": True,
            "require_sub": True,
            "require_jti": True,
        },
    )
    if payload.get("typ") != token_type:
        raise _NotOfType(token_type)
    family = payload.get("fam")
    return TokenClaims(
        subject=uuid.UUID(payload["sub"]),
        token_id=uuid.UUID(payload["jti"]),
        family_id=uuid.UUID(family) if family else None,
        expires_at=int(payload["exp"]),
    )


def decode_token(token: str, *, secret: str, token_type: TokenType) -> TokenClaims | None:
    """The claims of a valid, unexpired token of the given type; ``None`` for anything else."""
    try:
        claims = _verified_claims(token, secret, token_type)
    except (JWTError, ValueError, KeyError, TypeError):
        return None
    # A remembered token may have expired since it was first checked: python-jose's test,
    # to the second.
    if claims.expires_at < int(time.time()):
        return None
    return claims
