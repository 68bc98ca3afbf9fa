"""Pure alert rules: crossing state machine, signatures, SSRF address policy, URL checks, percentages."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from mtg_tracker.kit.http import parse_networks
from mtg_tracker.price.rules import (
    RefusedURL,
    address_refusal,
    change_pct,
    initial_armed,
    sign,
    split_webhook_url,
    step,
    verify,
)


@pytest.mark.parametrize(
    ("armed", "direction", "price", "armed_after", "fire"),
    [
        (True, "above", 999, True, False),  # below the threshold: keep waiting
        (True, "above", 1000, False, True),  # reaching it counts as crossing
        (True, "above", 1500, False, True),
        (False, "above", 1500, False, False),  # still above: no second firing
        (False, "above", 1000, False, False),
        (False, "above", 999, True, False),  # crossed back: re-armed
        (True, "below", 1001, True, False),
        (True, "below", 1000, False, True),
        (False, "below", 500, False, False),
        (False, "below", 1001, True, False),
        (True, "above", None, True, False),  # no price today says nothing
        (False, "below", None, False, False),
    ],
)
def test_step(armed: bool, direction: str, price: int | None, armed_after: bool, fire: bool) -> None:
    result = step(armed=armed, direction=direction, threshold=1000, price=price)
    assert (result.armed, result.fire) == (armed_after, fire)


def test_a_price_series_fires_once_per_crossing() -> None:
    armed, fired = True, []
    for day, price in enumerate([800, 900, 1100, 1200, 1050, 950, 990, 1010, 1020, 700]):
        result = step(armed=armed, direction="above", threshold=1000, price=price)
        armed = result.armed
        if result.fire:
            fired.append(day)
    assert fired == [2, 7]


@pytest.mark.parametrize(
    ("direction", "price", "armed"),
    [("above", None, True), ("above", 500, True), ("above", 1000, False), ("below", 500, False), ("below", 1500, True)],
)
def test_initial_armed(direction: str, price: int | None, armed: bool) -> None:
    assert initial_armed(direction, 1000, price) is armed


def test_signature_is_hmac_sha256_of_the_body() -> None:
    body = b'{"price":"12.00"}'
    expected = hmac.new(b"whsec_k", body, hashlib.sha256).hexdigest()
    assert sign("whsec_k", body) == f"sha256={expected}"
    assert verify("whsec_k", body, f"sha256={expected}")
    assert not verify("whsec_other", body, f"sha256={expected}")
    assert not verify("whsec_k", body + b" ", f"sha256={expected}")


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("93.184.216.34", None),
        ("2606:2800:220:1:248:1893:25c8:1946", None),
        ("127.0.0.1", "loopback"),
        ("::1", "loopback"),
        ("::ffff:127.0.0.1", "loopback"),
        ("10.1.2.3", "private"),
        ("192.168.0.10", "private"),
        ("172.16.5.4", "private"),
        ("169.254.169.254", "link-local"),
        ("fe80::1", "link-local"),
        ("224.0.0.1", "multicast"),
        ("0.0.0.0", "unspecified"),
        ("100.64.0.1", "not globally routable"),  # carrier-grade NAT
        ("240.0.0.1", "reserved"),
        ("fc00::1", "private"),
        ("nonsense", "not an IP address"),
    ],
)
def test_address_policy(address: str, reason: str | None) -> None:
    refusal = address_refusal(address, [])
    assert (refusal is None) if reason is None else (refusal is not None and reason in refusal)


def test_allow_list_opens_a_network() -> None:
    allowed = parse_networks(["127.0.0.1/32", "10.0.0.0/8"])
    assert address_refusal("127.0.0.1", allowed) is None
    assert address_refusal("10.9.8.7", allowed) is None
    assert address_refusal("127.0.0.2", allowed) is not None
    assert address_refusal("192.168.1.1", allowed) is not None


@pytest.mark.parametrize(
    ("url", "parts"),
    [
        ("https://hooks.example.com/x", ("https", "hooks.example.com", 443)),
        ("http://example.com:8080/h?q=1", ("http", "example.com", 8080)),
        ("HTTP://[::1]:9000/", ("http", "::1", 9000)),
    ],
)
def test_split_webhook_url(url: str, parts: tuple[str, str, int]) -> None:
    assert split_webhook_url(url) == parts


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("ftp://example.com/x", "scheme"),
        ("file:///etc/passwd", "scheme"),
        ("gopher://127.0.0.1:6379/_", "scheme"),
        ("example.com/hook", "scheme"),
        ("http:///nohost", "no host"),
        ("http://user:pw@example.com/", "credentials"),
        ("http://example.com:99999/", "not a valid URL"),
    ],
)
def test_split_webhook_url_refuses(url: str, reason: str) -> None:
    with pytest.raises(RefusedURL, match=reason):
        split_webhook_url(url)


@pytest.mark.parametrize(
    ("old", "new", "pct"),
    [
        (100, 150, "50.00"),
        (300, 100, "-66.67"),
        (1000, 1001, "0.10"),
        (3, 2, "-33.33"),
        (0, 5, None),
        (200, 200, "0.00"),
    ],
)
def test_change_pct(old: int, new: int, pct: str | None) -> None:
    assert change_pct(old, new) == pct
