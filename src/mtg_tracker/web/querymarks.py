"""Where in the query a warning or error belongs (pure), so the search page can mark it in place.

The parser's messages name the ignored term (`the term "mm:3" was ignored`) or a position (`at position
7`, 1-based); an unparseable query carries a 0-based offset. Each becomes a marked span of the query.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_TERM = re.compile(r'the term "(.*)" was ignored$')
_POSITION = re.compile(r"at position (\d+)")


@dataclass(frozen=True, slots=True)
class Segment:
    text: str
    note: int | None = None  # index into the list of messages, or None for unmarked text
    kind: str = ""  # "warning" | "error"


def _span_of(message: str, q: str, taken: list[tuple[int, int]]) -> tuple[int, int] | None:
    term = _TERM.search(message)
    if term and term.group(1):
        needle = term.group(1)
        start = q.find(needle)
        while start != -1:
            end = start + len(needle)
            if not any(s < end and start < e for s, e in taken):
                return start, end
            start = q.find(needle, start + 1)
        return None
    pos = _POSITION.search(message)
    if pos:
        start = int(pos.group(1)) - 1
        if 0 <= start < len(q):
            return start, start + 1
    return None


def annotate(q: str, warnings: list[str], error_position: int | None = None) -> list[Segment]:
    """The query cut into segments; warnings are notes 0…n-1, the error (if any) note n."""
    spans: list[tuple[int, int, int, str]] = []
    taken: list[tuple[int, int]] = []
    for index, message in enumerate(warnings):
        span = _span_of(message, q, taken)
        if span:
            taken.append(span)
            spans.append((span[0], span[1], index, "warning"))
    if error_position is not None:
        start = min(max(error_position, 0), len(q))
        end = min(start + 1, len(q))
        if start == end:  # past the end (an unclosed quote or parenthesis): mark the last character
            start = max(len(q) - 1, 0)
        if not any(s < end and start < e for s, e, _, _ in spans):
            spans.append((start, end, len(warnings), "error"))
    spans.sort()
    out: list[Segment] = []
    cursor = 0
    for start, end, note, kind in spans:
        if start > cursor:
            out.append(Segment(q[cursor:start]))
        out.append(Segment(q[start:end], note, kind))
        cursor = end
    if cursor < len(q):
        out.append(Segment(q[cursor:]))
    return out
