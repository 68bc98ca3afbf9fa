"""Expected failures of the price domain."""

from __future__ import annotations

from mtg_tracker.kit.errors import BadRequest, Conflict, NotFound


class NoMovers(NotFound):
    default_message = (
        "No movers have been computed yet: the price.movers job computes them daily after the catalog sync "
        "(run it now with `mtg-tracker jobs run price.movers`)."
    )


class TooManyAlerts(Conflict):
    default_message = "You have as many price alerts as one account may have; delete one first."


class AlertNotFound(NotFound):
    default_message = "No price alert found with this id."


class WebhookRefused(BadRequest):
    default_message = "This webhook URL is not allowed."
