"""Who may read the operations endpoints that describe the deployment (/metrics, /health/detailed).

Liveness and readiness stay public (load balancers and orchestrators call them without credentials);
metrics and the detailed health tell an attacker the version, the environment, the job schedule and the
traffic, so they need one of: a client address in ``MTG_OPS__ALLOW_NETWORKS`` (loopback by default, so a
laptop and a Prometheus on the same host keep working), the bearer token ``MTG_OPS__TOKEN``, or — for
/health/detailed only — an administrator's access token or API key. The address is the one
RequestContextMiddleware computed: X-Forwarded-For counts only from ``MTG_HTTP__TRUSTED_PROXIES``.
"""

from __future__ import annotations

import hmac
import ipaddress
from collections.abc import Awaitable, Callable
from enum import StrEnum
from functools import lru_cache
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from mtg_tracker.account.deps import resolve_credentials
from mtg_tracker.kit.errors import AppError, Forbidden, Unauthorized
from mtg_tracker.kit.http import IPNetwork, parse_networks
from mtg_tracker.kit.middleware import client_ip_var

_ops_bearer = HTTPBearer(
    auto_error=False,
    scheme_name="OpsToken",
    description="The operations token (MTG_OPS__TOKEN); not needed from MTG_OPS__ALLOW_NETWORKS.",
)


class Access(StrEnum):
    allowed = "allowed"
    no_credentials = "no_credentials"
    bad_token = "bad_token"  # noqa: S105 - a verdict, not a secret
    maybe_admin = "maybe_admin"


@lru_cache(maxsize=8)
def _networks(cidrs: tuple[str, ...]) -> list[IPNetwork]:
    return parse_networks(cidrs)


def _in_networks(address: str | None, networks: list[IPNetwork]) -> bool:
    if not address:
        return False
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in net for net in networks)


def decide(
    *, address: str | None, networks: list[IPNetwork], presented: str | None, token: str | None, admin_may: bool
) -> Access:
    """The verdict before any database work: allowed by address or token, or what is missing."""
    if _in_networks(address, networks):
        return Access.allowed
    if presented is not None and token is not None and hmac.compare_digest(presented.encode(), token.encode()):
        return Access.allowed
    if presented is None:
        return Access.no_credentials
    return Access.maybe_admin if admin_may else Access.bad_token


def _how(admin_may: bool) -> str:
    way = "`Authorization: Bearer <MTG_OPS__TOKEN>`, a client address in MTG_OPS__ALLOW_NETWORKS"
    return way + (", or an administrator's access token or API key" if admin_may else "")


async def _is_admin(request: Request, *, bearer: str | None, api_key: str | None) -> bool | None:
    """True/False for a valid credential of an admin/non-admin, None for an invalid one."""
    try:
        principal, _ = await resolve_credentials(request, bearer=bearer, api_key=api_key)
    except AppError:
        return None
    return principal.is_admin


def require_ops_access(*, admin_may: bool) -> Callable[..., Awaitable[None]]:
    async def check(
        request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_ops_bearer)]
    ) -> None:
        ops = request.app.state.settings.ops
        api_key = request.headers.get("x-api-key") if admin_may else None
        presented = credentials.credentials if credentials is not None else None
        verdict = decide(
            address=client_ip_var.get(),
            networks=_networks(tuple(ops.allow_networks)),
            presented=presented if presented is not None else api_key,
            token=ops.token.get_secret_value() if ops.token is not None else None,
            admin_may=admin_may,
        )
        if verdict == Access.allowed:
            return
        challenge = {"WWW-Authenticate": "Bearer"}
        if verdict == Access.no_credentials:
            raise Unauthorized(f"This endpoint needs {_how(admin_may)}.", headers=challenge)
        if verdict == Access.maybe_admin:
            admin = await _is_admin(request, bearer=presented, api_key=api_key if presented is None else None)
            if admin:
                return
            if admin is False:
                raise Forbidden("Only administrators (or the operations token) may read this.")
        raise Unauthorized(
            f"The credential is not valid here; this endpoint needs {_how(admin_may)}.", headers=challenge
        )

    return check


MetricsAccess = Depends(require_ops_access(admin_may=False))
DetailedHealthAccess = Depends(require_ops_access(admin_may=True))
