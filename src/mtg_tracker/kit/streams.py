"""Byte streams for long imports: a reader that reports how much of the file on disk has been read."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import IO, Any

ProgressFn = Callable[[int], None]


class CountingReader(io.RawIOBase):
    """Counts the bytes read from the underlying (usually compressed) file, for a progress bar in bytes
    of the file on disk and for error messages that name a byte offset."""

    def __init__(self, raw: IO[bytes], progress: ProgressFn | None) -> None:
        self.raw = raw
        self.progress = progress
        self.position = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self.raw.read(len(buffer))
        n = len(data)
        buffer[:n] = data
        self.position += n
        if self.progress and n:
            self.progress(n)
        return n

    def close(self) -> None:
        self.raw.close()
        super().close()
