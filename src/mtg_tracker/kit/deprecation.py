"""Deprecated routes announce themselves: ``Deprecation``, ``Sunset`` and ``Link`` response headers.

Mark a route with the decorator keywords this module makes::

    @router.get("/old", **deprecated(since=date(2026, 12, 1), sunset=date(2027, 6, 1), successor="/api/v2/new"))

It is then ``deprecated: true`` in the OpenAPI document (with ``x-deprecated-since``, ``x-sunset`` and
``x-successor``), and every answer it gives — errors included — carries

- ``Deprecation: @<unix time of since>`` (RFC 9745),
- ``Sunset: <HTTP date of sunset>`` (RFC 8594),
- ``Link: <successor>; rel="successor-version"`` when there is one.

The policy (docs/API.md, "Versioning"): a route is deprecated for at least 90 days before its sunset and
removed after it; tests/kit/test_deprecation.py fails while a route outlives its sunset.
"""

from __future__ import annotations

from calendar import timegm
from dataclasses import dataclass
from datetime import date
from email.utils import formatdate
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

MIN_NOTICE_DAYS = 90


@dataclass(frozen=True)
class Deprecation:
    since: date
    sunset: date
    successor: str | None = None

    def headers(self) -> list[tuple[bytes, bytes]]:
        since = timegm(self.since.timetuple())
        sunset = formatdate(timegm(self.sunset.timetuple()), usegmt=True)
        headers = [(b"deprecation", f"@{since}".encode()), (b"sunset", sunset.encode())]
        if self.successor:
            headers.append((b"link", f'<{self.successor}>; rel="successor-version"'.encode()))
        return headers


def deprecated(*, since: date, sunset: date, successor: str | None = None) -> dict[str, Any]:
    """Keyword arguments for a FastAPI route decorator that mark the route deprecated until ``sunset``."""
    if (sunset - since).days < MIN_NOTICE_DAYS:
        raise ValueError(f"a deprecation needs at least {MIN_NOTICE_DAYS} days' notice before its sunset")
    extra: dict[str, Any] = {"x-deprecated-since": since.isoformat(), "x-sunset": sunset.isoformat()}
    if successor:
        extra["x-successor"] = successor
    return {"deprecated": True, "openapi_extra": extra}


def route_deprecation(route: Any) -> Deprecation | None:
    """The deprecation a route was marked with by :func:`deprecated`, if any."""
    extra = getattr(route, "openapi_extra", None) or {}
    if not getattr(route, "deprecated", False) or "x-sunset" not in extra:
        return None
    return Deprecation(
        since=date.fromisoformat(extra["x-deprecated-since"]),
        sunset=date.fromisoformat(extra["x-sunset"]),
        successor=extra.get("x-successor"),
    )


class DeprecationHeadersMiddleware:
    """Adds the headers to every response of a deprecated route (the router has put it in the scope by
    the time the response starts, whatever the handler returned or raised)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                notice = route_deprecation(scope.get("route"))
                if notice is not None:
                    message["headers"] = [*message.get("headers", []), *notice.headers()]
            await send(message)

        await self.app(scope, receive, send_wrapper)
