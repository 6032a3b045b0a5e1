"""Story splitting: find related-story headers and cut a dump into one block per story.

A related story opens with [outlet] / relative time / [- outlet] / headline; the relative
time line is the anchor, with an outlet line above it or a byline below it (or both). The
main story is everything before the first header. Page chrome is found as runs of whole
lines matching the detected profiles' chrome rules.
"""

from __future__ import annotations

import collections
import contextlib
import dataclasses
import functools
import itertools
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from ingest.edges import gate_of, longest_match, matching_lines
from ingest.published import STAMP_WORDS
from ingest.residue import ends_sentence, is_capitalised
from ingest.rules import LineRule, Profile, Rules
from ingest.user_regex import is_budgeted


@dataclass(frozen=True)
class Header:
    """The header lines of a related story; line numbers are 0-based, None when absent."""

    outlet: str | None
    outlet_line: int | None
    published_text: str
    published_line: int
    byline: str | None
    byline_line: int | None
    headline: str | None
    headline_line: int | None
    # Spans (start, end) of the time line's other fields, in its stripped text, when the
    # outlet and time share one line ("By Name | Outlet | 3h | 5 min read": all but the
    # outlet and the time).
    fields: tuple[tuple[int, int], ...] = ()
    # Whole lines of the header that are fields of their own: a reading time under the
    # time ("3 min read"), removed as header_field.
    field_lines: tuple[int, ...] = ()
    # Spans of the headline line's other fields when it also names the outlet
    # ("Headline - Reuters", as RSS readers print it): the separator.
    headline_fields: tuple[tuple[int, int], ...] = ()
    # The outlet and time printed under the story's snippet, not over it ("Headline" /
    # snippet / "Reuters · 3h", as Bing News prints a card): the body is between.
    footer: bool = False

    @property
    def start(self) -> int:
        lines = (self.outlet_line, self.published_line, self.headline_line)
        return min(n for n in lines if n is not None)

    @property
    def last(self) -> int:
        lines = (self.outlet_line, self.published_line, self.byline_line, self.headline_line)
        return max([*(n for n in lines if n is not None), *self.field_lines])


@dataclass(frozen=True)
class Block:
    """A story's lines ``[start, end)``; ``header`` is None for the main story."""

    start: int
    end: int
    header: Header | None


def detect_profiles(lines: list[str], rules: Rules) -> tuple[Profile, ...]:
    """The aggregator profiles whose signature lines the dump shows."""
    stripped = [text for text in map(str.strip, lines) if text]
    return tuple(p for p in rules.profiles if p.matches(stripped))


def _holds_sentence_break(words: list[str], marks: str) -> bool:
    """A word closing a sentence (not an abbreviation like "U.S." or "Gov.") before a capital."""
    return any(
        ends_sentence(w) and w.rstrip("”’\"')]")[-1] in marks and is_capitalised(nxt)
        for w, nxt in itertools.pairwise(words)
    )


def looks_like_outlet(line: str, max_chars: int) -> bool:
    """Say whether a line could be an outlet name: short, and not a sentence.

    >>> looks_like_outlet("Sky News", 60), looks_like_outlet("Yahoo! News", 60)
    (True, True)
    >>> looks_like_outlet("St. Louis Post-Dispatch", 60)
    True
    >>> looks_like_outlet("He said it was over.", 60)
    False
    """
    s = line.strip()
    if not 0 < len(s) <= max_chars or s[-1] in ".?:;,":
        return False
    return not _holds_sentence_break(s.split(), ".?")


# A headline may hold a short sentence before its main clause ("Mon dieu! Trump arrives
# ...", "'Virginia is blue.' Democrats regain ...") up to this many words; a longer line
# with a sentence break inside is a paragraph.
_MAX_KICKER_HEADLINE_WORDS = 20
# A state or region abbreviation closing a dateline-style headline: "..., Pa.", "..., Calif."
_PLACE_ABBREVIATION = re.compile(r"^[A-Z][a-z]{1,4}\.$")


# Sentence ends of scripts written without spaces: a line closing with one is a sentence.
_FULL_WIDTH_ENDS = frozenset("。！？")


def looks_like_headline(line: str, max_words: int) -> bool:
    """Say whether a first line reads as a headline rather than a paragraph.

    A headline does not close with a full stop (an abbreviation such as "U.S." or a place's
    ", Pa." is none) and holds one sentence; a short one may open with a kicker sentence
    ("Mon dieu! Trump arrives ...") when its own last words carry no closing mark. A
    question is a headline.

    >>> looks_like_headline("Trump and Putin fundamentally misunderstand each other", 40)
    True
    >>> looks_like_headline("Petty insults aside, Putin has got what he wanted.", 40)
    False
    >>> looks_like_headline("Can the ceasefire hold?", 40)
    True
    >>> looks_like_headline("Gov. Newsom signs AI bill as tariffs imposed by the U.S.", 40)
    True
    >>> looks_like_headline("Steel plant to close in Johnstown, Pa.", 40)
    True
    >>> looks_like_headline("Mon dieu! Trump arrives at G7 summit amid tensions over wine", 40)
    True
    >>> looks_like_headline("Talks ended. Both sides blamed each other. No date was set", 40)
    True
    >>> looks_like_headline("What happens next is anyone's guess. Who will pay for it?", 40)
    False

    A line in title case is a headline whatever closes it: prose capitalises few words.

    >>> looks_like_headline("The World Is Getting Better. It's Just That No One Tells You.", 40)
    True
    >>> looks_like_headline("The Senate Voted On Tuesday.", 40)
    False
    >>> looks_like_headline("Ferries will resume. Islanders have faced weeks of cancellations"
    ...                     " since the storm, and the council says the operator must now"
    ...                     " explain why the timetable failed", 40)
    False
    """
    words = line.split()
    if not words or len(words) > max_words or line.rstrip()[-1] in _FULL_WIDTH_ENDS:
        return False
    if len(words) <= _MAX_KICKER_HEADLINE_WORDS and _title_case(words):
        return True
    last = words[-1].rstrip("”’\"')]")
    if ends_sentence(words[-1]) and last[-1:] in ".…" and not _ends_with_place(words):
        return False
    if not _holds_sentence_break(words, ".!?"):
        return True
    # Two sentences: a kicker before an unpunctuated headline, not a short paragraph.
    return len(words) <= _MAX_KICKER_HEADLINE_WORDS and not ends_sentence(words[-1])


# A two-sentence title in sentence case ("Land mines are back. Why the U.S. wants them
# again.") is told from a short first paragraph by the paragraph under it: at most this many
# words in the title, and the line under it this many times longer and a paragraph's length.
_MAX_TWO_SENTENCE_TITLE_WORDS = 16
_PARAGRAPH_UNDER_TITLE = 2.5
_MIN_PARAGRAPH_WORDS = 25
# Two statements, each closed by a full stop: a question, an exclamation, a quotation or a
# colon ("Who will pay for it?", 'Okafor said: "The numbers don't lie."') is a lede's.
_NOT_IN_TWO_SENTENCE_TITLE = frozenset('?!:"“”')


def looks_like_title_over(line: str, below: str) -> bool:
    """Say whether a first line of two short sentences is a title, by the paragraph under it.

    Two statements closed by full stops, each of four words or more, at most sixteen in all,
    and the line under it a paragraph several times longer: a story's opening paragraph is
    rarely two short statements over a long one. A question, a quotation or a colon in it
    is a lede's.

    >>> body = " ".join(["The road back will be even harder now than it was in March."] * 3)
    >>> looks_like_title_over("Americans sacrificed a lot. Their leaders let them down.", body)
    True
    >>> looks_like_title_over("Americans sacrificed a lot. Their leaders let them down.", "Short.")
    False
    >>> looks_like_title_over("It rained. Then it stopped, and the town slowly dried out.", body)
    False
    >>> looks_like_title_over("What happens next is anyone's guess. Who will pay for it?", body)
    False
    """
    words = line.split()
    if not 8 <= len(words) <= _MAX_TWO_SENTENCE_TITLE_WORDS or not line.endswith("."):
        return False
    if any(c in line for c in _NOT_IN_TWO_SENTENCE_TITLE):
        return False
    breaks = [
        k
        for k, (w, nxt) in enumerate(itertools.pairwise(words), 1)
        if ends_sentence(w) and is_capitalised(nxt)
    ]
    if len(breaks) != 1 or not 4 <= breaks[0] <= len(words) - 4:
        return False
    n = len(below.split())
    return n >= _MIN_PARAGRAPH_WORDS and n >= _PARAGRAPH_UNDER_TITLE * len(words)


def _title_case(words: list[str]) -> bool:
    """Eight words or more, and every word of four letters or more capitalised.

    >>> _title_case("Why The Fed Is About To Blink On Rates Again".split())
    True
    >>> _title_case("The Senate voted on Tuesday to pass the bill".split())
    False
    """
    long = [w.strip("\"'“”‘’()[],.:;!?") for w in words]
    long = [w for w in long if len(w) >= 4 and w.isalpha()]
    return len(words) >= 8 and len(long) >= 3 and all(w[:1].isupper() for w in long)


def _ends_with_place(words: list[str]) -> bool:
    """A line closing with a place's abbreviation after a comma: "Johnstown, Pa."."""
    return (
        len(words) >= 2 and words[-2].endswith(",") and bool(_PLACE_ABBREVIATION.match(words[-1]))
    )


def find_headers(lines: list[str], rules: Rules, chrome: tuple[LineRule, ...] = ()) -> list[Header]:
    """Find every related-story header, in order; chrome lines are never an outlet.

    The time line is the anchor: alone, with an outlet line above it or a byline below it,
    or sharing its line with the outlet ("Reuters · 3h") or with other fields only
    ("3 hours ago • By Jane Doe"). The headline is the next line; when that reads as a
    paragraph and the line above the header as a headline, the page printed the headline
    first ("Headline" / "Reuters · 3h" / body), or the outlet over the headline over the
    time ("Reuters" / "Headline" / "3h ago" / body).

    Weak readings count only when the dump holds two or more of them: a page of story
    cards repeats its layout, a story's own "14:32" or short line does not. They are a bare
    clock time ("14:32") as the time, a header with no outlet at all, a whole card on one
    line ("• Headline (Reuters, 3h)") and the outlet and time under the snippet (a footer).
    """
    stripped = list(map(str.strip, lines))
    times = _anchor_lines(stripped, rules.published)  # the same for both readings
    headers, weak = _find_headers(stripped, rules, chrome, times, weak=True)
    if 0 < weak < 2:
        headers, _ = _find_headers(stripped, rules, chrome, times, weak=False)
    headers = _labels_to_fields(headers, stripped, rules.settings.max_outlet_chars, chrome)
    return [_outlet_after_headline(h, rules.settings.max_outlet_chars, chrome) for h in headers]


# "Headline - Outlet", as RSS readers and Google News' feeds print a story's title.
_HEADLINE_OUTLET = re.compile(r"^(?P<h>.+?)(?P<sep>\s+[-–—|]\s+)(?P<o>[^-–—|]+)$")


def _outlet_tail(outlet: str, headline: str, max_outlet: int, chrome: tuple[LineRule, ...]) -> bool:
    """The end of a "Headline - Outlet" title names an outlet: at most five words, a name's
    first letter, and fewer words than the headline before it."""
    return (
        len(outlet.split()) <= 5
        and len(outlet.split()) < len(headline.split())
        and _starts_name(outlet)
        and _is_outlet(outlet, max_outlet, chrome)
    )


def _outlet_after_headline(h: Header, max_outlet: int, chrome: tuple[LineRule, ...]) -> Header:
    """A header with no outlet whose headline closes with one after a spaced dash or bar
    ("Tech firm to cut 70 jobs - BBC News"), with the outlet taken from it; else ``h``.

    The outlet is at most five capitalised words and shorter than the headline before it.
    """
    if h.outlet is not None or h.headline is None or h.headline_line is None:
        return h
    found = split_outlet_tail(h.headline, max_outlet, chrome)
    if found is None:
        return h
    headline, outlet, sep = found
    return dataclasses.replace(
        h, outlet=outlet, outlet_line=h.headline_line, headline=headline, headline_fields=(sep,)
    )


# Small words a name holds in lower case: "Bank of England", "El País de Madrid".
_NAME_JOINERS = frozenset("of the and for on in at de la le du des del di y & -".split())  # noqa: SIM905


def is_name(text: str) -> bool:
    """Say whether a short text is a name: every word capitalised (or a joiner such as
    "of"), or a domain; a phrase with a lower-case verb is none.

    >>> [is_name(t) for t in ("Breitbart", "The Wall Street Journal", "Bank of England")]
    [True, True, True]
    >>> [is_name(t) for t in ("reuters.com", "Müller hits back at critics", "and more")]
    [True, False, False]
    """
    words = text.split()
    if len(words) == 1 and _DOMAIN.match(text.strip()):
        return True
    return (
        bool(words)
        and words[0][:1].isupper()
        and all(w[:1].isupper() or w[:1].isdigit() or w.lower() in _NAME_JOINERS for w in words)
    )


def split_outlet_tail(
    title: str, max_outlet: int, chrome: tuple[LineRule, ...] = ()
) -> tuple[str, str, tuple[int, int]] | None:
    """A "Headline - Outlet" title's headline, outlet and the separator's span; None when
    its end names no outlet (see :func:`_outlet_after_headline`).

    >>> split_outlet_tail("Trump wins Iowa caucuses | Breitbart", 60)
    ('Trump wins Iowa caucuses', 'Breitbart', (24, 27))
    >>> split_outlet_tail("Markets slide as rates rise - and no one is surprised", 60) is None
    True
    """
    m = _HEADLINE_OUTLET.match(title)
    if m is None or not _outlet_tail(m["o"], m["h"], max_outlet, chrome):
        return None
    return m["h"], m["o"], m.span("sep")


def _labels_to_fields(
    headers: list[Header], stripped: list[str], max_outlet: int, chrome: tuple[LineRule, ...]
) -> list[Header]:
    """Headers whose "outlet" is a label every card repeats ("Opinion", a place such as
    "Tulsa, OK"), with the outlet printed over it: "Reuters" / "Opinion" / "3h" / headline,
    "Reuters" / "Tulsa, OK · 2h" / headline. The label becomes a field of the header.

    Only when two headers or more print the same label, the lines over it differ, and the
    line under the time is the headline (so "Headline" / "Reuters · 3h" / body, the
    headline printed first, keeps its outlet).
    """
    counts = collections.Counter(h.outlet for h in headers if h.outlet_line is not None)
    moves: dict[int, int] = {}
    previous_last = -1
    for k, h in enumerate(headers):
        if (
            h.outlet is not None
            and h.outlet_line is not None
            and counts[h.outlet] >= 2
            and h.byline_line is None
            and h.headline_line is not None
            and h.headline_line > h.published_line
        ):
            above = h.outlet_line - 1
            text = stripped[above] if above > previous_last else ""
            short = bool(text) and text != h.outlet and len(text.split()) <= 6
            if short and _is_outlet(text, max_outlet, chrome):
                moves[k] = above
        previous_last = h.last
    aboves = {stripped[n] for n in moves.values()}
    if len(moves) < 2 or len(aboves) < 2:
        return headers
    out = list(headers)
    for k, above in moves.items():
        h = headers[k]
        label = h.outlet or ""
        if h.outlet_line == h.published_line:  # "Tulsa, OK · 2h": the label's span a field
            text = stripped[h.published_line]
            at = text.find(label)
            fields = tuple(sorted([*h.fields, (at, at + len(label))]))
            out[k] = dataclasses.replace(
                h, outlet=stripped[above], outlet_line=above, fields=fields
            )
        else:  # "Opinion" on its own line
            field_lines = tuple(sorted([*h.field_lines, h.outlet_line or 0]))
            out[k] = dataclasses.replace(
                h, outlet=stripped[above], outlet_line=above, field_lines=field_lines
            )
    return out


def _find_headers(
    stripped: list[str],
    rules: Rules,
    chrome: tuple[LineRule, ...],
    times: set[int],
    *,
    weak: bool,
) -> tuple[list[Header], int]:
    """:func:`find_headers`, with or without the weak readings; also how many were weak.
    ``times`` is :func:`_anchor_lines` over ``stripped`` with the rules' patterns."""
    headers: list[Header] = []
    max_outlet = rules.settings.max_outlet_chars
    max_headline = rules.settings.max_headline_words
    anchors = set(times)  # grown below with this reading's own anchors
    clocks = set(_anchor_lines(stripped, (_CLOCK,))) if weak else set()
    shared = _shared_lines(
        stripped, rules.published, max_outlet, anchors, chrome, max_headline, clock=weak
    )
    cards = _one_line_cards(stripped, rules.published, max_outlet, max_headline) if weak else {}
    anchors.update(shared)
    anchors.update(clocks)
    anchors.update(cards)
    n = len(stripped)
    taken = -1
    weak_count = 0
    for i in sorted(anchors):
        text = stripped[i]
        if i <= taken or not text:
            continue
        fields: tuple[tuple[int, int], ...] = ()
        is_weak = i in clocks
        outlet_line: int | None = None
        outlet: str | None = None
        # The headline when it shares the time's line: "Headline · 2h" under the outlet,
        # "• Headline (Reuters, 3h)".
        own_headline: str | None = None
        if i in cards:
            (oa, ob), (ta, tb), (ha, hb), fields = cards[i]
            outlet_line, outlet, own_headline = i, text[oa:ob], text[ha:hb]
            text = text[ta:tb]
            is_weak = True
        elif i in shared:
            outlet_span, (ta, tb), fields = shared[i]
            is_weak = _CLOCK.match(text[ta:tb]) is not None
            text_of = stripped[i]
            text = text_of[ta:tb]
            if outlet_span is not None:
                outlet_line = i
                outlet = text_of[outlet_span[0] : outlet_span[1]]
                if len(outlet.split()) > 6 and looks_like_headline(outlet, max_headline):
                    # no outlet names itself in seven words: the headline and its time
                    own_headline, outlet_line, outlet = outlet, None, None
        if weak and outlet_line == i and _footer_card(stripped, i, taken, max_headline):
            weak_count += 1
            headers.append(
                Header(
                    outlet=outlet,
                    outlet_line=i,
                    published_text=text,
                    published_line=i,
                    byline=None,
                    byline_line=None,
                    headline=stripped[i - 2],
                    headline_line=i - 2,
                    fields=fields,
                    footer=True,
                )
            )
            taken = i
            continue
        above = stripped[i - 1] if i > taken + 1 else ""
        i_last = i
        field_lines: tuple[int, ...] = ()
        bm = None
        # "6 years ago" / "Updated at 10:16 a.m. ET on 8/25": the page's second stamp is a
        # field of the time, never the headline, nor what tells a headline from a paragraph;
        # so is the same time printed again under it ("22 Dec, 2016" twice), no new header.
        stamp = i + 1 < n and (
            is_stamp_field(stripped[i + 1])
            or (i + 1 in anchors and stripped[i + 1] == stripped[i])
            or (i + 1 in anchors and _STAMP_OPENER.match(stripped[i + 1]) is not None)
        )
        if outlet_line is None:
            # A line of more than six words over the time and a paragraph under it is the
            # headline (headline / "2 hours ago" / body), not an outlet; at the dump's top,
            # a line of five ("Council approves new cycle lanes" / "August 25, 2013").
            below = stripped[i + 1 + stamp] if i + 1 + stamp < n else ""
            words = len(above.split())
            top = not any(stripped[: i - 1])
            headline_over = (
                (words > 6 or (top and words >= 2))
                and bool(below)
                and not looks_like_headline(below, max_headline)
            )
            # A time over a time is the story's stamps ("2 hours ago" / "Updated 3:45 PM ET"),
            # and a time is no outlet's name.
            stamped = i - 1 in anchors and i - 1 > taken
            if _is_outlet(above, max_outlet, chrome) and not headline_over and not stamped:
                outlet_line, outlet = i - 1, above
            bm = rules.byline.match(stripped[i + 1]) if i + 1 < n else None
        if stamp or (i + 1 < n and _READ_TIME.match(stripped[i + 1])):  # "3 min read"
            field_lines = (i + 1,)
            i_last = i + 1
        # "3 hours ago" / "Reuters" / headline / body: this reading wins over a short line
        # above ("Sign in"), which would make the outlet the headline and the headline the body.
        if (
            i not in shared
            and not is_weak
            and bm is None
            and not field_lines
            and _outlet_below(stripped, i, max_outlet, max_headline)
        ):
            outlet_line, outlet = i + 1, stripped[i + 1]
            i_last = i + 1
        between = None
        if outlet_line != i:
            between = _outlet_over_headline(stripped, i, i_last, taken, max_outlet, max_headline)
            if between is not None:  # "Reuters" / headline / "3h ago" / body
                outlet_line, outlet = between - 1, stripped[between - 1]
        if outlet_line is None and bm is None:
            # A time line with no outlet: a card's time and its fields, or a time under a
            # headline and over a paragraph; weak, so only on a page of such cards.
            below_line = i + 1 if i + 1 < n else None
            if not weak or not (
                fields
                or own_headline
                or _headline_above(stripped, i, taken, below_line, max_headline)
                or _titled_below(stripped, i, max_outlet, max_headline)
            ):
                continue
            is_weak = True
        byline_line = i + 1 if bm else None
        byline = bm.group("outlet").strip() if bm else None
        if own_headline is not None:
            headline_line: int | None = i
            first = None
        elif between is not None:
            headline_line = between
            first = None
        else:
            j = (byline_line or i_last) + 1
            while j < n and not stripped[j]:
                j += 1
            headline_line = j if j < n and not _is_next_anchor(anchors, j, n, rules) else None
            start = min(outlet_line, i) if outlet_line is not None else i
            first = _headline_above(stripped, start, taken, headline_line, max_headline)
        head = first if first is not None else headline_line
        weak_count += is_weak
        headers.append(
            Header(
                outlet=outlet or byline,
                outlet_line=outlet_line,
                published_text=text,
                published_line=i,
                byline=byline,
                byline_line=byline_line,
                headline=own_headline
                if own_headline is not None
                else stripped[head]
                if head is not None
                else None,
                headline_line=head,
                fields=fields,
                field_lines=field_lines,
            )
        )
        if first is not None or between is not None or own_headline is not None:
            taken = byline_line or i_last
        else:
            taken = headline_line if headline_line is not None else (byline_line or i_last)
    return headers, weak_count


# A bare clock time as a card's time ("14:32"): a weak reading (see find_headers).
_CLOCK = re.compile(r"^(?:[01]?\d|2[0-3]):[0-5]\d$")


def _footer_card(stripped: list[str], i: int, taken: int, max_headline: int) -> bool:
    """The outlet and time on line ``i`` close a card: a headline two lines up, the snippet
    (a paragraph) between, and nothing right under them (a blank line or the end)."""
    if i - 2 <= taken or (i + 1 < len(stripped) and stripped[i + 1]):
        return False
    head, snippet = stripped[i - 2], stripped[i - 1]
    return (
        bool(head and snippet)
        and (i - 3 <= taken or not stripped[i - 3])
        and looks_like_headline(head, max_headline)
        and not looks_like_headline(snippet, max_headline)
    )


def _titled_below(stripped: list[str], i: int, max_outlet: int, max_headline: int) -> bool:
    """The line under a time names its outlet after the headline ("3h" / "Headline |
    Reuters" / body), and a paragraph follows it.
    """
    if i + 2 >= len(stripped):
        return False
    m = _HEADLINE_OUTLET.match(stripped[i + 1])
    body = stripped[i + 2]
    return (
        m is not None
        and looks_like_headline(m["h"], max_headline)
        and _outlet_tail(m["o"], m["h"], max_outlet, ())
        and bool(body)
        and not looks_like_headline(body, max_headline)
    )


def _is_outlet(line: str, max_outlet: int, chrome: tuple[LineRule, ...]) -> bool:
    """A line above a time line that names the outlet: short, no sentence, no byline
    (an article's own "By Name" over its date), no reading time, no chrome."""
    return (
        looks_like_outlet(line, max_outlet)
        and not _BY_FIELD.match(line)
        and not _READ_TIME.match(line)
        and not any(r.pattern.match(line) for r in chrome)
    )


def _outlet_over_headline(
    stripped: list[str], i: int, last: int, taken: int, max_outlet: int, max_headline: int
) -> int | None:
    """The headline's line when the page printed the outlet over the headline over the
    time ("Reuters" / headline / "3h ago" / body), else None.

    Only when the outlet is the shorter of the two lines above (a headline first and the
    outlet under it, "Headline" / "Reuters" / "3h", is the other reading) and the line
    under the time reads as a paragraph.
    """
    if i - 2 <= taken or last + 1 >= len(stripped):
        return None
    outlet, head, body = stripped[i - 2], stripped[i - 1], stripped[last + 1]
    return (
        i - 1
        if outlet
        and head
        and body
        and len(outlet.split()) <= 6
        and len(outlet.split()) < len(head.split())
        and _is_outlet(outlet, max_outlet, ())
        and looks_like_headline(head, max_headline)
        and not looks_like_headline(body, max_headline)
        and (
            i - 3 <= taken or not stripped[i - 3] or not _is_outlet(stripped[i - 3], max_outlet, ())
        )
        else None
    )


def _outlet_below(stripped: list[str], i: int, max_outlet: int, max_headline: int) -> bool:
    """The page printed the time above the outlet: "3 hours ago" / "Reuters" / headline.

    Only when the line under the would-be outlet reads as a headline and the line under
    that as a paragraph, so "3 hours ago" / headline / body keeps its headline.
    """
    if i + 3 >= len(stripped):
        return False
    outlet, head, body = stripped[i + 1 : i + 4]
    return (
        looks_like_outlet(outlet, max_outlet)
        and len(outlet.split()) <= 6
        and not _BY_FIELD.match(outlet)
        and bool(head)
        and looks_like_headline(head, max_headline)
        and bool(body)
        and not looks_like_headline(body, max_headline)
    )


def _headline_above(
    stripped: list[str], start: int, taken: int, below: int | None, max_words: int
) -> int | None:
    """The line above a header when the page printed the headline first, else None.

    Only when the line below the header reads as a paragraph, not a headline, and the
    line above as a headline that no earlier header holds.
    """
    above = start - 1
    if above <= taken or not stripped[above]:
        return None
    # A headline under the header wins, unless the line above is the dump's first and twice
    # as long: the page's title over its own header ("Title" / credit / date / "SIGN UP").
    if (
        below is not None
        and looks_like_headline(stripped[below], max_words)
        and (above or len(stripped[0].split()) <= 2 * len(stripped[below].split()))
    ):
        return None
    return above if looks_like_headline(stripped[above], max_words) else None


# Fields printed on one line with the time, between spaced separators: "Reuters · 3h",
# "3 hours ago • BBC", "By Jane Doe | Reuters | 2h | 5 min read".
# A tab or a run of spaces between two fields separates them too ("Reuters\t3h", a table
# copied as text).
# A separator is one of these, or any other lone symbol between spaces ("◦", "🔹") that is
# no quote, bracket, sentence punctuation or part of a value ("+ 12 more", "$ 5").
_SEPARATOR = r"(?:[·•⋅∙|—–/~»›-]|[^\w\s\"'“”‘’()\[\],.:;!?&@#%+=<>$€£¥*])"
_FIELD_SEPARATOR = re.compile(rf"\s+{_SEPARATOR}\s+|\t+| {{2,}}")
_LINE_WITH_SEPARATOR = re.compile(rf"\[|.{{1,200}}?(?:\s{_SEPARATOR}\s|, |: | \(| by |\t|  )")
# Two fields without a spaced separator: "Reuters, 3 hours ago", "Reuters (3h)",
# "2 hours ago by Reuters". The outlet comes first after a comma (a time first is a
# sentence's opening: "Yesterday, the council met").
# An outlet and its time with only a space between: "BBC News 3h ago".
# Glued, the outlet ends in a letter and the time is a number and a unit ("Le Monde3h").
_TRAILING_TIME = re.compile(
    r"^(?P<o>\S.{0,59}?[^\d\s]) (?P<t>\d{1,3} ?[^\W\d_]{1,7}(?i: ago)?|\d{1,2}:\d{2})$"
    r"|^(?P<go>\S.{0,59}?[^\W\d_])(?P<gt>\d{1,3} ?[^\W\d_]{1,7}(?i: ago)?)$"
)
# Its longest match (anchored at both ends: a longer line cannot match), and a character
# more for the newline "$" may match before.
_TRAILING_TIME_CHARS = longest_match(_TRAILING_TIME) + 1


def _at_most_200(text: str) -> bool:
    return len(text) <= 200


# A label before the outlet's name in a shared line: "Source: Reuters", "via: BBC".
_OUTLET_LABEL = re.compile(
    r"(?i)(?:source|sources|via|from|publisher)\s*:\s*(?=\S)|(?:from|via)\s+(?=[^\W\d_])"
)
_TWO_FIELDS = (
    re.compile(r"^\[(?P<o>[^\[\]]+)\] (?P<t>[^\[\]]+)$"),
    re.compile(r"^(?P<o>[^,()]+?), (?P<t>[^,()]+)$"),
    re.compile(r"^(?P<o>[^()]+?) \((?P<t>[^()]+)\)$"),
    re.compile(r"^(?P<t>.+?) by (?P<o>.+)$"),
    re.compile(r"^(?P<o>[^:]{2,60}?): (?P<t>[^:]+)$"),  # "Reuters: 3h ago"
)
# Fields beside the outlet and the time that such a line may also hold.
_BY_FIELD = re.compile(r"(?i)^(?:[^\W\d_]+ )?by\s+\S")  # "By Ann Lee", "Story by Ann Lee"
# A byline naming the outlet it was written for: "by Ann Lee for Reuters".
_BY_FOR = re.compile(r"(?:[^\W\d_]+ )?[Bb]y .+? for (?P<o>[^\W\d_a-z].{1,59})$")
_READ_TIME = re.compile(r"(?i)^\d{1,3} ?min(?:ute)?s?(?: read)?$")
# A stamp under the time: "Updated at 10:16 a.m. ET on 8/25", "Last updated: 12 March, 09:30";
# a clock time or a day, within ten words ("Updated 2020 guidelines expand ..." is a headline).
_STAMP_FIELD = re.compile(
    rf"(?i)^(?:last |first )?(?:{'|'.join(STAMP_WORDS)})\b(?!.*[!?]$)(?=.*(?:"
    r"\b\d{1,2}[:.]\d{2}\b|\b\d{1,2}/\d{1,2}\b|"
    r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.? \d{1,2}\b|"
    r"\b\d{1,2} (?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)))"
)


# A second time opened by a stamp word: "Updated 1 hour ago" under "Published 3 hours ago".
_STAMP_OPENER = re.compile(rf"(?i)^(?:last |first )?(?:{'|'.join(STAMP_WORDS)})\b")


def is_stamp_field(line: str) -> bool:
    """Say whether a line is a stamp printed under a story's time: an update or publication
    note with a clock time or a day, in ten words or fewer.

    >>> [is_stamp_field(t) for t in ("Updated at 10:16 a.m. ET on 8/25",
    ...     "Last updated: 12 March, 09:30", "Published Aug. 3")]
    [True, True, True]
    >>> [is_stamp_field(t) for t in ("Updated 2020 guidelines expand coverage for children",
    ...     "Posted workers at 10:15 were told to leave the plant at once by the managers",
    ...     "Updated: what we know at 10:16?", "Publishers meet at 10:30")]
    [False, False, False, False]
    """
    return len(line.split()) <= 10 and _STAMP_FIELD.match(line) is not None


# A count beside the time: "45 comments", "1.2K shares".
_COUNT_FIELD = re.compile(
    r"(?i)^\d[\d,.]*[km]? (?:comments?|replies|shares?|likes?|views?|reactions?|sources?)$"
)


def _two_fields(text: str) -> list[tuple[int, int]]:
    """The spans of a line's outlet and time joined without a spaced separator, or the
    whole line as one span.

    >>> _two_fields("Reuters (3h)"), _two_fields("Just text")
    ([(0, 7), (9, 11)], [(0, 9)])
    """
    for pattern in _TWO_FIELDS:
        m = pattern.match(text)
        if m:
            return sorted([m.span("o"), m.span("t")])
    parts = text.split(", ")
    if len(parts) >= 3:  # "Reuters, 3 hours ago, 2 min read"
        spans, pos = [], 0
        for part in parts:
            spans.append((pos, pos + len(part)))
            pos += len(part) + 2
        return spans
    return [(0, len(text))]


def _shared_lines(
    stripped: list[str],
    published: tuple[re.Pattern[str], ...],
    max_outlet: int,
    anchors: set[int],
    chrome: tuple[LineRule, ...],
    max_headline: int = 40,
    *,
    clock: bool = False,
) -> dict[int, tuple[tuple[int, int] | None, tuple[int, int], tuple[tuple[int, int], ...]]]:
    """Lines holding the time between separators, with the outlet or other fields, by index.

    Each maps to the outlet's span (None when the line holds only the time and fields such
    as "By Name" or a reading time: "3 hours ago • By Jane Doe"), the time's span and the
    spans of everything else (separators, a "By Name" field, a reading time, a section),
    in the stripped line. ``clock`` lets a bare clock time ("14:32 · Reuters") be the time.
    Two fields besides the time ("World · Reuters · 3h") are a section and the outlet when
    one of them recurs across the dump's lines (the section) and the other does not.

    >>> pats = (re.compile(r"^\\d+h$"),)
    >>> _shared_lines(["Reuters · 3h", "Body · text", "3h"], pats, 60, {2}, ())
    {0: ((0, 7), (10, 12), ((7, 10),))}
    >>> _shared_lines(["Source: AP | 3h"], pats, 60, set(), ())
    {0: ((8, 10), (13, 15), ((0, 8), (10, 13)))}
    >>> _shared_lines(["Reuters (3h)", "3h by Reuters", "3h, the vote"], pats, 60, set(), ())
    {0: ((0, 7), (9, 11), ((7, 9), (11, 12))), 1: ((6, 13), (0, 2), ((2, 6),))}
    >>> _shared_lines(["3h · By Ann Lee", "Story by Ann Lee • 3h"], pats, 60, set(), ())
    {0: (None, (0, 2), ((2, 15),)), 1: (None, (19, 21), ((0, 19),))}
    >>> _shared_lines(["World · AP · 3h", "World · BBC · 3h"], pats, 60, set(), ())[0]
    ((8, 10), (13, 15), ((0, 8), (10, 13)))
    """
    found: dict[int, tuple[tuple[int, int] | None, tuple[int, int], tuple[tuple[int, int], ...]]]
    found = {}
    times_of = (*published, _CLOCK) if clock else published
    is_time = gate_of(times_of).matches
    two_rests: dict[int, tuple[list[tuple[int, int]], tuple[int, int]]] = {}
    # A line of fields is short: a paragraph is not even looked at (in C).
    short = list(itertools.compress(itertools.count(), map(_at_most_200, stripped)))
    texts = map(stripped.__getitem__, short)
    for i in itertools.compress(short, map(_LINE_WITH_SEPARATOR.match, texts)):
        if i in anchors:
            continue
        text = stripped[i]
        spans, pos = [], 0
        for m in _FIELD_SEPARATOR.finditer(text):
            spans.append((pos, m.start()))
            pos = m.end()
        spans.append((pos, len(text)))
        if len(spans) == 1:
            spans = _two_fields(text)
        # "🕒 3h": the icon is a field; "Reuters | 4h | 🔖": a field of marks alone is none
        spans = [_without_marks(text, sp) for sp in spans]
        spans = [(a, b) for a, b in spans if not all(map(_is_mark, text[a:b]))]
        times = [sp for sp in spans if is_time(text[sp[0] : sp[1]])]
        if not times:
            continue  # most lines with a comma or a colon hold no time: no fields to weigh
        rest = [
            sp
            for sp in spans
            if sp not in times
            and not _BY_FIELD.match(text[sp[0] : sp[1]])
            and not _READ_TIME.match(text[sp[0] : sp[1]])
            and not _COUNT_FIELD.match(text[sp[0] : sp[1]])
        ]
        times = times[:1]  # "3h · Updated 1h ago": the first is the time, the rest fields
        if not rest:  # "3 hours ago • By Jane Doe": the outlet is on another line
            by_for = next(
                (bf for a, b in spans if (bf := _BY_FOR.match(text, a, b)) is not None), None
            )
            if by_for is not None:  # "by Jane Doe for Reuters": the outlet after "for"
                keep = [by_for.span("o"), times[0]]
                found[i] = (by_for.span("o"), times[0], _others(text, keep))
            elif _FIELD_SEPARATOR.search(text):
                found[i] = (None, times[0], _others(text, [times[0]]))
            continue
        if len(rest) == 2:
            two_rests[i] = (rest, times[0])
            continue
        if len(rest) != 1:
            continue
        outlet_span = _outlet_span(text, rest[0], max_outlet, chrome)
        if outlet_span is None and _card_around(stripped, i, max_headline):
            outlet_span = _outlet_span(text, rest[0], max_outlet, chrome, lower=True)
        if outlet_span is not None:
            found[i] = (outlet_span, times[0], _others(text, [outlet_span, times[0]]))
    # "World · Reuters · 3h": the field that recurs is the section.
    seen = collections.Counter(
        stripped[k][a:b] for k, (rest, _) in two_rests.items() for a, b in rest
    )
    for i, (rest, time_span) in two_rests.items():
        text = stripped[i]
        counts = [seen[text[a:b]] for a, b in rest]
        if max(counts) < 2 or min(counts) == max(counts):
            continue
        outlet_span = _outlet_span(text, rest[counts.index(min(counts))], max_outlet, chrome)
        if outlet_span is not None:
            found[i] = (outlet_span, time_span, _others(text, [outlet_span, time_span]))
    # Only a line no longer than the pattern's longest match is tried (the lazy outlet
    # part made each paragraph cost some sixty attempts).
    fits = [i for i, text in enumerate(stripped) if len(text) <= _TRAILING_TIME_CHARS]
    trailing = map(_TRAILING_TIME.match, map(stripped.__getitem__, fits))
    for i, tm in zip(fits, trailing, strict=True):
        if tm is None or i in anchors or i in found or i + 2 >= len(stripped):
            continue
        o, t = ("o", "t") if tm["o"] else ("go", "gt")
        outlet, time = tm[o], tm[t]
        if not (
            is_time(time)
            and looks_like_outlet(outlet, max_outlet)
            and _starts_name(outlet)
            and not _FIELD_SEPARATOR.search(outlet)
            and not _BY_FIELD.match(outlet)
            and not any(r.pattern.match(outlet) for r in chrome)
        ):
            continue
        # A headline under it and a paragraph under that ("Storm hit 3 hours ago" /
        # paragraph is a story's own line), or a headline over it and a paragraph under it.
        above, below, after = stripped[i - 1] if i else "", stripped[i + 1], stripped[i + 2]
        if (
            looks_like_headline(below, max_headline)
            and after
            and not looks_like_headline(after, max_headline)
        ) or (
            above
            and looks_like_headline(above, max_headline)
            and below
            and not looks_like_headline(below, max_headline)
        ):
            found[i] = (tm.span(o), tm.span(t), ())  # the space between is no field
    # The time first, the outlet after a space: "4/19(金) 14:32 Reuters", "3h ago BBC News".
    for i, text in enumerate(stripped):
        if not text[:1].isdigit() or i in anchors or i in found or len(text) > 80:
            continue
        span = _leading_time(text, times_of, max_outlet, chrome)
        if span is not None and _card_around(stripped, i, max_headline):
            found[i] = ((span, len(text)), (0, span - 1), ())
    return found


def _leading_time(
    text: str, times: tuple[re.Pattern[str], ...], max_outlet: int, chrome: tuple[LineRule, ...]
) -> int | None:
    """Where the outlet starts in a line of a time, a space and an outlet, else None.

    >>> _leading_time("3h ago BBC News", (re.compile(r"^\\d+h ago$"),), 60, ())
    7
    """
    words = text.split(" ")
    for k in range(1, min(len(words), 6)):
        time, outlet = " ".join(words[:k]), " ".join(words[k:])
        if (
            len(outlet.split()) <= 5
            and _starts_name(outlet)
            and gate_of(times).matches(time)
            and _is_outlet(outlet, max_outlet, chrome)
        ):
            return len(time) + 1
    return None


def _card_around(stripped: list[str], i: int, max_headline: int) -> bool:
    """Line ``i`` sits in a card: a headline under it and a paragraph under that, or a
    headline over it and a paragraph under it."""
    above = stripped[i - 1] if i else ""
    below = stripped[i + 1] if i + 1 < len(stripped) else ""
    after = stripped[i + 2] if i + 2 < len(stripped) else ""
    headline_under = (
        bool(below and after)
        and looks_like_headline(below, max_headline)
        and not looks_like_headline(after, max_headline)
    )
    headline_over = (
        bool(above and below)
        and looks_like_headline(above, max_headline)
        and not looks_like_headline(below, max_headline)
    )
    return headline_under or headline_over


def _starts_name(text: str) -> bool:
    """A name's first letter: a capital, or a letter of a script without case ("新华社").

    >>> _starts_name("Reuters"), _starts_name("新华社"), _starts_name("the vote")
    (True, True, False)
    """
    first = text[:1]
    return first.isupper() or (first.isalpha() and first.lower() == first.upper())


# A link to a story with its outlet and time on the headline's line, as lists of related
# links and newsletter digests print it: "• Headline (Reuters, 3h)".
_ONE_LINE_CARDS = (
    re.compile(r"^(?:[•·*–—-]\s+)?(?P<h>[^()]{8,}?) \((?P<o>[^(),]+), (?P<t>[^(),]+)\)$"),
    # A digest: "Reuters (3h ago): Headline".
    re.compile(r"^(?:[•·*–—-]\s+)?(?P<o>[^():]{2,60}?) \((?P<t>[^()]+)\): (?P<h>.{8,})$"),
    # "Headline — Reuters, 3 hours ago".
    re.compile(r"^(?:[•·*]\s+)?(?P<h>.{8,}?) [—–-] (?P<o>[^,—–]{2,60}), (?P<t>[^,]+)$"),
)


_MAX_CARD_LINE_CHARS = 300


def _one_line_cards(
    stripped: list[str], published: tuple[re.Pattern[str], ...], max_outlet: int, max_headline: int
) -> dict[
    int, tuple[tuple[int, int], tuple[int, int], tuple[int, int], tuple[tuple[int, int], ...]]
]:
    """Lines that are a whole card, by index: the outlet's, time's and headline's spans, and
    the spans of the rest (the bullet, the brackets and the comma).

    >>> pats = (re.compile(r"^\\d+h$"),)
    >>> _one_line_cards(["• Ferry strike ends after talks (Reuters, 3h)"], pats, 60, 40)
    {0: ((33, 40), (42, 44), (2, 31), ((0, 2), (31, 33), (40, 42), (44, 45)))}
    """
    found = {}
    hits: set[int] = set()
    # A card's line is short (a headline, an outlet, a time): a paragraph is never tried.
    short = [i for i, text in enumerate(stripped) if len(text) <= _MAX_CARD_LINE_CHARS]
    texts = [stripped[i] for i in short]
    for p in _ONE_LINE_CARDS:  # each pattern over the short lines in C; most match none
        hits.update(itertools.compress(short, map(p.match, texts)))
    for i in sorted(hits):
        text = stripped[i]
        m = next((m for p in _ONE_LINE_CARDS if (m := p.match(text))), None)
        if m is None:
            continue
        outlet, headline = m["o"], m["h"]
        if (
            any(p.match(m["t"]) for p in published)
            and looks_like_outlet(outlet, max_outlet)
            and _starts_name(outlet)
            and len(outlet.split()) <= 5
            and looks_like_headline(headline, max_headline)
        ):
            spans = [m.span("o"), m.span("t"), m.span("h")]
            found[i] = (m.span("o"), m.span("t"), m.span("h"), _others(stripped[i], spans))
    return found


def _without_marks(text: str, span: tuple[int, int]) -> tuple[int, int]:
    """A field's span without the symbols and spaces at its ends (an icon, a check mark).

    >>> _without_marks("🕒 3h · Reuters", (0, 4))
    (2, 4)
    """
    a, b = span
    while a < b and _is_mark(text[a]):
        a += 1
    while b > a and _is_mark(text[b - 1]):
        b -= 1
    return (a, b) if a < b else span


# Printed around a field and never part of it: Markdown's emphasis ("**Reuters**"), a
# separator left at a line's end ("Reuters — 3 hours ago —"), besides symbols and spaces.
_MARK_CHARS = frozenset("*_·•⋅∙|—–-/«»‹›")


def _is_mark(char: str) -> bool:
    """A character around a field that is no part of it.

    >>> [_is_mark(c) for c in "✓*— R."]
    [True, True, True, True, False, False]
    """
    return char.isspace() or char in _MARK_CHARS or unicodedata.category(char).startswith("S")


def _outlet_span(
    text: str,
    span: tuple[int, int],
    max_outlet: int,
    chrome: tuple[LineRule, ...],
    *,
    lower: bool = False,
) -> tuple[int, int] | None:
    """The outlet's span in a shared line's field, past a label ("Source: Reuters"), or
    None when the field cannot be an outlet. ``lower``: a brand written in lower case, one
    word of three letters or more ("engadget"), may be one (in a card's layout only)."""
    label = _OUTLET_LABEL.match(text, span[0], span[1])
    if label:  # "Source: Reuters | 3h": the label is a field of its own
        span = (label.end(), span[1])
    outlet = text[span[0] : span[1]]
    if (
        not looks_like_outlet(outlet, max_outlet)
        or (
            not _starts_name(outlet)
            and not outlet[0].isdigit()
            and "." not in outlet
            and not (lower and outlet.isalpha() and len(outlet) >= 3)
        )
        or any(r.pattern.match(outlet) for r in chrome)
    ):
        return None
    return span


def _others(text: str, keep: list[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    """The spans of a line between and around the ``keep`` spans.

    >>> _others("Reuters · 3h", [(0, 7), (10, 12)])
    ((7, 10),)
    """
    others = []
    pos = 0
    for a, b in [*sorted(keep), (len(text), len(text))]:
        if a > pos and text[pos:a].strip():  # a space between two fields is none
            others.append((pos, a))
        pos = max(pos, b)
    return tuple(others)


def _anchor_lines(stripped: list[str], published: tuple[re.Pattern[str], ...]) -> set[int]:
    """Indexes of the lines a relative-time pattern matches: header anchors.

    A line is tried only with the patterns its first and last characters allow
    (:func:`ingest.edges.matching_lines`): most lines end in a character no time can (a
    full stop), and the costliest pattern (relative times in many languages) took 4.5 us a
    line whatever it matched.

    >>> _anchor_lines(["Sky News", "2 hours ago", "Headline"], (re.compile(r"\\d+ hours? ago$"),))
    {1}
    """
    return matching_lines(stripped, published)


def _is_next_anchor(anchors: set[int], j: int, n: int, rules: Rules) -> bool:
    """A header cut short: its headline position holds the next header's time line.

    ``anchors`` is :func:`_anchor_lines` over all ``n`` lines; past the last line, the next
    line reads as empty.
    """
    if j in anchors:
        return True
    if j + 1 < n:
        return j + 1 in anchors
    return any(p.match("") for p in rules.published)


def split_blocks(lines: list[str], headers: list[Header]) -> list[Block]:
    """Cut the dump into the main story's block and one block per header."""
    starts = [h.start for h in headers]
    blocks = [Block(0, starts[0] if starts else len(lines), None)]
    for k, header in enumerate(headers):
        end = starts[k + 1] if k + 1 < len(starts) else len(lines)
        blocks.append(Block(header.start, end, header))
    return blocks


def find_chrome(
    lines: list[str], start: int, end: int, chrome: tuple[LineRule, ...], min_run: int
) -> dict[int, str]:
    """Map line number to chrome rule name for the chrome runs in ``lines[start:end]``.

    A run is a stretch of chrome lines with only blank lines between them. It is chrome when
    it holds ``min_run`` matching lines or more, or when nothing but blank lines follows it in
    the block (page furniture closing a story), so a lone body line "Comments" stays.
    """
    found: dict[int, str] = {}
    if not chrome:  # no profile detected: nothing can be chrome
        return found
    run: dict[int, str] = {}

    def close(at_tail: bool) -> None:
        if run and (len(run) >= min_run or at_tail):
            found.update(run)
        run.clear()

    texts = [line.strip() for line in lines[start:end]]
    for i, (text, rule) in enumerate(zip(texts, _first_rules(texts, chrome), strict=True), start):
        if not text:
            continue
        if rule is None:
            close(at_tail=False)
        else:
            run[i] = rule
    close(at_tail=True)
    return found


def _first_rules(texts: list[str], chrome: tuple[LineRule, ...]) -> list[str | None]:
    """For each text, the name of the first chrome rule matching it, or None.

    One combined pattern finds the few lines any rule matches (a regex call costs about
    the same whatever it matches, and most lines match none); only those lines are then
    tried rule by rule, in order.
    """
    names: list[str | None] = [None] * len(texts)
    hits = itertools.compress(itertools.count(), map(_any_rule(chrome), texts))
    for k in hits:
        names[k] = next((r.name for r in chrome if r.pattern.match(texts[k])), None)
    return names


@functools.lru_cache(maxsize=64)
def _any_rule(chrome: tuple[LineRule, ...]) -> Callable[[str], object]:
    """A ``match`` that succeeds on a text exactly when some rule's pattern does.

    The patterns are joined as ``(?:a)|(?:b)``, which matches where ``a`` or ``b`` does,
    when that join is safe: no groups (a back-reference ``\\1`` would change meaning) and
    no flags (``(?i)`` must open a whole pattern). Otherwise each pattern is tried in turn.
    Cached per set of rules: a dump's chrome rules are those of its detected profiles.

    >>> rule = LineRule("x.comments", re.compile("^Comments$"))
    >>> bool(_any_rule((rule,))("Comments")), bool(_any_rule((rule,))("No comments"))
    (True, False)
    """
    patterns = [r.pattern for r in chrome]  # a user pattern keeps its own time budget
    plain = re.compile("").flags
    if all(p.groups == 0 and p.flags == plain and not is_budgeted(p) for p in patterns):
        with contextlib.suppress(re.error):
            return re.compile("|".join(f"(?:{p.pattern})" for p in patterns)).match
    return lambda text: any(p.match(text) for p in patterns)


# A line between one story card and the next is at most this many words: a section head
# ("More from Reuters", "Full coverage"), buttons ("Share", "Like"), an ad card's label,
# brand and slogan ("Sponsored", "Brightline Insurance", "Drivers over 50 are switching").
_MAX_GAP_WORDS = 10
# A line closing with one of these is text: a sentence, a list's lead-in, a quote.
_NOT_GAP_ENDS = frozenset(".!?…:;,”’\"')]")


def count_gap_lines(texts: list[str]) -> int:
    """How many of a story's last body lines are the page's furniture before the next story.

    On a page of story cards, what follows a story's last paragraph up to the next card's
    header is short lines that are no sentences. A paragraph closes with a sentence end or
    runs long, so the run stops at the first such line, and the first line always stays.

    >>> count_gap_lines(["Body text ends here.", "More from Reuters", "Share", "Like"])
    3
    >>> count_gap_lines(["Body text ends here.", "Sponsored", "Try the new phone today"])
    2
    >>> count_gap_lines(["Body text ends here.", "He left at 3:10pm.", "Comments"])
    1
    >>> count_gap_lines(["A truncated body with no end", "Share"]), count_gap_lines(["Share"])
    (1, 0)
    """
    n = 0
    for text in reversed(texts[1:]):
        words = text.split()
        if len(words) > _MAX_GAP_WORDS or ends_sentence(words[-1]) or text[-1] in _NOT_GAP_ENDS:
            break
        n += 1
    return n


# Outlets printed in capitals ("REUTERS") or as a domain ("reuters.com") get one display
# name. A domain's name is its label before the public suffix ("bbc.co.uk" -> "bbc").
_DOMAIN = re.compile(r"(?i)^(?:https?://)?(?:www\.)?((?:[a-z0-9-]+\.)+[a-z]{2,})/?$")
_SECOND_LEVEL = frozenset({"co", "com", "org", "net", "ac", "gov", "gob", "gouv", "ne", "or"})
_VOWELS = frozenset("aeiouyàáâäåæèéêëìíîïòóôöøùúûüý")


def outlet_key(outlet: str) -> str:
    """What an outlet's name is made of, whatever its case or form: letters and digits,
    case-folded, a domain's name alone.

    >>> outlet_key("The Guardian"), outlet_key("THE GUARDIAN"), outlet_key("theguardian.com")
    ('theguardian', 'theguardian', 'theguardian')
    >>> outlet_key("www.bbc.co.uk"), outlet_key("edition.cnn.com")
    ('bbc', 'cnn')
    """
    domain = _DOMAIN.match(outlet.strip())
    if domain:
        labels = domain.group(1).lower().split(".")[:-1]
        if len(labels) > 1 and labels[-1] in _SECOND_LEVEL:
            labels.pop()
        outlet = labels[-1] if labels else outlet
    return "".join(c for c in outlet.casefold() if c.isalnum())


def is_display_name(outlet: str) -> bool:
    """An outlet name as a reader writes it: neither a domain nor all in one case.

    >>> [is_display_name(o) for o in ("Reuters", "iNews", "REUTERS", "reuters.com", "CNN")]
    [True, True, False, False, False]
    """
    letters = [c for c in outlet if c.isalpha()]
    return (
        not _DOMAIN.match(outlet.strip())
        and any(c.isupper() for c in letters)
        and any(c.islower() for c in letters)
    )


def fallback_name(outlet: str) -> str:
    """A display name for an outlet in capitals or as a domain, from its shape alone.

    A word with no vowel after its first letter is an acronym and stays in capitals, as
    does a name of one short word; other words get a capital and lower case. A domain's
    name gets a capital ("reuters.com" -> "Reuters"), in capitals when it has three
    letters or fewer ("cnn.com" -> "CNN"), and a leading "the" its own word.

    >>> [fallback_name(o) for o in ("REUTERS", "THE IRISH TIMES", "BBC NEWS", "NPR", "RTÉ")]
    ['Reuters', 'The Irish Times', 'BBC News', 'NPR', 'RTÉ']
    >>> [fallback_name(o) for o in ("EL PAÍS", "reuters.com", "cnn.com", "theguardian.com")]
    ['El País', 'Reuters', 'CNN', 'The Guardian']
    >>> fallback_name("Sky News"), fallback_name("sky news")
    ('Sky News', 'Sky News')
    >>> [fallback_name(o) for o in ("CBS/AP", "ABC NEWS/AP", "CNN-NEWS18", "NEWS OF THE WORLD")]
    ['CBS/AP', 'ABC News/AP', 'CNN-News18', 'News Of The World']
    """
    text = outlet.strip()
    if _DOMAIN.match(text):
        name = outlet_key(text)
        if len(name) <= 3:
            return name.upper()
        if name.startswith("the") and len(name) > 6:
            return "The " + name[3:].capitalize()
        return name.capitalize()
    if is_display_name(text):
        return text
    words = text.split()
    if len(words) == 1 and len(text) <= 4 and text.isupper():
        return text

    return " ".join("".join(map(_case_part, _NAME_PARTS.split(w))) for w in words)


# A name's words joined by a slash or a hyphen ("CBS/AP", "CNN-NEWS18") are cased one by one.
_NAME_PARTS = re.compile(r"([/-])")
# Two-letter words that are words, not initials ("NEWS OF THE WORLD", "EL PAÍS DE ...").
_SHORT_WORDS = frozenset("of in on at to by de la el le al du da do an as or is it".split())  # noqa: SIM905


def _case_part(part: str) -> str:
    """One word of a name in capitals: kept as an acronym, else capital and lower case.

    >>> [_case_part(w) for w in ("CBS", "AP", "OF", "NEWS18", "/", "TIMES")]
    ['CBS', 'AP', 'Of', 'News18', '/', 'Times']
    """
    letters = [c for c in part if c.isalpha()]
    if part.isupper() and (
        (len(letters) == 2 and part.lower() not in _SHORT_WORDS)
        or (len(letters) > 2 and not any(c.lower() in _VOWELS for c in letters[1:]))
    ):
        return part
    return part[:1].upper() + part[1:].lower()


def strip_marks(outlet: str) -> str:
    """An outlet's name without what a page prints beside it: symbols (a verified mark, an
    arrow), the site carrying it, how many others covered the story; or the name as
    printed when nothing else is left.

    >>> strip_marks("Reuters ✓"), strip_marks("➤ BBC News"), strip_marks("Yahoo! News")
    ('Reuters', 'BBC News', 'Yahoo! News')
    >>> strip_marks("Reuters via MSN"), strip_marks("Reuters + 12 more"), strip_marks("AP @AP")
    ('Reuters', 'Reuters', 'AP')
    >>> strip_marks("**Reuters**"), strip_marks("✓")
    ('Reuters', '✓')
    """
    a, b = _without_marks(outlet, (0, len(outlet)))
    core = outlet[a:b].strip()
    return _OUTLET_TAIL.sub("", core) or core or outlet


# What follows an outlet's name and is not part of it: the site carrying it, the count of
# other outlets covering the story ("Reuters via MSN", "Reuters + 12 more").
_OUTLET_TAIL = re.compile(
    r"(?i)\s+(?:via\s+\S.*|[+&]\s*\d+\s+more|and\s+\d+\s+(?:more|others?)|@\w+)$"
)


def outlet_names(outlets: Iterable[str], lines: Sequence[str]) -> dict[str, str]:
    """Each outlet as printed, mapped to its display name in this dump.

    A name printed in capitals or as a domain takes the spelling the dump itself uses
    elsewhere, as another story's outlet or in the text ("REUTERS" -> "Reuters" when a
    line says "told Reuters"; "theguardian.com" -> "The Guardian"): the most frequent,
    then the first. With none, :func:`fallback_name`. Names already in mixed case stay.

    >>> outlet_names(["REUTERS", "The Guardian", "theguardian.com"], ["He told Reuters so."])
    {'REUTERS': 'Reuters', 'The Guardian': 'The Guardian', 'theguardian.com': 'The Guardian'}
    """
    outlets = list(dict.fromkeys(outlets))
    bases = {o: strip_marks(o) for o in outlets}
    names = {o: bases[o] for o in outlets if is_display_name(bases[o])}
    # An acronym ("CNN") or a name in capitals the shape already reads is not looked for.
    wanted = {
        outlet_key(bases[o])
        for o in outlets
        if o not in names and (fallback_name(bases[o]) != bases[o] or _DOMAIN.match(bases[o]))
    }
    seen: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    for name in names.values():  # another story's outlet: the best evidence, counted first
        if outlet_key(name) in wanted:
            seen[outlet_key(name)][name] += 1000
    longest = max(map(len, wanted), default=0)
    for line in lines if wanted else ():
        words = line.split()
        folded = ["".join(c for c in w.casefold() if c.isalnum()) for w in words]
        # every run of up to five words from a capital: "told Reuters on Monday" holds one
        for a, word in enumerate(words):
            if not word[:1].isupper():
                continue
            key = ""
            for b in range(a, min(a + 5, len(words))):
                key += folded[b]
                if len(key) > longest:
                    break
                if key in wanted:
                    run = " ".join(words[a : b + 1]).rstrip(".,;:!?'’\")")
                    if is_display_name(run):
                        seen[key][run] += 1
    for o in outlets:
        if o in names:
            continue
        counts = seen.get(outlet_key(bases[o]))
        names[o] = counts.most_common(1)[0][0] if counts else fallback_name(bases[o])
    return {o: names[o] for o in outlets}
