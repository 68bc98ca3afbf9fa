"""Expected failures of a search, in Scryfall's shapes."""

from __future__ import annotations

from mtg_tracker.kit.errors import BadRequest, NotFound


class QueryNotUnderstood(BadRequest):
    default_message = "All of your terms were ignored."


class NoCardsMatched(NotFound):
    default_message = "Your query didn't match any cards. Adjust your search terms or refer to the syntax guide."


class QueryTooSlow(BadRequest):
    default_message = "The query took too long and was stopped; make it more specific."
