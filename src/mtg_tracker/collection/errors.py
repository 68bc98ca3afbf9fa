"""Expected failures of the collection domain."""

from __future__ import annotations

from mtg_tracker.kit.errors import BadRequest, Conflict, NotFound, PayloadTooLarge


class CollectionNotFound(NotFound):
    default_message = "No collection found with this id."


class EntryNotFound(NotFound):
    default_message = "No entry with this id in this collection."


class UnknownCard(BadRequest):
    default_message = "No printing with this card id is in the catalog."


class FinishNotAvailable(BadRequest):
    default_message = "This printing does not exist in this finish."


class QuantityTooLarge(BadRequest):
    default_message = "An entry holds at most 1,000,000 copies."


class DuplicateEntry(Conflict):
    default_message = "Another entry already holds this printing, finish, condition and language."


class ImportFileInvalid(BadRequest):
    """The file cannot be read as the format (encoding, delimiter, header, line length): nothing is written."""

    default_message = "The file could not be read."


class ImportTooLarge(PayloadTooLarge):
    default_message = "The file has more rows than an import accepts."
