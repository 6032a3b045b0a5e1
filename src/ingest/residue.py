"""Inline residue: spans cut out of running text (teaser links, video-player durations).

Pure functions over one line of text. Each returns what it removed with the rule's name and
column, so the audit can put every removed character back where it stood.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from ingest.rules import InlineRule, Settings

_WORD = re.compile(r"\S+")
_OPENING = "“‘\"'(["
_CLOSING = "”’\"')]"
# Lower-case words a Title Case headline keeps in lower case.
_TITLE_SMALL = frozenset(
    "a an and as at but by for from in into of on or over per the to up via vs with".split()  # noqa: SIM905
)
_ABBREVIATION = re.compile(
    r"^(?:[A-Z]\.)+$|^(?:Mr|Mrs|Ms|Dr|St|Prof|Gen|Sen|Rep|Gov|No|vs|Jr|Sr|Inc|Ltd|Co|Lt|Col|Sgt)\.$"
)


@dataclass(frozen=True)
class Cut:
    """A span of a line to remove: ``line[start:end]``, removed by ``rule``."""

    rule: str
    start: int
    end: int


def ends_sentence(word: str) -> bool:
    """Say whether a word closes a sentence (full stop, ? or !, maybe inside quotes).

    >>> ends_sentence("bar.")
    True
    >>> ends_sentence('said."')
    True
    >>> ends_sentence("U.S.")
    False
    >>> ends_sentence("urges")
    False
    """
    core = word.rstrip(_CLOSING)
    if not core or core[-1] not in ".!?…":
        return False
    return not _ABBREVIATION.match(core)


def is_capitalised(word: str) -> bool:
    """Say whether a word starts with a capital letter, ignoring opening quotes.

    >>> is_capitalised("“And")
    True
    >>> is_capitalised("iPhone")
    False
    """
    core = word.lstrip(_OPENING)
    return bool(core) and core[0].isupper()


def find_teaser_end(
    text: str, pos: int, starters: frozenset[str], settings: Settings
) -> int | None:
    """Find where a teaser's headline, starting at ``pos``, gives way to the next sentence.

    Headlines have no closing full stop, so the end is where a sentence visibly starts: after
    a word ending in . ? or !, at a capitalised sentence-opening word ("And", "Meanwhile,")
    in a sentence-case headline, or at the capitalised word before the first lower-case word
    in a Title Case headline. A teaser with no such point that reaches the end of the line
    within ``max_teaser_words`` ends there. None means no end could be found.

    >>> from ingest.rules import Settings
    >>> s, st = Settings(), frozenset({"And", "Meanwhile", "The"})
    >>> t = "Tree-planting is not climate change fix, report urges And land borders"
    >>> t[:find_teaser_end(t, 0, st, s)]
    'Tree-planting is not climate change fix, report urges'
    >>> t = "Markets Rally As Fed Signals Pause The central bank said"
    >>> t[:find_teaser_end(t, 0, st, s)]
    'Markets Rally As Fed Signals Pause'
    >>> t = "Is this the end of the high street? Shoppers say no"
    >>> t[:find_teaser_end(t, 0, st, s)]
    'Is this the end of the high street?'
    """
    words = [(m.start(), m.end(), m.group()) for m in _WORD.finditer(text, pos)]
    window = words[: settings.max_teaser_words + 1]
    lo = max(settings.min_teaser_words, 1)
    for i in range(lo, len(window)):
        prev, word = window[i - 1][2], window[i][2]
        if not is_capitalised(word):
            continue
        if ends_sentence(prev):
            return window[i - 1][1]
        if word.lstrip(_OPENING).rstrip(",;:") in starters and not is_capitalised(prev):
            return window[i - 1][1]
    title_end = _find_title_case_end(window)
    if title_end is not None:
        return title_end
    fits = len(words) <= settings.max_teaser_words
    if fits and words and not ends_sentence(words[-1][2]):
        return words[-1][1]  # a teaser closing the line: nothing after it to keep
    for i in range(max(lo, 3), len(window)):
        if is_capitalised(window[i][2]) and not is_capitalised(window[i - 1][2]):
            return window[i - 1][1]
    return words[-1][1] if fits and words else None


def _find_title_case_end(window: list[tuple[int, int, str]]) -> int | None:
    """In a Title Case headline, the sentence starts at the capital before the first lower word.

    Needs three capitalised significant words among the first four, so that a sentence-case
    headline opening with a name ("Kate Forbes: Scotland's stories ...") is not taken for one.
    """
    head = [w for _, _, w in window[:4] if w.lower().strip(",:;") not in _TITLE_SMALL]
    if len(head) < 3 or not all(is_capitalised(w) for w in head):
        return None
    for i in range(4, len(window)):
        word = window[i][2]
        if is_capitalised(word) or word.lower().strip(",:;") in _TITLE_SMALL:
            continue
        if not word[:1].isalpha():
            return None
        return window[i - 2][1]
    return None


def find_cuts(
    line: str, rules: Iterable[InlineRule], starters: frozenset[str], settings: Settings
) -> list[Cut]:
    """List the non-overlapping spans the inline rules remove from a line, left to right."""
    cuts: list[Cut] = []
    for rule in rules:
        for m in rule.pattern.finditer(line):
            if rule.kind == "regex":
                if m.end() > m.start():
                    cuts.append(Cut(rule.name, m.start(), m.end()))
                continue
            end = find_teaser_end(line, m.end(), starters, settings)
            cuts.append(Cut(rule.name, m.start(), end if end is not None else m.end()))
    cuts.sort(key=lambda c: (c.start, -c.end))
    kept: list[Cut] = []
    for cut in cuts:
        if kept and cut.start < kept[-1].end:
            continue
        kept.append(cut)
    return kept


def apply_cuts(line: str, cuts: list[Cut]) -> str:
    """Remove the cuts from a line, closing each gap with a single space.

    >>> apply_cuts("the bar. 3:10 Zelenskyy knows", [Cut("video_duration", 9, 13)])
    'the bar. Zelenskyy knows'
    """
    pieces: list[str] = []
    prev = 0
    for cut in cuts:
        pieces.append(line[prev : cut.start])
        prev = cut.end
    pieces.append(line[prev:])
    out = pieces[0].rstrip() if len(pieces) > 1 else pieces[0]
    for piece in pieces[1:]:
        piece = piece.strip() if piece is not pieces[-1] else piece.lstrip()
        if piece:
            out = f"{out} {piece}" if out else piece
    return out.strip()
