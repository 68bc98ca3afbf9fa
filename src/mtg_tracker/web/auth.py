"""Sessions for pages: the API's own access and refresh tokens, carried in HttpOnly cookies.

A page request presents the access-token cookie; when it has expired (or is gone) the refresh cookie is
rotated exactly as ``POST /auth/refresh`` would (re-use of a rotated token revokes the session), and the
new pair is written back on the response. Cookies are HttpOnly (no script can read them), SameSite=Lax
(sent on top-level navigation, not on a third-party site's POST) and Secure unless the operator turned
that off for plain HTTP.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fastapi import Request
from starlette.responses import Response

from mtg_tracker.account import errors as account_errors
from mtg_tracker.account import service as account_service
from mtg_tracker.account.service import Principal, TokenPair
from mtg_tracker.config import Settings
from mtg_tracker.kit.db import Database
from mtg_tracker.kit.logging import get_logger
from mtg_tracker.kit.middleware import client_ip_var
from mtg_tracker.web.security import ACCESS_COOKIE, CSRF_COOKIE, REFRESH_COOKIE, csrf_token, new_csrf_secret

log = get_logger("mtg_tracker.web.auth")


@dataclass(slots=True)
class PendingCookies:
    """Cookies a page decided to set or clear; ``apply`` writes them on whatever response it returns."""

    to_set: dict[str, tuple[str, int, str]] = field(default_factory=dict)  # name -> (value, max_age, samesite)
    to_clear: set[str] = field(default_factory=set)


def _scratch(request: Request) -> dict[str, Any]:
    """Per-request storage in the ASGI scope itself. Not ``request.state``: that is the lifespan state,
    which an ASGI server may share between requests (asgi-lifespan does), and a session must never leak."""
    scratch: dict[str, Any] = request.scope.setdefault("mtg.web", {})
    return scratch


def pending(request: Request) -> PendingCookies:
    scratch = _scratch(request)
    if "cookies" not in scratch:
        scratch["cookies"] = PendingCookies()
    cookies: PendingCookies = scratch["cookies"]
    return cookies


def apply_cookies(request: Request, response: Response) -> None:
    settings: Settings = request.app.state.settings
    cookies = pending(request)
    for name in cookies.to_clear:
        response.delete_cookie(name, path="/", secure=settings.web.cookie_secure, httponly=True, samesite="lax")
    for name, (value, max_age, samesite) in cookies.to_set.items():
        response.set_cookie(
            name,
            value,
            max_age=max_age,
            path="/",
            secure=settings.web.cookie_secure,
            httponly=True,
            samesite=samesite,  # type: ignore[arg-type]
        )


def csrf_for(request: Request) -> str:
    """The token to put in this page's forms, creating the CSRF cookie on a first visit."""
    settings: Settings = request.app.state.settings
    cookies = pending(request)
    value = request.cookies.get(CSRF_COOKIE)
    if CSRF_COOKIE in cookies.to_set:
        value = cookies.to_set[CSRF_COOKIE][0]
    if not value:
        value = new_csrf_secret()
        # A year: the token is worthless without the server secret, and expiring it would break open forms.
        # Lax, not Strict: a Strict cookie is not sent when a page is opened from another site's link, and
        # replacing it then would invalidate the forms open in the user's other tabs.
        cookies.to_set[CSRF_COOKIE] = (value, 365 * 86_400, "lax")
    return csrf_token(settings.secret_key.get_secret_value(), value)


def store_pair(request: Request, pair: TokenPair) -> None:
    settings: Settings = request.app.state.settings
    cookies = pending(request)
    cookies.to_clear.difference_update({ACCESS_COOKIE, REFRESH_COOKIE})
    cookies.to_set[ACCESS_COOKIE] = (pair.access_token, pair.expires_in, "lax")
    cookies.to_set[REFRESH_COOKIE] = (pair.refresh_token, settings.auth.refresh_token_days * 86_400, "lax")


def forget_session(request: Request) -> None:
    cookies = pending(request)
    for name in (ACCESS_COOKIE, REFRESH_COOKIE):
        cookies.to_set.pop(name, None)
        cookies.to_clear.add(name)


async def page_principal(request: Request) -> Principal | None:
    """Who is looking at the page: the access cookie's principal, after a refresh when it expired."""
    scratch = _scratch(request)
    if "principal" in scratch:
        cached: Principal | None = scratch["principal"]
        return cached
    access = request.cookies.get(ACCESS_COOKIE)
    refresh = request.cookies.get(REFRESH_COOKIE)
    if not access and not refresh:
        return None
    db: Database = request.app.state.db
    settings: Settings = request.app.state.settings
    principal: Principal | None = None
    if access:
        async with db.primary_session() as session:
            try:
                principal = await account_service.principal_from_access_token(
                    session, token=access, ring=request.app.state.key_ring, auth=settings.auth
                )
            except (account_errors.InvalidAccessToken, account_errors.AccountDisabled):
                principal = None
            finally:
                await session.rollback()
    if principal is None and refresh:
        principal = await _refresh(request, refresh)
    scratch["principal"] = principal
    if principal is None:
        forget_session(request)
        return None
    return principal


async def _refresh(request: Request, token: str) -> Principal | None:
    db: Database = request.app.state.db
    settings: Settings = request.app.state.settings
    # Its own transaction: a rotation (or the revocation a re-used token causes) must be kept even when
    # the page that triggered it fails afterwards.
    async with db.session_scope() as session:
        outcome = await account_service.refresh(
            session, token=token, address=client_ip_var.get(), ring=request.app.state.key_ring, auth=settings.auth
        )
        if outcome.pair is None:
            return None
        principal = await account_service.principal_from_access_token(
            session, token=outcome.pair.access_token, ring=request.app.state.key_ring, auth=settings.auth
        )
    store_pair(request, outcome.pair)
    return principal
