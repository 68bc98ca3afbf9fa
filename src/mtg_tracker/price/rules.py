"""Pure rules of price alerts: the crossing state machine, webhook signatures, which addresses a webhook
may reach, and the percentage of a move. No I/O; the tests are tables."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from urllib.parse import urlsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

DIRECTIONS = ("above", "below")
SIGNATURE_HEADER = "X-MTG-Signature"
TIMESTAMP_HEADER = "X-MTG-Timestamp"


def condition_met(direction: str, threshold: int, price: int) -> bool:
    """``above`` means at or above the threshold, ``below`` at or below it."""
    return price >= threshold if direction == "above" else price <= threshold


@dataclass(frozen=True, slots=True)
class Step:
    armed: bool
    fire: bool


def step(*, armed: bool, direction: str, threshold: int, price: int | None) -> Step:
    """One evaluation of an alert against the latest price.

    An armed alert fires when the condition becomes true and disarms; a disarmed one re-arms once the
    condition is false again (the price crossed back). No price says nothing: the state is kept. The same
    price evaluated twice never fires twice, so evaluation can run as often as snapshots arrive.
    """
    if price is None:
        return Step(armed=armed, fire=False)
    met = condition_met(direction, threshold, price)
    if armed and met:
        return Step(armed=False, fire=True)
    if not armed and not met:
        return Step(armed=True, fire=False)
    return Step(armed=armed, fire=False)


def initial_armed(direction: str, threshold: int, price: int | None) -> bool:
    """An alert created while its condition already holds waits for the price to cross back first:
    it fires on a crossing, not on a state the user could already see when creating it."""
    return price is None or not condition_met(direction, threshold, price)


def sign(secret: str, body: bytes) -> str:
    """``sha256=<hex>``: HMAC-SHA256 of the exact body bytes sent, keyed by the alert's secret."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify(secret: str, body: bytes, header: str) -> bool:
    """What a receiver does (and the tests): constant-time comparison of the signature header."""
    return hmac.compare_digest(sign(secret, body), header)


class RefusedURL(ValueError):
    """A webhook URL that must not be called (scheme, host, or an address that is not public)."""


def split_webhook_url(url: str) -> tuple[str, str, int]:
    """(scheme, host, port) of an http(s) URL; anything else is refused before any resolution."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise RefusedURL(f"not a valid URL: {exc}") from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise RefusedURL(f"scheme {parts.scheme or '(none)'!r} is not allowed; use http or https")
    host = parts.hostname
    if not host:
        raise RefusedURL("the URL has no host")
    if parts.username is not None or parts.password is not None:
        raise RefusedURL("credentials in the URL are not allowed; sign with the alert's secret instead")
    return scheme, host, port or (443 if scheme == "https" else 80)


def address_refusal(address: str, allowed: Sequence[IPNetwork]) -> str | None:
    """Why a webhook may not connect to ``address`` (None = allowed).

    Only globally routable unicast addresses are allowed, unless the operator allow-listed the network:
    loopback, private, link-local (cloud metadata lives at 169.254.169.254), multicast, reserved and
    unspecified addresses reach things inside the house, which is what SSRF is about.
    """
    try:
        ip: IPAddress = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return f"{address!r} is not an IP address"
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped  # ::ffff:127.0.0.1 is 127.0.0.1
    if any(ip in net for net in allowed):
        return None
    for label, bad in (
        # Most specific first: Python counts link-local, unspecified and reserved ranges as private too.
        ("loopback", ip.is_loopback),
        ("link-local", ip.is_link_local),
        ("multicast", ip.is_multicast),
        ("unspecified", ip.is_unspecified),
        ("reserved", ip.is_reserved),
        ("private", ip.is_private),
        ("not globally routable", not ip.is_global),
    ):
        if bad:
            return f"{ip} is a {label} address" if label != "not globally routable" else f"{ip} is {label}"
    return None


_HUNDRED = Decimal(100)


def change_pct(old: int, new: int) -> str | None:
    """Percentage change as a decimal string with two places (``"12.50"``), None when old is 0."""
    if old == 0:
        return None
    pct = (Decimal(new - old) * _HUNDRED / Decimal(old)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return str(pct)
