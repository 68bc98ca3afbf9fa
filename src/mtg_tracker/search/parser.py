"""Query string → syntax tree (pure).

Grammar (Scryfall's): terms are ANDed by juxtaposition, ``or`` between terms, ``and`` accepted,
``( … )`` nests, ``-`` negates, ``not:X`` is ``-is:X``. A term is ``keyword OP value``; a bare word or
``"phrase"`` searches names, ``!name`` is an exact name, ``/regex/`` a regular expression.

Structural mistakes (an unclosed quote, parenthesis or regex) make the query unanswerable: they raise
``QuerySyntaxError`` naming the position. Mistakes inside one term (an unknown keyword, a bad value)
only drop that term, with a warning — the behaviour Scryfall users expect.
"""

from __future__ import annotations

from dataclasses import dataclass

from mtg_tracker.search import keywords
from mtg_tracker.search.ast import (
    OPS,
    And,
    Directives,
    Name,
    Node,
    Not,
    Nothing,
    Op,
    Or,
    Query,
    Span,
    Term,
)

MAX_QUERY_LENGTH = 1000
MAX_DEPTH = 32
MAX_TERMS = 200


class QuerySyntaxError(ValueError):
    """The query cannot be understood at all; ``position`` is a 0-based character offset."""

    def __init__(self, message: str, position: int) -> None:
        super().__init__(message)
        self.message = message
        self.position = position


@dataclass(frozen=True, slots=True)
class _Tok:
    kind: str  # lparen rparen or and neg dash atom
    start: int
    end: int
    atom: Node | None = None


_WORD_END = " \t\r\n)"
_KEYWORD_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_")


class _Lexer:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.terms = 0

    def _skip_space(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos].isspace():
            self.pos += 1

    def tokens(self) -> list[_Tok]:
        out: list[_Tok] = []
        while True:
            self._skip_space()
            if self.pos >= len(self.text):
                return out
            start = self.pos
            ch = self.text[start]
            if ch == "(":
                self.pos += 1
                out.append(_Tok("lparen", start, self.pos))
            elif ch == ")":
                self.pos += 1
                out.append(_Tok("rparen", start, self.pos))
            elif ch == "-":
                self.pos += 1
                # "-" must touch what it negates; a lone one is reported by the parser.
                attached = self.pos < len(self.text) and not self.text[self.pos].isspace()
                out.append(_Tok("neg" if attached else "dash", start, self.pos))
            else:
                out.append(self._atom())
            if len(out) > MAX_TERMS * 3:
                raise QuerySyntaxError(f"The query has too many terms (at most {MAX_TERMS})", start)

    def _quoted(self) -> str:
        """A quoted value starting at ``self.pos``; backslash escapes the quote character."""
        quote = self.text[self.pos]
        start = self.pos
        self.pos += 1
        chars: list[str] = []
        while self.pos < len(self.text):
            ch = self.text[self.pos]
            if ch == "\\" and self.pos + 1 < len(self.text) and self.text[self.pos + 1] in (quote, "\\"):
                chars.append(self.text[self.pos + 1])
                self.pos += 2
                continue
            if ch == quote:
                self.pos += 1
                return "".join(chars)
            chars.append(ch)
            self.pos += 1
        raise QuerySyntaxError(f"Unclosed quote {quote} starting at position {start + 1}", start)

    def _regex(self) -> str:
        start = self.pos
        self.pos += 1
        chars: list[str] = []
        while self.pos < len(self.text):
            ch = self.text[self.pos]
            if ch == "\\" and self.pos + 1 < len(self.text):
                nxt = self.text[self.pos + 1]
                # \/ is a literal slash; every other escape is the regex's own.
                chars.append("/" if nxt == "/" else ch + nxt)
                self.pos += 2
                continue
            if ch == "/":
                self.pos += 1
                return "".join(chars)
            chars.append(ch)
            self.pos += 1
        raise QuerySyntaxError(f"Unclosed regular expression starting at position {start + 1}", start)

    def _word(self) -> str:
        start = self.pos
        while self.pos < len(self.text) and self.text[self.pos] not in _WORD_END:
            self.pos += 1
        return self.text[start : self.pos]

    def _atom(self) -> _Tok:
        start = self.pos
        text = self.text
        ch = text[start]
        self.terms += 1
        if self.terms > MAX_TERMS:
            raise QuerySyntaxError(f"The query has too many terms (at most {MAX_TERMS})", start)
        if ch == "!":
            self.pos += 1
            if self.pos < len(text) and text[self.pos] in "\"'":
                value = self._quoted()
                quoted = True
            else:
                value = self._word()
                quoted = False
            return _Tok("atom", start, self.pos, Name(value, Span(start, self.pos), exact=True, quoted=quoted))
        if ch in "\"'":
            value = self._quoted()
            return _Tok("atom", start, self.pos, Name(value, Span(start, self.pos), quoted=True))
        if ch == "/":
            value = self._regex()
            return _Tok("atom", start, self.pos, Name(value, Span(start, self.pos), regex=True))
        # keyword OP value?
        k = start
        while k < len(text) and text[k] in _KEYWORD_CHARS:
            k += 1
        if k > start:
            op = next((o for o in OPS if text.startswith(o, k)), None)
            if op is not None:
                return self._term(start, text[start:k], op, k + len(op))
        word = self._word()
        lowered = word.lower()
        if lowered == "or":
            return _Tok("or", start, self.pos)
        if lowered == "and":
            return _Tok("and", start, self.pos)
        return _Tok("atom", start, self.pos, Name(word, Span(start, self.pos)))

    def _term(self, start: int, raw_keyword: str, op: Op, value_start: int) -> _Tok:
        text = self.text
        self.pos = value_start
        quoted = regex = False
        if self.pos < len(text) and text[self.pos] in "\"'":
            value = self._quoted()
            quoted = True
        elif self.pos < len(text) and text[self.pos] == "/" and keywords.accepts_regex(raw_keyword):
            value = self._regex()
            regex = True
        else:
            value = self._word()
        term = Term(
            keyword=raw_keyword.lower(),
            op=op,
            value=value,
            span=Span(start, self.pos),
            raw_keyword=raw_keyword,
            quoted=quoted,
            regex=regex,
        )
        return _Tok("atom", start, self.pos, term)


class _Parser:
    def __init__(self, text: str, tokens: list[_Tok]) -> None:
        self.text = text
        self.toks = tokens
        self.i = 0
        self.directives = Directives()
        self.warnings: list[str] = []

    def _peek(self) -> _Tok | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def parse(self) -> Node:
        node = self._or(0)
        tok = self._peek()
        if tok is not None:  # only a stray ")" stops the top level early
            raise QuerySyntaxError(f"Unmatched ) at position {tok.start + 1}", tok.start)
        return node

    def _or(self, depth: int) -> Node:
        if depth > MAX_DEPTH:
            tok = self._peek()
            raise QuerySyntaxError("The query is nested too deeply", tok.start if tok else len(self.text))
        start_tok = self._peek()
        branches = [self._and(depth)]
        while (tok := self._peek()) is not None and tok.kind == "or":
            self.i += 1
            if (nxt := self._peek()) is None or nxt.kind in ("or", "rparen"):
                self.warnings.append(f'"or" at position {tok.start + 1} has nothing after it and was ignored')
                break
            branches.append(self._and(depth))
        if len(branches) == 1:
            return branches[0]
        start = start_tok.start if start_tok else 0
        return Or(tuple(branches), Span(start, self._last_end()))

    def _last_end(self) -> int:
        return self.toks[self.i - 1].end if self.i else 0

    def _and(self, depth: int) -> Node:
        children: list[Node] = []
        first = self._peek()
        start = first.start if first is not None else len(self.text)
        while (tok := self._peek()) is not None and tok.kind not in ("or", "rparen"):
            if tok.kind == "and":
                self.i += 1
                continue
            children.append(self._unary(depth))
        if not children:
            return Nothing(Span(start, start))
        if len(children) == 1:
            return children[0]
        return And(tuple(children), Span(start, self._last_end()))

    def _unary(self, depth: int) -> Node:
        tok = self.toks[self.i]
        if tok.kind == "dash":
            self.i += 1
            self.warnings.append(f'"-" at position {tok.start + 1} negates nothing and was ignored')
            return Nothing(Span(tok.start, tok.end))
        if tok.kind == "neg":
            self.i += 1
            nxt = self._peek()
            if nxt is None or nxt.kind in ("or", "and", "rparen"):
                self.warnings.append(f'"-" at position {tok.start + 1} negates nothing and was ignored')
                return Nothing(Span(tok.start, tok.end))
            if depth > MAX_DEPTH:
                raise QuerySyntaxError("The query is nested too deeply", tok.start)
            if nxt.kind == "atom" and isinstance(nxt.atom, Term) and keywords.is_directive(nxt.atom.keyword):
                self.i += 1
                self.warnings.append(f'"{self.text[tok.start : nxt.end]}" cannot be negated and was ignored')
                return Nothing(Span(tok.start, nxt.end))
            child = self._unary(depth + 1)
            if isinstance(child, Nothing):
                return child
            return Not(child, Span(tok.start, self._last_end()))
        if tok.kind == "lparen":
            self.i += 1
            inner = self._or(depth + 1)
            close = self._peek()
            if close is None or close.kind != "rparen":
                raise QuerySyntaxError(f"Unclosed ( at position {tok.start + 1}", tok.start)
            self.i += 1
            return inner
        self.i += 1
        assert tok.atom is not None
        return self._resolve(tok.atom)

    def _resolve(self, atom: Node) -> Node:
        if isinstance(atom, Name):
            if not atom.value:
                self.warnings.append(f"An empty name at position {atom.span.start + 1} was ignored")
                return Nothing(atom.span)
            if atom.regex:
                problem = keywords.check_regex(atom.value)
                if problem:
                    self.warnings.append(problem)
                    return Nothing(atom.span)
            return atom
        assert isinstance(atom, Term)
        source = self.text[atom.span.start : atom.span.end]
        resolved = keywords.resolve(atom, source, self.directives)
        if isinstance(resolved, str):
            self.warnings.append(resolved)
            return Nothing(atom.span)
        return resolved


def parse(text: str) -> Query:
    """Parse a query; raises ``QuerySyntaxError`` when it cannot be understood at all."""
    if len(text) > MAX_QUERY_LENGTH:
        raise QuerySyntaxError(f"The query is longer than {MAX_QUERY_LENGTH} characters", MAX_QUERY_LENGTH)
    tokens = _Lexer(text).tokens()
    parser = _Parser(text, tokens)
    root = parser.parse()
    return Query(root=root, directives=parser.directives, warnings=parser.warnings, source=text)
