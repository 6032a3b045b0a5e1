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
# A headline does not end on these, so "rail links in Dundee" is not a sentence break.
_FUNCTION_WORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "of",
        "in",
        "on",
        "at",
        "to",
        "for",
        "from",
        "by",
        "with",
        "into",
        "onto",
        "over",
        "under",
        "as",
        "and",
        "or",
        "but",
        "nor",
        "than",
        "that",
        "which",
        "who",
        "whose",
        "its",
        "his",
        "her",
        "their",
        "our",
        "your",
        "my",
        "this",
        "these",
        "those",
        "is",
        "are",
        "was",
        "were",
        "be",
        "about",
        "after",
        "before",
        "between",
        "against",
        "during",
        "without",
        "within",
        "via",
        "per",
        "amid",
    ]
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


def starter_form(word: str) -> str:
    """The bare word a sentence-starter list is checked against.

    >>> starter_form("“It’s"), starter_form("Meanwhile,"), starter_form("Siluanov’s")
    ('It', 'Meanwhile', 'Siluanov')
    """
    core = word.lstrip(_OPENING).rstrip(",;:")
    return re.split(r"[’']", core, maxsplit=1)[0] if core else core


def _is_mark(word: str) -> bool:
    """A token that is only punctuation (a dash or colon inside a headline)."""
    return not any(ch.isalnum() for ch in word)


def find_teaser_end(
    text: str, pos: int, starters: frozenset[str], settings: Settings
) -> int | None:
    """Find where a teaser's headline, starting at ``pos``, gives way to the next sentence.

    Headlines carry no closing full stop, so the first word ending in "." closes the
    *following* sentence and bounds the search. Before it, in order of trust: a capitalised
    sentence opener ("And", "Meanwhile,", "It’s") after a lower-case word; a word ending in
    ? or ! (a question headline); for a Title Case headline, the capital before the first
    lower-case word; else the first capitalised word after a lower-case content word (not
    "in", "the", ...: "rail links in Dundee" is one headline). A teaser that reaches the end
    of the line without a full stop ends there. None means no end could be found.

    >>> from ingest.rules import Settings
    >>> s, st = Settings(), frozenset({"And", "Meanwhile", "The", "It"})
    >>> def cut(t): return t[:find_teaser_end(t, 0, st, s)]
    >>> cut("Tree-planting is not climate change fix, report urges And land borders shifted.")
    'Tree-planting is not climate change fix, report urges'
    >>> cut("Markets Rally As Fed Signals Pause The central bank said so.")
    'Markets Rally As Fed Signals Pause'
    >>> cut("Is this the end of the high street? Shoppers say no.")
    'Is this the end of the high street?'
    >>> cut("Fears grow for rail links in Dundee as costs soar Amara Nowak said so.")
    'Fears grow for rail links in Dundee as costs soar'
    >>> cut("Ferry fares frozen for islanders")
    'Ferry fares frozen for islanders'
    """
    words = [(m.start(), m.end(), m.group()) for m in _WORD.finditer(text, pos)]
    window = words[: settings.max_teaser_words + 1]
    if not window:
        return None
    stop = next(
        (
            i
            for i, (_, _, w) in enumerate(window)
            if ends_sentence(w) and w.rstrip(_CLOSING)[-1] == "."
        ),
        len(window),
    )
    lo = max(settings.min_teaser_words, 1)
    title = _is_title_case(window)
    for i in range(lo, stop + 1 if stop < len(window) else len(window)):
        prev, word = window[i - 1][2], window[i][2]
        if ends_sentence(prev) and prev.rstrip(_CLOSING)[-1] in "?!":
            return window[i - 1][1]
        if i >= stop:
            break
        if (
            not title
            and is_capitalised(word)
            and starter_form(word) in starters
            and not is_capitalised(prev)
            and not _is_mark(prev)
            and prev[-1] not in ":,"  # "told reporters: “We ..." quotes inside a sentence
        ):
            return window[i - 1][1]
    if title:
        end = _find_title_case_end(window[: stop + 1], starters)
        if end is not None:
            return end
    for i in range(max(lo, 3), min(stop, len(window))):
        prev, word = window[i - 1][2], window[i][2]
        if (
            is_capitalised(word)
            and not is_capitalised(prev)
            and not _is_mark(prev)
            and prev.lower() not in _FUNCTION_WORDS
        ):
            return window[i - 1][1]
    if stop < len(window):
        return window[stop][1]  # a headline written with a full stop
    if len(words) <= settings.max_teaser_words and not ends_sentence(words[-1][2]):
        return words[-1][1]  # a teaser closing the line: nothing after it to keep
    return None


def _is_title_case(window: list[tuple[int, int, str]]) -> bool:
    """Four capitalised significant words in a row: a Title Case headline.

    A "Kicker:" opening ("Kate Forbes: Scotland's stories ...") is skipped, and names alone
    ("Forbes and Ó Ceallaigh fundamentally ...") are too few to count.
    """
    words = [w for _, _, w in window[:8]]
    colon = next((i for i, w in enumerate(words[:3]) if w.endswith(":")), None)
    if colon is not None:
        words = words[colon + 1 :]
    head = [w for w in words if w.lower().strip(",:;") not in _TITLE_SMALL and not _is_mark(w)]
    return len(head) >= 4 and all(is_capitalised(w) for w in head[:4])


def _find_title_case_end(
    window: list[tuple[int, int, str]], starters: frozenset[str]
) -> int | None:
    """In a Title Case headline, the sentence starts at the capital before the first lower word.

    A sentence opener followed by a lower-case word ("Speaking in", "The central") starts it
    at once. A lower-case small word ("of", "a") continues the title unless the word before it
    ends in a comma ("Meanwhile, a union ...") or a lower-case content word follows soon.
    """
    for i in range(4, len(window)):
        word, prev = window[i][2], window[i - 1][2]
        if is_capitalised(word) or _is_mark(word) or not word[:1].isalpha():
            continue
        if starter_form(prev) in starters and is_capitalised(prev):
            return window[i - 2][1]
        if word.lower().strip(",:;") in _TITLE_SMALL and not prev.endswith(","):
            # "Week of Disruption" goes on as a title; "Turnout in Leeds fell" is a sentence.
            after = [w for _, _, w in window[i + 1 : i + 3]]
            if not any(_is_lower_content(w) for w in after):
                continue
        return window[i - 2][1]
    return None


def _is_lower_content(word: str) -> bool:
    return (
        word[:1].isalpha() and word[:1].islower() and word.lower().strip(",:;") not in _TITLE_SMALL
    )


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
