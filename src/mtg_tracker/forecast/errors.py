"""Expected failures of the forecast domain."""

from __future__ import annotations

from mtg_tracker.kit.errors import BadRequest, NotFound


class NoForecast(NotFound):
    default_message = "No forecast for this printing: it has too little price history."


class NoModel(NotFound):
    default_message = (
        "No forecast model has been promoted yet: the price.forecast_train job trains one daily "
        "(run it now with `mtg-tracker forecast train`)."
    )


class ModelNotFound(NotFound):
    default_message = "No forecast model with this version."


class BadHorizon(BadRequest):
    default_message = "The promoted model does not forecast this horizon."


class NotEnoughHistory(BadRequest):
    default_message = "The price history is too short to train and backtest a model."
