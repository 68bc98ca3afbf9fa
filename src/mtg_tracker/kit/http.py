"""Pure helpers for the HTTP edge: request ids and client addresses."""

from __future__ import annotations

import ipaddress
import re
import uuid
from collections.abc import Iterable, Sequence

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

# Where main.py mounts the domain routers; also in the OpenAPI (the OAuth2 password flow's token URL).
API_PREFIX = "/api/v1"

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:\-]{8,128}$")


def accept_request_id(value: str | None) -> str:
    """The caller's id when it is well formed (so it can be traced across services), else a new one.

    Anything else is replaced rather than echoed, because it lands in logs and headers verbatim.
    """
    if value and _REQUEST_ID.match(value):
        return value
    return uuid.uuid4().hex


def parse_networks(cidrs: Iterable[str]) -> list[IPNetwork]:
    return [ipaddress.ip_network(c, strict=False) for c in cidrs]


def _is_trusted(addr: str, trusted: Sequence[IPNetwork]) -> bool:
    try:
        ip = ipaddress.ip_address(addr)
    except ValueError:
        return False
    return any(ip in net for net in trusted)


def client_address(peer: str | None, forwarded_for: str | None, trusted: Sequence[IPNetwork]) -> str | None:
    """The real client: walk X-Forwarded-For from the right while hops are trusted proxies.

    The header is only believed when the direct peer is itself a trusted proxy; otherwise any client
    could claim any address and dodge per-address limits.
    """
    if not peer or not trusted or not forwarded_for or not _is_trusted(peer, trusted):
        return peer
    hops = [h.strip() for h in forwarded_for.split(",") if h.strip()]
    for hop in reversed(hops):
        try:
            ipaddress.ip_address(hop)
        except ValueError:
            return peer  # a malformed chain proves nothing
        if not _is_trusted(hop, trusted):
            return hop
    return hops[0] if hops else peer
