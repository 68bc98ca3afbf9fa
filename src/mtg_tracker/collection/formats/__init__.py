"""CSV codecs for the collection apps people migrate from (see docs IMPORT_FORMATS.md).

A pure core: bytes/text in, plain rows out, no catalog and no database, so every quirk of every app
can be pinned by a table-driven test. Resolving a row to a printing is the service's job; this module
only promises that each row comes back with its line number and either clean values or a reason.

Decisions worth knowing (each is tested):

* Conditions map onto one ladder ``M NM LP MP HP D``. ManaBox and Dragon Shield grade on Cardmarket's
  seven-step scale, mapped MT→M, NM→NM, EX→LP, GD→MP, LP (Cardmarket "Light Played")→MP, PL→HP,
  PO→D; writing back uses excellent/good/played/poor for LP/MP/HP/D so a round trip is exact. The
  ambiguous words are the reason for per-format scales: Moxfield's "Played" is the US MP, ManaBox's
  "played" is Cardmarket PL.
* A bad quantity, price, date, id, finish, condition or language is a row error, never a silent
  default: the row is still yielded (best-effort values) so the caller can report it by line.
* Blank finish/condition/language cells mean the app's default (nonfoil, NM, en).
* What a format cannot carry is lost on export, documented in ``LOSSES`` and tested exactly.
"""

from mtg_tracker.collection.formats.model import (
    CONDITIONS,
    FINISHES,
    FORMATS,
    LANGUAGES,
    LOSSES,
    MAX_QUANTITY,
    ExportRow,
    FormatError,
    InputTooLarge,
    ParsedRow,
    front_face,
    normalize_condition,
    normalize_finish,
    normalize_language,
)
from mtg_tracker.collection.formats.reader import decompressed, detect_format, open_text, read_rows
from mtg_tracker.collection.formats.writer import write_rows, write_unresolved

__all__ = [
    "CONDITIONS",
    "FINISHES",
    "FORMATS",
    "LANGUAGES",
    "LOSSES",
    "MAX_QUANTITY",
    "ExportRow",
    "FormatError",
    "InputTooLarge",
    "ParsedRow",
    "decompressed",
    "detect_format",
    "front_face",
    "normalize_condition",
    "normalize_finish",
    "normalize_language",
    "open_text",
    "read_rows",
    "write_rows",
    "write_unresolved",
]
