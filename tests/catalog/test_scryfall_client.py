"""The Scryfall client against a fake Scryfall at the transport, on simulated time.

Only the transport is fake (``httpx.MockTransport``); everything above it — rate buckets, retries,
breaker, download bookkeeping — is the real code.
"""

from __future__ import annotations

import asyncio
import gzip
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from prometheus_client import REGISTRY

from mtg_tracker.catalog.errors import AmbiguousCardName, UpstreamError, UpstreamUnavailable
from mtg_tracker.catalog.scryfall import ACCEPT, ScryfallClient
from mtg_tracker.config import ScryfallSettings
from mtg_tracker.kit.resilience import Backoff, BreakerState
from support import FakeTime

pytestmark = pytest.mark.asyncio

NOW = datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC)
BULK_URL = "https://data.scryfall.io/default-cards/default-cards-20260101100000.json"

Handler = Callable[[httpx.Request], httpx.Response | Awaitable[httpx.Response]]


class FakeScryfall:
    """Records every request and answers with the handler's response (or raises what it raises)."""

    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.requests: list[httpx.Request] = []

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        result = self.handler(request)
        if isinstance(result, httpx.Response):
            return result
        return await result

    @property
    def calls(self) -> int:
        return len(self.requests)


class ChunkStream(httpx.AsyncByteStream):
    """A response body delivered in chunks that can break off like a reset connection."""

    def __init__(self, data: bytes, *, break_after: bool = False, chunk: int = 10_000) -> None:
        self.data = data
        self.break_after = break_after
        self.chunk = chunk

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for start in range(0, len(self.data), self.chunk):
            yield self.data[start : start + self.chunk]
        if self.break_after:
            raise httpx.ReadError("connection reset by peer")


def make_client(handler: Handler, clock: FakeTime, **overrides: Any) -> tuple[ScryfallClient, FakeScryfall]:
    values: dict[str, Any] = {"retries": 2, "breaker_failure_threshold": 3, "breaker_reset_seconds": 30.0}
    values.update(overrides)
    fake = FakeScryfall(handler)
    client = ScryfallClient(
        ScryfallSettings(**values),
        transport=httpx.MockTransport(fake),
        clock=clock,
        sleep=clock.sleep,
        now=lambda: NOW + timedelta(seconds=clock.now - 1000.0),
        backoff=Backoff(base_seconds=0.5, cap_seconds=10.0, rand=lambda: 1.0),
    )
    return client, fake


def counted(endpoint: str, outcome: str) -> float:
    return REGISTRY.get_sample_value("upstream_requests_total", {"endpoint": endpoint, "outcome": outcome}) or 0.0


def breaker_gauge() -> float | None:
    return REGISTRY.get_sample_value("upstream_breaker_state", {"upstream": "scryfall"})


def names(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir())


def state(client: ScryfallClient) -> BreakerState:
    """Read through a call so mypy does not keep an earlier assert's narrowing of the property."""
    return client.breaker.state


def ok(body: Any) -> httpx.Response:
    return httpx.Response(200, json=body)


def sequence(*responses: httpx.Response | Exception) -> Handler:
    """Answer each request with the next item; an exception item is raised like a network failure."""
    items = list(responses)

    def handler(request: httpx.Request) -> httpx.Response:
        item = items.pop(0)
        if isinstance(item, Exception):
            raise item
        return item

    return handler


# -- requests and headers ----------------------------------------------------------------------------


async def test_sends_the_headers_scryfall_requires() -> None:
    clock = FakeTime()
    client, fake = make_client(lambda r: ok({"object": "card", "id": "x"}), clock, user_agent="MTGTest/1.0 (+ci)")
    async with client:
        assert await client.card("x") == {"object": "card", "id": "x"}
    request = fake.requests[0]
    assert request.method == "GET"
    assert str(request.url) == "https://api.scryfall.com/cards/x"
    assert request.headers["User-Agent"] == "MTGTest/1.0 (+ci)"
    assert request.headers["Accept"] == ACCEPT == "application/json;q=0.9,*/*;q=0.8"


async def test_timeouts_are_explicit() -> None:
    client, _ = make_client(lambda r: ok({}), FakeTime(), timeout_seconds=7.5)
    async with client:
        timeout = client._http.timeout
    assert (timeout.connect, timeout.read) == (5.0, 7.5)


async def test_card_id_is_one_path_segment() -> None:
    client, fake = make_client(lambda r: ok({"object": "card"}), FakeTime())
    async with client:
        await client.card("a/../../sets")
    assert fake.requests[0].url.raw_path == b"/cards/a%2F..%2F..%2Fsets"


async def test_ok_is_counted() -> None:
    before = counted("test_ok", "ok")
    client, _ = make_client(lambda r: ok({"a": 1}), FakeTime())
    async with client:
        assert await client.get_json("/x", params={"q": "t:elf"}, endpoint="test_ok") == {"a": 1}
    assert counted("test_ok", "ok") == before + 1


async def test_not_found_returns_none_and_proves_upstream_alive() -> None:
    clock = FakeTime()
    client, fake = make_client(
        sequence(httpx.Response(503), httpx.Response(503), httpx.Response(404, json={"object": "error"})),
        clock,
        retries=0,
    )
    before = counted("test_nf", "not_found")
    async with client:
        for _ in range(2):
            with pytest.raises(UpstreamUnavailable):
                await client.get_json("/cards/nope", endpoint="test_nf")
        assert client.breaker.consecutive_failures == 2
        assert await client.get_json("/cards/nope", endpoint="test_nf") is None
        assert client.breaker.consecutive_failures == 0
    assert counted("test_nf", "not_found") == before + 1
    assert fake.calls == 3


async def test_ambiguous_fuzzy_name_is_not_a_plain_miss() -> None:
    body = {"object": "error", "status": 404, "type": "ambiguous", "details": "Too many cards match ambiguous name"}
    client, _ = make_client(lambda r: httpx.Response(404, json=body), FakeTime())
    async with client:
        with pytest.raises(AmbiguousCardName):
            await client.get_json("/cards/named", params={"fuzzy": "bolt"}, endpoint="test_ambiguous")
        assert state(client) is BreakerState.closed


# -- retries -------------------------------------------------------------------------------------------


async def test_retries_503_then_succeeds() -> None:
    clock = FakeTime()
    client, fake = make_client(sequence(httpx.Response(503), httpx.Response(503), ok({"fine": True})), clock)
    before = counted("test_503", "server_error")
    async with client:
        assert await client.get_json("/x", endpoint="test_503") == {"fine": True}
        assert client.breaker.consecutive_failures == 0
    assert fake.calls == 3
    assert clock.sleeps == [0.5, 1.0]  # back-off with the jitter pinned to its maximum
    assert counted("test_503", "server_error") == before + 2


async def test_network_failures_are_retried_and_labelled() -> None:
    clock = FakeTime()
    client, fake = make_client(
        sequence(httpx.ConnectError("refused"), httpx.ReadTimeout("slow"), ok({"fine": True})), clock
    )
    before = (counted("test_net", "connect_error"), counted("test_net", "timeout"))
    async with client:
        assert await client.get_json("/x", endpoint="test_net") == {"fine": True}
    assert fake.calls == 3
    assert (counted("test_net", "connect_error"), counted("test_net", "timeout")) == (before[0] + 1, before[1] + 1)


async def test_no_retry_on_400() -> None:
    clock = FakeTime()
    body = {"object": "error", "status": 400, "details": "All of your terms were ignored."}
    client, fake = make_client(lambda r: httpx.Response(400, json=body), clock)
    before = counted("test_400", "client_error")
    async with client:
        with pytest.raises(UpstreamError, match="All of your terms were ignored"):
            await client.get_json("/cards/search", params={"q": "??"}, endpoint="test_400")
        assert client.breaker.consecutive_failures == 0  # Scryfall answered; nothing is down
    assert fake.calls == 1
    assert clock.sleeps == []
    assert counted("test_400", "client_error") == before + 1


async def test_retries_exhausted_is_unavailable_and_one_breaker_failure() -> None:
    clock = FakeTime()
    client, fake = make_client(lambda r: httpx.Response(504), clock, retries=2)
    async with client:
        with pytest.raises(UpstreamUnavailable):
            await client.get_json("/x", endpoint="test_exhausted")
        assert client.breaker.consecutive_failures == 1
    assert fake.calls == 3


async def test_429_honours_retry_after_seconds() -> None:
    clock = FakeTime()
    client, fake = make_client(sequence(httpx.Response(429, headers={"Retry-After": "3"}), ok({"fine": True})), clock)
    before = counted("test_429", "rate_limited")
    async with client:
        assert await client.get_json("/x", endpoint="test_429") == {"fine": True}
        # Every other caller is held back for the same time, not just this one.
        assert client._bucket.paused_until == pytest.approx(1003.0)
    assert clock.sleeps == [3.0]
    assert fake.calls == 2
    assert counted("test_429", "rate_limited") == before + 1


async def test_429_honours_retry_after_http_date() -> None:
    clock = FakeTime()
    when = format_datetime(NOW + timedelta(seconds=5), usegmt=True)
    client, _ = make_client(sequence(httpx.Response(429, headers={"Retry-After": when}), ok({"fine": True})), clock)
    async with client:
        assert await client.get_json("/x", endpoint="test_429_date") == {"fine": True}
    assert clock.sleeps == [5.0]


async def test_429_pause_holds_concurrent_callers() -> None:
    clock = FakeTime()
    sent_at: list[tuple[str, float]] = []
    limited = False

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal limited
        sent_at.append((request.url.path, clock.now))
        if request.url.path == "/a" and not limited:
            limited = True
            return httpx.Response(429, headers={"Retry-After": "4"})
        return ok({})

    client, _ = make_client(handler, clock)
    async with client:
        await client.get_json("/a", endpoint="test_429_all")
        await client.get_json("/b", endpoint="test_429_all")
    assert sent_at[0] == ("/a", 1000.0)
    assert all(at >= 1004.0 for _, at in sent_at[1:])


# -- circuit breaker -----------------------------------------------------------------------------------


async def _trip(client: ScryfallClient, times: int) -> None:
    for _ in range(times):
        with pytest.raises(UpstreamUnavailable):
            await client.get_json("/x", endpoint="test_breaker")


async def test_breaker_opens_and_then_makes_no_calls() -> None:
    clock = FakeTime()
    client, fake = make_client(lambda r: httpx.Response(503), clock, retries=0)
    before = counted("test_breaker", "breaker_open")
    async with client:
        await _trip(client, 3)
        assert fake.calls == 3
        assert state(client) is BreakerState.open
        assert breaker_gauge() == 2

        started = time.perf_counter()
        for _ in range(5):
            with pytest.raises(UpstreamUnavailable) as refused:
                await client.get_json("/x", endpoint="test_breaker")
        elapsed = time.perf_counter() - started
        assert refused.value.headers["Retry-After"] == "30"
        for _ in range(2):
            with pytest.raises(UpstreamUnavailable):
                await client.card("abc")
            with pytest.raises(UpstreamUnavailable):
                await client.sets()
    assert fake.calls == 3
    assert clock.sleeps == [0.1, 0.1]  # only the rate spacing of the three real calls
    assert elapsed < 0.1
    assert counted("test_breaker", "breaker_open") == before + 5


async def test_after_cool_down_exactly_one_probe_and_success_closes() -> None:
    clock = FakeTime()
    healthy = False
    probe_entered = asyncio.Event()
    let_probe_finish = asyncio.Event()

    async def handler(request: httpx.Request) -> httpx.Response:
        if not healthy:
            return httpx.Response(503)
        probe_entered.set()
        await let_probe_finish.wait()
        return ok({"fine": True})

    client, fake = make_client(handler, clock, retries=2)
    async with client:
        await _trip(client, 3)
        calls_when_open = fake.calls
        assert calls_when_open == 9  # three calls of 1 + 2 retries each
        clock.now += 30.0
        healthy = True

        probe = asyncio.create_task(client.get_json("/x", endpoint="test_breaker"))
        await probe_entered.wait()
        assert state(client) is BreakerState.half_open
        assert breaker_gauge() == 1
        with pytest.raises(UpstreamUnavailable):  # refused while the probe is out
            await client.get_json("/x", endpoint="test_breaker")
        assert fake.calls == calls_when_open + 1

        let_probe_finish.set()
        assert await probe == {"fine": True}
        assert state(client) is BreakerState.closed
        assert breaker_gauge() == 0
        assert await client.get_json("/x", endpoint="test_breaker") == {"fine": True}
    assert fake.calls == calls_when_open + 2


async def test_failed_probe_is_one_call_and_reopens() -> None:
    clock = FakeTime()
    client, fake = make_client(lambda r: httpx.Response(503), clock, retries=2)
    async with client:
        await _trip(client, 3)
        calls_when_open = fake.calls
        clock.now += 30.0
        with pytest.raises(UpstreamUnavailable):
            await client.get_json("/x", endpoint="test_breaker")
        assert fake.calls == calls_when_open + 1  # a probe is not retried
        assert state(client) is BreakerState.open
        clock.now += 29.0
        with pytest.raises(UpstreamUnavailable):
            await client.get_json("/x", endpoint="test_breaker")
        assert fake.calls == calls_when_open + 1


async def test_cancelled_probe_hands_its_permit_back() -> None:
    clock = FakeTime()
    healthy = False
    entered = asyncio.Event()

    async def handler(request: httpx.Request) -> httpx.Response:
        if not healthy:
            return httpx.Response(503)
        if not entered.is_set():
            entered.set()
            await asyncio.Event().wait()  # hangs until cancelled
        return ok({})

    client, _ = make_client(handler, clock, retries=0)
    async with client:
        await _trip(client, 3)
        clock.now += 30.0
        healthy = True
        probe = asyncio.create_task(client.get_json("/x", endpoint="test_breaker"))
        await entered.wait()
        probe.cancel()
        with pytest.raises(asyncio.CancelledError):
            await probe
        assert await client.get_json("/x", endpoint="test_breaker") == {}
        assert state(client) is BreakerState.closed


# -- offline and rate limits ---------------------------------------------------------------------------


async def test_offline_never_touches_the_network(tmp_path: Path) -> None:
    client, fake = make_client(lambda r: ok({}), FakeTime(), offline=True)
    before = counted("test_offline", "offline")
    async with client:
        with pytest.raises(UpstreamUnavailable, match="offline"):
            await client.get_json("/x", endpoint="test_offline")
        with pytest.raises(UpstreamUnavailable):
            await client.card("x")
        with pytest.raises(UpstreamUnavailable):
            await client.sets()
        with pytest.raises(UpstreamUnavailable):
            await client.bulk_data("default_cards")
        with pytest.raises(UpstreamUnavailable):
            await client.download(BULK_URL, tmp_path / "cards.json")
    assert fake.calls == 0
    assert counted("test_offline", "offline") == before + 1
    assert not (tmp_path / "cards.json").exists()


async def test_search_endpoints_have_their_own_slower_bucket() -> None:
    clock = FakeTime()
    client, _ = make_client(lambda r: ok({}), clock, max_requests_per_second=10, max_search_requests_per_second=2)
    async with client:
        for _ in range(3):
            await client.get_json("/cards/random", endpoint="test_rate")
        assert clock.now - 1000.0 == pytest.approx(1.0)
        start = clock.now
        for _ in range(5):
            await client.get_json("/sets/khm", endpoint="test_rate")
        assert clock.now - start == pytest.approx(0.5)  # the first waits out the last search call's spacing
        start = clock.now
        # An absolute next_page URL of a search is still a search.
        for _ in range(2):
            await client.get_json("https://api.scryfall.com/cards/search?q=elf&page=2", endpoint="test_rate")
        assert clock.now - start == pytest.approx(0.5)


# -- list endpoints -----------------------------------------------------------------------------------


async def test_sets_follows_next_page() -> None:
    pages = {
        "1": {
            "object": "list",
            "has_more": True,
            "next_page": "https://api.scryfall.com/sets?page=2",
            "data": [{"code": "lea"}, {"code": "leb"}],
        },
        "2": {"object": "list", "has_more": False, "data": [{"code": "2ed"}]},
    }

    def handler(request: httpx.Request) -> httpx.Response:
        assert request.url.path == "/sets"
        return ok(pages[request.url.params.get("page", "1")])

    client, fake = make_client(handler, FakeTime())
    async with client:
        sets = await client.sets()
    assert [s["code"] for s in sets] == ["lea", "leb", "2ed"]
    assert [str(r.url) for r in fake.requests] == [
        "https://api.scryfall.com/sets",
        "https://api.scryfall.com/sets?page=2",
    ]


async def test_next_page_off_the_api_origin_is_refused() -> None:
    page = {"object": "list", "has_more": True, "next_page": "http://169.254.169.254/latest", "data": []}
    client, fake = make_client(lambda r: ok(page), FakeTime())
    async with client:
        with pytest.raises(UpstreamError, match="outside its API"):
            await client.sets()
    assert fake.calls == 1


async def test_bulk_data_picks_the_requested_type() -> None:
    listing = {
        "object": "list",
        "has_more": False,
        "data": [
            {"object": "bulk_data", "type": "oracle_cards", "download_uri": "https://data.scryfall.io/o.json"},
            {"object": "bulk_data", "type": "default_cards", "download_uri": BULK_URL},
        ],
    }
    client, fake = make_client(lambda r: ok(listing), FakeTime())
    async with client:
        assert len(await client.bulk_data_list()) == 2
        assert (await client.bulk_data("default_cards"))["download_uri"] == BULK_URL
        with pytest.raises(UpstreamError, match="all_cards"):
            await client.bulk_data("all_cards")
    assert {r.url.path for r in fake.requests} == {"/bulk-data"}


async def test_malformed_list_is_an_upstream_error() -> None:
    client, _ = make_client(lambda r: ok({"object": "list", "data": "nope"}), FakeTime())
    async with client:
        with pytest.raises(UpstreamError):
            await client.bulk_data_list()


# -- download ------------------------------------------------------------------------------------------

BODY = bytes(range(256)) * 1000  # 256 000 bytes, every offset distinguishable


async def test_download_writes_the_file_and_returns_validators(tmp_path: Path) -> None:
    seen: list[tuple[int, int | None]] = []
    headers = {"ETag": '"v1"', "Last-Modified": "Thu, 01 Jan 2026 10:00:00 GMT", "Content-Type": "application/json"}
    client, fake = make_client(lambda r: httpx.Response(200, headers=headers, content=BODY), FakeTime())
    dest = tmp_path / "bulk" / "cards.json"
    async with client:
        result = await client.download(BULK_URL, dest, progress=lambda done, total: seen.append((done, total)))
    assert result.changed and result.path == dest
    assert (result.etag, result.last_modified, result.bytes) == ('"v1"', headers["Last-Modified"], len(BODY))
    assert dest.read_bytes() == BODY
    assert not dest.with_suffix(".json.part").exists()
    assert seen[-1] == (len(BODY), len(BODY))
    request = fake.requests[0]
    assert request.url.host == "data.scryfall.io"
    assert request.headers["Accept-Encoding"] == "identity"
    assert "If-None-Match" not in request.headers


async def test_download_304_is_unchanged_and_writes_nothing(tmp_path: Path) -> None:
    client, fake = make_client(lambda r: httpx.Response(304, headers={"ETag": '"v1"'}), FakeTime())
    dest = tmp_path / "cards.json"
    modified = "Thu, 01 Jan 2026 10:00:00 GMT"
    async with client:
        result = await client.download(BULK_URL, dest, etag='"v1"', last_modified=modified)
    assert not result.changed
    assert (result.path, result.etag, result.last_modified, result.bytes) == (None, '"v1"', modified, 0)
    assert names(tmp_path) == []
    assert fake.requests[0].headers["If-None-Match"] == '"v1"'
    assert fake.requests[0].headers["If-Modified-Since"] == modified


async def test_interrupted_download_resumes_with_range(tmp_path: Path) -> None:
    cut = 100_000

    def handler(request: httpx.Request) -> httpx.Response:
        if "Range" not in request.headers:
            return httpx.Response(
                200,
                headers={"Content-Length": str(len(BODY)), "Accept-Ranges": "bytes", "ETag": '"v1"'},
                stream=ChunkStream(BODY[:cut], break_after=True),
            )
        assert request.headers["Range"] == f"bytes={cut}-"
        assert request.headers["If-Range"] == '"v1"'
        return httpx.Response(
            206,
            headers={
                "Content-Length": str(len(BODY) - cut),
                "Content-Range": f"bytes {cut}-{len(BODY) - 1}/{len(BODY)}",
                "ETag": '"v1"',
            },
            stream=ChunkStream(BODY[cut:]),
        )

    clock = FakeTime()
    client, fake = make_client(handler, clock)
    dest = tmp_path / "cards.json"
    async with client:
        result = await client.download(BULK_URL, dest)
    assert fake.calls == 2
    assert result.changed and result.bytes == len(BODY) and result.etag == '"v1"'
    assert dest.read_bytes() == BODY
    assert not dest.with_suffix(".json.part").exists()


async def test_resume_answered_with_200_restarts_from_zero(tmp_path: Path) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        headers = {"Content-Length": str(len(BODY)), "Accept-Ranges": "bytes", "ETag": '"v2"'}
        if "Range" not in request.headers:
            return httpx.Response(200, headers=headers, stream=ChunkStream(BODY[:70_000], break_after=True))
        return httpx.Response(200, headers=headers, stream=ChunkStream(BODY))  # range ignored

    client, fake = make_client(handler, FakeTime())
    dest = tmp_path / "cards.json"
    async with client:
        result = await client.download(BULK_URL, dest)
    assert fake.calls == 2
    assert "Range" in fake.requests[1].headers
    assert result.bytes == len(BODY)
    assert dest.read_bytes() == BODY


async def test_without_accept_ranges_a_retry_starts_over(tmp_path: Path) -> None:
    attempts = 0

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal attempts
        attempts += 1
        headers = {"Content-Length": str(len(BODY))}
        if attempts == 1:
            return httpx.Response(200, headers=headers, stream=ChunkStream(BODY[:50_000], break_after=True))
        return httpx.Response(200, headers=headers, stream=ChunkStream(BODY))

    client, fake = make_client(handler, FakeTime())
    dest = tmp_path / "cards.json"
    async with client:
        await client.download(BULK_URL, dest)
    assert "Range" not in fake.requests[1].headers
    assert dest.read_bytes() == BODY


async def test_compressed_answer_is_decoded_and_checked_against_the_compressed_length(tmp_path: Path) -> None:
    packed = gzip.compress(BODY)

    def handler(request: httpx.Request) -> httpx.Response:
        headers = {"Content-Encoding": "gzip", "Content-Length": str(len(packed)), "Accept-Ranges": "bytes"}
        return httpx.Response(200, headers=headers, stream=ChunkStream(packed, chunk=1000))

    client, _ = make_client(handler, FakeTime())
    dest = tmp_path / "cards.json"
    async with client:
        result = await client.download(BULK_URL, dest)
    assert result.bytes == len(BODY)
    assert dest.read_bytes() == BODY


async def test_size_mismatch_leaves_no_file(tmp_path: Path) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"Content-Length": "1000"}, stream=ChunkStream(b"x" * 600))

    dest = tmp_path / "cards.json"
    dest.write_bytes(b"yesterday's complete file")
    client, fake = make_client(handler, FakeTime(), retries=1)
    async with client:
        with pytest.raises(UpstreamUnavailable, match="received 600 bytes, expected 1000"):
            await client.download(BULK_URL, dest)
        assert client.breaker.consecutive_failures == 1
    assert fake.calls == 2
    assert dest.read_bytes() == b"yesterday's complete file"
    assert names(tmp_path) == ["cards.json"]


async def test_download_retries_server_errors(tmp_path: Path) -> None:
    clock = FakeTime()
    client, fake = make_client(sequence(httpx.Response(503), httpx.Response(200, content=BODY)), clock)
    dest = tmp_path / "cards.json"
    async with client:
        await client.download(BULK_URL, dest)
    assert fake.calls == 2
    assert clock.sleeps == [0.5]
    assert dest.read_bytes() == BODY


async def test_download_of_a_missing_file_is_an_upstream_error(tmp_path: Path) -> None:
    client, fake = make_client(lambda r: httpx.Response(404), FakeTime())
    async with client:
        with pytest.raises(UpstreamError):
            await client.download(BULK_URL, tmp_path / "cards.json")
    assert fake.calls == 1
    assert names(tmp_path) == []


async def test_download_ignores_an_open_breaker_but_reports_to_it(tmp_path: Path) -> None:
    clock = FakeTime()
    api_down = True

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.host == "api.scryfall.com" and api_down:
            return httpx.Response(503)
        return httpx.Response(200, content=BODY)

    client, _ = make_client(handler, clock, retries=0)
    async with client:
        await _trip(client, 3)
        assert state(client) is BreakerState.open
        await client.download(BULK_URL, tmp_path / "cards.json")
        assert state(client) is BreakerState.closed
