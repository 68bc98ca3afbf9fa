"""MTG Tracker: a self-hosted, Scryfall-compatible Magic: The Gathering catalog, prices and collections."""

from importlib.metadata import PackageNotFoundError, version

from mtg_tracker.kit import sqlitelib

# Before anything imports sqlite3: the bundled, current SQLite where its wheel is installed (see sqlitelib).
sqlitelib.use_bundled()

try:
    __version__ = version("mtg-tracker")
except PackageNotFoundError:  # running from a source tree without installing
    __version__ = "0.0.0+source"
