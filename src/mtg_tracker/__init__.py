"""MTG Tracker: a self-hosted, Scryfall-compatible Magic: The Gathering catalog, prices and collections."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("mtg-tracker")
except PackageNotFoundError:  # running from a source tree without installing
    __version__ = "0.0.0+source"
