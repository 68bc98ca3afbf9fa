"""Access tokens: HS256 JWTs signed by the newest key of a key ring and verified by any listed key.

The algorithm is pinned (``alg`` other than HS256 — ``none`` included — is refused before any key is
looked at), the key is chosen by the ``kid`` header, and ``iss``/``aud``/``exp``/``iat``/``jti``/``sub``
are all required. Pure: no I/O, the clock is a parameter.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt

from mtg_tracker.config import AuthSettings

ALGORITHM = "HS256"
_REQUIRED = ["exp", "iat", "iss", "aud", "jti", "sub"]


class InvalidToken(Exception):
    """The token cannot be trusted; ``reason`` is a metric label, never shown to the client verbatim."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class AccessClaims:
    user_id: uuid.UUID
    session_id: uuid.UUID
    role: str
    jti: str
    expires_at: datetime


@dataclass(frozen=True)
class KeyRing:
    """Signing keys, newest first: ``keys[0]`` signs; every key verifies."""

    keys: tuple[tuple[str, bytes], ...]

    @classmethod
    def from_settings(cls, auth: AuthSettings, secret_key: str) -> KeyRing:
        if auth.signing_keys:
            return cls(
                tuple((kid, secret.encode()) for kid, _, secret in (k.partition(":") for k in auth.signing_keys))
            )
        # No keys configured: one derived from the service secret, named after its digest so that a new
        # secret is a new kid (old tokens then fail as "unknown key", not as a bad signature).
        derived = hmac.new(secret_key.encode(), b"mtg-tracker jwt signing key", hashlib.sha256).digest()
        return cls((("s-" + hashlib.sha256(derived).hexdigest()[:10], derived),))

    def signing(self) -> tuple[str, bytes]:
        return self.keys[0]

    def verifying(self, kid: str) -> bytes | None:
        for key_id, secret in self.keys:
            if hmac.compare_digest(key_id, kid):
                return secret
        return None


def issue_access_token(
    ring: KeyRing,
    auth: AuthSettings,
    *,
    user_id: uuid.UUID,
    session_id: uuid.UUID,
    role: str,
    now: datetime,
) -> tuple[str, AccessClaims]:
    kid, secret = ring.signing()
    expires = now + timedelta(seconds=auth.access_token_seconds)
    jti = secrets.token_urlsafe(16)
    payload = {
        "iss": auth.issuer,
        "aud": auth.audience,
        "sub": str(user_id),
        "fam": str(session_id),
        "role": role,
        "typ": "access",
        "iat": int(now.timestamp()),
        "nbf": int(now.timestamp()),
        "exp": int(expires.timestamp()),
        "jti": jti,
    }
    token = jwt.encode(payload, secret, algorithm=ALGORITHM, headers={"kid": kid})
    return token, AccessClaims(user_id, session_id, role, jti, expires)


def verify_access_token(ring: KeyRing, auth: AuthSettings, token: str, *, now: datetime) -> AccessClaims:
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError:
        raise InvalidToken("malformed") from None
    if header.get("alg") != ALGORITHM:
        raise InvalidToken("algorithm")
    kid = header.get("kid")
    secret = ring.verifying(kid) if isinstance(kid, str) else None
    if secret is None:
        raise InvalidToken("unknown_key")
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            secret,
            algorithms=[ALGORITHM],
            audience=auth.audience,
            issuer=auth.issuer,
            options={"require": _REQUIRED, "verify_iat": True},
            leeway=0,
        )
    except jwt.ExpiredSignatureError:
        raise InvalidToken("expired") from None
    except jwt.InvalidAudienceError:
        raise InvalidToken("audience") from None
    except jwt.InvalidIssuerError:
        raise InvalidToken("issuer") from None
    except jwt.InvalidSignatureError:
        raise InvalidToken("signature") from None
    except jwt.PyJWTError:
        raise InvalidToken("claims") from None
    # PyJWT checks exp against the real clock; the injected one also decides, so tests can move time.
    if claims["exp"] <= int(now.timestamp()):
        raise InvalidToken("expired")
    if claims.get("typ") != "access":
        raise InvalidToken("claims")
    try:
        user_id = uuid.UUID(str(claims["sub"]))
        session_id = uuid.UUID(str(claims["fam"]))
    except (KeyError, ValueError):
        raise InvalidToken("claims") from None
    return AccessClaims(
        user_id,
        session_id,
        str(claims.get("role", "user")),
        str(claims["jti"]),
        datetime.fromtimestamp(claims["exp"], UTC),
    )


def new_secret_token(prefix: str) -> str:
    """A 256-bit random bearer secret with a readable prefix (so leaked keys are recognisable in scans)."""
    return f"{prefix}_{secrets.token_urlsafe(32)}"


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()
