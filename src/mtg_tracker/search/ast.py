"""The syntax tree of a search query. Pure data: the parser builds it, the compiler reads it.

Every node keeps the source span it came from so that warnings and errors can point at the text a
person typed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Op = Literal[":", "=", "!=", "<", "<=", ">", ">="]
OPS: tuple[Op, ...] = ("<=", ">=", "!=", ":", "=", "<", ">")  # longest first, for the tokenizer


@dataclass(frozen=True, slots=True)
class Span:
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Term:
    """``keyword OP value``. ``keyword`` is the canonical name (aliases resolved); ``raw_keyword`` is what
    was typed. ``quoted`` says the value came in quotes, ``regex`` that it was ``/…/``."""

    keyword: str
    op: Op
    value: str
    span: Span
    raw_keyword: str = ""
    quoted: bool = False
    regex: bool = False


@dataclass(frozen=True, slots=True)
class Name:
    """A bare word or quoted phrase (name contains), ``!exact`` (exact name) or a bare ``/regex/``."""

    value: str
    span: Span
    exact: bool = False
    regex: bool = False
    quoted: bool = False


@dataclass(frozen=True, slots=True)
class Not:
    child: Node
    span: Span


@dataclass(frozen=True, slots=True)
class And:
    children: tuple[Node, ...]
    span: Span


@dataclass(frozen=True, slots=True)
class Or:
    children: tuple[Node, ...]
    span: Span


@dataclass(frozen=True, slots=True)
class Nothing:
    """What an ignored term becomes (an unknown keyword, a bad value): it constrains nothing."""

    span: Span


Node = Term | Name | Not | And | Or | Nothing


@dataclass(slots=True)
class Directives:
    """Presentation asked for inside the query (``unique:prints order:usd include:extras``…); API
    parameters fill whatever the query left unset."""

    unique: str | None = None
    order: str | None = None
    direction: str | None = None
    prefer: str | None = None
    display: str | None = None
    include_extras: bool = False
    include_multilingual: bool = False
    include_variations: bool = False


@dataclass(slots=True)
class Query:
    root: Node
    directives: Directives = field(default_factory=Directives)
    warnings: list[str] = field(default_factory=list)
    source: str = ""

    @property
    def is_empty(self) -> bool:
        """True when nothing constrains the result (every term was ignored, or there were none)."""
        return _is_nothing(self.root)


def _is_nothing(node: Node) -> bool:
    if isinstance(node, Nothing):
        return True
    if isinstance(node, And | Or):
        return all(_is_nothing(c) for c in node.children)
    if isinstance(node, Not):
        return _is_nothing(node.child)
    return False


def walk(node: Node) -> list[Node]:
    """Every node of the tree, depth first."""
    out: list[Node] = [node]
    if isinstance(node, And | Or):
        for child in node.children:
            out.extend(walk(child))
    elif isinstance(node, Not):
        out.extend(walk(node.child))
    return out
