from __future__ import annotations

import pytest

from mtg_tracker.kit.http import accept_request_id, client_address, parse_networks

TRUSTED = parse_networks(["10.0.0.0/8", "127.0.0.1/32"])


@pytest.mark.parametrize(
    ("peer", "xff", "trusted", "expected"),
    [
        ("203.0.113.5", None, TRUSTED, "203.0.113.5"),
        ("203.0.113.5", "1.2.3.4", TRUSTED, "203.0.113.5"),  # untrusted peer: header ignored
        ("10.1.1.1", "1.2.3.4", TRUSTED, "1.2.3.4"),
        ("10.1.1.1", "1.2.3.4, 10.2.2.2", TRUSTED, "1.2.3.4"),  # walk past trusted hops
        ("10.1.1.1", "6.6.6.6, 1.2.3.4", TRUSTED, "1.2.3.4"),  # spoofed left part not believed
        ("10.1.1.1", "10.3.3.3, 10.2.2.2", TRUSTED, "10.3.3.3"),  # all trusted: leftmost
        ("10.1.1.1", "garbage", TRUSTED, "10.1.1.1"),
        ("10.1.1.1", "1.2.3.4", [], "10.1.1.1"),  # no proxies configured
        ("127.0.0.1", "2001:db8::1", TRUSTED, "2001:db8::1"),
        (None, "1.2.3.4", TRUSTED, None),
    ],
)
def test_client_address(peer: str | None, xff: str | None, trusted: list, expected: str | None) -> None:
    assert client_address(peer, xff, trusted) == expected


def test_request_id_generated_when_missing() -> None:
    a, b = accept_request_id(None), accept_request_id("")
    assert a != b and len(a) == 32
