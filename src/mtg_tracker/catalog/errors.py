"""Expected failures of the catalog domain."""

from __future__ import annotations

from mtg_tracker.kit.errors import AppError, BadRequest, NotFound, Unavailable


class CardNotFound(NotFound):
    default_message = "No card found with the given identifier."


class SetNotFound(NotFound):
    default_message = "No set found with the given code."


class AmbiguousCardName(NotFound):
    """Scryfall answers an ambiguous fuzzy name with 404 and ``"type": "ambiguous"``."""

    default_message = "Too many cards match this name; add more of it."

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message, extra={"type": "ambiguous"})


class UpstreamUnavailable(Unavailable):
    default_message = "Scryfall is unavailable right now; the local catalog still answers."


class UpstreamError(AppError):
    status_code = 502
    code = "bad_gateway"
    default_message = "Scryfall answered with an error."


class ImportFailed(BadRequest):
    default_message = "The import failed; the catalog was left unchanged."


class NoBackFace(AppError):
    """Scryfall answers face=back on a one-faced card with 422."""

    status_code = 422
    code = "bad_request"
    default_message = "This card has no back face."


class BulkTypeNotFound(NotFound):
    """A /bulk-data type or id this server does not offer."""
