"""Who may use the alert routes: until accounts exist, whoever holds the operator's alerts token."""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, Request

from mtg_tracker.kit.deps import SettingsDep
from mtg_tracker.price.errors import AlertsDisabled, AlertsTokenRequired


async def require_alerts_token(request: Request, settings: SettingsDep) -> None:
    """503 when alerts are not configured, 401 without the right bearer token.

    Binding alerts to users (``PriceAlert.owner``) is left to the accounts issue; this token stands in
    for an admin principal and is compared in constant time.
    """
    token = settings.price.alerts_token
    if token is None:
        raise AlertsDisabled()
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(value.strip().encode(), token.get_secret_value().encode()):
        raise AlertsTokenRequired()


AlertsAdmin = Annotated[None, Depends(require_alerts_token)]
