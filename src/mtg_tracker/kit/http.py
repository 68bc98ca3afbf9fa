"""Pure helpers for the HTTP edge: request ids, client addresses and this server's public URL."""

from __future__ import annotations

import ipaddress
import re
import uuid
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

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


# A Host / X-Forwarded-Host value we are willing to put into URLs: a name or address and a port, nothing
# that could add a path, credentials or a second URL.
_HOST = re.compile(r"^(?:[A-Za-z0-9](?:[A-Za-z0-9.\-]*[A-Za-z0-9])?|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$")


def public_base(
    *,
    configured: str | None,
    scheme: str,
    host: str | None,
    server: tuple[str, int | None] | None,
    peer: str | None,
    forwarded_proto: str | None,
    forwarded_host: str | None,
    trusted: Sequence[IPNetwork],
) -> str:
    """The origin clients reach this server at (``https://cards.example.org``, no trailing slash).

    ``configured`` (MTG_PUBLIC_URL) wins. Otherwise the request's Host, with X-Forwarded-Proto/-Host
    believed only when the direct peer is a trusted proxy (MTG_HTTP__TRUSTED_PROXIES), like
    X-Forwarded-For in ``client_address``: any client could otherwise make the server hand out links to
    a host of its choosing (cache poisoning). With several proxies the first value is the client-facing one.
    """
    if configured:
        return configured.rstrip("/")
    proxied = bool(peer and trusted and _is_trusted(peer, trusted))
    if proxied and forwarded_proto:
        proto = forwarded_proto.split(",")[0].strip().lower()
        if proto in ("http", "https"):
            scheme = proto
    chosen = host
    if proxied and forwarded_host:
        first = forwarded_host.split(",")[0].strip()
        if _HOST.match(first):
            chosen = first
    if not chosen or not _HOST.match(chosen):
        if server is None:
            chosen = "localhost"
        else:
            name, port = server
            chosen = name if port is None or port == (443 if scheme == "https" else 80) else f"{name}:{port}"
    default_port = ":443" if scheme == "https" else ":80"
    if chosen.endswith(default_port):
        chosen = chosen[: -len(default_port)]
    return f"{scheme}://{chosen}"


def scope_base(scope: Mapping[str, Any], configured: str | None, trusted: Sequence[IPNetwork]) -> str:
    """``public_base`` for an ASGI scope (middleware and requests alike)."""
    headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers") or ()}
    client = scope.get("client")
    server = scope.get("server")
    return public_base(
        configured=configured,
        scheme=str(scope.get("scheme") or "http"),
        host=headers.get("host"),
        server=(str(server[0]), server[1]) if server else None,
        peer=client[0] if client else None,
        forwarded_proto=headers.get("x-forwarded-proto"),
        forwarded_host=headers.get("x-forwarded-host"),
        trusted=trusted,
    )


def public_url(request: Any, path: str, query: str = "") -> str:
    """The absolute URL of this server for ``path`` (e.g. ``/api/v1/cards/search``) as the client of
    ``request`` must use it: MTG_PUBLIC_URL, else the request's host (see ``public_base``). Every link
    the API hands out (next_page, rewritten Scryfall URIs) goes through here."""
    state = request.app.state
    trusted = getattr(state, "trusted_proxies", None)
    if trusted is None:
        trusted = state.trusted_proxies = parse_networks(state.settings.http.trusted_proxies)
    base = scope_base(request.scope, state.settings.public_url, trusted)
    return base + path + (f"?{query}" if query else "")
