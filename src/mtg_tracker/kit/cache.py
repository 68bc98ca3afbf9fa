"""Read-through cache: in-process (TTL + size cap) by default, Redis when configured.

Invalidation works across processes (a CLI import, another instance) through a generation number per
namespace kept in the database: a writer bumps it in its own transaction, every process polls it every
few seconds, and keys embed it, so a bump makes every older entry unreachable at once. Cache failures
degrade to a miss; the cache never turns a readable catalog into an error.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Protocol

from cachetools import TTLCache
from sqlalchemy import Integer, String, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from mtg_tracker.config import Settings
from mtg_tracker.kit import metrics
from mtg_tracker.kit.db import Base, Database, dialect_insert
from mtg_tracker.kit.logging import get_logger

log = get_logger("mtg_tracker.cache")


class CacheGeneration(Base):
    __tablename__ = "cache_generation"

    namespace: Mapped[str] = mapped_column(String(50), primary_key=True)
    generation: Mapped[int] = mapped_column(Integer, default=0)


async def bump_generation(session: AsyncSession, namespace: str) -> None:
    """Invalidate ``namespace`` everywhere once the caller's transaction commits."""
    insert = dialect_insert(session)
    await session.execute(insert(CacheGeneration).values(namespace=namespace, generation=1).on_conflict_do_nothing())
    await session.execute(
        update(CacheGeneration)
        .where(CacheGeneration.namespace == namespace)
        .values(generation=CacheGeneration.generation + 1)
    )


class Backend(Protocol):
    async def get(self, key: str) -> bytes | None: ...
    async def set(self, key: str, value: bytes, ttl: int) -> None: ...
    async def clear(self) -> None: ...
    async def close(self) -> None: ...


class MemoryBackend:
    def __init__(self, max_items: int, ttl: int) -> None:
        self._data: TTLCache[str, bytes] = TTLCache(maxsize=max_items, ttl=ttl)

    async def get(self, key: str) -> bytes | None:
        return self._data.get(key)

    async def set(self, key: str, value: bytes, ttl: int) -> None:
        self._data[key] = value

    async def clear(self) -> None:
        self._data.clear()

    async def close(self) -> None:
        self._data.clear()


class RedisBackend:
    def __init__(self, url: str, prefix: str = "mtg:cache:") -> None:
        import redis.asyncio as redis

        self._redis = redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)
        self._prefix = prefix

    async def get(self, key: str) -> bytes | None:
        value = await self._redis.get(self._prefix + key)
        return value.encode() if isinstance(value, str) else value

    async def set(self, key: str, value: bytes, ttl: int) -> None:
        await self._redis.set(self._prefix + key, value, ex=ttl)

    async def clear(self) -> None:
        # Generations make old keys unreachable and TTLs expire them; nothing to scan.
        return None

    async def close(self) -> None:
        await self._redis.aclose()


class Cache:
    def __init__(self, backend: Backend, *, ttl: int) -> None:
        self.backend = backend
        self.ttl = ttl
        self.generations: dict[str, int] = {}

    @classmethod
    def from_settings(cls, settings: Settings) -> Cache:
        backend: Backend
        if settings.redis_url:
            backend = RedisBackend(settings.redis_url)
        else:
            backend = MemoryBackend(settings.cache.max_items, settings.cache.ttl_seconds)
        return cls(backend, ttl=settings.cache.ttl_seconds)

    def _key(self, namespace: str, key: str) -> str:
        return f"{namespace}:{self.generations.get(namespace, 0)}:{key}"

    async def get(self, namespace: str, key: str) -> bytes | None:
        try:
            value = await self.backend.get(self._key(namespace, key))
        except Exception:
            log.warning("cache_get_failed", namespace=namespace, exc_info=True)
            value = None
        metrics.CACHE_REQUESTS.labels(namespace, "hit" if value is not None else "miss").inc()
        return value

    async def set(self, namespace: str, key: str, value: bytes, ttl: int | None = None) -> None:
        try:
            await self.backend.set(self._key(namespace, key), value, ttl or self.ttl)
        except Exception:
            log.warning("cache_set_failed", namespace=namespace, exc_info=True)

    async def refresh_generations(self, db: Database) -> bool:
        """Pull the generations; returns True when something was invalidated."""
        async with db.session(write=False) as session:
            rows = (await session.execute(select(CacheGeneration.namespace, CacheGeneration.generation))).all()
        changed = False
        for namespace, generation in rows:
            if self.generations.get(namespace) != generation:
                changed = changed or namespace in self.generations
                self.generations[namespace] = generation
        if changed:
            await self.backend.clear()
        return changed

    async def poll_generations(self, db: Database, interval: float) -> None:
        while True:
            with contextlib.suppress(Exception):  # the database may be down; readiness reports that
                await self.refresh_generations(db)
            await asyncio.sleep(interval)

    async def close(self) -> None:
        await self.backend.close()
