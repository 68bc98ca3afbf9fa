"""Links in JSON bodies point at this server: one pure-ASGI middleware rewrites an upstream API's
origin (Scryfall's ``https://api.scryfall.com``) to this server's public URL on the way out.

Card, set, list, ruling and bulk-data objects are stored as the upstream sent them (uri, set_uri,
prints_search_uri, rulings_uri, all_parts[].uri, …); rewriting on output instead of at import keeps the
stored objects true to their source and answers each client with the host it used. Web pages of the
upstream (``scryfall.com/card/…``) and image hosts are other origins and stay untouched.

A body's ETag is computed by the route from the stored bytes; the same bytes become different bodies on
different public hosts, so the ETag gains a suffix naming the base, and the suffix is taken off an
incoming If-None-Match again before the route compares it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mtg_tracker.kit.http import IPNetwork, scope_base


def _tag(base: str) -> bytes:
    return hashlib.blake2b(base.encode(), digest_size=4).hexdigest().encode()


def rewrite_links(body: bytes, upstream: bytes, local: bytes) -> bytes:
    """Every ``upstream`` origin followed by a path, replaced by ``local`` (the base plus mount path)."""
    if upstream not in body:
        return body
    return body.replace(upstream + b"/", local + b"/")


def tag_etag(etag: bytes, tag: bytes) -> bytes:
    """``"abc"`` → ``"abc-h1a2b3c4d"`` (weak tags keep their ``W/``)."""
    if etag.endswith(b'"'):
        return etag[:-1] + b"-h" + tag + b'"'
    return etag + b"-h" + tag


def untag_if_none_match(value: bytes, tag: bytes) -> bytes:
    suffix = b"-h" + tag + b'"'
    return b",".join(
        (t.strip()[: -len(suffix)] + b'"') if t.strip().endswith(suffix) else t.strip() for t in value.split(b",")
    )


class LinkRewriteMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        *,
        upstream: str,
        mount_path: str,
        public_url: str | None,
        trusted_proxies: Sequence[IPNetwork],
    ) -> None:
        self.app = app
        self.upstream = upstream.rstrip("/").encode()
        self.mount_path = mount_path.rstrip("/")
        self.public_url = public_url
        self.trusted = list(trusted_proxies)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not str(scope.get("path", "")).startswith(self.mount_path + "/"):
            await self.app(scope, receive, send)
            return
        base = scope_base(scope, self.public_url, self.trusted)
        local = (base + self.mount_path).encode()
        tag = _tag(base)
        headers = list(scope.get("headers") or ())
        for i, (k, v) in enumerate(headers):
            if k == b"if-none-match":
                headers[i] = (k, untag_if_none_match(v, tag))
        scope = {**scope, "headers": headers}
        start: Message | None = None
        chunks: list[bytes] = []

        async def wrapped(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                raw = list(message.get("headers", []))
                json = any(k == b"content-type" and v.startswith(b"application/json") for k, v in raw)
                # A compressed body (a bulk file) is streamed untouched: its links were written for this
                # base when it was built, and buffering it would hold the whole file in memory.
                json = json and not any(k == b"content-encoding" for k, _ in raw)
                out = [(k, tag_etag(v, tag)) if k == b"etag" else (k, v) for k, v in raw]
                message = {**message, "headers": out}
                if not json:
                    await send(message)
                    return
                start = message
                return
            if message["type"] == "http.response.body" and start is not None:
                chunks.append(message.get("body", b""))
                if message.get("more_body", False):
                    return
                body = rewrite_links(b"".join(chunks), self.upstream, local)
                heads = [(k, v) for k, v in start["headers"] if k != b"content-length"]
                heads.append((b"content-length", str(len(body)).encode()))
                await send({**start, "headers": heads})
                await send({"type": "http.response.body", "body": body, "more_body": False})
                return
            await send(message)

        await self.app(scope, receive, wrapped)
