"""Expected failures of the price domain."""

from __future__ import annotations

from mtg_tracker.kit.errors import BadRequest, NotFound, Unauthorized, Unavailable


class NoMovers(NotFound):
    default_message = (
        "No movers have been computed yet: the price.movers job computes them daily after the catalog sync "
        "(run it now with `mtg-tracker jobs run price.movers`)."
    )


class AlertsDisabled(Unavailable):
    default_message = (
        "Price alerts are disabled on this server: they need MTG_PRICE__ALERTS_TOKEN until user accounts exist."
    )


class AlertsTokenRequired(Unauthorized):
    default_message = "Price alerts need the alerts token: send `Authorization: Bearer <MTG_PRICE__ALERTS_TOKEN>`."

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message, headers={"WWW-Authenticate": 'Bearer realm="alerts"'})


class AlertNotFound(NotFound):
    default_message = "No price alert found with this id."


class WebhookRefused(BadRequest):
    default_message = "This webhook URL is not allowed."
