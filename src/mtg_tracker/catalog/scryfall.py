"""The one way this service talks to Scryfall: rate-limited, retried, circuit-broken.

Scryfall asks API clients to stay at about 10 requests per second (2 on the search-like endpoints), to
send a descriptive ``User-Agent`` and an ``Accept`` header, and to honour 429s. Catalog reads must keep
answering from the local database when Scryfall is down, so a refused call fails in microseconds
(circuit breaker) instead of costing every request a timeout.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any, BinaryIO, Final, Self
from urllib.parse import quote

import httpx

from mtg_tracker.catalog.errors import AmbiguousCardName, UpstreamError, UpstreamUnavailable
from mtg_tracker.config import ScryfallSettings
from mtg_tracker.kit import tracing
from mtg_tracker.kit.logging import get_logger
from mtg_tracker.kit.metrics import UPSTREAM_REQUESTS
from mtg_tracker.kit.resilience import (
    Backoff,
    BreakerState,
    CircuitBreaker,
    Clock,
    Sleep,
    TokenBucket,
    parse_retry_after,
)

log = get_logger("mtg_tracker.scryfall")

UPSTREAM_NAME: Final = "scryfall"
ACCEPT: Final = "application/json;q=0.9,*/*;q=0.8"
CONNECT_TIMEOUT_SECONDS: Final = 5.0
SEARCH_PATH_PREFIXES: Final = ("/cards/search", "/cards/named", "/cards/random", "/cards/collection")
RETRYABLE_STATUS: Final = frozenset({502, 503, 504})
# Without Retry-After a 429 still means "you are too fast"; retrying within the second only earns another.
MIN_RATE_LIMIT_WAIT_SECONDS: Final = 1.0
# Guards against an upstream whose next_page never ends.
MAX_PAGES: Final = 1000
# Attempts that moved the download forward do not use up the retry budget (a 500 MB file on a flaky
# link may need many resumes); this caps the total anyway.
MAX_DOWNLOAD_ATTEMPTS: Final = 50

_CONTENT_RANGE = re.compile(r"^\s*bytes\s+(\d+)-(\d+)/(\d+|\*)\s*$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class DownloadResult:
    """``changed=False`` means the server answered 304 and nothing was written (``path`` is None)."""

    changed: bool
    path: Path | None
    etag: str | None
    last_modified: str | None
    bytes: int


class _AttemptFailed(Exception):
    """One attempt failed in a way worth retrying; ``outcome`` is the metric label already counted."""

    def __init__(self, outcome: str, detail: str, *, retry_after: float | None = None) -> None:
        super().__init__(detail)
        self.outcome = outcome
        self.detail = detail
        self.retry_after = retry_after


def _count(endpoint: str, outcome: str) -> None:
    UPSTREAM_REQUESTS.labels(endpoint=endpoint, outcome=outcome).inc()


def _transport_outcome(exc: httpx.HTTPError) -> str:
    return "timeout" if isinstance(exc, httpx.TimeoutException) else "connect_error"


# Failures of the network or of the peer's protocol handling: worth another attempt. Anything else
# httpx raises (invalid URL, local protocol misuse) is a bug here and must surface as one.
_RETRYABLE_TRANSPORT_ERRORS: Final = (
    httpx.TimeoutException,
    httpx.NetworkError,
    httpx.RemoteProtocolError,
    httpx.ProxyError,
)
# The upstream answered, but with something unusable; another attempt would get the same.
_BROKEN_RESPONSE_ERRORS: Final = (httpx.TooManyRedirects, httpx.DecodingError)


def _utcnow() -> datetime:
    return datetime.now(UTC)


class ScryfallClient:
    """One per process: it owns the connection pool, the rate buckets and the breaker.

    Construct it at start-up and share it; a client per request would defeat the rate limit and the
    breaker, both of which only work when every caller goes through the same instance.
    """

    def __init__(
        self,
        settings: ScryfallSettings,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
        now: Callable[[], datetime] = _utcnow,
        backoff: Backoff | None = None,
    ) -> None:
        self.settings = settings
        self._clock = clock
        self._sleep = sleep
        self._now = now
        self._backoff = backoff or Backoff()
        self._http = httpx.AsyncClient(
            base_url=settings.base_url,
            transport=transport,
            timeout=httpx.Timeout(settings.timeout_seconds, connect=CONNECT_TIMEOUT_SECONDS),
            headers={"User-Agent": settings.user_agent, "Accept": ACCEPT},
            follow_redirects=True,
        )
        # Burst 1: Scryfall asks for spacing between requests, not merely an average rate.
        self._bucket = TokenBucket(settings.max_requests_per_second, 1.0, clock=clock, sleep=sleep)
        self._search_bucket = TokenBucket(settings.max_search_requests_per_second, 1.0, clock=clock, sleep=sleep)
        self.breaker = CircuitBreaker(
            UPSTREAM_NAME, settings.breaker_failure_threshold, settings.breaker_reset_seconds, clock=clock
        )
        base = httpx.URL(settings.base_url)
        self._origin = (base.scheme, base.host, base.port)
        self._base_path = base.path.rstrip("/")

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    def _give_up(
        self, event: str, endpoint: str, failure: _AttemptFailed, *, message: str | None = None, **context: Any
    ) -> UpstreamUnavailable:
        """The end of every failed upstream call: tell the breaker, log once, and say 503 to the caller."""
        self.breaker.record_failure()
        log.warning(
            event,
            upstream=UPSTREAM_NAME,
            endpoint=endpoint,
            outcome=failure.outcome,
            detail=failure.detail,
            breaker=self.breaker.state.value,
            **context,
        )
        return UpstreamUnavailable(message)

    # -- JSON API ---------------------------------------------------------------------------------

    async def get_json(
        self, path: str, *, params: Mapping[str, str | int | float | bool] | None = None, endpoint: str
    ) -> Any:
        """The decoded body of a GET, or None on 404 (``AmbiguousCardName`` for Scryfall's ambiguous 404).

        ``path`` is relative to ``base_url`` or an absolute URL on the same origin (Scryfall's
        ``next_page``). ``endpoint`` is the low-cardinality metric label, never the raw path.
        """
        if self.settings.offline:
            _count(endpoint, "offline")
            raise UpstreamUnavailable("Scryfall access is disabled (offline mode); the local catalog still answers.")
        relative = self._relative_path(path)
        if not self.breaker.allow():
            _count(endpoint, "breaker_open")
            wait = self.breaker.seconds_until_probe()
            raise UpstreamUnavailable(headers={"Retry-After": str(max(1, round(wait)))})
        # A half-open probe is one attempt: retrying it would send the backlog the breaker is holding back.
        probing = self.breaker.state is BreakerState.half_open
        attempts = 1 if probing else self.settings.retries + 1
        settled = False
        try:
            last: _AttemptFailed | None = None
            for attempt in range(attempts):
                try:
                    with tracing.span("upstream scryfall", {"upstream.endpoint": endpoint, "attempt": attempt + 1}):
                        result = await self._attempt_json(path, relative, params, endpoint)
                except _AttemptFailed as failure:
                    last = failure
                    if attempt + 1 >= attempts:
                        break
                    delay = self._retry_delay(failure, attempt)
                    log.warning(
                        "upstream_request_retry",
                        upstream=UPSTREAM_NAME,
                        endpoint=endpoint,
                        outcome=failure.outcome,
                        detail=failure.detail,
                        attempt=attempt + 1,
                        attempts=attempts,
                        retry_in_seconds=round(delay, 3),
                    )
                    await self._sleep(delay)
                    continue
                except (UpstreamError, AmbiguousCardName):
                    settled = True
                    raise
                settled = True
                self.breaker.record_success()
                return result
            assert last is not None
            settled = True
            raise self._give_up("upstream_request_failed", endpoint, last, attempts=attempts)
        finally:
            if not settled:
                self.breaker.release()

    async def _attempt_json(
        self, path: str, relative: str, params: Mapping[str, str | int | float | bool] | None, endpoint: str
    ) -> Any:
        """One request; returns the outcome, raises ``_AttemptFailed`` (retry) or ``UpstreamError`` (final)."""
        if relative.startswith(SEARCH_PATH_PREFIXES):
            await self._search_bucket.acquire()
        await self._bucket.acquire()
        try:
            response = await self._http.get(path, params=params)
        except _RETRYABLE_TRANSPORT_ERRORS as exc:
            outcome = _transport_outcome(exc)
            _count(endpoint, outcome)
            raise _AttemptFailed(outcome, f"{type(exc).__name__}: {exc}") from None
        except _BROKEN_RESPONSE_ERRORS as exc:
            _count(endpoint, "server_error")
            self.breaker.record_failure()
            raise UpstreamError(f"Scryfall's answer was unusable ({type(exc).__name__}).") from None
        status = response.status_code
        if status == 404:
            _count(endpoint, "not_found")
            if _is_ambiguous(response):
                # A fuzzy /cards/named that matched several cards: "not found" would be a lie.
                self.breaker.record_success()
                raise AmbiguousCardName(_error_details(response))
            return None
        if status == 429:
            _count(endpoint, "rate_limited")
            raise self._rate_limited(response)
        if status in RETRYABLE_STATUS:
            _count(endpoint, "server_error")
            raise _AttemptFailed("server_error", f"HTTP {status}")
        if status >= 500:
            _count(endpoint, "server_error")
            self.breaker.record_failure()
            raise UpstreamError(f"Scryfall answered HTTP {status}.")
        if not 200 <= status < 300:
            _count(endpoint, "client_error")
            self.breaker.record_success()  # it answered; the request was what it did not like
            raise UpstreamError(f"Scryfall rejected the request: {_error_details(response)}")
        try:
            body = response.json()
        except ValueError:
            _count(endpoint, "server_error")
            self.breaker.record_failure()
            raise UpstreamError("Scryfall answered with a body that is not JSON.") from None
        _count(endpoint, "ok")
        return body

    def _rate_limited(self, response: httpx.Response) -> _AttemptFailed:
        """Pause both buckets: Scryfall's 429 throttles the whole client, not one request."""
        wait = parse_retry_after(response.headers.get("Retry-After"), self._now())
        if wait is not None:
            until = self._clock() + wait
            self._bucket.pause_until(until)
            self._search_bucket.pause_until(until)
        return _AttemptFailed("rate_limited", "HTTP 429", retry_after=wait)

    def _retry_delay(self, failure: _AttemptFailed, attempt: int) -> float:
        if failure.retry_after is not None:
            return failure.retry_after
        delay = self._backoff.delay(attempt)
        if failure.outcome == "rate_limited":
            delay = max(delay, MIN_RATE_LIMIT_WAIT_SECONDS)
            until = self._clock() + delay
            self._bucket.pause_until(until)
            self._search_bucket.pause_until(until)
        return delay

    def _relative_path(self, path: str) -> str:
        """The API path of ``path`` (for bucket choice); absolute URLs must stay on the API's origin.

        ``next_page`` comes from the upstream's body; following it anywhere else would let a response
        steer this service at arbitrary hosts.
        """
        url = httpx.URL(path)
        if not url.is_absolute_url:
            raw = url.path
            return raw if raw.startswith("/") else "/" + raw
        if (url.scheme, url.host, url.port) != self._origin or not url.path.startswith(self._base_path):
            raise UpstreamError("Scryfall pointed to a URL outside its API; refusing to follow it.")
        return url.path[len(self._base_path) :] or "/"

    # -- convenience ------------------------------------------------------------------------------

    async def bulk_data_list(self) -> list[dict[str, Any]]:
        body = await self.get_json("/bulk-data", endpoint="bulk_data")
        return _list_data(body, "/bulk-data")

    async def bulk_data(self, type_: str) -> dict[str, Any]:
        for entry in await self.bulk_data_list():
            if entry.get("type") == type_:
                return entry
        raise UpstreamError(f"Scryfall lists no bulk data file of type {type_!r}.")

    async def card(self, card_id: str) -> dict[str, Any] | None:
        body = await self.get_json(f"/cards/{quote(card_id, safe='')}", endpoint="card")
        if body is None:
            return None
        if not isinstance(body, dict):
            raise UpstreamError("Scryfall answered /cards/{id} with something that is not a card object.")
        return body

    async def sets(self) -> list[dict[str, Any]]:
        return await self._all_pages("/sets", endpoint="sets")

    async def migrations(self) -> list[dict[str, Any]]:
        """Every card migration (Scryfall pages them 350 at a time)."""
        return await self._all_pages("/migrations", endpoint="migrations")

    async def _all_pages(self, path: str, *, endpoint: str) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        url: str | None = path
        for _ in range(MAX_PAGES):
            if url is None:
                return out
            body = await self.get_json(url, endpoint=endpoint)
            out.extend(_list_data(body, path))
            next_page = body.get("next_page") if body.get("has_more") else None
            if next_page is not None and not isinstance(next_page, str):
                raise UpstreamError(f"Scryfall answered {path} with a next_page that is not a URL.")
            url = next_page
        if url is None:
            return out
        raise UpstreamError(f"Scryfall's {path} did not end after {MAX_PAGES} pages.")

    # -- bulk download ----------------------------------------------------------------------------

    async def download(
        self,
        url: str,
        dest: Path,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        progress: Callable[[int, int | None], None] | None = None,
        endpoint: str = "bulk_download",
    ) -> DownloadResult:
        """Fetch ``url`` to ``dest`` unless unchanged since ``etag``/``last_modified``.

        ``dest`` only ever appears complete: bytes go to ``<dest>.part`` and are renamed once their
        count matches what the server announced. A dropped connection resumes with ``Range`` when the
        server supports it. ``Accept-Encoding: identity`` keeps the byte count and ranges meaningful
        (with on-the-fly compression a CDN drops both ``Content-Length`` and range support).

        The breaker is not consulted (a nightly import should try even after a bad minute) but the
        outcome is reported to it.
        """
        if self.settings.offline:
            _count(endpoint, "offline")
            raise UpstreamUnavailable("Scryfall access is disabled (offline mode).")
        download = _Download(self, url, dest, etag=etag, last_modified=last_modified, progress=progress)
        try:
            result = await download.run(endpoint)
        except _AttemptFailed as failure:
            raise self._give_up(
                "upstream_download_failed",
                endpoint,
                failure,
                url=url,
                message=f"Downloading from Scryfall failed: {failure.detail}",
            ) from None
        self.breaker.record_success()
        return result


class _Download:
    """State of one download across attempts (bytes on disk, validators, whether ranges work)."""

    def __init__(
        self,
        client: ScryfallClient,
        url: str,
        dest: Path,
        *,
        etag: str | None,
        last_modified: str | None,
        progress: Callable[[int, int | None], None] | None,
    ) -> None:
        self.client = client
        self.url = url
        self.dest = dest
        self.part = dest.with_suffix(dest.suffix + ".part")
        self.known_etag = etag
        self.known_last_modified = last_modified
        self.progress = progress
        self.have = 0
        self.total: int | None = None
        self.etag: str | None = None
        self.last_modified: str | None = None
        self.ranges_ok = False
        self.seen_body = False  # once a 200 arrived, the conditional headers no longer apply

    async def run(self, endpoint: str) -> DownloadResult:
        self.dest.parent.mkdir(parents=True, exist_ok=True)
        self.part.unlink(missing_ok=True)
        strikes = 0  # failed attempts that moved nothing forward; these use up settings.retries
        high_water = 0
        try:
            for attempt in range(MAX_DOWNLOAD_ATTEMPTS):
                try:
                    with tracing.span("upstream scryfall download", {"upstream.endpoint": endpoint}):
                        result = await self._attempt(endpoint)
                except _AttemptFailed as failure:
                    progressed = self.have > high_water
                    high_water = max(high_water, self.have)
                    if not progressed:
                        strikes += 1
                    if strikes > self.client.settings.retries or attempt + 1 >= MAX_DOWNLOAD_ATTEMPTS:
                        raise
                    delay = self.client._retry_delay(failure, max(strikes - 1, 0))
                    log.warning(
                        "upstream_download_retry",
                        upstream=UPSTREAM_NAME,
                        endpoint=endpoint,
                        outcome=failure.outcome,
                        detail=failure.detail,
                        attempt=attempt + 1,
                        resume_from=self.have if self.ranges_ok else 0,
                        retry_in_seconds=round(delay, 3),
                    )
                    await self.client._sleep(delay)
                    continue
                if result is not None:
                    return result
                return await self._finish()
            raise AssertionError("unreachable: every iteration returns, continues or raises")
        finally:
            # Success renamed it away; anything else must not leave a stray partial file behind.
            self.part.unlink(missing_ok=True)

    def _headers(self) -> dict[str, str]:
        headers = {"Accept-Encoding": "identity"}
        if self.have > 0 and self.ranges_ok:
            headers["Range"] = f"bytes={self.have}-"
            # If the file changed between attempts the server sends it whole (200) instead of a
            # mismatched tail; If-Range needs a strong validator.
            if self.etag and not self.etag.startswith("W/"):
                headers["If-Range"] = self.etag
            elif self.last_modified:
                headers["If-Range"] = self.last_modified
        elif not self.seen_body:
            if self.known_etag:
                headers["If-None-Match"] = self.known_etag
            if self.known_last_modified:
                headers["If-Modified-Since"] = self.known_last_modified
        return headers

    async def _attempt(self, endpoint: str) -> DownloadResult | None:
        """One request. Returns a result for 304, None once the body is fully on disk."""
        client = self.client
        if self.have > 0 and not self.ranges_ok:
            self._restart()
        await client._bucket.acquire()
        try:
            async with client._http.stream("GET", self.url, headers=self._headers()) as response:
                return await self._handle(response, endpoint)
        except _RETRYABLE_TRANSPORT_ERRORS as exc:
            outcome = _transport_outcome(exc)
            _count(endpoint, outcome)
            raise _AttemptFailed(outcome, f"{type(exc).__name__}: {exc}") from None
        except _BROKEN_RESPONSE_ERRORS as exc:
            _count(endpoint, "server_error")
            raise UpstreamError(f"Scryfall's answer for {self.url} was unusable ({type(exc).__name__}).") from None

    async def _handle(self, response: httpx.Response, endpoint: str) -> DownloadResult | None:
        status = response.status_code
        if status == 304 and not self.seen_body:
            _count(endpoint, "ok")
            return DownloadResult(
                changed=False,
                path=None,
                etag=response.headers.get("ETag") or self.known_etag,
                last_modified=response.headers.get("Last-Modified") or self.known_last_modified,
                bytes=0,
            )
        if status == 429:
            _count(endpoint, "rate_limited")
            raise self.client._rate_limited(response)
        if status in RETRYABLE_STATUS:
            _count(endpoint, "server_error")
            raise _AttemptFailed("server_error", f"HTTP {status}")
        if status == 416:
            # Our offset is past what the server now has: the file changed under us; start over.
            _count(endpoint, "client_error")
            self._restart()
            raise _AttemptFailed("client_error", "HTTP 416 for a resumed range")
        if status == 404:
            _count(endpoint, "not_found")
            raise UpstreamError(f"Scryfall has no file at {self.url}.")
        if status == 200:
            self._restart()
            self._take_validators(response)
            self.total = _int_header(response.headers.get("Content-Length"))
        elif status == 206:
            content_range = _parse_content_range(response.headers.get("Content-Range"))
            if content_range is None:
                _count(endpoint, "server_error")
                self._restart()
                raise _AttemptFailed("server_error", "206 without a usable Content-Range")
            start, total = content_range
            if start != self.have:
                _count(endpoint, "server_error")
                self._restart()
                raise _AttemptFailed("server_error", f"range starts at {start}, asked for {self.have}")
            if total is not None:
                self.total = total
            self.ranges_ok = True  # it just served one
            if self.etag is None and self.last_modified is None:
                self.etag = response.headers.get("ETag")
                self.last_modified = response.headers.get("Last-Modified")
        else:
            outcome = "server_error" if status >= 500 else "client_error"
            _count(endpoint, outcome)
            raise UpstreamError(f"Scryfall answered HTTP {status} for {self.url}.")
        self.seen_body = True

        encoded = response.headers.get("Content-Encoding", "identity").lower() not in ("", "identity")
        if encoded:
            # The server compressed anyway: the announced length is of the compressed body and a range
            # into it cannot be resumed by decompressing, so count raw bytes and never resume.
            self.ranges_ok = False
        await self._write_body(response, endpoint, encoded)
        return None

    async def _write_body(self, response: httpx.Response, endpoint: str, encoded: bool) -> None:
        # File calls run in a thread: a disk under write-back pressure must not stall the event loop
        # that also answers API requests.
        fh = await asyncio.to_thread(_open_at, self.part, self.have)
        try:
            # Without Content-Encoding (what we ask for) decoded bytes are the raw bytes. No re-chunking:
            # a chunk buffered here when the connection drops would be lost to the resume.
            async for chunk in response.aiter_bytes():
                await asyncio.to_thread(fh.write, chunk)
                self.have += len(chunk)
                if self.progress is not None:
                    self.progress(self.have, None if encoded else self.total)
        finally:
            await asyncio.to_thread(fh.close)
        if self.total is None:
            _count(endpoint, "ok")
            return
        received = response.num_bytes_downloaded if encoded else self.have
        if received != self.total:
            _count(endpoint, "server_error")
            detail = f"received {received} bytes, expected {self.total}"
            if encoded or not self.ranges_ok or self.have > self.total:
                self._restart()
            raise _AttemptFailed("server_error", detail)
        _count(endpoint, "ok")

    async def _finish(self) -> DownloadResult:
        await asyncio.to_thread(_fsync_and_replace, self.part, self.dest)
        return DownloadResult(
            changed=True, path=self.dest, etag=self.etag, last_modified=self.last_modified, bytes=self.have
        )

    def _take_validators(self, response: httpx.Response) -> None:
        self.etag = response.headers.get("ETag")
        self.last_modified = response.headers.get("Last-Modified")
        self.ranges_ok = response.headers.get("Accept-Ranges", "").strip().lower() == "bytes"

    def _restart(self) -> None:
        self.have = 0
        self.total = None
        with contextlib.suppress(FileNotFoundError):
            os.truncate(self.part, 0)


def _open_at(path: Path, offset: int) -> BinaryIO:
    """Open for writing at ``offset``, dropping anything after it.

    Positioning from our own byte count rather than the file's size means a chunk written by a failed
    attempt can never end up twice in the file.
    """
    path.touch(exist_ok=True)
    fh = open(path, "r+b")  # noqa: SIM115 - closed by the caller, across awaits
    fh.seek(offset)
    fh.truncate()
    return fh


def _fsync_and_replace(part: Path, dest: Path) -> None:
    """Flush to disk before the rename, or a crash could leave ``dest`` renamed but empty."""
    with open(part, "rb") as fh:
        os.fsync(fh.fileno())
    os.replace(part, dest)


def _int_header(value: str | None) -> int | None:
    if value is None:
        return None
    try:
        number = int(value.strip())
    except ValueError:
        return None
    return number if number >= 0 else None


def _parse_content_range(value: str | None) -> tuple[int, int | None] | None:
    match = _CONTENT_RANGE.match(value or "")
    if match is None:
        return None
    total = match.group(3)
    return int(match.group(1)), None if total == "*" else int(total)


def _list_data(body: Any, what: str) -> list[dict[str, Any]]:
    """``data`` of a Scryfall list object, checked, because a malformed body must not become a 500 later."""
    if not isinstance(body, dict) or not isinstance(body.get("data"), list):
        raise UpstreamError(f"Scryfall answered {what} with something that is not a list object.")
    data: list[Any] = body["data"]
    if not all(isinstance(item, dict) for item in data):
        raise UpstreamError(f"Scryfall answered {what} with list entries that are not objects.")
    return data


def _is_ambiguous(response: httpx.Response) -> bool:
    with contextlib.suppress(ValueError):
        body = response.json()
        return isinstance(body, dict) and body.get("type") == "ambiguous"
    return False


def _error_details(response: httpx.Response) -> str:
    """Scryfall's own ``details`` when the error body has one (it says what was wrong), else the status."""
    with contextlib.suppress(ValueError):
        body = response.json()
        if isinstance(body, dict) and isinstance(body.get("details"), str):
            return str(body["details"])
    return f"HTTP {response.status_code}"
