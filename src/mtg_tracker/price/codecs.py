"""Pure codecs of the price domain: money as integer cents, backfill rows (daily CSV, MTGJSON v5 prices).

No I/O here: the streaming importers in ``backfill.py`` feed these functions, and their tests are tables.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

# The daily CSV's finish → our column (Scryfall's price keys).
CSV_FINISHES = {"nonfoil": "usd", "foil": "usd_foil", "etched": "usd_etched"}

# MTGJSON v5 AllPrices: (format, provider, finish) of retail prices → our column. Buylist prices and the
# other providers (cardkingdom, cardsphere, …) have no column of ours and are ignored.
MTGJSON_RETAIL = {
    ("paper", "tcgplayer", "normal"): "usd",
    ("paper", "tcgplayer", "foil"): "usd_foil",
    ("paper", "tcgplayer", "etched"): "usd_etched",
    ("paper", "cardmarket", "normal"): "eur",
    ("paper", "cardmarket", "foil"): "eur_foil",
    ("mtgo", "cardhoarder", "normal"): "tix",
}
# MTGJSON labels Cardhoarder's MTGO prices "USD" although they are event tickets (1 tix ≈ 1 USD).
_CURRENCY = {"usd": "USD", "usd_foil": "USD", "usd_etched": "USD", "eur": "EUR", "eur_foil": "EUR", "tix": "USD"}

MAX_CENTS = 2**31 - 1  # the columns are 32-bit integers: $21 million is beyond any card


class BadRow(ValueError):
    """A row that cannot become a price point; the reason is reported with its line number."""


def to_cents(value: Any) -> int:
    """``"1.23"``/``Decimal("1.23")``/``1.23`` → 123, exactly; half a cent rounds up."""
    if isinstance(value, bool) or value is None or value == "":
        raise BadRow("no price")
    try:
        cents = (Decimal(str(value).strip()) * 100).quantize(Decimal(1), rounding="ROUND_HALF_UP")
    except (InvalidOperation, ValueError):
        raise BadRow(f"price {value!r} is not a number") from None
    if not cents.is_finite():
        raise BadRow(f"price {value!r} is not a number")
    if cents < 0:
        raise BadRow(f"price {value!r} is negative")
    if cents > MAX_CENTS:
        raise BadRow(f"price {value!r} is out of range")
    return int(cents)


def cents_to_price(cents: int | None) -> str | None:
    """123 → ``"1.23"``: decimal strings, like Scryfall's prices."""
    if cents is None:
        return None
    sign = "-" if cents < 0 else ""
    cents = abs(cents)
    return f"{sign}{cents // 100}.{cents % 100:02d}"


@dataclass(frozen=True, slots=True)
class CsvPoint:
    day: date
    card_id: uuid.UUID
    column: str
    cents: int
    label: str  # "name, set" for reports about printings the catalog does not know


def parse_csv_row(row: dict[str, str | None]) -> CsvPoint:
    """One row of the daily USD CSV (``updated_at,set,scryfall_id,…,finish,price_usd,…``).

    ``updated_at`` is an ISO timestamp in UTC; its date is the price day.
    """
    raw_id = (row.get("scryfall_id") or "").strip()
    try:
        card_id = uuid.UUID(raw_id)
    except ValueError:
        raise BadRow(f"scryfall_id {raw_id!r} is not a UUID") from None
    stamp = (row.get("updated_at") or "").strip()
    try:
        day = date.fromisoformat(stamp[:10])
        if len(stamp) > 10:
            datetime.fromisoformat(stamp.replace("Z", "+00:00"))  # the whole stamp must be valid, not just its head
    except ValueError:
        raise BadRow(f"updated_at {stamp!r} is not an ISO date") from None
    finish = (row.get("finish") or "").strip().lower()
    column = CSV_FINISHES.get(finish)
    if column is None:
        raise BadRow(f"unknown finish {finish!r}")
    cents = to_cents(row.get("price_usd"))
    label = f"{(row.get('name') or '?').strip()}, {(row.get('set') or '?').strip()}"
    return CsvPoint(day=day, card_id=card_id, column=column, cents=cents, label=label)


def mtgjson_points(entry: Any) -> tuple[dict[date, dict[str, int]], list[str]]:
    """One card of MTGJSON v5 ``AllPrices``/``AllPricesToday``: ``{day: {column: cents}}`` and problems.

    Only retail prices in the expected currency are taken; a malformed price or date is reported and
    skipped without losing the card's other prices.
    """
    days: dict[date, dict[str, int]] = {}
    problems: list[str] = []
    if not isinstance(entry, dict):
        return days, ["entry is not an object"]
    for fmt, providers in entry.items():
        if not isinstance(providers, dict):
            continue
        for provider, prices in providers.items():
            if not isinstance(prices, dict):
                continue
            retail = prices.get("retail")
            if not isinstance(retail, dict):
                continue
            for finish, series in retail.items():
                column = MTGJSON_RETAIL.get((fmt, provider, finish))
                if column is None or not isinstance(series, dict):
                    continue
                currency = prices.get("currency")
                if currency is not None and str(currency).upper() != _CURRENCY[column].upper():
                    problems.append(f"{fmt}.{provider}: currency {currency!r}, expected {_CURRENCY[column]}")
                    continue
                for raw_day, value in series.items():
                    try:
                        day = date.fromisoformat(str(raw_day))
                        days.setdefault(day, {})[column] = to_cents(value)
                    except (ValueError, BadRow) as exc:
                        problems.append(f"{fmt}.{provider}.retail.{finish} {raw_day}: {exc}")
    return days, problems
