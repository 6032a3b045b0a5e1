"""HTML pages into the same documents as text dumps.

decode (BOM, valid UTF-8, the charset a meta tag declares, else cp1252 line by line) ->
BeautifulSoup finds related-story cards (outlet / relative time / [- outlet] / headline /
[body], the dump's header shape) and takes them out of the page -> trafilatura extracts the
main text and metadata from what is left -> the page's *extracted text* (headline, main
paragraphs, then each card's lines) is repaired and run through the dump path's chrome and
residue rules (:func:`ingest.clean.clean_lines`), with the same audit.

``removed[].line`` and ``repairs[].line`` of an HTML document count lines of that extracted
text (:func:`extract_page` returns it), since an HTML file's own lines are not where the
text stood; ``source.lines`` is null.
"""

from __future__ import annotations

import codecs
import dataclasses
import hashlib
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin

from bs4 import BeautifulSoup
from bs4.element import NavigableString, PreformattedString, Tag

from ingest.clean import DumpResult, LineStory, clean_lines
from ingest.decode import Decoded, decode_bytes, normalise_newlines
from ingest.document import Document, Removal, Repair, Source
from ingest.errors import IngestError
from ingest.language import detect_language
from ingest.published import format_utc, parse_iso, resolve_published
from ingest.repair import repair_line
from ingest.rules import Profile, Rules
from ingest.split import detect_profiles, find_headers, looks_like_headline

# Elements whose text starts and ends a line when a page is read as lines.
BLOCK_TAGS = frozenset(
    (
        *("address", "article", "aside", "blockquote", "body", "dd", "details", "dialog"),
        *("div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "header"),
        *("h1", "h2", "h3", "h4", "h5", "h6", "hr", "li", "main", "nav", "ol", "p", "pre"),
        *("section", "summary", "table", "tbody", "thead", "tfoot", "tr", "td", "th", "ul"),
        "time",
    )
)
# Never text: scripts, styles, embedded media and templates.
SKIP_TAGS = frozenset(
    (
        "script",
        "style",
        "noscript",
        "template",
        "svg",
        "iframe",
        "object",
        "embed",
        "canvas",
        "head",
    )
)
# Inline elements that hold one header field in card markup ("<span class=source>").
_FIELD_CLASS = re.compile(r"source|outlet|publisher|provider|time|date|byline|author|site", re.I)
# A card container in common markup; climbing stops at one once it holds a whole header.
_CARD_CLASS = re.compile(r"card|teaser|story|item|related|post|article|entry", re.I)
_STOP_TAGS = frozenset(("body", "html", "main", "[document]"))
_META_CHARSET = re.compile(rb"<meta[^>]{0,200}?charset\s*=\s*[\"']?\s*([A-Za-z0-9_.:-]+)", re.I)
# WHATWG: these labels mean windows-1252 in a browser, and so here.
_AS_CP1252 = frozenset(("iso-8859-1", "iso8859-1", "latin1", "latin-1", "l1", "ascii", "us-ascii"))
_HAS_WORD = re.compile(r"\w")


@dataclass(frozen=True)
class ExtractSettings:
    """trafilatura's switches, chosen by ``bench/html_quality.py`` (see the README note)."""

    favor_precision: bool = True
    favor_recall: bool = False
    include_tables: bool = True
    no_fallback: bool = False
    include_comments: bool = False

    def as_kwargs(self) -> dict[str, bool]:
        """The switches as keyword arguments for ``trafilatura.extract``."""
        return dataclasses.asdict(self)


DEFAULT_SETTINGS = ExtractSettings()
# htmldate: only dates the page states (no guessing from free text), and no dependency on
# today's date (its default upper bound), so a re-run next year gives the same documents.
_DATE_PARAMS: dict[str, Any] = {
    "extensive_search": False,
    "original_date": True,
    "outputformat": "%Y-%m-%dT%H:%M:%S%z",
    "max_date": "2099-12-31",
}


@dataclass(frozen=True)
class Hints:
    """What a user (a JSON record) says about a page; these win over what is extracted."""

    url: str | None = None
    title: str | None = None
    outlet: str | None = None
    published: str | None = None


@dataclass(frozen=True)
class Card:
    """A related-story card taken out of a page: its lines, and its link when it has one."""

    lines: tuple[str, ...]
    url: str | None
    time_attr: str | None


@dataclass(frozen=True)
class Extracted:
    """trafilatura's reading of a page's main content."""

    lines: tuple[str, ...]
    title: str | None
    sitename: str | None
    date: str | None
    url: str | None


@dataclass(frozen=True)
class Page:
    """A page read as lines: the extracted text our rules run over, and where each part is."""

    lines: list[str]
    headline: str | None
    main: tuple[int, int]  # [start, end) of the main paragraphs in ``lines``
    cards: tuple[tuple[int, int, Card], ...]
    extracted: Extracted
    profiles: tuple[Profile, ...]
    navigation: frozenset[str] = frozenset()


@dataclass(frozen=True)
class PageResult:
    """Documents of one page, indexed 0 (main story), 1, 2, ... (cards in page order)."""

    documents: tuple[Document, ...]
    orphans: tuple[Removal, ...]
    repairs: tuple[Repair, ...]
    aggregator: str | None
    extracted_lines: tuple[str, ...] = field(default=())


def find_declared_charset(data: bytes) -> str | None:
    """The codec a page's meta tag declares, as Python names it, or None.

    >>> find_declared_charset(b'<meta charset="windows-1252">')
    'cp1252'
    >>> find_declared_charset(b'<meta content="text/html; charset=ISO-8859-1" http-equiv>')
    'cp1252'
    >>> find_declared_charset(b'<meta charset="no-such-codec">') is None
    True
    """
    m = _META_CHARSET.search(data[:8192])
    if not m:
        return None
    label = m.group(1).decode("ascii", errors="ignore").lower()
    if label in _AS_CP1252:
        return "cp1252"
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def decode_html(data: bytes) -> Decoded:
    """Decode a page: a BOM, then valid UTF-8, then the declared charset, then cp1252.

    Valid UTF-8 wins over a declaration because scrapers re-save pages as UTF-8 and keep the
    original meta tag; bytes that are not UTF-8 follow the declaration.

    >>> decode_html('<meta charset="windows-1252"><p>café</p>'.encode("cp1252")).encoding
    'cp1252'
    >>> decode_html('<meta charset="iso-8859-1"><p>café</p>'.encode("utf-8")).encoding
    'utf-8'
    """
    if data[:4].startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or (
        b"\x00" in data[:4096]
    ):
        return decode_bytes(data)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        declared = find_declared_charset(data)
        if declared is None or declared == "utf-8":
            return decode_bytes(data)
        text = data.decode(declared, errors="replace")
        text, newline = normalise_newlines(text)
        return Decoded(text=text, encoding=declared, newline=newline)
    if not text.strip():
        raise IngestError("whitespace_only", "the file holds only whitespace")
    text, newline = normalise_newlines(text)
    return Decoded(text=text, encoding="utf-8", newline=newline)


def collapse_space(text: str) -> str:
    """One space for any run of whitespace, none at the ends.

    >>> collapse_space("  Sky\\n  News ")
    'Sky News'
    """
    return " ".join(text.split())


def _is_block(tag: Tag) -> bool:
    if tag.name in BLOCK_TAGS:
        return True
    return any(_FIELD_CLASS.search(c) for c in _classes(tag))


def _classes(tag: Tag) -> list[str]:
    value = tag.get("class")
    if isinstance(value, str):
        return value.split()
    return [str(c) for c in value] if value else []


def linearize(root: Tag) -> list[str]:
    """Read an element as lines: one per block element, inline text joined with spaces.

    Lines with no letter or digit (separators such as "·" or "|") are left out.

    >>> soup = BeautifulSoup("<div><span class=source>Sky News</span> · <time>2 hours ago</time>"
    ...     "<h3><a href='/a'>Big <b>news</b></a></h3><p>Body one.</p><script>x()</script></div>",
    ...     "lxml")
    >>> linearize(soup.div)
    ['Sky News', '2 hours ago', 'Big news', 'Body one.']
    """
    lines: list[str] = []
    buf: list[str] = []

    def flush() -> None:
        text = collapse_space("".join(buf))
        buf.clear()
        if text and _HAS_WORD.search(text):
            lines.append(text)

    # An explicit stack: broken markup can nest deeper than Python's recursion limit.
    stack: list[tuple[Any, bool]] = [(root, True)]
    while stack:
        node, entering = stack.pop()
        if isinstance(node, NavigableString):
            if not isinstance(node, PreformattedString):
                buf.append(str(node))
            continue
        if not isinstance(node, Tag) or node.name in SKIP_TAGS:
            continue
        if node.name == "br":
            flush()
            continue
        block = _is_block(node)
        if not entering:
            if block:
                flush()
            continue
        if block:
            flush()
        stack.append((node, False))
        stack.extend((child, True) for child in reversed(node.contents))
    flush()
    return lines


def _anchor_strings(soup: BeautifulSoup, rules: Rules) -> list[NavigableString]:
    """Text nodes that are a whole relative time ("2 hours ago"): card header anchors."""
    found = []
    for s in soup.find_all(string=True):
        if isinstance(s, PreformattedString) or not isinstance(s, NavigableString):
            continue
        text = s.strip()
        if not text or len(text) > 40:
            continue
        if any(p.match(text) for p in rules.published):
            parent = s.parent
            if parent is not None and parent.name not in SKIP_TAGS:
                found.append(s)
    return found


def _holds_h1(tag: Tag) -> bool:
    return tag.name == "h1" or tag.find("h1") is not None


def _names_headline(tag: Tag, headline: str) -> Tag | None:
    """The link or heading in a card that carries its headline, if any."""
    for el in tag.find_all(["a", "h2", "h3", "h4", "h5", "h6"]):
        if collapse_space(el.get_text(" ")) == headline:
            return el if isinstance(el, Tag) else None
    return None


def _card_lines(tag: Tag, rules: Rules) -> tuple[str, ...] | None:
    """The lines of an element when they hold exactly one full card header."""
    lines = linearize(tag)
    headers = find_headers(lines, rules)
    if len(headers) != 1 or headers[0].headline is None:
        return None
    if not looks_like_headline(headers[0].headline, rules.settings.max_headline_words):
        return None
    if _names_headline(tag, headers[0].headline) is None:
        return None
    return tuple(lines)


def _climb(anchor: NavigableString, counts: Counter[int], rules: Rules) -> Tag | None:
    """The card around an anchor: the largest element holding only this anchor.

    Climbing stops below the page's main article (an element with the ``h1``), below
    ``body``/``main``, and at a card-like element (``li``, ``article``, a "card" class)
    once that holds a whole header.
    """
    best: Tag | None = None
    node = anchor.parent
    while isinstance(node, Tag) and node.name not in _STOP_TAGS:
        if counts[id(node)] > 1 or _holds_h1(node):
            break
        if _card_lines(node, rules) is not None:
            best = node
            classes = " ".join(_classes(node))
            if node.name in ("li", "article") or _CARD_CLASS.search(classes):
                break
        node = node.parent
    return best


def find_cards(soup: BeautifulSoup, rules: Rules, base_url: str | None) -> list[tuple[Tag, Card]]:
    """Related-story cards in page order: outlet and/or byline, relative time, headline link.

    A card is built around each relative-time text ("2 hours ago"), as in a dump, and must
    show its headline as a link or heading: a dateline in the article itself is never one.
    """
    anchors = _anchor_strings(soup, rules)
    counts: Counter[int] = Counter(id(p) for a in anchors for p in a.parents)
    cards: list[tuple[Tag, Card]] = []
    taken: set[int] = set()
    for anchor in anchors:
        tag = _climb(anchor, counts, rules)
        if tag is None or id(tag) in taken:
            continue
        if any(id(p) in taken for p in tag.parents):
            continue
        lines = _card_lines(tag, rules)
        if lines is None:
            continue
        taken.add(id(tag))
        headline = find_headers(list(lines), rules)[0].headline or ""
        link = _names_headline(tag, headline)
        href = _link_of(link) if link is not None else None
        time = tag.find("time")
        when = time.get("datetime") if isinstance(time, Tag) else None
        cards.append(
            (
                tag,
                Card(
                    lines=lines,
                    url=urljoin(base_url or "", href) if href else None,
                    time_attr=when if isinstance(when, str) else None,
                ),
            )
        )
    return cards


def _link_of(el: Tag) -> str | None:
    a = el if el.name == "a" else el.find("a")
    href = a.get("href") if isinstance(a, Tag) else None
    return href.strip() if isinstance(href, str) and href.strip() else None


def extract_main(
    html: str, url: str | None, settings: ExtractSettings = DEFAULT_SETTINGS
) -> Extracted:
    """Main text lines and metadata of a page (cards already taken out), by trafilatura."""
    import trafilatura

    doc: Any = trafilatura.bare_extraction(
        html,
        url=url,
        with_metadata=True,
        date_extraction_params=_DATE_PARAMS,
        favor_precision=settings.favor_precision,
        favor_recall=settings.favor_recall,
        include_tables=settings.include_tables,
        no_fallback=settings.no_fallback,
        include_comments=settings.include_comments,
    )
    if doc is None:
        return Extracted((), None, None, None, url)
    text = doc.text or ""
    lines = tuple(s for s in (collapse_space(line) for line in text.split("\n")) if s)
    return Extracted(
        lines=lines,
        title=collapse_space(doc.title) if doc.title else None,
        sitename=collapse_space(doc.sitename) if doc.sitename else None,
        date=doc.date or None,
        url=doc.url or url,
    )


def extract_page(
    html: str, rules: Rules, url: str | None = None, settings: ExtractSettings = DEFAULT_SETTINGS
) -> Page:
    """Read a page into lines: headline, main paragraphs, then each card's lines."""
    soup = BeautifulSoup(html, "lxml")
    profiles = detect_profiles(linearize(soup), rules)
    navigation = find_navigation(soup)
    canonical = url or _canonical_url(soup)
    cards = find_cards(soup, rules, canonical)
    for tag, _ in cards:
        tag.decompose()
    extracted = extract_main(str(soup), canonical, settings)
    names = {n.casefold() for n in (extracted.sitename, *(p.aggregator for p in profiles)) if n}
    # A page with no title of its own gets the site's name from trafilatura: not a headline.
    headline = extracted.title if (extracted.title or "").casefold() not in names else None
    main = list(extracted.lines)
    if headline and main and main[0] == headline:
        main = main[1:]  # trafilatura keeps an in-article <h1>; it is the headline already
    lines = [headline] if headline else []
    span = (len(lines), len(lines) + len(main))
    lines.extend(main)
    placed = []
    for _, card in cards:
        placed.append((len(lines), len(lines) + len(card.lines), card))
        lines.extend(card.lines)
    return Page(lines, headline, span, tuple(placed), extracted, profiles, navigation)


def find_navigation(soup: BeautifulSoup) -> frozenset[str]:
    """Lines of the page's navigation: ``nav``, and ``header``/``footer`` outside the article.

    >>> sorted(find_navigation(BeautifulSoup("<nav><a>Home</a></nav><article><footer>Tags"
    ...     "</footer></article><footer>All rights reserved</footer>", "lxml")))
    ['All rights reserved', 'Home']
    """
    found: set[str] = set()
    for el in soup.find_all(["nav", "header", "footer"]):
        if not isinstance(el, Tag):
            continue
        if el.name != "nav" and el.find_parent(["article", "main"]) is not None:
            continue
        found.update(linearize(el))
    return frozenset(found)


def _canonical_url(soup: BeautifulSoup) -> str | None:
    for selector in ('link[rel="canonical"]', 'meta[property="og:url"]'):
        el = soup.select_one(selector)
        value = el.get("href") or el.get("content") if isinstance(el, Tag) else None
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def repair_lines(lines: list[str]) -> list[Repair]:
    """Repair mojibake in place, line by line, and say what was repaired (1-based lines)."""
    repairs = []
    for i, line in enumerate(lines):
        fixed, fixes = repair_line(line)
        if fixes:
            repairs.append(Repair(i + 1, line, fixed, fixes))
            lines[i] = fixed
    return repairs


def shift_removals(removals: Sequence[Removal], offset: int) -> list[Removal]:
    """Move removals from a part's own line numbers to the whole extracted text's.

    >>> shift_removals([Removal("r", "x", 1, 0)], 4)
    [Removal(rule='r', text='x', line=5, start=0)]
    """
    return [dataclasses.replace(r, line=r.line + offset) for r in removals]


def parse_published(value: str | None) -> tuple[str | None, str | None]:
    """``(published_text, published)`` from a date a page or record states.

    Only a time with a UTC offset becomes ``published``; a bare date stays text.

    >>> parse_published("2025-08-15T09:30:00+0100")
    ('2025-08-15T09:30:00+0100', '2025-08-15T08:30:00Z')
    >>> parse_published("2025-08-14T00:00:00")
    ('2025-08-14', None)
    >>> parse_published("yesterday-ish")
    ('yesterday-ish', None)
    """
    if not value:
        return None, None
    text = value.strip()
    moment = parse_iso(text)
    if moment is None:
        return text, None
    if moment.tzinfo is None:
        return (text.removesuffix("T00:00:00"), None)
    return text, format_utc(moment.astimezone(UTC))


def clean_page(
    html: str,
    *,
    base: Source,
    rules: Rules,
    scraped_at: datetime | None,
    hints: Hints = Hints(),
    settings: ExtractSettings = DEFAULT_SETTINGS,
) -> PageResult:
    """Clean one decoded page into documents; ``base`` carries the provenance to stamp.

    The main story is index 0 and the cards 1, 2, ... in page order; a part left with no
    text after the rules gives no document (its removals go to the orphans), as in a dump.
    """
    page = extract_page(html, rules, hints.url, settings)
    lines = page.lines
    repairs = repair_lines(lines)
    aggregator = next((p.aggregator for p in page.profiles if p.aggregator), None)
    docs: list[Document] = []
    orphans: list[Removal] = []
    main = _clean_main(page, rules)
    if main is not None and main.text:
        published_text, published = parse_published(hints.published or page.extracted.date)
        docs.append(
            _document(
                main,
                base=dataclasses.replace(base, index=0, url=page.extracted.url),
                rules=rules,
                outlet=_outlet(page, hints, aggregator),
                headline=hints.title or page.headline or main.headline,
                aggregator=aggregator,
                published=(published_text, published),
                repairs=[r for r in repairs if r.line <= page.main[1]],
            )
        )
    elif main is not None:
        orphans.extend(main.removed)
    for k, (start, end, card) in enumerate(page.cards, start=1):
        story, preamble = _clean_card(lines[start:end], rules, page.profiles, start)
        orphans.extend(preamble)
        if not story.text:
            orphans.extend(story.removed)
            orphans.extend(story.dropped)
            continue
        relative = resolve_published(story.published_text, scraped_at)
        if relative is None and card.time_attr:
            relative = parse_published(card.time_attr)[1]
        docs.append(
            _document(
                story,
                base=dataclasses.replace(base, index=k, url=card.url),
                rules=rules,
                outlet=story.outlet,
                headline=story.headline,
                aggregator=aggregator,
                published=(story.published_text, relative),
                repairs=[r for r in repairs if start < r.line <= end],
            )
        )
    return PageResult(tuple(docs), tuple(orphans), tuple(repairs), aggregator, tuple(lines))


def _document(
    story: LineStory,
    *,
    base: Source,
    rules: Rules,
    outlet: str | None,
    headline: str | None,
    aggregator: str | None,
    published: tuple[str | None, str | None],
    repairs: list[Repair],
) -> Document:
    return Document(
        source=base,
        outlet=outlet,
        headline=headline,
        aggregator=aggregator,
        published_text=published[0],
        published=published[1],
        text=story.text,
        language=detect_language(story.text, rules.settings.min_language_words),
        truncated=story.truncated,
        removed=tuple(story.removed),
        repairs=tuple(repairs),
    )


def find_teaser_paragraph(line: str, rules: Rules) -> str | None:
    """The teaser rule's name when a whole paragraph is one teaser link, else None.

    In a page the paragraph's end is the headline's end ("READ MORE: <a>headline</a>" in a
    paragraph of its own), which a flattened dump cannot tell; a paragraph ending in a full
    stop is left to the inline rule.

    >>> from ingest.rules import load_rules
    >>> find_teaser_paragraph("READ MORE: Macron warns Von der Leyen against rushing", load_rules())
    'teaser_link'
    >>> find_teaser_paragraph("READ MORE: the council said it would act.", load_rules()) is None
    True
    """
    for rule in rules.inline:
        if rule.kind != "teaser":
            continue
        m = rule.pattern.match(line)
        rest = line[m.end() :].split() if m else []
        if rest and len(rest) <= rules.settings.max_teaser_words and not line.endswith("."):
            return rule.name
    return None


def _clean_main(page: Page, rules: Rules) -> LineStory | None:
    """The main story; its first line is taken as headline only when the page has no title."""
    start, end = page.main
    if start == end:
        return None
    part = page.lines[start:end]
    teasers = []
    for i, line in enumerate(part):
        rule = "page_navigation" if line in page.navigation else None
        rule = rule or find_teaser_paragraph(line, rules)
        if rule is not None:
            teasers.append(Removal(rule, line, i + 1, 0))
            part[i] = ""  # kept in the numbering, gone from the text
    (story,) = clean_lines(
        part, rules, page.profiles, split=False, find_headline=page.headline is None
    )
    removed = sorted((*story.removed, *teasers), key=lambda r: (r.line, r.start))
    return dataclasses.replace(
        story,
        removed=tuple(shift_removals(removed, start)),
        dropped=tuple(shift_removals(story.dropped, start)),
    )


def _clean_card(
    lines: list[str], rules: Rules, profiles: tuple[Profile, ...], offset: int
) -> tuple[LineStory, list[Removal]]:
    """A card's story, and its lines before the header (a label, a picture credit)."""
    stories = clean_lines(lines, rules, profiles, split=True)
    story = stories[-1]
    preamble = [
        Removal("card_preamble", lines[i], offset + i + 1, 0)
        for i in range(story.first - 1 if len(stories) > 1 else 0)
    ]
    shifted = dataclasses.replace(
        story,
        removed=tuple(shift_removals(story.removed, offset)),
        dropped=tuple(shift_removals(story.dropped, offset)),
    )
    return shifted, preamble


def _outlet(page: Page, hints: Hints, aggregator: str | None) -> str | None:
    """The record's outlet, else the page's site name unless that is the aggregator."""
    if hints.outlet:
        return hints.outlet
    site = page.extracted.sitename
    if site and aggregator and site.casefold() == aggregator.casefold():
        return None
    return site


def clean_html(
    data: bytes,
    *,
    path: str,
    rules: Rules,
    scraped_at: datetime | None = None,
    settings: ExtractSettings = DEFAULT_SETTINGS,
) -> DumpResult:
    """Clean one HTML file's bytes into documents, or raise IngestError saying why not."""
    sha = hashlib.sha256(data).hexdigest()
    decoded = decode_html(data)
    base = Source(
        path=path,
        sha256=sha,
        index=0,
        line_start=None,
        line_end=None,
        encoding=decoded.encoding,
        newline=decoded.newline,
        scraped_at=format_utc(scraped_at) if scraped_at else None,
        kind="html",
    )
    result = clean_page(
        decoded.text, base=base, rules=rules, scraped_at=scraped_at, settings=settings
    )
    if not result.documents:
        raise_no_story(result.orphans)
    return DumpResult(result.documents, result.orphans, result.repairs, sha, result.aggregator)


def raise_no_story(orphans: Sequence[Removal]) -> None:
    """Say that nothing was left of a page once chrome and residue were removed."""
    counts = ", ".join(sorted({r.rule for r in orphans})) or "none"
    raise IngestError(
        "no_story",
        f"no story text is left once page chrome and residue are removed "
        f"({len(orphans)} spans removed by: {counts})",
    )
