"""The characters a pattern's match can begin and end with, read from its parse tree: a
gate that skips the lines a pattern cannot match without running it.

A failed ``match`` of a long case-insensitive alternation (the built-in relative-time
patterns: hundreds of unit words in many languages) costs as much as a success, and most
of a dump's lines start or end with a character no match of a given pattern can (a
paragraph ends in a full stop). The sets are conservative: a construct not understood
here (a back-reference, a negated class, ``.``) gives no gate on that side, and only
ASCII characters are gated, so a line whose first or last character is not ASCII is
always tried.
"""

from __future__ import annotations

import functools
import importlib
import re
import sys
from collections.abc import Iterable, Sequence
from typing import Any

# The parser ``re`` compiles with (typeshed knows it only by its deprecated name).
_parser: Any = importlib.import_module("re._parser")

_ASCII = tuple(chr(i) for i in range(128))
OTHER = "\x80"  # stands for every character that is not ASCII in an edge set
CATEGORIES = {  # re's parsed character categories, as the escapes that write them
    "CATEGORY_DIGIT": r"\d",
    "CATEGORY_NOT_DIGIT": r"\D",
    "CATEGORY_SPACE": r"\s",
    "CATEGORY_NOT_SPACE": r"\S",
    "CATEGORY_WORD": r"\w",
    "CATEGORY_NOT_WORD": r"\W",
}
_FLAGS = re.IGNORECASE | re.ASCII | re.UNICODE  # the flags that change what one char matches

Chars = frozenset[str] | None  # None: any character
Piece = tuple[str, int]  # a character class's piece, and the flags it is read under
# The pieces a part's match can begin (or end) with (None: any character), and whether the
# part can match nothing.
_Edge = tuple[list[Piece] | None, bool]


@functools.lru_cache(maxsize=4096)
def _ascii_matched(atom: str, flags: int) -> frozenset[str]:
    """The ASCII characters the one-character pattern ``atom`` matches, asked of ``re``
    itself (so case folding is re's own: the Kelvin sign matches "k").

    >>> sorted(_ascii_matched("k", re.IGNORECASE)), sorted(_ascii_matched("\\u212a", re.I))
    (['K', 'k'], ['K', 'k'])
    """
    compiled = re.compile(atom, flags & _FLAGS)
    return frozenset(c for c in _ASCII if compiled.fullmatch(c))


def _class_char(code: int) -> str:
    """A character as a class item: itself, escaped where a class reads it specially.

    (Not ``\\U0000xxxx``: reading that escape back costs ``re``'s parser a Python call
    per character, and a long alternation's first letters are hundreds of them.)

    >>> _class_char(ord("a")), _class_char(ord("-")), _class_char(ord("]"))
    ('a', '\\\\-', '\\\\]')
    """
    return re.escape(chr(code))


def _piece(op: Any, av: Any) -> str | None:
    """A parsed literal, range or category as a piece of a character class (``\\d``,
    ``a-z``); None for any other item."""
    name = str(op)
    if name == "LITERAL":
        return _class_char(av)
    if name == "RANGE":
        return f"{_class_char(av[0])}-{_class_char(av[1])}"
    if name == "CATEGORY":
        return CATEGORIES.get(str(av))
    return None


def _pieces_of_item(op: Any, av: Any, flags: int, last: bool) -> _Edge:
    name = str(op)
    if name == "LITERAL":
        return [(_class_char(av), flags)], False
    if name == "IN":
        out = []
        for o, a in av:
            piece = _piece(o, a)  # a negated class has none: not gated
            if piece is None:
                return None, True
            out.append((piece, flags))
        return out, False
    if name in ("AT", "ASSERT", "ASSERT_NOT"):  # zero-width: what follows decides
        return [], True
    if name == "SUBPATTERN":
        _group, add, remove, sub = av
        return _pieces_of(sub, (flags | add) & ~remove, last)
    if name == "ATOMIC_GROUP":
        return _pieces_of(av, flags, last)
    if name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
        low, high, sub = av
        if high == 0:
            return [], True
        pieces, empty = _pieces_of(sub, flags, last)
        return pieces, empty or low == 0
    if name == "BRANCH":
        out = []
        empty = False
        for alternative in av[1]:
            pieces, e = _pieces_of(alternative, flags, last)
            if pieces is None:
                return None, True
            out += pieces
            empty = empty or e
        return out, empty
    return None, True  # a back-reference, a conditional, "." ...: not gated


def _pieces_of(items: Iterable[Any], flags: int, last: bool) -> _Edge:
    """The class pieces, each with its flags, of the characters a sequence's match can
    start (``last``: end) with, and whether it can be empty."""
    seq = getattr(items, "data", None)  # a parsed SubPattern's own list: no call per item
    if seq is None:
        seq = list(items)
    out: list[Piece] = []
    for op, av in reversed(seq) if last else seq:
        pieces, empty = _pieces_of_item(op, av, flags, last)
        if pieces is None:
            return None, True
        out += pieces
        if not empty:
            return out, False
    return out, True


def _chars(pieces: list[Piece]) -> frozenset[str]:
    r"""The ASCII characters class pieces match, each under its flags.

    A class matches a character when one of its items does, so the pieces read under the
    same flags are asked of ``re`` as one class (a long alternation's first letters are
    hundreds of pieces: one regex each cost more than the pattern's parse).

    >>> sorted(_chars([("a", 0), ("\\d", 0), ("b", re.IGNORECASE)]))[-4:]
    ['9', 'B', 'a', 'b']
    """
    by_flags: dict[int, list[str]] = {}
    for piece, flags in pieces:
        by_flags.setdefault(flags & _FLAGS, []).append(piece)
    return frozenset().union(
        *(_ascii_matched("[" + "".join(dict.fromkeys(ps)) + "]", f) for f, ps in by_flags.items())
    )


@functools.lru_cache(maxsize=1024)
def _parse(text: str, flags: int) -> Any:
    """``re``'s parse tree of a pattern, read once for every question asked of it here and
    in :mod:`ingest.residue` (callers only read it)."""
    return _parser.parse(text, flags)


def parse_pattern(pattern: re.Pattern[str]) -> Any:
    """The parse tree of a compiled pattern (cached; do not change it).

    >>> parse_pattern(re.compile("ab")) is parse_pattern(re.compile("ab"))
    True
    """
    return _parse(pattern.pattern, pattern.flags)


@functools.lru_cache(maxsize=1024)
def pattern_edges(pattern: re.Pattern[str]) -> tuple[Chars, Chars]:
    """The ASCII characters a ``pattern.match`` of a whole line can start and end with.

    The end is known only when the pattern ends in ``$`` (or ``\\Z``) outside any group, so
    that a match ends the line. Each set holds :data:`OTHER` (any character that is not
    ASCII); None means any character.

    >>> first, last = pattern_edges(re.compile(r"(?i)^(?:\\d+ ?h|now)$"))
    >>> "".join(sorted(first - {OTHER})), "".join(sorted(last - {OTHER}))
    ('0123456789Nn', '\\nHWhw')
    >>> pattern_edges(re.compile(r"(.)\\1$"))  # "." and a back-reference: no gate
    (None, None)
    """
    if not isinstance(pattern, re.Pattern) or not isinstance(pattern.pattern, str):
        return None, None  # a user's budgeted pattern runs on another engine: not gated
    tree = parse_pattern(pattern)
    flags: int = tree.state.flags
    if flags & re.LOCALE:
        return None, None
    items = list(tree)
    pieces, empty = _pieces_of(items, flags, last=False)
    first = None if pieces is None or empty else _chars(pieces) | {OTHER}
    last: Chars = None
    end = str(items[-1][1]) if items and str(items[-1][0]) == "AT" else ""
    if end == "AT_END_STRING" or (end == "AT_END" and not flags & re.MULTILINE):
        pieces, empty = _pieces_of(items, flags, last=True)
        if pieces is not None and not empty:
            last = _chars(pieces) | {OTHER, "\n"}  # "$" also matches before a final newline
    return first, last


@functools.lru_cache(maxsize=1024)
def first_class(pattern: re.Pattern[str]) -> re.Pattern[str] | None:
    r"""A one-character class matching every character a match of ``pattern`` can start
    with (lookarounds and anchors consume nothing: what follows them decides), or None when
    unsure: ``.``, a negated class, a back-reference, a match that can be empty, or a part
    read under other flags than the whole (``(?i:...)``).

    >>> first_class(re.compile(r"(?<=\. )(?:\d:)?[0-5]?\d:")).pattern
    '[\\d0-5]'
    >>> first_class(re.compile(r"(?i)(?<!\w)more|»")).findall("Mo ße m»")
    ['M', 'm', '»']
    >>> first_class(re.compile(r"x?")), first_class(re.compile(r"(?i:a)b"))
    (None, None)
    """
    if not isinstance(pattern, re.Pattern) or not isinstance(pattern.pattern, str):
        return None
    tree = parse_pattern(pattern)
    flags: int = tree.state.flags
    pieces, empty = _pieces_of(tree, flags, last=False)
    if pieces is None or empty or any(f != flags for _, f in pieces):
        return None
    return re.compile("[" + "".join(dict.fromkeys(p for p, _ in pieces)) + "]", flags & _FLAGS)


def longest_match(pattern: re.Pattern[str]) -> int:
    """The most characters a match of ``pattern`` can span (``sys.maxsize`` if unbounded).

    >>> longest_match(re.compile(r"^\\d{1,2}:\\d{2}$")), longest_match(re.compile(r"a+")) > 10**9
    (5, True)
    """
    high: int = parse_pattern(pattern).getwidth()[1]
    return min(high, sys.maxsize)


def edge_class(char: str) -> str:
    """A line's first or last character as an edge set holds it: itself when ASCII, else
    :data:`OTHER`; the empty string (an empty line's) stays empty.

    >>> edge_class("a"), edge_class("é"), edge_class("")
    ('a', '\\x80', '')
    """
    return char if char < OTHER else OTHER


def _admits(edges: tuple[Chars, Chars], key: str) -> bool:
    """Whether a line whose first and last characters are ``key`` (empty for an empty
    line) passes a pattern's edge sets."""
    first, last = edges
    if not key:
        return first is None  # only a pattern that can match nothing matches ""
    a, b = (edge_class(c) for c in key)
    return (first is None or a in first) and (last is None or b in last)


class Gate:
    """A tuple of patterns with, for each pair of a line's first and last characters
    seen so far, the patterns worth trying on it (in their order)."""

    MAX_KEYS = 65536  # pairs remembered; past it the table starts again

    def __init__(self, patterns: tuple[re.Pattern[str], ...]) -> None:
        self.patterns = patterns
        self.edges = [pattern_edges(p) for p in patterns]
        self.table: dict[str, tuple[re.Pattern[str], ...]] = {}

    def worth_trying(self, text: str) -> tuple[re.Pattern[str], ...]:
        """The patterns, in order, that could match ``text``: any other cannot."""
        key = text[:1] + text[-1:]
        tries = self.table.get(key)
        if tries is None:
            if len(self.table) >= self.MAX_KEYS:
                self.table.clear()
            pairs = zip(self.patterns, self.edges, strict=True)
            tries = tuple(p for p, e in pairs if _admits(e, key))
            self.table[key] = tries
        return tries

    def matches(self, text: str) -> bool:
        """``any(p.match(text) for p in patterns)``, trying only the patterns that could:
        the patterns run are the same up to the first match, less those that cannot.

        >>> gate_of((re.compile(r"\\d+h$"), re.compile(r"now$"))).matches("now")
        True
        """
        return any(p.match(text) for p in self.worth_trying(text))

    def lines(self, texts: Sequence[str]) -> set[int]:
        """Indexes of the ``texts`` some pattern matches."""
        return {i for i, text in enumerate(texts) if self.matches(text)}


_GATES: dict[tuple[int, ...], Gate] = {}


def gate_of(patterns: tuple[re.Pattern[str], ...]) -> Gate:
    """The gate of a tuple of patterns, kept by the patterns' identities (hashing a
    compiled pattern hashes its whole program). A gate holds its patterns, so while it is
    kept no other pattern can take one of their ids."""
    key = tuple(map(id, patterns))
    gate = _GATES.get(key)
    if gate is None:
        if len(_GATES) >= 64:
            _GATES.clear()
        gate = _GATES[key] = Gate(patterns)
    return gate


def matching_lines(texts: Sequence[str], patterns: tuple[re.Pattern[str], ...]) -> set[int]:
    """Indexes of the ``texts`` some pattern matches (``pattern.match``); each text is
    tried only with the patterns its first and last characters allow.

    >>> sorted(matching_lines(["3h", "Now", "Headline", ""], (re.compile(r"(?i)^(?:\\d+h|now)$"),)))
    [0, 1]
    """
    return gate_of(patterns).lines(texts)
