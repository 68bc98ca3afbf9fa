"""The one pure-ASGI middleware every request goes through.

It owns what must hold for *every* response, including the ones nothing else sees: request id, access
log, metrics by route template, security headers, the body-size limit, and turning an unexpected
exception into the JSON error object (the traceback goes to the log, once, never to the client).
Pure ASGI rather than ``BaseHTTPMiddleware`` because the latter costs a task and a copy per request.
"""

from __future__ import annotations

import re
import time
from collections.abc import Sequence
from contextvars import ContextVar
from typing import Any

import orjson
import structlog
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mtg_tracker.kit import metrics
from mtg_tracker.kit.db import unavailable_reason
from mtg_tracker.kit.errors import error_body
from mtg_tracker.kit.http import IPNetwork, accept_request_id, client_address
from mtg_tracker.kit.logging import get_logger

request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)
client_ip_var: ContextVar[str | None] = ContextVar("client_ip", default=None)

log = get_logger("mtg_tracker.access")
error_log = get_logger("mtg_tracker.error")

UNMATCHED_ROUTE = "<unmatched>"


class BodyTooLarge(StarletteHTTPException):
    def __init__(self, limit: int) -> None:
        super().__init__(status_code=413, detail=f"The request body is larger than {limit} bytes.")


class RequestContextMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        *,
        max_body_bytes: int,
        trusted_proxies: list[IPNetwork],
        hsts_seconds: int = 0,
        body_limits: Sequence[tuple[str, int]] = (),
    ) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        # (path regex, limit): routes that legitimately take larger bodies (collection imports) say so
        # here, so the global limit can stay small for everything else.
        self.body_limits = [(re.compile(pattern), limit) for pattern, limit in body_limits]
        self.trusted_proxies = trusted_proxies
        self.security_headers: list[tuple[bytes, bytes]] = [
            (b"x-content-type-options", b"nosniff"),
            (b"x-frame-options", b"DENY"),
            (b"referrer-policy", b"strict-origin-when-cross-origin"),
        ]
        if hsts_seconds:
            self.security_headers.append(
                (b"strict-transport-security", f"max-age={hsts_seconds}; includeSubDomains".encode())
            )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        start = time.perf_counter()
        headers = _headers(scope)
        request_id = accept_request_id(headers.get("x-request-id"))
        peer = scope["client"][0] if scope.get("client") else None
        client_ip = client_address(peer, headers.get("x-forwarded-for"), self.trusted_proxies)
        rid_token = request_id_var.set(request_id)
        ip_token = client_ip_var.set(client_ip)
        structlog.contextvars.bind_contextvars(request_id=request_id)
        method = scope["method"]
        status_holder = [500]
        started = [False]
        rid_header = (b"x-request-id", request_id.encode())

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                started[0] = True
                status_holder[0] = message["status"]
                message["headers"] = [*message.get("headers", []), rid_header, *self.security_headers]
            await send(message)

        limit = self._limit_for(scope.get("path", ""))
        too_large = self._declared_too_large(headers, limit)
        metrics.HTTP_IN_PROGRESS.inc()
        try:
            if _has_nul(scope.get("query_string", b"")):
                # PostgreSQL cannot hold NUL in text: refused here, once, instead of a 500 in whichever
                # query would have carried it.
                await self._send_error(
                    send_wrapper, 400, "The query string contains a NUL character (%00).", request_id
                )
            elif too_large:
                await self._send_error(send_wrapper, 413, f"The request body is larger than {limit} bytes.", request_id)
            else:
                await self.app(scope, self._limited_receive(receive, limit), send_wrapper)
        except Exception as exc:  # noqa: BLE001 - the last line of defence: log once, answer 500 (or 503)
            # Database outages raised outside the routes (rate-limit identity, say) are still a 503.
            reason = unavailable_reason(exc)
            status = 503 if reason else 500
            if reason:
                error_log.warning("database_unavailable", method=method, path=scope.get("path"), error=str(exc)[:300])
            else:
                error_log.exception("unhandled_exception", method=method, path=scope.get("path"))
            if not started[0]:
                await self._send_error(
                    send_wrapper, status, reason or "An unexpected error occurred; it has been logged.", request_id
                )
            status_holder[0] = status
        finally:
            metrics.HTTP_IN_PROGRESS.dec()
            duration = time.perf_counter() - start
            route = _route_template(scope)
            status = status_holder[0]
            metrics.HTTP_REQUESTS.labels(method, route, str(status)).inc()
            metrics.HTTP_DURATION.labels(method, route).observe(duration)
            log.info(
                "request",
                method=method,
                route=route,
                path=scope.get("path"),
                status_code=status,
                duration_ms=round(duration * 1000, 2),
                client_ip=client_ip,
                **({"user_id": scope["state"]["user_id"]} if "user_id" in scope.get("state", {}) else {}),
            )
            structlog.contextvars.unbind_contextvars("request_id")
            request_id_var.reset(rid_token)
            client_ip_var.reset(ip_token)

    def _limit_for(self, path: str) -> int:
        for pattern, limit in self.body_limits:
            if pattern.fullmatch(path):
                return limit
        return self.max_body_bytes

    @staticmethod
    def _declared_too_large(headers: dict[str, str], limit: int) -> bool:
        declared = headers.get("content-length")
        if declared is None:
            return False
        try:
            return int(declared) > limit
        except ValueError:
            return False

    @staticmethod
    def _limited_receive(receive: Receive, limit: int) -> Receive:
        """Count streamed bytes too: a chunked body has no Content-Length to check up front."""
        seen = [0]

        async def wrapped() -> Message:
            message = await receive()
            if message["type"] == "http.request":
                seen[0] += len(message.get("body", b""))
                if seen[0] > limit:
                    raise BodyTooLarge(limit)
            return message

        return wrapped

    @staticmethod
    async def _send_error(send: Send, status: int, details: str, request_id: str) -> None:
        body = orjson.dumps(error_body(status=status, details=details, request_id=request_id))
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
            }
        )
        await send({"type": "http.response.body", "body": body})


def _has_nul(query_string: bytes) -> bool:
    return b"\x00" in query_string or b"%00" in query_string.lower()


def _headers(scope: Scope) -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in scope.get("headers", []):
        out[key.decode("latin-1")] = value.decode("latin-1")
    return out


def _route_template(scope: Scope) -> str:
    """The route's path template (``/api/v1/cards/{id}``), never the raw path: raw paths explode label
    cardinality and would let any client create new time series."""
    route: Any = scope.get("route")
    path = getattr(route, "path_format", None) or getattr(route, "path", None)
    return str(path) if path else UNMATCHED_ROUTE
