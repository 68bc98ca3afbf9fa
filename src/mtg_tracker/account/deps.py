"""Who is calling, as FastAPI dependencies: ``CurrentPrincipal``, ``ReadPrincipal``/``WritePrincipal``
(scope checks), ``AdminUser``, ``CurrentUser`` (the row), and the rate limiter's identity function.

Credentials are checked on the primary database in a short session of their own, so revocation, role
changes and disabling apply to the very next request (a replica could lag behind).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from cachetools import TTLCache
from fastapi import Depends, Request
from fastapi.security import APIKeyHeader, OAuth2PasswordBearer
from starlette.types import Scope

from mtg_tracker.account import errors
from mtg_tracker.account import service as account_service
from mtg_tracker.account.models import User
from mtg_tracker.account.service import Principal
from mtg_tracker.account.tokens import InvalidToken, KeyRing, verify_access_token
from mtg_tracker.config import Settings
from mtg_tracker.kit.db import Database, utcnow
from mtg_tracker.kit.deps import SessionDep
from mtg_tracker.kit.http import API_PREFIX
from mtg_tracker.kit.logging import get_logger

__all__ = [
    "AdminUser",
    "CurrentPrincipal",
    "CurrentUser",
    "OptionalPrincipal",
    "Principal",
    "ReadPrincipal",
    "WritePrincipal",
    "rate_limit_identity",
    "require_scope",
]

log = get_logger("mtg_tracker.account.deps")

# auto_error=False: a missing credential is our own 401 error object, not FastAPI's. Declared as the
# OAuth2 password flow so that Swagger UI's "Authorize" logs in with email and password at /auth/token.
_bearer = OAuth2PasswordBearer(
    tokenUrl=f"{API_PREFIX}/auth/token",
    auto_error=False,
    description="Email as `username` and password: an access token from POST /api/v1/auth/token, sent as "
    "`Authorization: Bearer <token>`.",
)
_api_key = APIKeyHeader(
    name="X-API-Key", auto_error=False, description="An API key from POST /api/v1/users/me/api-keys."
)


def key_ring(settings: Settings) -> KeyRing:
    return KeyRing.from_settings(settings.auth, settings.secret_key.get_secret_value())


async def resolve_credentials(request: Request, *, bearer: str | None, api_key: str | None) -> tuple[Principal, bool]:
    """The principal an API key (preferred) or access token stands for, read on the primary, and whether
    the key's ``last_used_at`` is stale; raises the account errors for an invalid credential."""
    db: Database = request.app.state.db
    settings: Settings = request.app.state.settings
    async with db.primary_session() as session:
        try:
            if api_key:
                return await account_service.principal_from_api_key(session, key=api_key.strip())
            assert bearer is not None
            principal = await account_service.principal_from_access_token(
                session, token=bearer, ring=request.app.state.key_ring, auth=settings.auth
            )
            return principal, False
        finally:
            await session.rollback()


async def get_optional_principal(
    request: Request,
    bearer: Annotated[str | None, Depends(_bearer)],
    api_key: Annotated[str | None, Depends(_api_key)],
) -> Principal | None:
    if not api_key and bearer is None:
        return None
    if request.headers.get("authorization") and bearer is None:
        raise errors.InvalidAccessToken("Only `Authorization: Bearer <token>` is accepted.")
    db: Database = request.app.state.db
    principal, stale = await resolve_credentials(request, bearer=bearer, api_key=api_key)
    if stale and principal.key_id is not None:
        try:
            async with db.session_scope() as session:
                await account_service.touch_api_key(session, principal.key_id)
        except Exception:
            log.warning("api_key_touch_failed", key_id=str(principal.key_id), exc_info=True)
    request.state.user_id = str(principal.user_id)
    return principal


async def get_principal(principal: Annotated[Principal | None, Depends(get_optional_principal)]) -> Principal:
    if principal is None:
        raise errors.NotAuthenticated()
    return principal


def require_scope(scope: str) -> Callable[[Principal], Awaitable[Principal]]:
    """A dependency that needs ``scope``; ``write`` includes ``read``."""

    async def check(principal: Annotated[Principal, Depends(get_principal)]) -> Principal:
        if scope in principal.scopes or (scope == "read" and "write" in principal.scopes):
            return principal
        raise errors.InsufficientScope(f"This needs the `{scope}` scope; the API key has {sorted(principal.scopes)}.")

    return check


async def get_admin(principal: Annotated[Principal, Depends(require_scope("read"))]) -> Principal:
    if not principal.is_admin:
        raise errors.AdminRequired()
    return principal


async def get_current_user(principal: Annotated[Principal, Depends(get_principal)], session: SessionDep) -> User:
    user = await session.get(User, principal.user_id)
    if user is None:  # deleted between the credential check and now
        raise errors.InvalidAccessToken()
    return user


OptionalPrincipal = Annotated[Principal | None, Depends(get_optional_principal)]
CurrentPrincipal = Annotated[Principal, Depends(get_principal)]
ReadPrincipal = Annotated[Principal, Depends(require_scope("read"))]
WritePrincipal = Annotated[Principal, Depends(require_scope("write"))]
AdminUser = Annotated[Principal, Depends(get_admin)]
CurrentUser = Annotated[User, Depends(get_current_user)]


# -- rate limiter identity -----------------------------------------------------------------------------

_KEY_CACHE_SECONDS = 30


def identity_cache() -> TTLCache[str, str | None]:
    return TTLCache(maxsize=10_000, ttl=_KEY_CACHE_SECONDS)


async def rate_limit_identity(scope: Scope) -> str | None:
    """The budget a request spends: ``user:<id>`` for a valid access token, ``key:<id>`` for a valid API
    key, None (the client address) otherwise. A made-up credential never buys a fresh budget. Access
    tokens are checked by signature only (no database); API keys through a short-lived cache."""
    app: Any = scope.get("app")
    state: Any = getattr(app, "state", None)
    ring: KeyRing | None = getattr(state, "key_ring", None)
    if state is None or ring is None:
        return None
    api_key = authorization = None
    for name, value in scope.get("headers", ()):
        if name == b"x-api-key":
            api_key = value.decode("latin-1").strip()
        elif name == b"authorization":
            authorization = value.decode("latin-1")
    if api_key:
        cache: TTLCache[str, str | None] = state.identity_cache
        from mtg_tracker.account.tokens import digest

        hashed = digest(api_key)
        if hashed in cache:
            return cache[hashed]
        try:
            async with state.db.primary_session() as session:
                key_id = await account_service.api_key_owner(session, api_key)
        except Exception:  # noqa: BLE001 - the limiter falls back to the address when the database is down
            return None
        cache[hashed] = identity = f"key:{key_id}" if key_id else None
        return identity
    if authorization:
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() == "bearer" and token:
            try:
                claims = verify_access_token(ring, state.settings.auth, token.strip(), now=utcnow())
            except InvalidToken:
                return None
            return f"user:{claims.user_id}"
    return None
