"""Inline residue: spans cut out of running text (teaser links, video-player durations).

Pure functions over one line of text. Each returns what it removed with the rule's name and
column, so the audit can put every removed character back where it stood.
"""

from __future__ import annotations

import functools
import re
import re._parser as _sre_parser  # type: ignore[import-not-found]
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from ingest.edges import edge_class, first_class, parse_pattern, pattern_edges
from ingest.rules import InlineRule, Settings, TeaserCues

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


def words_from(text: str, pos: int, count: int) -> list[tuple[int, int, str]]:
    """The first ``count`` whitespace-separated words of ``text[pos:]`` with their spans.

    Splits a chunk just long enough instead of running a regex match per word, and never
    copies the rest of a long line.

    >>> words_from("ab  cd e", 1, 2)
    [(1, 2, 'b'), (4, 6, 'cd')]
    """
    size = 16 * count + 16
    while True:
        end = pos + size
        chunk = text[pos:end]
        # With a remainder after ``count`` words, those words are whole (whitespace follows).
        found = chunk.split(None, count)
        if len(found) > count or end >= len(text):
            break
        size *= 4
    spans = []
    at = 0
    for word in found[:count]:
        start = chunk.find(word, at)  # only whitespace lies between ``at`` and the word
        at = start + len(word)
        spans.append((pos + start, pos + at, word))
    return spans


def find_teaser_end(text: str, pos: int, cues: TeaserCues, settings: Settings) -> int | None:
    """Find where a teaser's headline, starting at ``pos``, gives way to the next sentence.

    Headlines carry no closing full stop, so the first word ending in "." closes the
    *following* sentence and bounds the search. Before it, in order of trust:

    1. a word ending in ? or ! (a question headline ends there);
    2. for a Title Case headline, the capital before the first lower-case word;
    3. a sentence opener: "And", "Meanwhile,", "It’s" after a lower-case word, or "The",
       "He", "But" even after a name ("... with Rangers The Celtic boss said");
    4. the subject of a reporting verb ("... in Nations League Ivan Jovanovic said");
    5. a capital or digit after a lower-case content word (never after "in", "the", ...:
       "rail links in Dundee" is one headline).

    A teaser that reaches the end of the line without a full stop ends there. None means no
    end could be found.

    >>> from ingest.rules import Settings, TeaserCues
    >>> c = TeaserCues(frozenset({"And", "The"}), frozenset({"The"}), frozenset({"said"}))
    >>> def cut(t): return t[:find_teaser_end(t, 0, c, Settings())]
    >>> cut("Tree-planting is not climate change fix, report urges And land borders shifted.")
    'Tree-planting is not climate change fix, report urges'
    >>> cut("Markets Rally As Fed Signals Pause The central bank said so.")
    'Markets Rally As Fed Signals Pause'
    >>> cut("Is this the end of the high street? Shoppers say no.")
    'Is this the end of the high street?'
    >>> cut("Fears grow for rail links in Dundee as costs soar Amara Nowak said so.")
    'Fears grow for rail links in Dundee as costs soar'
    >>> cut("Rodgers issues update ahead of clash with Rangers The Celtic boss said so.")
    'Rodgers issues update ahead of clash with Rangers'
    >>> cut("Serbia beaten in Nations League Ivan Jovanovic said it hurt.")
    'Serbia beaten in Nations League'
    >>> cut("Ferry fares frozen for islanders")
    'Ferry fares frozen for islanders'
    >>> cut("Train drivers' union Aslef accepts pay offer")
    "Train drivers' union Aslef accepts pay offer"
    """
    # Only the window and one word past it matter: listing every word to the end of the line
    # made a line of many teasers quadratic (100 KB of "READ MORE: x " took 90 s).
    words = words_from(text, pos, settings.max_teaser_words + 2)
    window = words[: settings.max_teaser_words + 1]
    if not window:
        return None
    if len(words) <= settings.max_teaser_words and not any(ends_sentence(w) for _, _, w in words):
        return words[-1][1]  # no sentence follows on the line: the teaser closes it
    # "." / "?" / "!" in a word is a cheap test that skips ends_sentence for most words.
    stop = next(
        (
            i
            for i, (_, _, w) in enumerate(window)
            if "." in w and ends_sentence(w) and w.rstrip(_CLOSING)[-1] == "."
        ),
        len(window),
    )
    lo = max(settings.min_teaser_words, 1)
    upto = min(stop, len(window) - 1)
    for i in range(lo, upto + 1):
        prev = window[i - 1][2]
        if (
            ("?" in prev or "!" in prev)
            and ends_sentence(prev)
            and prev.rstrip(_CLOSING)[-1] in "?!"
        ):
            return window[i - 1][1]
    if _is_title_case(window):
        end = _find_title_case_end(window[: stop + 1], cues.starters)
        if end is not None:
            return end
    # No sentence starts inside the headline's quote; most windows hold no quote at all.
    span = text[window[0][0] : window[-1][1]]
    quoted = (
        _inside_quotes(window)
        if "'" in span or "‘" in span or "“" in span or '"' in span
        else [False] * len(window)
    )
    for i in range(lo, min(stop, len(window))):
        if not quoted[i] and _opens_sentence(window[i - 1][2], window[i][2], cues):
            return window[i - 1][1]
    subject = _find_reporting_subject(window, lo, stop, cues)
    if subject is not None and not quoted[subject]:
        return window[subject - 1][1]
    for i in range(max(lo, 3), min(stop, len(window))):
        prev, word = window[i - 1][2], window[i][2]
        if quoted[i]:
            continue
        if is_capitalised(word) and _is_lower_content(prev) and prev.lower() not in _FUNCTION_WORDS:
            return window[i - 1][1]
        if word[:1].isdigit() and prev[-1] not in ":,-" and prev.lower() not in _FUNCTION_WORDS:
            return window[i - 1][1]  # "... at Hampden 40,000 tickets have been sold."
    for i in range(max(lo, 3), min(stop, len(window)) - 1):
        # Last resort before swallowing a sentence: "from October | Plans for the system".
        before, prev, word, after = (window[j][2] for j in (i - 2, i - 1, i, i + 1))
        if (
            before.lower() in _FUNCTION_WORDS
            and is_capitalised(prev)
            and is_capitalised(word)
            and _is_lower_content(after)
        ):
            return window[i - 1][1]
    if stop < len(window):
        # Before taking the full stop as the headline's own: "... to Glasgow | Tenants in the
        # city will benefit." (a subject after a name, then a verb or small word).
        split = _find_subject_after_name(window, max(lo, 3), stop)
        return window[split - 1][1] if split is not None else window[stop][1]
    if len(words) <= settings.max_teaser_words and not ends_sentence(words[-1][2]):
        return words[-1][1]  # a teaser closing the line: nothing after it to keep
    return None


def _inside_quotes(window: list[tuple[int, int, str]]) -> list[bool]:
    """For each word, whether a quote opened before it is still open.

    >>> _inside_quotes(words_from("says 'I thought I did' after", 0, 9))
    [False, False, True, True, True, False]
    """
    flags = []
    open_ = False
    for _, _, word in window:
        flags.append(open_)
        if word[0] in "‘“\"'" and not open_:
            open_ = True
            word = word[1:]
        if open_ and word.rstrip(",.;:!?")[-1:] in "’”\"'" and word.rstrip(",.;:!?"):
            open_ = False
    return flags


def find_teaser_start(text: str, marker: int, settings: Settings) -> int | None:
    """Where the headline before a trailing teaser marker (at ``marker``) starts, or None.

    "... the bar. Stocks rally after Fed decision Read more The bank ...": the headline runs
    back to the last sentence end (or the line's start), holds no sentence end itself,
    starts with a capital and has ``min_teaser_words`` to ``max_teaser_words`` words.

    >>> from ingest.rules import Settings
    >>> t = "It closed. Stocks rally after Fed decision Read more The bank held."
    >>> t[find_teaser_start(t, t.index("Read"), Settings()):t.index(" The bank")]
    'Stocks rally after Fed decision Read more'
    >>> find_teaser_start("It closed. Read more", 11, Settings()) is None
    True
    """
    lo = max(0, marker - 24 * (settings.max_teaser_words + 1))
    words = list(_TOKEN.finditer(text, lo, marker))
    start = None
    count = 0
    for word in reversed(words):
        if ends_sentence(word.group()) or count >= settings.max_teaser_words:
            break
        start, count = word.start(), count + 1
    else:
        if lo > 0:
            return None  # the window ran out before a sentence end: not a headline
    if start is None or count < max(settings.min_teaser_words, 2):
        return None
    if count >= settings.max_teaser_words or not is_capitalised(text[start : start + 1]):
        return None
    return start


def is_teaser_line(line: str, pos: int, settings: Settings) -> bool:
    """Say whether a line opening with a teaser marker (ending at ``pos``) is all teaser.

    A headline, or a run of them, with no full stop closing the line: the line's end is the
    link's end ("MORE: Stocks rally after Fed decision as Treasury yields slide").

    >>> from ingest.rules import Settings
    >>> is_teaser_line("MORE: Stocks rally after Fed decision", 6, Settings())
    True
    >>> is_teaser_line("WATCH: Is this the end? Shoppers say no.", 7, Settings())
    False
    """
    words = words_from(line, pos, settings.max_teaser_words + 1)
    if not words or len(words) > settings.max_teaser_words:
        return False
    last = words[-1][2]
    return not (ends_sentence(last) and last.rstrip(_CLOSING)[-1:] == ".")


def _opens_sentence(prev: str, word: str, cues: TeaserCues) -> bool:
    """A capitalised opener after a word a headline could end on."""
    if not is_capitalised(word) or _is_mark(prev) or prev[-1] in ":,":
        return False  # after "told reporters:" a capital opens a quote, not a sentence
    if prev.lower().strip(_OPENING + _CLOSING) in _FUNCTION_WORDS:
        return False  # "at The Open", "by Police Scotland"
    if word[0] in _OPENING and prev.lower() in cues.reporting_verbs:
        return False  # "Nurse says 'I thought I was going to die'": a quote in the headline
    form = starter_form(word)
    if form in cues.after_names:
        return True
    return form in cues.starters and not is_capitalised(prev)


# Lower-case words that follow a sentence's subject: auxiliaries, and the small words that
# start what the subject does or where ("Tenants in the city", "Bills will rise").
_AFTER_SUBJECT = frozenset(
    [
        "is",
        "are",
        "was",
        "were",
        "will",
        "would",
        "could",
        "can",
        "may",
        "might",
        "must",
        "should",
        "has",
        "have",
        "had",
        "do",
        "does",
        "did",
        "in",
        "on",
        "at",
        "to",
        "for",
        "of",
        "face",
        "faced",
        "say",
        "said",
        "says",
    ]
)


def _find_subject_after_name(window: list[tuple[int, int, str]], lo: int, stop: int) -> int | None:
    """Index of a capitalised subject right after a capitalised word, then a verb: a sentence.

    "Rent caps extended to Glasgow Tenants in the city will benefit." starts its sentence at
    "Tenants". Only used before giving the teaser the whole sentence up to its full stop.
    """
    for i in range(lo, min(stop, len(window) - 1)):
        prev, word, after = window[i - 1][2], window[i][2], window[i + 1][2]
        if (
            is_capitalised(word)
            and is_capitalised(prev)
            and not _is_mark(prev)
            and prev[-1] not in ":,"
            and after in _AFTER_SUBJECT
        ):
            return i
    return None


def _find_reporting_subject(
    window: list[tuple[int, int, str]], lo: int, stop: int, cues: TeaserCues
) -> int | None:
    """Index where the subject of the first reporting verb starts, if it reads as a name.

    "Ivan Jovanovic said", "The club said", "The Celtic boss confirmed", "Housing Minister
    James Browne said". At most two capitalised words make the name (a first mention gives
    the full name); a role word before it ("Minister", "chairwoman") and one capitalised
    word before that ("Housing", "Hearts") belong to the subject too.
    """
    verb = next(
        (
            i
            for i in range(lo + 1, min(stop + 1, len(window)))
            if window[i][2].rstrip(",.:") in cues.reporting_verbs
        ),
        None,
    )
    if verb is None:
        return None
    i = verb - 1
    lower = 0
    while (
        i >= lo
        and lower < 2
        and _is_lower_content(window[i][2])
        and not _is_role(window[i][2], cues)
    ):
        i, lower = i - 1, lower + 1  # "boss" in "The Celtic boss confirmed"
    names = 0
    while i >= lo and names < 2 and is_capitalised(window[i][2]) and not window[i][2].endswith(","):
        if names and _is_role(window[i][2], cues):
            break
        i, names = i - 1, names + 1
    if names == 0:
        return None
    start = i + 1
    if i >= lo and _is_role(window[i][2], cues):
        start = i
        if i - 1 >= lo and is_capitalised(window[i - 1][2]):
            start = i - 1  # "Housing Minister", "Hearts chairwoman"
    elif i >= lo and lower and starter_form(window[i][2]) in cues.after_names:
        start = i  # "The" before "Celtic boss"
    prev = window[start - 1][2]
    if prev.lower() in _FUNCTION_WORDS and names == 2 and start == i + 1:
        start += 1  # "defeat to Labour | Swinney said": the first capital was the object
        prev = window[start - 1][2]
    if start < lo or _is_mark(prev) or prev.lower() in _FUNCTION_WORDS:
        return None
    return start


def _is_role(word: str, cues: TeaserCues) -> bool:
    return word.lower().strip(",.’'") in cues.role_words


def _is_title_case(window: list[tuple[int, int, str]]) -> bool:
    """Four capitalised significant words in a row: a Title Case headline.

    A "Kicker:" opening ("Kate Forbes: Scotland's stories ...") is skipped, numbers are
    neutral ("10 Things We Learned"), and names alone ("Forbes and Ó Ceallaigh fundamentally
    ...") are too few to count.
    """
    words = [w for _, _, w in window[:9]]
    colon = next((i for i, w in enumerate(words[:3]) if w.endswith(":")), None)
    if colon is not None:
        words = words[colon + 1 :]
    # The first four significant words decide; stop at the first that is not a title word.
    seen = 0
    for w in words:
        if w.lower().strip(",:;") in _TITLE_SMALL or _is_mark(w) or w[:1].isdigit():
            continue
        if not _is_title_word(w):
            return False
        seen += 1
        if seen == 4:
            return True
    return False


def _is_title_word(word: str) -> bool:
    """Capitalised, or a brand spelled with an inner capital ("iPhone", "easyJet")."""
    core = word.lstrip(_OPENING)
    return is_capitalised(word) or (core[:1].islower() and any(c.isupper() for c in core[1:]))


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
        if _is_title_word(word) or _is_mark(word) or not word[:1].isalpha():
            continue
        if starter_form(prev) in starters and is_capitalised(prev):
            return window[i - 2][1]
        if word.lower().strip(",:;") in _TITLE_SMALL and not prev.endswith(","):
            # "Week of Disruption" goes on as a title; "Turnout in Leeds fell" is a sentence.
            after = [w for _, _, w in window[i + 1 : i + 3]]
            if not any(_is_lower_content(w) for w in after):
                continue
        if i >= 6 and starter_form(window[i - 2][2]) in starters:
            return window[i - 3][1]  # "Over Spurs | The Gunners were", "Brazil | A Senate vote"
        return window[i - 2][1]
    return None


def _is_lower_content(word: str) -> bool:
    return (
        word[:1].isalpha() and word[:1].islower() and word.lower().strip(",:;") not in _TITLE_SMALL
    )


# A name glued to the headline that follows it: "PelosiOvernight", "Carlson'Live".
_GLUE = re.compile(r"(?<=[a-z])(?=[A-Z0-9\"'‘“])")
_NAME_TOKEN = re.compile(r"^(?:\(?[A-Z][\w'’.-]*\)?|[A-Z]\.|de|da|del|van|von|der|la|le|bin|al)$")
_TOKEN = re.compile(r"\S+")
_SURNAME = re.compile(r"^[A-Z][A-Za-z'’-]*[a-z]$")
# How far before a card's closing marker its name may start: three headlines and a name.
_MAX_CARD_CHARS = 700
# Name words between the mention in the sentence and the card's glued surname.
_MAX_CARD_NAME_WORDS = 5


def find_card_start(line: str, lo: int, close: int) -> int | None:
    """Where a hover card that ``close`` (its closing marker) ends starts, or None.

    A people card inlined into a sentence repeats the name just mentioned in full, its last
    word glued to the first of the card's headlines, and ends at a marker: "Speaker Nancy
    Pelosi Nancy PelosiOvernight Health Care: ... MORE (D-Calif.) said". The card starts at
    the full name, which must follow a mention of the glued surname; ``lo`` bounds the
    search (the end of the previous card).

    >>> t = "Sen. Jeff Flake Jeffrey (Jeff) Lane FlakeFlake tells GOP: no MORE (R-Az.) said"
    >>> t[find_card_start(t, 0, t.index("MORE")):]
    'Jeffrey (Jeff) Lane FlakeFlake tells GOP: no MORE (R-Az.) said'
    >>> find_card_start("the McCain family met McDonald MORE", 0, 31) is None
    True
    """
    lo = max(lo, close - _MAX_CARD_CHARS)
    for glue in _GLUE.finditer(line, lo, close):
        at = glue.start()
        start = line.rfind(" ", lo, at) + 1
        surname = line[start:at]
        if not _SURNAME.match(surname) or _holds_full_stop(line[at:close]):
            continue  # a card is a run of headlines: "reported it. Read more" is prose
        before = list(_TOKEN.finditer(line, max(lo, start - 200), start))
        for k, tok in enumerate(reversed(before)):
            word = tok.group()
            if _strip_possessive(word) == surname:
                return before[len(before) - k].start() if k else start
            if k >= _MAX_CARD_NAME_WORDS or not _NAME_TOKEN.match(word):
                break
    return None


def _holds_full_stop(text: str) -> bool:
    """Say whether text holds a word closing a sentence with a full stop (not "Sen.").

    >>> _holds_full_stop("Sen. Alexander to self-quarantine"), _holds_full_stop("it. Read")
    (False, True)
    """
    return any(
        "." in w and ends_sentence(w) and w.rstrip(_CLOSING)[-1] == "." for w in text.split()
    )


def _strip_possessive(word: str) -> str:
    """A word as a name: without a possessive or closing punctuation.

    >>> _strip_possessive("Trump’s"), _strip_possessive("Flake,")
    ('Trump', 'Flake')
    """
    core = word.rstrip(",.;:")
    return core[:-2] if core.endswith(("'s", "’s")) else core


def find_cuts(
    line: str, rules: Iterable[InlineRule], cues: TeaserCues, settings: Settings
) -> list[Cut]:
    """List the non-overlapping spans the inline rules remove from a line, left to right."""
    cuts: list[Cut] = []
    for rule, plan in _plans_of(rules):
        after = 0  # a card starts after the previous card's closing marker
        for m in _scan(plan, line):
            if rule.kind == "regex":
                if m.end() > m.start():
                    cuts.append(Cut(rule.name, m.start(), m.end()))
                continue
            if rule.kind == "teaser_after":
                start = find_teaser_start(line, m.start(), settings)
                if start is not None:
                    cuts.append(Cut(rule.name, start, m.end()))
                continue
            if rule.kind == "card":
                start = find_card_start(line, after, m.start())
                if start is not None:
                    cuts.append(Cut(rule.name, start, m.end()))
                after = m.end()
                continue
            if m.start() == 0 and is_teaser_line(line, m.end(), settings):
                cuts.append(Cut(rule.name, 0, len(line)))
                continue
            end = find_teaser_end(line, m.end(), cues, settings)
            cuts.append(Cut(rule.name, m.start(), end if end is not None else m.end()))
    cuts.sort(key=lambda c: (c.start, -c.end))
    kept: list[Cut] = []
    for cut in cuts:
        if kept and cut.start < kept[-1].end:
            continue
        kept.append(cut)
    return kept


@dataclass(frozen=True)
class ScanPlan:
    """What a pattern's shape says about where its matches can be, worked out once per rule.

    ``required``: characters every match consumes. ``width``: the longest match, or None
    when unbounded (or too long for windows to pay). ``at_end``: every match ends at the end
    of the text (a top-level ``$`` or ``\\Z``, without MULTILINE). ``first``: a one-character
    class holding every character a match can start with (lookarounds skipped), or None.
    ``windows``: ``pattern.match`` at a position agrees with what a scan finds there.
    ``needles``: strings one of which every match contains (:func:`required_texts`), when
    they say more than ``required`` does.
    """

    pattern: re.Pattern[str]
    required: tuple[str, ...]
    width: int | None
    at_end: bool
    first: re.Pattern[str] | None = None
    windows: bool = True
    at_start: bool = False
    last: frozenset[str] | None = None
    needles: tuple[str, ...] | None = None


# Scoped flags, "(?u:...)", "(?-i:...)". CPython's scan checks a pattern's first character
# under the global flags only, so it can skip a start that match() accepts ("(?a)(?u:\d)"
# at an Arabic-Indic digit). Any such group in the source keeps a pattern on finditer.
_SCOPED_FLAGS = re.compile(r"\(\?[-aiLmsux]+:")


# Windows longer than this cost more match attempts than a plain scan saves.
_MAX_WINDOW = 64
# One match attempt costs about as much as the scanner stepping over this many characters.
_ATTEMPT_COST = 12


def scan_plan(pattern: re.Pattern[str]) -> ScanPlan:
    r"""Work out a pattern's :class:`ScanPlan` from its parsed form.

    >>> p = scan_plan(re.compile(r"(?:^|(?<=[.!] ))(?:\d{1,2}:)?[0-5]?\d:[0-5]\d$"))
    >>> p.required, p.width, p.at_end
    ((':',), 8, True)
    >>> p = scan_plan(re.compile(r"(?<!\w)(?:MORE|WATCH) ?: "))
    >>> sorted(p.required), p.width, p.at_end, p.first.findall("MOVE WATER")
    ([' ', ':'], 8, False, ['M', 'W'])
    >>> p = scan_plan(re.compile(r"(?m)x+:$"))
    >>> p.required, p.width, p.at_end
    ((':', 'x'), None, False)
    """
    # Rarest first by a rough guess (punctuation, digits, capitals, then the rest, space
    # last): the first one is the anchor, and only it is counted in each line.
    required = tuple(sorted(required_chars(pattern), key=_commonness))
    try:
        parsed = parse_pattern(pattern)
        hi = parsed.getwidth()[1]
        last = parsed.data[-1] if parsed.data else None
        # (a case-insensitive pattern keeps plain scans: its class, both cases, is unmeasured)
        first = None if pattern.flags & re.IGNORECASE else first_class(pattern)
    except Exception:  # a private parser: if it ever changes, just do not pre-filter
        return ScanPlan(pattern, required, None, at_end=False)
    at_end = (
        last is not None
        and last[0] is _sre_parser.AT
        and last[1] in (_sre_parser.AT_END, _sre_parser.AT_END_STRING)
        and not pattern.flags & re.MULTILINE
    )
    first_item = parsed.data[0] if parsed.data else None
    at_start = (
        first_item is not None
        and first_item[0] is _sre_parser.AT
        and first_item[1] in (_sre_parser.AT_BEGINNING, _sre_parser.AT_BEGINNING_STRING)
        and not pattern.flags & re.MULTILINE
    )
    width = hi if hi <= _MAX_WINDOW else None
    windows = not _SCOPED_FLAGS.search(pattern.pattern)
    last = pattern_edges(pattern)[1] if at_end else None
    texts = required_texts(pattern)
    # (a lone character is already in ``required`` when every match needs it)
    rare = texts and max(map(len, texts)) > 1 and all(map(_is_rare, texts))
    needles = tuple(sorted(texts)) if texts and rare else None
    return ScanPlan(
        pattern,
        required,
        width,
        at_end=at_end,
        first=first,
        windows=windows,
        at_start=at_start,
        last=last,
        needles=needles,
    )


def _is_rare(needle: str) -> bool:
    """Say whether prose seldom holds ``needle``: four characters or more, or a mark.

    >>> _is_rare("Read more"), _is_rare("»"), _is_rare("on "), _is_rare(":")
    (True, True, False, True)
    """
    return len(needle) >= 4 or any(not (ch.isalnum() or ch.isspace()) for ch in needle)


def _commonness(ch: str) -> tuple[int, str]:
    """Sort key putting characters likely to be rare in prose first.

    >>> sorted(" a:Q7", key=_commonness)
    [':', '7', 'Q', 'a', ' ']
    """
    if ch.isspace():
        rank = 4
    elif ch.islower():
        rank = 3
    elif ch.isupper():
        rank = 2
    elif ch.isdigit():
        rank = 1
    else:
        rank = 0
    return rank, ch


# Plans by pattern identity: hashing a compiled pattern rehashes its code on every call,
# and a rule's pattern lives as long as the loaded rules do.
_PLANS: dict[int, ScanPlan] = {}


def _plan_for(pattern: re.Pattern[str]) -> ScanPlan:
    plan = _PLANS.get(id(pattern))
    if plan is None or plan.pattern is not pattern:
        if len(_PLANS) >= 256:
            _PLANS.clear()  # rules reloaded many times (tests): start over
        plan = _PLANS[id(pattern)] = scan_plan(pattern)
    return plan


# The rule set last asked for, with each rule's plan: find_cuts runs every rule over every
# line, and looking a plan up per rule per line cost more than most rules' scans.
_RULE_PLANS: list[tuple[object, tuple[tuple[InlineRule, ScanPlan], ...]]] = []


def _plans_of(rules: Iterable[InlineRule]) -> tuple[tuple[InlineRule, ScanPlan], ...]:
    """Each rule with its :class:`ScanPlan`, kept for the last tuple of rules seen."""
    if _RULE_PLANS and _RULE_PLANS[0][0] is rules:
        return _RULE_PLANS[0][1]
    plans = tuple((rule, _plan_for(rule.pattern)) for rule in rules)
    if isinstance(rules, tuple):  # immutable: the same object always holds the same rules
        _RULE_PLANS[:] = [(rules, plans)]
    return plans


def find_matches(pattern: re.Pattern[str], line: str) -> Iterator[re.Match[str]]:
    r"""The matches of ``pattern.finditer(line)``, trying the pattern only where one can be.

    Rule patterns start with lookbehinds, which leave the regex engine no first character
    to skip ahead by: it attempts a match at every position of a line. Instead:

    * a line lacking a character every match consumes has no match;
    * a pattern ending in ``$`` is tried only in the last ``width + 1`` characters;
    * otherwise each match contains the anchor (the required character likeliest to be
      rare), so it starts at most ``width - 1`` before an anchor; only those starts whose
      character can begin a match are attempted (``pattern.match`` at a position sees the
      same lookbehind and ``^`` as a scan does), in order, resuming after each match as
      ``finditer`` does.

    >>> p = re.compile(r"(?<=\. )\d:\d\d")
    >>> [m.group() for m in find_matches(p, "At 3:10 no. 4:20 yes. 5:30 yes")]
    ['4:20', '5:30']
    >>> [m.group() for m in find_matches(re.compile(r"(?<= )\d:\d\d$"), "gone 1:00")]
    ['1:00']
    """
    return _scan(_plan_for(pattern), line)


def _scan(plan: ScanPlan, line: str) -> Iterator[re.Match[str]]:
    """:func:`find_matches` with the pattern's plan already in hand."""
    pattern = plan.pattern
    for ch in plan.required:
        if ch not in line:
            return iter(())  # a character every match needs is missing
    needles = plan.needles
    if needles is not None and not any(n in line for n in needles):
        return iter(())  # none of the words one of which every match holds ("continue")
    if plan.last is not None and edge_class(line[-1:]) not in plan.last:
        return iter(())  # every match ends the line, and none ends with its last character
    if plan.at_start:
        m = pattern.match(line)  # anchored at the line's start: one attempt, not one per column
        return iter((m,) if m is not None else ())
    width = plan.width
    if width is None:
        return pattern.finditer(line)
    if plan.at_end:
        return pattern.finditer(line, max(0, len(line) - 1 - width))
    anchor = plan.required[0] if plan.required and plan.windows else ""
    if not anchor and plan.first is not None and plan.windows:
        return _match_at_firsts(pattern, line, plan.first)
    if not anchor or line.count(anchor) * width * _ATTEMPT_COST > len(line):
        return pattern.finditer(line)  # no anchor, or anchors too dense for windows to pay
    return _match_near(pattern, line, anchor, width, plan.first)


def _match_at_firsts(
    pattern: re.Pattern[str], line: str, first: re.Pattern[str]
) -> Iterator[re.Match[str]]:
    """``finditer``'s matches, trying only the starts a match can begin at (``first``).

    A pattern that opens with a lookbehind gives the regex engine no first character to
    skip ahead by, so ``finditer`` attempts a match at every position of the line
    (``(?<=\\S )(?:READ MORE|MORE|»)``: every character of a 500-character paragraph).
    A match consumes its first character (``first`` exists only then), so matches are
    never empty and the scan resumes at each one's end.

    >>> p = re.compile(r"(?<=\\S )(?:MORE|»)(?!\\w)")
    >>> [m.span() for m in _match_at_firsts(p, "a MORE b » MOREX c MORE", re.compile("[M»]"))]
    [(2, 6), (9, 10), (19, 23)]
    """
    pos, end = 0, len(line) - 1
    while (m := _leftmost_match(pattern, line, pos, end, first)) is not None:
        yield m
        pos = m.end()


def _match_near(
    pattern: re.Pattern[str],
    line: str,
    anchor: str,
    width: int,
    first: re.Pattern[str] | None,
) -> Iterator[re.Match[str]]:
    """``finditer``'s matches, each of which consumes ``anchor`` and is at most ``width`` long.

    A match starting at ``s`` holds an anchor in ``[s, s + width)``; so, with ``c`` the
    first anchor at or after the resume point, no match starts before ``c - width + 1``,
    and any match starting at or before ``c`` comes first. Within that window only the
    characters a match can start with (``first``) are tried.
    """
    pos = 0
    while (c := line.find(anchor, pos)) >= 0:
        m = _leftmost_match(pattern, line, max(pos, c - width + 1), c, first)
        if m is None:
            pos = c + 1
        else:
            yield m
            pos = m.end()  # resume after it, as finditer does


def _leftmost_match(
    pattern: re.Pattern[str], line: str, lo: int, hi: int, first: re.Pattern[str] | None
) -> re.Match[str] | None:
    """The match of ``pattern`` starting leftmost in ``line[lo:hi + 1]``, or None.

    ``first`` (a one-character class) skips the starts no match can begin at.

    >>> _leftmost_match(re.compile(r"b+"), "abcbb", 0, 4, re.compile("[b]"))
    <re.Match object; span=(1, 2), match='b'>
    """
    s = lo
    while s <= hi:
        if first is not None:
            f = first.search(line, s, hi + 1)  # one character: the end bound changes nothing
            if f is None:
                return None
            s = f.start()
        m = pattern.match(line, s)
        if m is not None:
            return m
        s += 1
    return None


@functools.lru_cache(maxsize=256)
def required_chars(pattern: re.Pattern[str]) -> frozenset[str]:
    r"""Characters every match of ``pattern`` contains: a line without one cannot match.

    Scanning a line with a regex costs far more than looking for a character in it, and the
    built-in rules all need a colon (``READ MORE: ``, ``3:10``), which most lines lack.
    Conservative: lookarounds, optional parts and case-insensitive literals require nothing,
    and a pattern the parser does not understand requires nothing.

    >>> sorted(required_chars(re.compile(r"(?<!\w)(?:MORE|WATCH) ?: ")))
    [' ', ':']
    >>> sorted(required_chars(re.compile(r"(?:\d{1,2}:)?[0-5]?\d:[0-5]\d$")))
    [':']
    >>> sorted(required_chars(re.compile(r"(?i)watch: |x")))
    []
    """
    if pattern.flags & re.IGNORECASE:
        return frozenset()
    try:
        parsed = parse_pattern(pattern)
        return frozenset(_required(parsed))
    except Exception:  # a private parser: if it ever changes, just do not pre-filter
        return frozenset()


def _required(items: Any) -> set[str]:
    c = _sre_parser
    need: set[str] = set()
    for op, av in items:
        if op is c.LITERAL:
            need.add(chr(av))
        elif op is c.SUBPATTERN:
            if not av[1] & re.IGNORECASE:  # (?i:...) matches either case
                need |= _required(av[3])
        elif op is c.ATOMIC_GROUP:
            need |= _required(av)
        elif op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT):
            if av[0] >= 1:
                need |= _required(av[2])
        elif op is c.BRANCH:
            branches = [_required(branch) for branch in av[1]]
            need |= set.intersection(*branches) if branches else set()
    return need


# Alternatives a run of literals may expand to ("[Cc]ontinue": two) before it says too little.
_MAX_NEEDLES = 8


@functools.lru_cache(maxsize=256)
def required_texts(pattern: re.Pattern[str]) -> frozenset[str] | None:
    r"""Strings one of which every match of ``pattern`` contains, or None when unknown.

    A character alone says little ("e", " "); a word a match needs ("below" or "BELOW")
    lets a line that lacks it skip the regex, whose lookbehind otherwise makes it try every
    position. The longest such run of literals is chosen; case-insensitive patterns and
    patterns the parser does not understand have none.

    >>> sorted(required_texts(re.compile(r"(?<=\. )(?:[Cc]ontinue[sd]?|CONTINUE) (?:below)?")))
    ['CONTINUE', 'Continue', 'continue']
    >>> sorted(required_texts(re.compile(r"(?<=\S )(?:READ MORE|MORE|»)(?!\w)")))
    ['MORE', 'READ MORE', '»']
    >>> required_texts(re.compile(r"(?i)more")), required_texts(re.compile(r"\d+:\d\d"))
    (None, frozenset({':'}))
    """
    if pattern.flags & (re.IGNORECASE | re.LOCALE):
        return None
    try:
        found = _needles(parse_pattern(pattern))
    except Exception:  # a private parser: if it ever changes, just do not pre-filter
        return None
    return frozenset(found) if found else None


def _needles(items: Any) -> set[str] | None:
    """The best set of strings one of which every match of a parsed sequence contains."""
    best: set[str] | None = None

    def weigh(cands: set[str] | None) -> None:
        nonlocal best
        if not cands or "" in cands or len(cands) > _MAX_NEEDLES:
            return
        if best is None or min(map(len, cands)) > min(map(len, best)):
            best = cands

    run = {""}  # what the consecutive fixed items so far match, in full
    for item in items:
        full = _fixed(item)
        if full is not None and len(run) * len(full) <= _MAX_NEEDLES:
            run = {a + b for a in run for b in full}
            continue
        weigh(run)
        run = full if full is not None else {""}
        if full is None:
            weigh(_inner_needles(item))
    weigh(run)
    return best


def _inner_needles(item: Any) -> set[str] | None:
    """What a group, a branch or a repeat that is not a fixed string requires inside."""
    c = _sre_parser
    op, av = item
    if op is c.SUBPATTERN and not av[1] and not av[2]:
        return _needles(av[3])
    if op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT) and av[0] >= 1:
        return _needles(av[2])
    if op is c.BRANCH:
        union: set[str] = set()
        for branch in av[1]:
            got = _needles(branch)
            if not got:
                return None  # a branch that requires nothing: the whole requires nothing
            union |= got
        return union
    return None


def _fixed(item: Any) -> set[str] | None:
    """Every string a parsed item matches, when it matches a few fixed strings, else None."""
    c = _sre_parser
    op, av = item
    if op is c.LITERAL:
        return {chr(av)}
    if op is c.IN:
        if all(o is c.LITERAL for o, _ in av):
            return {chr(v) for _, v in av}
        return None
    if op is c.SUBPATTERN and not av[1] and not av[2]:
        return _fixed_sequence(av[3])
    if op is c.BRANCH:
        out: set[str] = set()
        for branch in av[1]:
            got = _fixed_sequence(branch)
            if got is None:
                return None
            out |= got
        return out if len(out) <= _MAX_NEEDLES else None
    return None


def _fixed_sequence(items: Any) -> set[str] | None:
    out = {""}
    for item in items:
        full = _fixed(item)
        if full is None or len(out) * len(full) > _MAX_NEEDLES:
            return None
        out = {a + b for a in out for b in full}
    return out


# A line ending in one of these has a stop of its own: no pull quote glued to a paragraph.
_STOPPED = '.!?:;,"”’)'


def group_quotable(texts: Iterable[str]) -> dict[str, list[str]]:
    """The lines a pull quote could repeat (six words or more, no stop at the end), by first
    word: what :func:`find_glued_repeat` compares a line with.

    >>> group_quotable(["One two three four five six", "One line.", "Six words, all of them here"])
    {'One': ['One two three four five six'], 'Six': ['Six words, all of them here']}
    """
    quotable: dict[str, list[str]] = {}
    for text in texts:
        if text.count(" ") >= 5 and text[-1] not in _STOPPED:
            quotable.setdefault(text.split(" ", 1)[0], []).append(text)
    return quotable


def find_glued_repeat(line: str, others: Iterable[str]) -> Cut | None:
    """A pull quote glued to the paragraph it was lifted from: the line opens with another
    line of the same story, word for word and with no stop of its own, and a capital opens
    what follows ("<pull quote> The flag represents ..."). Only a repeat of six words or
    more, so a paragraph that opens like a short subheading keeps its words.

    >>> pull = "Revisionism is attacking everything Southern on every level across America"
    >>> find_glued_repeat(pull + " The flag stands for honour and faith.", [pull, "Other."])
    Cut(rule='glued_repeat', start=0, end=75)
    >>> find_glued_repeat("Voters went to the polls in record numbers on Monday morning.",
    ...     ["Voters went to the polls"])
    """
    for other in others:
        n = len(other)
        if (
            n < len(line) - 1
            and line.startswith(other)
            and line[n] == " "
            and other[-1] not in _STOPPED
            and len(other.split()) >= 6
            and line[n + 1 : n + 2].isupper()
        ):
            return Cut("glued_repeat", 0, n + 1)
    return None


# Two to six capitalised words, no stop among or after them, closing a line after a sentence.
_GLUED_CAPTION = re.compile(
    r"[.!?…][\"”’]? (?P<caption>[A-Z][\w'’-]*"
    r"(?: (?:[A-Z][\w'’.-]*[\w'’]|[A-Z]|of|de|van|von|al)){1,5})$"
)


def find_glued_caption(line: str) -> Cut | None:
    """A picture's caption glued after a paragraph's last sentence: a name or a label in
    capitalised words with no stop ("... at a White House meeting. Tattletale Dicky Durbin").
    Only for a paragraph that another follows (the caller's part): a story's last line may
    be a body cut short in the middle of a name ("... on Monday. President Donald Trump").

    >>> line = "It was used at a White House meeting on immigration. Tattletale Dicky Durbin"
    >>> find_glued_caption(line)
    Cut(rule='glued_caption', start=53, end=76)
    >>> [find_glued_caption(t) for t in ("He met Dick Durbin.", "It rained. Then it stopped",
    ...     "He left. Durbin", "He said it was fine. U.S. Senate",
    ...     "said Ann Lee, the former head of the U.S. Bureau of Labor Statistics",
    ...     "The (Wilmington, Del.) News Journal")]
    [None, None, None, None, None, None]
    """
    m = _GLUED_CAPTION.search(line)
    if m is None:
        return None
    start = m.start("caption")
    before = line[: start - 1].split()
    if len(before) < 6 or not ends_sentence(before[-1]):
        return None  # "... the Commissioner of the U.S. Bureau of Labor Statistics"
    return Cut("glued_caption", start, m.end())


def apply_cuts(line: str, cuts: list[Cut]) -> str:
    """Remove the cuts from a line, closing each gap with a single space.

    >>> apply_cuts("the bar. 3:10 Zelenskyy knows", [Cut("video_duration", 9, 13)])
    'the bar. Zelenskyy knows'
    >>> apply_cuts("Trump Donald TrumpX MORE's ad", [Cut("hover_card", 6, 24)])
    "Trump's ad"
    """
    pieces: list[str] = []
    prev = 0
    for cut in cuts:
        pieces.append(line[prev : cut.start])
        prev = cut.end
    pieces.append(line[prev:])
    last = len(pieces) - 1
    kept = [pieces[0].rstrip() if last else pieces[0]]
    for i in range(1, last + 1):
        piece = pieces[i].strip() if i < last else pieces[i].lstrip()
        if kept[-1] and _GLUES_BACK.match(piece):
            kept[-1] += piece  # "Trump" + "'s controversial ad": no space before "'s" or ","
        else:
            kept.append(piece)
    # One join: adding piece by piece copied the line once per cut (quadratic on long lines).
    return " ".join(p for p in kept if p).strip()


# A kept piece that attaches to the word before a cut: a possessive, or closing punctuation.
_GLUES_BACK = re.compile(r"[’']s\b|[,.;:!?]")
