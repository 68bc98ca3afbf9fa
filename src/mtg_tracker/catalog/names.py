"""In-memory name index for ``named?fuzzy=`` and autocomplete. Pure (built from rows, no I/O).

Both are typed-as-you-go features that must answer in a few milliseconds; an in-process sorted list
with bisect for prefixes and rapidfuzz for typos does that without any database round trip. The index
is rebuilt when the catalog's cache generation changes (an import anywhere).
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from mtg_tracker.catalog.normalize import normalize_name

AUTOCOMPLETE_LIMIT = 20


@dataclass(frozen=True)
class FuzzyResult:
    name: str | None  # the full card name when one card matched
    candidates: tuple[str, ...]  # the competing names when ambiguous

    @property
    def ambiguous(self) -> bool:
        return self.name is None and len(self.candidates) > 1


class NameIndex:
    def __init__(self, rows: Iterable[tuple[str, str, bool]]) -> None:
        """``rows``: (normalised name a card answers to, its full display name, is it an extra)."""
        by_norm: dict[str, str] = {}
        extras: dict[str, bool] = {}
        for norm, full, is_extra in rows:
            if norm not in by_norm or (extras[by_norm[norm]] and not is_extra):
                by_norm[norm] = full
            extras[full] = extras.get(full, True) and is_extra
        self._by_norm = by_norm
        self._norms = sorted(by_norm)
        self._is_extra = extras
        full_norms: dict[str, str] = {}
        for full in extras:
            full_norms.setdefault(normalize_name(full), full)
        self._full_sorted = sorted(full_norms)
        self._full_by_norm = full_norms

    def __len__(self) -> int:
        return len(self._full_by_norm)

    def _prefixed(self, keys: list[str], prefix: str) -> list[str]:
        start = bisect.bisect_left(keys, prefix)
        end = bisect.bisect_left(keys, prefix + "\U0010ffff")
        return keys[start:end]

    def exact(self, name: str) -> str | None:
        return self._by_norm.get(normalize_name(name))

    def fuzzy(self, query: str) -> FuzzyResult:
        """Scryfall's fuzzy: exact, then unique prefix, then word prefixes in order, then typo tolerance."""
        q = normalize_name(query)
        if not q:
            return FuzzyResult(None, ())
        if q in self._by_norm:
            return FuzzyResult(self._by_norm[q], ())
        for finder in (self._prefix_matches, self._word_prefix_matches, self._typo_matches):
            names = finder(q)
            if len(names) == 1:
                return FuzzyResult(names[0], ())
            if names:
                # A non-extra card beats tokens and other extras sharing its name start.
                real = [n for n in names if not self._is_extra.get(n, False)]
                if len(real) == 1:
                    return FuzzyResult(real[0], ())
                return FuzzyResult(None, tuple(sorted(names)[:10]))
        return FuzzyResult(None, ())

    def _distinct(self, norms: Iterable[str]) -> list[str]:
        return sorted({self._by_norm[n] for n in norms})

    def _prefix_matches(self, q: str) -> list[str]:
        return self._distinct(self._prefixed(self._norms, q))

    def _word_prefix_matches(self, q: str) -> list[str]:
        words = q.split()
        if len(words) < 2:
            return []
        candidates = self._prefixed(self._norms, words[0][:1])
        out = []
        for norm in candidates:
            tokens = norm.split()
            i = 0
            for tok in tokens:
                if i < len(words) and tok.startswith(words[i]):
                    i += 1
            if i == len(words) and tokens[0].startswith(words[0]):
                out.append(norm)
        return self._distinct(out)

    def _typo_matches(self, q: str) -> list[str]:
        hits = process.extract(q, self._norms, scorer=fuzz.ratio, limit=5, score_cutoff=80)
        if not hits:
            return []
        best = hits[0][1]
        close = [h[0] for h in hits if best - h[1] < 4]
        return self._distinct(close)

    def autocomplete(self, query: str, *, include_extras: bool = False) -> list[str]:
        """Up to 20 full names: names starting with the text first, then names containing it."""
        q = normalize_name(query)
        if len(q) < 2:
            return []
        out: list[str] = []
        seen: set[str] = set()

        def take(full: str) -> bool:
            if full in seen or (not include_extras and self._is_extra.get(full, False)):
                return False
            seen.add(full)
            out.append(full)
            return len(out) >= AUTOCOMPLETE_LIMIT

        for norm in self._prefixed(self._full_sorted, q):
            if take(self._full_by_norm[norm]):
                return out
        for norm in self._full_sorted:
            if q in norm and take(self._full_by_norm[norm]):
                return out
        return out
