"""Story splitting: find related-story headers and cut a dump into one block per story.

A related story opens with [outlet] / relative time / [- outlet] / headline; the relative
time line is the anchor, with an outlet line above it or a byline below it (or both). The
main story is everything before the first header. Page chrome is found as runs of whole
lines matching the detected profiles' chrome rules.
"""

from __future__ import annotations

import contextlib
import functools
import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass

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

    @property
    def start(self) -> int:
        lines = (self.outlet_line, self.published_line, self.headline_line)
        return min(n for n in lines if n is not None)

    @property
    def last(self) -> int:
        lines = (self.outlet_line, self.published_line, self.byline_line, self.headline_line)
        return max(n for n in lines if n is not None)


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
    if not words or len(words) > max_words:
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
    or sharing its line with the outlet ("Reuters · 3h"). The headline is the next line;
    when that reads as a paragraph and the line above the header as a headline, the page
    printed the headline first ("Headline" / "Reuters · 3h" / body).
    """
    headers: list[Header] = []
    max_outlet = rules.settings.max_outlet_chars
    max_headline = rules.settings.max_headline_words
    stripped = list(map(str.strip, lines))
    anchors = _anchor_lines(stripped, rules.published)
    shared = _shared_lines(stripped, rules.published, max_outlet, anchors, chrome, max_headline)
    anchors.update(shared)
    n = len(lines)
    taken = -1
    for i in sorted(anchors):
        text = stripped[i]
        if i <= taken or not text:
            continue
        fields: tuple[tuple[int, int], ...] = ()
        if i in shared:
            outlet_span, time_span, fields = shared[i]
            outlet_line: int | None = i
            outlet: str | None = text[outlet_span[0] : outlet_span[1]]
            text = text[time_span[0] : time_span[1]]
        else:
            above = stripped[i - 1] if i > taken + 1 else ""
            is_outlet = (
                looks_like_outlet(above, max_outlet)
                and not _BY_FIELD.match(above)  # an article's own "By Name" over its date
                and not any(r.pattern.match(above) for r in chrome)
            )
            outlet_line = i - 1 if is_outlet else None
            outlet = above if is_outlet else None
        bm = rules.byline.match(stripped[i + 1]) if i + 1 < n else None
        # "3 hours ago" / "Reuters" / headline / body: this reading wins over a short line
        # above ("Sign in"), which would make the outlet the headline and the headline the body.
        if i not in shared and bm is None and _outlet_below(stripped, i, max_outlet, max_headline):
            outlet_line, outlet = i + 1, stripped[i + 1]
            i_last = i + 1
        else:
            i_last = i
        if outlet_line is None and bm is None:
            continue
        byline_line = i + 1 if bm else None
        byline = bm.group("outlet").strip() if bm else None
        j = (byline_line or i_last) + 1
        while j < n and not stripped[j]:
            j += 1
        headline_line = j if j < n and not _is_next_anchor(anchors, j, n, rules) else None
        start = min(outlet_line, i) if outlet_line is not None else i
        first = _headline_above(stripped, start, taken, headline_line, max_headline)
        headers.append(
            Header(
                outlet=outlet or byline,
                outlet_line=outlet_line,
                published_text=text,
                published_line=i,
                byline=byline,
                byline_line=byline_line,
                headline=stripped[first if first is not None else j]
                if first is not None or headline_line is not None
                else None,
                headline_line=first if first is not None else headline_line,
                fields=fields,
            )
        )
        if first is not None:
            taken = byline_line or i_last
        else:
            taken = headline_line if headline_line is not None else (byline_line or i_last)
    return headers


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
    if below is not None and looks_like_headline(stripped[below], max_words):
        return None
    return above if looks_like_headline(stripped[above], max_words) else None


# Fields printed on one line with the time, between spaced separators: "Reuters · 3h",
# "3 hours ago • BBC", "By Jane Doe | Reuters | 2h | 5 min read".
_FIELD_SEPARATOR = re.compile(r"\s+[·•|—–-]\s+")
_LINE_WITH_SEPARATOR = re.compile(r".{1,200}?(?:\s[·•|—–-]\s|, | \(| by )")
# Two fields without a spaced separator: "Reuters, 3 hours ago", "Reuters (3h)",
# "2 hours ago by Reuters". The outlet comes first after a comma (a time first is a
# sentence's opening: "Yesterday, the council met").
# An outlet and its time with only a space between: "BBC News 3h ago".
_TRAILING_TIME = re.compile(r"^(?P<o>\S.{0,59}?[^\d\s]) (?P<t>\d{1,3} ?[^\W\d_]{1,7}(?: ago)?)$")
# A label before the outlet's name in a shared line: "Source: Reuters", "via: BBC".
_OUTLET_LABEL = re.compile(r"(?i)(?:source|sources|via|from|publisher)\s*:\s*(?=\S)")
_TWO_FIELDS = (
    re.compile(r"^(?P<o>[^,()]+?), (?P<t>[^,()]+)$"),
    re.compile(r"^(?P<o>[^()]+?) \((?P<t>[^()]+)\)$"),
    re.compile(r"^(?P<t>.+?) by (?P<o>.+)$"),
)
# Fields beside the outlet and the time that such a line may also hold.
_BY_FIELD = re.compile(r"(?i)^by\s+\S")
_READ_TIME = re.compile(r"(?i)^\d{1,3} ?min(?:ute)?s?(?: read)?$")


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
    return [(0, len(text))]


def _shared_lines(
    stripped: list[str],
    published: tuple[re.Pattern[str], ...],
    max_outlet: int,
    anchors: set[int],
    chrome: tuple[LineRule, ...],
    max_headline: int = 40,
) -> dict[int, tuple[tuple[int, int], tuple[int, int], tuple[tuple[int, int], ...]]]:
    """Lines holding the outlet and the time between separators, by index.

    Each maps to the outlet's span, the time's span and the spans of everything else
    (separators, a "By Name" field, a reading time), in the stripped line.

    >>> pats = (re.compile(r"^\\d+h$"),)
    >>> _shared_lines(["Reuters · 3h", "Body · text", "3h"], pats, 60, {2}, ())
    {0: ((0, 7), (10, 12), ((7, 10),))}
    >>> _shared_lines(["Source: AP | 3h"], pats, 60, set(), ())
    {0: ((8, 10), (13, 15), ((0, 8), (10, 13)))}
    >>> _shared_lines(["Reuters (3h)", "3h by Reuters", "3h, the vote"], pats, 60, set(), ())
    {0: ((0, 7), (9, 11), ((7, 9), (11, 12))), 1: ((6, 13), (0, 2), ((2, 6),))}
    """
    found = {}
    for i in itertools.compress(itertools.count(), map(_LINE_WITH_SEPARATOR.match, stripped)):
        if i in anchors or len(stripped[i]) > 200:
            continue
        text = stripped[i]
        spans, pos = [], 0
        for m in _FIELD_SEPARATOR.finditer(text):
            spans.append((pos, m.start()))
            pos = m.end()
        spans.append((pos, len(text)))
        if len(spans) == 1:
            spans = _two_fields(text)
        times = [sp for sp in spans if any(p.match(text[sp[0] : sp[1]]) for p in published)]
        rest = [
            sp
            for sp in spans
            if sp not in times
            and not _BY_FIELD.match(text[sp[0] : sp[1]])
            and not _READ_TIME.match(text[sp[0] : sp[1]])
        ]
        if len(times) != 1 or len(rest) != 1:
            continue
        label = _OUTLET_LABEL.match(text, rest[0][0], rest[0][1])
        if label:  # "Source: Reuters | 3h": the label is a field of its own
            rest = [(label.end(), rest[0][1])]
        outlet = text[rest[0][0] : rest[0][1]]
        if (
            not looks_like_outlet(outlet, max_outlet)
            or (not outlet[0].isupper() and not outlet[0].isdigit() and "." not in outlet)
            or any(r.pattern.match(outlet) for r in chrome)
        ):
            continue
        keep = sorted((rest[0], times[0]))
        others = []
        pos = 0
        for a, b in keep:
            if a > pos:
                others.append((pos, a))
            pos = b
        if pos < len(text):
            others.append((pos, len(text)))
        found[i] = (rest[0], times[0], tuple(others))
    for i, tm in enumerate(map(_TRAILING_TIME.match, stripped)):
        if tm is None or i in anchors or i in found or i + 2 >= len(stripped):
            continue
        outlet, time = tm["o"], tm["t"]
        if (
            any(p.match(time) for p in published)
            and looks_like_outlet(outlet, max_outlet)
            and outlet[0].isupper()
            and not _BY_FIELD.match(outlet)
            and not any(r.pattern.match(outlet) for r in chrome)
            # a headline under it and a paragraph under that: "Storm hit 3 hours ago" /
            # paragraph is a story's own line
            and looks_like_headline(stripped[i + 1], max_headline)
            and stripped[i + 2]
            and not looks_like_headline(stripped[i + 2], max_headline)
        ):
            found[i] = (tm.span("o"), tm.span("t"), ())  # the space between is no field
    return found


def _anchor_lines(stripped: list[str], published: tuple[re.Pattern[str], ...]) -> set[int]:
    """Indexes of the lines a relative-time pattern matches: header anchors.

    Each pattern runs over all lines in C (``map``); checking every line from Python,
    pattern by pattern, was most of what finding headers cost.

    >>> _anchor_lines(["Sky News", "2 hours ago", "Headline"], (re.compile(r"\\d+ hours? ago$"),))
    {1}
    """
    found: set[int] = set()
    for pattern in published:
        found.update(itertools.compress(itertools.count(), map(pattern.match, stripped)))
    return found


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
