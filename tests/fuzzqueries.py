"""Hostile search queries: arbitrary unicode around the syntax, for the child-process fuzz tests.

Deterministic per seed, so a failure names a query that can be replayed. The pools lean on what has broken
text engines before: multi-byte characters beside pattern metacharacters (the FTS5 trigram GLOB crash),
combining marks and zero-width joiners, code points next to the surrogate range, non-characters, control
characters, right-to-left overrides, and every wildcard of GLOB, LIKE and regular expressions.
"""

from __future__ import annotations

import random

# The query that took the process down on SQLite 3.40.1: `🔥?🔥🔥«🔥`.
BLOCKER = "\U0001f525?\U0001f525\U0001f525\u00ab\U0001f525"

EMOJI = [
    "\U0001f525",
    "\U0001f44d\U0001f3fd",
    "\U0001f3f3\ufe0f\u200d\U0001f308",
    "\U0001f9d9\u200d\u2642\ufe0f",
    "\u2764",
]
COMBINING = ["\u0301", "\u0338", "\u20dd", "\u0489", "\u036f", "e\u0301", "\u1ab0"]
SURROGATE_ADJACENT = ["\ud7ff", "\ue000", "\ufffd", "\ufffe", "\uffff", "\U00010000", "\U0010ffff", "\U000e0001"]
WIDE = [
    "\u00ab",
    "\u00bb",
    "\u00e9",
    "\u00df",
    "\u0130",
    "\u03a3",
    "\u044f",
    "\u4e2d",
    "\u30ab",
    "\uac00",
    "\u05d0",
    "\u0627",
]
INVISIBLE = ["\u200b", "\u200d", "\u202e", "\u2066", "\ufeff", "\u00a0", "\u3000", "\u00ad"]
META = [
    "*",
    "?",
    "[",
    "]",
    "[?]",
    "[*]",
    "[[]",
    "[^a]",
    "[a-",
    "%",
    "_",
    "\\",
    "\\%",
    "^",
    "$",
    ".",
    "|",
    "(",
    ")",
    "{2}",
    "+",
]
SYNTAX = ['"', "'", ":", "=", "<", ">", ">=", "!", "-", " or ", " and ", "(", ")", "~", "/", ",", "{", "}"]
CONTROL = ["\t", "\n", "\r", "\x01", "\x1b", "\x7f", "\x85"]
ASCII = list("abcdefghijklmnopqrstuvwxyz0123456789 ")
KEYWORDS = [
    "",
    "",
    "o:",
    "t:",
    "name:",
    "ft:",
    "a:",
    "fo:",
    "kw:",
    "!",
    "o:/",
    "name:/",
    "t:/",
    "-o:",
    "c:",
    "is:",
    "set:",
    "usd>",
    "cmc=",
    "pow>",
    "year<",
    "date>=",
]

_POOLS = [EMOJI, COMBINING, SURROGATE_ADJACENT, WIDE, INVISIBLE, META, SYNTAX, CONTROL, ASCII, ASCII, ASCII]


def _text(rng: random.Random, length: int) -> str:
    return "".join(rng.choice(rng.choice(_POOLS)) for _ in range(length))


def fuzz_query(rng: random.Random) -> str:
    """One query: a few terms, each an optional keyword before a hostile value (sometimes quoted or a regex)."""
    terms = []
    for _ in range(rng.randint(1, 3)):
        value = _text(rng, rng.randint(1, 12))
        shape = rng.random()
        if shape < 0.15:
            value = f'"{value}"'
        elif shape < 0.25:
            value = f"/{value}/"
        terms.append(rng.choice(KEYWORDS) + value)
    return " ".join(terms)


def fuzz_queries(seed: int, count: int) -> list[str]:
    """``count`` queries; lone surrogates are left out (they cannot be sent as UTF-8 at all)."""
    rng = random.Random(seed)
    out = [BLOCKER, f"o:{BLOCKER}", f"t:{BLOCKER}", f"name:{BLOCKER}", f'"{BLOCKER}"', "\U0001f525[?]\U0001f525"]
    while len(out) < count:
        out.append(fuzz_query(rng))
    return out


def invalid_utf8_query_strings(seed: int, count: int) -> list[str]:
    """Percent-encoded byte strings that are not UTF-8 (lone surrogates, overlongs, truncations)."""
    rng = random.Random(seed)
    samples = [b"\xed\xa0\x80", b"\xc0\xaf", b"\xf0\x9f\x94", b"\xff", b"\xf4\x90\x80\x80", b"o:\xe2\x82"]
    out = []
    for _ in range(count):
        raw = rng.choice(samples) + bytes(rng.randrange(0x20, 0x7F) for _ in range(rng.randint(0, 4)))
        out.append("".join(f"%{b:02X}" for b in raw))
    return out
