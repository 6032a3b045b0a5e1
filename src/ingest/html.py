"""HTML pages into the same documents as text dumps.

decode (BOM, valid UTF-8, the charset a meta tag declares, else cp1252 line by line) ->
parse once into an lxml tree -> find related-story cards on it (outlet / relative time /
[- outlet] / headline / [body], the dump's header shape) and take them out -> trafilatura
extracts the main text and metadata from the same tree -> the page's *extracted text*
(headline, main paragraphs, then each card's lines) is repaired and run through the dump
path's chrome and residue rules (:func:`ingest.clean.clean_lines`), with the same audit.

``removed[].line`` and ``repairs[].line`` of an HTML document count lines of that extracted
text (:func:`extract_page` returns it), since an HTML file's own lines are not where the
text stood; ``source.lines`` is null.
"""

from __future__ import annotations

import codecs
import contextlib
import copy
import dataclasses
import functools
import itertools
import re
import threading
from collections import Counter, OrderedDict
from collections.abc import Callable, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin

import lxml.html
from lxml import etree
from lxml.html import HtmlElement

from ingest.clean import DumpResult, LineStory, PageLines, clean_lines
from ingest.decode import Decoded, decode_bytes, file_source, normalise_newlines
from ingest.document import Document, Fallback, Removal, Repair, Source
from ingest.errors import IngestError, no_story
from ingest.furniture import Furniture as FurnitureRules
from ingest.furniture import is_share_buttons
from ingest.language import detect_language
from ingest.learn import LEARNING
from ingest.published import format_utc, parse_iso, resolve_published
from ingest.repair import repair_lines
from ingest.rules import Profile, Rules
from ingest.scraped import FROM_HTML, saved_time
from ingest.settings import ExtractSettings
from ingest.split import Header, detect_profiles, find_headers, looks_like_headline

# Elements whose text starts and ends a line when a page is read as lines.
BLOCK_TAGS = frozenset(
    (
        *("address", "article", "aside", "blockquote", "body", "dd", "details", "dialog"),
        *("div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "header"),
        *("h1", "h2", "h3", "h4", "h5", "h6", "hr", "li", "main", "nav", "ol", "p", "pre"),
        *("section", "summary", "table", "tbody", "thead", "tfoot", "tr", "td", "th", "ul"),
        *("button", "time"),
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


DEFAULT_SETTINGS = ExtractSettings()
#: ``trafilatura.extract``'s own defaults: the fallback reads a page as bare trafilatura does.
BARE_SETTINGS = ExtractSettings(include_comments=True)
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
    date_url: str | None = None  # the address the page itself states (htmldate reads it)


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
    links: frozenset[str] = frozenset()  # the texts of the page's links
    words: int = 0  # words of the whole page read as lines, cards included
    too_deep: bool = False  # the parser stopped at its depth limit (see parse_page)
    # The whole page's text lines (linearize of its body), when asked for (extract_page).
    text_lines: tuple[str, ...] | None = None
    headings: tuple[str, ...] = ()  # the texts of the page's h1 elements (page_headings)


@dataclass(frozen=True)
class PageResult:
    """Documents of one page, indexed 0 (main story), 1, 2, ... (cards in page order)."""

    documents: tuple[Document, ...]
    orphans: tuple[Removal, ...]
    repairs: tuple[Repair, ...]
    aggregator: str | None
    extracted_lines: tuple[str, ...] = field(default=())
    too_deep: bool = False  # the parser stopped at its depth limit (see parse_page)
    # The page's text lines that are in none of ``extracted_lines``, when asked for
    # (clean_page's ``page_lines``): what extraction left out.
    not_extracted: tuple[str, ...] | None = None


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
        try:
            text = data.decode(declared, errors="replace")
        except (LookupError, UnicodeError):  # "undefined", rot13: codecs that are no charset
            return decode_bytes(data)
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


def _is_block(el: HtmlElement) -> bool:
    if el.tag in BLOCK_TAGS:
        return True
    classes = el.get("class")
    return bool(classes) and _FIELD_CLASS.search(classes) is not None


def _page_parser() -> lxml.html.HTMLParser:
    """trafilatura's HTML parser, with a class lookup done in C.

    lxml.html looks up each element's class in Python (forms, inputs, labels get their own
    classes), which a page pays once per element every time a tree is walked; here every
    element is a plain ``HtmlElement``, which is all trafilatura and this module use.
    """
    parser = lxml.html.HTMLParser(
        collect_ids=False,
        default_doctype=False,
        encoding="utf-8",
        remove_comments=True,
        remove_pis=True,
    )
    parser.set_element_class_lookup(
        etree.ElementDefaultClassLookup(
            element=HtmlElement,
            comment=lxml.html.HtmlComment,
            pi=lxml.html.HtmlProcessingInstruction,
            entity=lxml.html.HtmlEntity,
        )
    )
    return parser


_PARSER = _page_parser()


def parse_html(html: str) -> HtmlElement:
    """Parse a decoded page once, as trafilatura's loader would, into an lxml tree.

    The same repairs and parser settings as ``trafilatura.utils.load_html``, so the tree is
    the one bare ``trafilatura.extract`` reads. A page with no ``html`` in its first bytes
    that parses to a single element is still read (trafilatura would give up on it).
    """
    from trafilatura.utils import repair_faulty_html

    text = repair_faulty_html(html, html[:50].lower())
    try:
        try:
            tree: HtmlElement = lxml.html.fromstring(text, parser=_PARSER)
        except ValueError:  # "Unicode strings with encoding declaration are not supported"
            tree = lxml.html.fromstring(text.encode("utf-8", "surrogatepass"), parser=_PARSER)
    except etree.ParserError as exc:
        raise IngestError("no_story", f"the page holds no HTML to read: {exc}") from exc
    return tree


#: libxml2's HTML parser reads elements nested at most this deep; what lies deeper is lost.
MAX_PARSE_DEPTH = 255


def parse_page(html: str) -> tuple[HtmlElement, bool]:
    """:func:`parse_html`, and whether the parser stopped at :data:`MAX_PARSE_DEPTH`.

    >>> parse_page("<div>" * 300 + "<p>Deep text.</p>")[1]
    True
    """
    tree = parse_html(html)
    return tree, any(_DEPTH_ERROR in e.message for e in _PARSER.error_log)


_DEPTH_ERROR = "Excessive depth in document"


def linearize(root: HtmlElement) -> list[str]:
    """Read an element as lines: one per block element, inline text joined with spaces.

    Lines with no letter or digit (separators such as "·" or "|") are left out.

    >>> linearize(lxml.html.fromstring("<div><span class=source>Sky News</span> · "
    ...     "<time>2 hours ago</time><h3><a href='/a'>Big <b>news</b></a></h3><p>Body one.</p>"
    ...     "<script>x()</script></div>"))
    ['Sky News', '2 hours ago', 'Big news', 'Body one.']
    """
    return _walk(root)


def find_navigation(tree: HtmlElement) -> frozenset[str]:
    """Lines of the page's navigation: ``nav``, and ``header``/``footer`` outside the article.

    >>> sorted(find_navigation(lxml.html.document_fromstring("<nav><a>Home</a></nav><article>"
    ...     "<footer>Tags</footer></article><footer>All rights reserved</footer>")))
    ['All rights reserved', 'Home']
    """
    found: set[str] = set()
    for el in tree.iter("nav", "header", "footer"):
        if el.tag != "nav" and any(a.tag in _ARTICLE_TAGS for a in el.iterancestors()):
            continue
        found.update(linearize(el))
    return frozenset(found)


@dataclass(frozen=True)
class PageText:
    """A page's texts, whitespace collapsed (empty ones left out), and its word count.

    ``holders[i]`` is the element whose ``text`` (``False``) or ``tail`` (``True``) is
    ``texts[i]``. ``elements`` counts the elements read (a skipped one counts once).
    """

    holders: list[tuple[HtmlElement, bool]]
    texts: list[str]
    words: int
    elements: int = 0
    lines: tuple[str, ...] | None = None  # page_text_lines, when read_text was asked for them
    navigation: frozenset[str] | None = None  # find_navigation, when read with the lines


def read_text(tree: HtmlElement, lines: bool = False) -> PageText:
    """The page's texts in document order, those in scripts, styles, the head... left out.

    One walk of the whole document in C that skips those elements' subtrees: an XPath over
    ``text()`` nodes made a Python object per node and checked every node's ancestors.
    ``lines``: the same walk also reads :func:`page_text_lines` (a walk of its own cost as
    much again).

    >>> page = lxml.html.document_fromstring("<p>Try <b>our</b>  app</p><script>x</script>")
    >>> read_text(page).texts
    ['Try', 'our', 'app']
    >>> read_text(page, lines=True).lines
    ('Try our app',)
    """
    if lines:
        return _read_text_and_lines(tree)
    root = tree.getroottree().getroot()
    holders: list[tuple[HtmlElement, bool]] = []
    texts: list[str] = []
    words = 0
    elements = 0
    walker = etree.iterwalk(root, events=("start", "end"))
    for event, el in walker:
        if event == "end":
            text, tail = (el.tail, True) if el is not root else (None, True)
        else:
            elements += 1
            tag = el.tag
            if not isinstance(tag, str) or tag in SKIP_TAGS:
                walker.skip_subtree()  # comments, PIs, skipped elements: only the tail reads
                continue
            text, tail = el.text, False
        if text:
            parts = text.split()
            if parts:
                holders.append((el, tail))
                texts.append(" ".join(parts))
                words += len(parts)
    return PageText(holders, texts, words, elements)


def _read_text_and_lines(tree: HtmlElement) -> PageText:
    """:func:`read_text` and, in the same walk, :func:`page_text_lines` (as ``_walk`` reads
    lines, inside the body) and :func:`find_navigation`'s lines: those read inside each
    navigation element (a block: its lines are the ones a walk of its own reads). Where a
    navigation element lies where the walk reads no lines (the head, a script), navigation
    is left for :func:`find_navigation`."""
    # Every text and tail is read from the tree once (lxml makes a new string each time)
    # and the per-element steps are inline: this loop runs twice per element of the page.
    root = tree.getroottree().getroot()
    body = tree.find("body")
    target = body if body is not None else tree
    holders: list[tuple[HtmlElement, bool]] = []
    texts: list[str] = []
    words = 0
    lines: list[str] = []
    buf: list[str] = []
    blocks: list[bool] = []  # for each element open inside the target: whether it is a block
    navs: list[tuple[HtmlElement, int]] = []  # open navigation elements, their first line
    articles: list[HtmlElement] = []  # open article and main elements
    navigation: set[str] | None = set()
    has_word = _HAS_WORD.search
    field_class = _FIELD_CLASS.search

    def flush() -> None:
        text = " ".join("".join(buf).split())
        buf.clear()
        if text and has_word(text):
            lines.append(text)

    elements = 0
    inside = entered = False
    walker = etree.iterwalk(root, events=("start", "end"))
    for event, el in walker:
        if event == "end":
            tail = el.tail if el is not root else None
            if tail:
                parts = tail.split()
                if parts:
                    holders.append((el, True))
                    texts.append(" ".join(parts))
                    words += len(parts)
            if articles and articles[-1] is el:
                articles.pop()
            if inside:
                if blocks.pop() and buf:
                    flush()
                if navs and navs[-1][0] is el:
                    if navigation is not None:
                        navigation.update(lines[navs[-1][1] :])
                    navs.pop()
                if el is target:  # its tail is not its text
                    if buf:
                        flush()
                    inside = False
                elif tail:
                    buf.append(tail)
            continue
        elements += 1
        tag = el.tag
        if el is target:
            inside = entered = True
        if isinstance(tag, str) and tag not in SKIP_TAGS:
            text = el.text
            if text:
                parts = text.split()
                if parts:
                    holders.append((el, False))
                    texts.append(" ".join(parts))
                    words += len(parts)
            if tag in _ARTICLE_TAGS:
                articles.append(el)
            if not inside:
                if tag in _NAVIGATION_TAGS:
                    navigation = None
                continue
            if tag == "br":  # a line break (never any text of its own)
                if buf:
                    flush()
                blocks.append(False)
                continue
            if tag in BLOCK_TAGS:
                block = True
            else:  # _is_block
                classes = el.get("class")
                block = bool(classes) and field_class(classes) is not None
            if block and buf:
                flush()
            if tag in _NAVIGATION_TAGS and (tag == "nav" or not articles):
                navs.append((el, len(lines)))
            if text:
                buf.append(text)
            blocks.append(block)
        else:  # comments, processing instructions, skipped elements: only the tail reads
            walker.skip_subtree()
            hidden = isinstance(tag, str) and next(el.iter(*_NAVIGATION_TAGS), None) is not None
            if hidden:  # navigation the walk does not enter: find_navigation reads it
                navigation = None
            if inside:
                blocks.append(False)
    if not entered:  # a target the walk skips
        return PageText(holders, texts, words, elements, tuple(linearize(target)))
    found = None if navigation is None else frozenset(navigation)
    return PageText(holders, texts, words, elements, tuple(lines), found)


_NAVIGATION_TAGS = ("nav", "header", "footer")


def _walk(root: HtmlElement) -> list[str]:
    lines: list[str] = []
    buf: list[str] = []

    def flush() -> None:
        if not buf:  # most block boundaries follow another one
            return
        text = " ".join("".join(buf).split())
        buf.clear()
        if text and _HAS_WORD.search(text):
            lines.append(text)

    # lxml's walk in C (start and end events, skipped subtrees never entered): a stack of
    # (element, state) tuples kept in Python cost half as much again. ``blocks`` holds, for
    # each element open in the walk, whether its end ends a line.
    blocks: list[bool] = []
    walker = etree.iterwalk(root, events=("start", "end"))
    for event, node in walker:
        if event == "end":
            if blocks.pop():
                flush()
            if node.tail and node is not root:
                buf.append(node.tail)
            continue
        tag = node.tag
        if not isinstance(tag, str) or tag in SKIP_TAGS or tag == "br":
            # comments, processing instructions and skipped elements: only their tail reads
            if tag == "br":
                flush()
            walker.skip_subtree()
            blocks.append(False)
            continue
        block = _is_block(node)
        if block:
            flush()
        if node.text:
            buf.append(node.text)
        blocks.append(block)
    flush()
    return lines


_ARTICLE_TAGS = frozenset(("article", "main"))


# Short text nodes only: a relative time is a few words, and most of a page's text is not.
def _anchor_elements(text: PageText, rules: Rules) -> list[HtmlElement]:
    """Elements holding a text that is a whole relative time ("2 hours ago"): card anchors."""
    texts = text.texts
    # A page repeats its short texts ("Reply", "Share", a date): each is tried once.
    candidates = list(dict.fromkeys(t for t in texts if len(t) <= 40))
    times: set[str] = set()
    for pattern in rules.published:  # each pattern over all candidates in C
        times.update(itertools.compress(candidates, map(pattern.match, candidates)))
    found = []
    for i in [i for i, t in enumerate(texts) if t in times]:
        el, tail = text.holders[i]
        holder = el.getparent() if tail else el
        if holder is not None and isinstance(holder.tag, str):
            found.append(holder)
    return found


# The elements that can carry a card's headline: a link or a heading below h1.
_HEADLINE_TAGS = ("a", "h2", "h3", "h4", "h5", "h6")


def _holds_h1(el: HtmlElement) -> bool:
    return next(el.iter("h1"), None) is not None


def _names_headline(el: HtmlElement, headline: str) -> HtmlElement | None:
    """The link or heading in a card that carries its headline, if any."""
    for sub in el.iter(*_HEADLINE_TAGS):
        if collapse_space(sub.text_content()) == headline:
            return sub
    return None


def _card_lines(el: HtmlElement, headers_of: _Headers) -> tuple[str, ...] | None:
    """The lines of an element when they have a card's shape, else None.

    A card is short and starts with its header: at most :data:`MAX_CARD_PREAMBLE` lines (a
    label, a picture credit) before exactly one full header (outlet and/or byline, relative
    time, a headline that is a link or heading), and at most :data:`MAX_CARD_WORDS` words in
    all. A sidebar or a page region that merely contains one header somewhere is not a card,
    and neither is an advertisement (:func:`is_ad_block`). ``headers_of``: the headers of a
    card search's lines so far (:class:`_Headers`, which holds the rules).
    """
    if next(el.iter(*_HEADLINE_TAGS), None) is None:
        return None  # no link or heading to carry a headline: skip reading its lines
    rules = headers_of.rules
    lines = tuple(linearize(el))
    if sum(len(line.split()) for line in lines) > MAX_CARD_WORDS:
        return None
    headers = headers_of.find(lines)
    if len(headers) != 1 or headers[0].headline is None:
        return None
    if headers[0].start > MAX_CARD_PREAMBLE:
        return None
    if not looks_like_headline(headers[0].headline, rules.settings.max_headline_words):
        return None
    if _names_headline(el, headers[0].headline) is None:
        return None
    if is_ad_block(el, lines):
        return None
    return lines


class _Headers:
    """:func:`ingest.split.find_headers` of a card search's lines, each read once: climbing
    from a time, a wrapper adds no line to what it wraps, so most elements read the same
    lines as the one below them or one of another climb (on the readability pages, 322
    distinct readings of 547)."""

    def __init__(self, rules: Rules) -> None:
        self.rules = rules
        self.found: dict[tuple[str, ...], list[Header]] = {}

    def find(self, lines: tuple[str, ...]) -> list[Header]:
        headers = self.found.get(lines)
        if headers is None:
            headers = self.found[lines] = find_headers(list(lines), self.rules)
        return headers


def is_ad_block(el: HtmlElement, lines: Sequence[str] = ()) -> bool:
    """Say whether an element is an advertisement: by its or its ancestors' class or id,
    or by a line that labels it ("Sponsored", "Advertisement", "Promoted by ...").

    >>> is_ad_block(lxml.html.fromstring("<div class='native-ad card'><p>x</p></div>"))
    True
    >>> is_ad_block(lxml.html.fromstring("<div class='card'><p>x</p></div>"), ["Sponsored"])
    True
    >>> is_ad_block(lxml.html.fromstring("<div class='card'><p>x</p></div>"), ["Sky News"])
    False
    >>> is_ad_block(lxml.html.fromstring("<div class='header-main shadow'><p>x</p></div>"))
    False
    """
    for node in (el, *el.iterancestors()):
        marks = f"{node.get('class') or ''} {node.get('id') or ''}"
        if marks.strip() and any(t in _AD_TOKENS for t in _TOKEN_SPLIT.split(marks.lower())):
            return True
    return any(_AD_LABEL.match(line) for line in lines)


# Class and id tokens (split at spaces, "-" and "_") that mark an ad slot in common markup.
_AD_TOKENS = frozenset(
    (
        *("ad", "ads", "adv", "advert", "adverts", "advertisement", "advertising", "adslot"),
        *("adsbygoogle", "adunit", "dfp", "gpt", "sponsor", "sponsored", "sponsors"),
        *("promoted", "taboola", "outbrain", "revcontent", "mgid", "zergnet"),
    )
)
_TOKEN_SPLIT = re.compile(r"[\s_-]+")
# A whole line that labels what follows as paid for.
_AD_LABEL = re.compile(
    r"(?i)^(?:advertisement|advertising|ad|ads|sponsored(?: content| post| by\b.*)?"
    r"|promoted(?: content| stories| by\b.*)?|paid (?:content|post|partner\w*)"
    r"|partner content)$"
)
#: A card's most words: related-story cards carry a headline and a short teaser body.
MAX_CARD_WORDS = 250
#: Lines a card may hold before its header (a section label, a picture credit).
MAX_CARD_PREAMBLE = 2


def _too_long_for_card(el: HtmlElement) -> bool:
    """More words than any card holds: no element above it can be a card either."""
    return len(el.text_content().split()) > 2 * MAX_CARD_WORDS


def _climb(
    anchor: HtmlElement, counts: Counter[HtmlElement], headers_of: _Headers
) -> tuple[HtmlElement, tuple[str, ...]] | None:
    """The card around an anchor: the largest element holding only this anchor, with its
    lines (:func:`_card_lines`).

    Climbing stops below the page's main article (an element with the ``h1``), below
    ``body``/``main``, and at a card-like element (``li``, ``article``, a "card" class)
    once that holds a whole header.
    """
    best: tuple[HtmlElement, tuple[str, ...]] | None = None
    node: HtmlElement | None = anchor
    while node is not None and node.tag not in _STOP_TAGS:
        if counts[node] > 1 or _holds_h1(node) or _too_long_for_card(node):
            break
        lines = _card_lines(node, headers_of)
        if lines is not None:
            best = (node, lines)
            if node.tag in ("li", "article") or _CARD_CLASS.search(node.get("class") or ""):
                break
        node = node.getparent()
    return best


def find_cards(
    tree: HtmlElement, rules: Rules, base_url: str | None, text: PageText | None = None
) -> list[tuple[HtmlElement, Card]]:
    """Related-story cards in page order: outlet and/or byline, relative time, headline link.

    A card is built around each relative-time text ("2 hours ago"), as in a dump, and must
    show its headline as a link or heading: a dateline in the article itself is never one.
    """
    anchors = _anchor_elements(text or read_text(tree), rules)
    counts: Counter[HtmlElement] = Counter()
    for anchor in anchors:
        counts[anchor] += 1
        counts.update(anchor.iterancestors())
    cards: list[tuple[HtmlElement, Card]] = []
    taken: set[HtmlElement] = set()
    headers_of = _Headers(rules)
    for anchor in anchors:
        found = _climb(anchor, counts, headers_of)
        if found is None:
            continue
        el, lines = found
        if el in taken or any(p in taken for p in el.iterancestors()):
            continue
        taken.add(el)
        headline = headers_of.find(lines)[0].headline or ""
        link = _names_headline(el, headline)
        href = _link_of(link) if link is not None else None
        time = next(el.iter("time"), None)
        when = time.get("datetime") if time is not None else None
        cards.append(
            (
                el,
                Card(
                    lines=lines,
                    url=urljoin(base_url or "", href) if href else None,
                    time_attr=when,
                ),
            )
        )
    return cards


def _link_of(el: HtmlElement) -> str | None:
    a = el if el.tag == "a" else next(el.iter("a"), None)
    href = a.get("href") if a is not None else None
    return href.strip() if href and href.strip() else None


@dataclass(frozen=True)
class Metadata:
    """What a page states about itself: title, site name, date, address."""

    title: str | None
    sitename: str | None
    date: str | None
    url: str | None
    date_url: str | None = None  # the address the page itself states (htmldate reads it)


def extract_metadata(tree: HtmlElement, url: str | None, dated: bool = True) -> Metadata:
    """Title, site name, date and URL, as ``trafilatura.extract_metadata`` finds them.

    Only the fields documents use: trafilatura's own pass also looks for authors,
    categories, tags and a licence, which cost most of its time and are never kept.
    ``dated=False`` leaves the date out (None): :func:`find_page_date` finds it later.
    """
    from htmldate import find_date
    from trafilatura import metadata as meta

    found = meta.examine_meta(tree)
    # Malformed JSON-LD is the page's fault: trafilatura's own pass skips it too.
    with contextlib.suppress(Exception):
        found = meta.extract_meta_json(tree, found)
    title = found.title or meta.extract_title(tree)
    page_url = found.url or meta.extract_url(tree, url)
    date = find_date(tree, url=page_url, **_DATE_PARAMS) if dated else None
    sitename = found.sitename or meta.extract_sitename(tree)
    if sitename:
        sitename = sitename.lstrip("@")
        if sitename and "." not in sitename and not sitename[0].isupper():
            sitename = sitename.title()
    elif page_url and (m := meta.META_URL.match(page_url)):
        sitename = m[1]
    return Metadata(
        title=collapse_space(title) if title else None,
        sitename=collapse_space(sitename) if sitename else None,
        date=date or None,
        url=page_url or url,
        date_url=page_url,
    )


def find_page_date(tree: HtmlElement, url: str | None) -> str | None:
    """``htmldate.find_date(tree, url=url, **_DATE_PARAMS)``, or None, pruning ``tree``
    itself where htmldate prunes a deep copy of it: call it last, once the tree is no
    longer read.

    When the page's head, JSON-LD and ``abbr`` elements state no date, htmldate copies the
    whole tree to take out what it does not search (half the readability set's pages). The
    steps are htmldate 1.11's own functions in its order (``tests/test_html.py`` compares
    the dates with ``find_date``'s on every bench page); a tree that is not its document's
    root (a fragment, whose wrapper the copy would leave behind) still goes to
    ``find_date``.

    >>> page = parse_html("<html><body><p>Posted 2025-08-14 by Ann.</p></body></html>")
    >>> find_page_date(page, None)
    '2025-08-14T00:00:00'
    """
    from htmldate import core, extractors, utils, validators
    from htmldate.settings import CLEANING_LIST

    if tree.getparent() is not None or not validators.is_valid_format(_DATE_PARAMS["outputformat"]):
        return core.find_date(tree, url=url, **_DATE_PARAMS) or None
    options = _date_options()
    if url is None:
        link = tree.find('.//link[@rel="canonical"]')
        if link is not None:
            url = link.get("href")
    result = extractors.extract_url_date(url, options)
    if result is not None:
        return result or None
    result = core.examine_header(tree, options) or extractors.json_search(tree, options)
    if result is not None:
        return result or None
    result = core.examine_abbr_elements(tree, options)
    if result is not None:
        return result or None
    try:
        search = extractors.discard_unwanted(utils.clean_html(tree, CLEANING_LIST))
    except ValueError:  # htmldate's own guard: "rare LXML error"
        search = tree
    result = (
        core.examine_elements(core.date_candidates(search, False), options)
        or core.examine_elements(search.xpath(".//title|.//h1"), options)
        or core.examine_time_elements(search, options)
    )
    if result is not None:
        return result or None
    page = core.serialize(search)
    result = (
        extractors.pattern_search(page, core.TIMESTAMP_PATTERN, options)
        or extractors.img_search(search, options)
        or extractors.idiosyncrasies_search(page, options)
    )
    if result is not None:
        return result or None
    utils.clean_html(search, ["script", "style"])
    return (
        extractors.pattern_search(
            " ".join(search.itertext()), core.TIMESTAMP_LOOSE_PATTERN, options
        )
        or None
    )


@functools.cache
def _date_options() -> Any:
    """htmldate's settings for :data:`_DATE_PARAMS`, built once: ``find_date`` builds them
    for every page (parsing the date bounds each time). Immutable: htmldate only reads them."""
    from htmldate import utils, validators

    return utils.Extractor(
        _DATE_PARAMS["extensive_search"],
        validators.get_max_date(_DATE_PARAMS["max_date"]),
        validators.get_min_date(None),
        _DATE_PARAMS["original_date"],
        _DATE_PARAMS["outputformat"],
    )


# The most characters of text the page being extracted holds (see compare_when_needed);
# None outside extract_main, where trafilatura's comparison always runs.
_PAGE_CHARS: ContextVar[int | None] = ContextVar("ingest_page_chars", default=None)


def compare_when_needed(
    cleaned_tree: Any, raw_tree: Any, body: Any, text: str, options: Any
) -> tuple[Any, str]:
    """``trafilatura.external.compare_extraction``, skipped where it cannot change the reading.

    trafilatura compares its main reading with readability's and justext's and keeps the
    main one unless (its ``compare_extraction``) the reading is shorter than
    ``min_extracted_size``, or holds an element justext's check looks for (``aside``,
    ``figure``, ``nav`` ...), or has no paragraph text or more tables than paragraphs, or
    readability finds more than twice its text (in recall mode: more than its text). Those
    are checked here on the reading, with the page's text (:data:`_PAGE_CHARS`, set by
    :func:`extract_main`) standing for the most readability could find: readability only
    ever keeps part of the page's text. When none can hold, readability (most of the
    comparison's cost) is not run and the main reading is returned, as the comparison
    would have returned it. Installed in trafilatura's pipeline by :func:`_gate_comparison`.
    """
    from trafilatura.external import compare_extraction

    if comparison_needed(body, text, options):
        return compare_extraction(cleaned_tree, raw_tree, body, text, options)
    return body, text


def comparison_needed(body: Any, text: str, options: Any) -> bool:
    """Whether trafilatura's comparison could change its main reading ``body`` (``text``):
    the conditions of :func:`compare_when_needed`."""
    from trafilatura.external import SANITIZED_XPATH

    page_chars = _PAGE_CHARS.get()
    factor = 1 if options.focus == "recall" else 2
    return bool(
        page_chars is None
        or len(text) < options.min_extracted_size
        or factor * len(text) < page_chars
        or body.xpath(SANITIZED_XPATH)
        or not body.xpath(".//p//text()")
        or len(body.findall(".//table")) > len(body.findall(".//p"))
    )


def extract_and_compare(
    cleaned_tree: Any, cleaned_tree_backup: Any, tree: Any, options: Any
) -> tuple[Any, str]:
    """trafilatura's ``core._extract_and_compare`` (its cascade's main reading, then the
    comparison), copying the raw tree for the comparison only when it runs: the comparison
    alone reads that copy, and :func:`comparison_needed` skips it on most pages (a copy of
    the whole page each time, about 2% of bare trafilatura's time on the real pages)."""
    from trafilatura import core
    from trafilatura.external import compare_extraction

    postbody, temp_text = core.extract_content(cleaned_tree, options)  # type: ignore[attr-defined]
    if not options.fast and comparison_needed(postbody, temp_text, options):
        postbody, temp_text = compare_extraction(
            cleaned_tree_backup, copy.copy(tree), postbody, temp_text, options
        )
    return postbody, temp_text


# The trafilatura release whose ``core._extract_and_compare`` :func:`extract_and_compare`
# restates; under any other, only the comparison itself is gated.
_PIPELINE_RELEASE = "2.3.1"


@functools.cache
def _gate_comparison() -> None:
    """Put :func:`compare_when_needed` where trafilatura's pipeline calls its comparison
    (and :func:`extract_and_compare` around it, on the release it restates): the gate
    returns what the comparison would, so nothing else reading the page changes."""
    import trafilatura
    from trafilatura import core

    core.compare_extraction = compare_when_needed  # type: ignore[attr-defined]
    if trafilatura.__version__ == _PIPELINE_RELEASE:
        core._extract_and_compare = extract_and_compare


def count_page_chars(text: PageText, cards: Sequence[Card] = ()) -> int:
    """The most characters of text trafilatura's comparison can find on a page once its
    ``cards`` are taken out: its texts, each with one space after it, less each card's
    lines (a line is its texts joined, so it never counts more than they do).

    >>> page = read_text(lxml.html.fromstring("<div><p>One two</p><p>three</p></div>"))
    >>> count_page_chars(page), count_page_chars(page, [Card(("three",), None, None)])
    (14, 8)
    """
    total = sum(map(len, text.texts)) + len(text.texts)
    return total - sum(len(line) + 1 for card in cards for line in card.lines)


def extract_main(
    tree: HtmlElement,
    url: str | None,
    settings: ExtractSettings = DEFAULT_SETTINGS,
    page_chars: int | None = None,
) -> Extracted:
    """Main text lines and metadata of a parsed page (cards already taken out), by trafilatura.

    trafilatura copies the tree it is given, so ``tree`` is left as it was. The date is
    left out (None): :func:`find_page_date` reads it once nothing else needs the tree.
    ``page_chars``: the most text the page holds (:func:`count_page_chars`); given, trafilatura's
    comparison with other extractors runs only where it could change the reading
    (:func:`compare_when_needed`).
    """
    import trafilatura

    info = extract_metadata(tree, url, dated=False)
    _gate_comparison()
    token = _PAGE_CHARS.set(page_chars)
    try:
        doc: Any = trafilatura.bare_extraction(
            tree,
            url=info.url,
            favor_precision=settings.favor_precision,
            favor_recall=settings.favor_recall,
            include_tables=settings.include_tables,
            no_fallback=settings.no_fallback,
            include_comments=settings.include_comments,
        )
    finally:
        _PAGE_CHARS.reset(token)
    text = (doc.text or "") if doc is not None else ""
    lines = [s for s in (collapse_space(line) for line in text.split("\n")) if s]
    articles = top_articles(tree)
    if lines and len(lines) <= len(articles):
        buttons = {collapse_space(b.text_content()) for a in articles for b in a.iter("button")}
        lines = unglue_articles(lines, [linearize(a) for a in articles], frozenset(buttons))
    return Extracted(tuple(lines), info.title, info.sitename, None, info.url, info.date_url)


def top_articles(tree: HtmlElement) -> list[HtmlElement]:
    """The document's ``article`` elements that no other ``article`` holds, in page order.

    (What ``//article[not(ancestor::article)]`` selects; the XPath cost twice as much: its
    ``//`` builds the set of every node of the page first.)

    >>> page = lxml.html.fromstring("<div><article><article></article></article><article/></div>")
    >>> len(top_articles(page))
    2
    """
    root = tree.getroottree().getroot()
    return [a for a in root.iter("article") if next(a.iterancestors("article"), None) is None]


def unglue_articles(
    lines: Sequence[str], articles: Sequence[Sequence[str]], buttons: frozenset[str] = frozenset()
) -> list[str]:
    """Extracted lines with each whole ``<article>`` read as one line split back into its blocks.

    When its main reading finds too little, trafilatura takes each article's text as one
    paragraph: a headline, the story, "Hashtags" and "Comments" run together, so that no
    line rule can see them. Such a line is the article's block lines (:func:`linearize`),
    some left out, joined by spaces: it is split back into those, without the labels of
    ``buttons`` (trafilatura's main reading never keeps a button); any other line stays.

    >>> unglue_articles(["Title Body one. Hashtags Share"],
    ...     [["Title", "Body one.", "Comments", "Hashtags", "Share"]], frozenset(["Share"]))
    ['Title', 'Body one.', 'Hashtags']
    >>> unglue_articles(["Something else"], [["Title", "Body one."]])
    ['Something else']
    """
    out: list[str] = []
    for line in lines:
        for parts in articles:
            split = split_by_parts(line, parts)
            if split is not None:
                out.extend(part for part in split if part not in buttons)
                break
        else:
            out.append(line)
    return out


def split_by_parts(line: str, parts: Sequence[str]) -> list[str] | None:
    """``line`` as a run of ``parts`` in order, some skipped, joined by spaces; else None.

    >>> split_by_parts("a b c", ["a", "x", "b c"])
    ['a', 'b c']
    >>> split_by_parts("a b c", ["a", "b"]) is None
    True
    """
    if len(parts) < 2:
        return None
    found, pos = [], 0
    for part in parts:
        end = pos + len(part)
        if line.startswith(part, pos) and (end == len(line) or line[end] == " "):
            found.append(part)
            pos = end + 1
    return found if pos >= len(line) and len(found) > 1 else None


def extract_page(
    html: str,
    rules: Rules,
    url: str | None = None,
    settings: ExtractSettings = DEFAULT_SETTINGS,
    *,
    take_cards: bool = True,
    text_lines: bool = False,
) -> Page:
    """Read a page into lines: headline, main paragraphs, then each card's lines.

    The page is parsed once; cards are found on that tree and taken out of it, and
    trafilatura reads the same tree. ``take_cards=False`` reads the whole page as
    trafilatura would (the fallback of :func:`clean_page`). ``text_lines``: also read the
    whole page's text lines (:func:`page_text_lines`), before anything is taken out.
    """
    tree, too_deep = parse_page(html)
    text = read_text(tree, lines=text_lines)
    if text.elements > settings.max_elements:
        raise IngestError(
            "too_many_elements",
            f"the page holds {text.elements:,} elements, over the limit of "
            f"{settings.max_elements:,}: extraction's time grows faster than the page past "
            "that; raise extract.max_elements in a rules file (--rules) to read it anyway",
        )
    profiles = detect_profiles(text.texts, rules)
    navigation = text.navigation if text.navigation is not None else find_navigation(tree)
    canonical = url or _canonical_url(tree)
    cards = find_cards(tree, rules, canonical, text) if take_cards else []
    for el, _ in cards:
        el.drop_tree()  # keeps the text that follows the card
    chars = count_page_chars(text, [card for _, card in cards])
    extracted = extract_main(tree, canonical, settings, chars)
    names = {n.casefold() for n in (extracted.sitename, *(p.aggregator for p in profiles)) if n}
    headings = tuple(page_headings(tree))
    headline = headline_of(extracted.title, names, headings)
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
    # Link texts tell a navigation bar from a data table; only pages with "|" lines ask.
    links = (
        frozenset(collapse_space(a.text_content()) for a in tree.iter("a"))
        if any("|" in line for line in main)
        else frozenset()
    )
    # Last: the date search prunes the tree it reads (a copy of a tree we still used).
    date = find_page_date(tree, extracted.date_url)
    return Page(
        lines,
        headline,
        span,
        tuple(placed),
        dataclasses.replace(extracted, date=date),
        profiles,
        navigation,
        links,
        text.words,
        too_deep,
        text.lines,
        headings,
    )


def page_headings(tree: HtmlElement) -> list[str]:
    """The texts of the page's ``h1`` elements, in page order (empty ones left out).

    >>> page_headings(parse_html("<html><body><h1>Site</h1><h1> A  story </h1><h1></h1>"))
    ['Site', 'A story']
    """
    return [text for h in tree.iter("h1") if (text := collapse_space(h.text_content()))]


def headline_of(title: str | None, names: set[str], headings: Sequence[str]) -> str | None:
    """The page's headline from its title (trafilatura's) and its ``h1`` texts.

    A title that is only the site's name (``names``, case-folded) is no headline: a page
    with no title of its own gets the site's name from trafilatura. But a title an ``h1``
    states is the page's own, whatever the site calls itself. A title that adds the site's
    name, a section or a byline beside what an ``h1`` states is cut to the ``h1``'s part
    (:func:`title_in_headings`).

    >>> headline_of("Daily Planet", {"daily planet"}, []) is None
    True
    >>> headline_of("Storm hits the coast", {"storm hits the coast"}, ["Storm hits the coast"])
    'Storm hits the coast'
    >>> headline_of("Storm hits the coast | Planet", {"planet"}, ["Storm hits the coast"])
    'Storm hits the coast'
    """
    if not title:
        return None
    if title.casefold() in names and title not in headings:
        return None
    return title_in_headings(title, headings) or title


#: Quotes a title and an h1 of one page may write differently (same length, so the
#: title's own characters can be cut at the positions compared).
_PLAIN_QUOTES = str.maketrans("\u2018\u2019\u201c\u201d", "''\"\"")
#: What stands between a title's headline and the site's name, section or byline beside it.
_TITLE_SEPARATOR = r"(?:[|:\uff1a\u00bb\u00b7\u2022/\u2013\u2014-]|::)"
_SEPARATOR_AFTER = re.compile(rf"\s*{_TITLE_SEPARATOR}")
_SEPARATOR_BEFORE = re.compile(rf"{_TITLE_SEPARATOR}\s*$")
_SEPARATOR = re.compile(rf"\s+{_TITLE_SEPARATOR}+\s+")


def title_in_headings(title: str, headings: Sequence[str]) -> str | None:
    """The part of ``title`` that one of the page's ``h1`` texts states, when the rest of the
    title only stands beside it after a separator ("Headline | Site", "Site: Headline",
    "Headline - Section - Site"), or None.

    The ``h1`` must read as a headline (three words or more, or six characters of a script
    written without spaces): a one-word section heading ("Breaking") that begins a title is
    no headline. An ``h1`` that glued the site's name to the headline still names it when
    that name is in the title's rest.

    >>> title_in_headings("Storm hits the coast - Planet", ["Planet", "Storm hits the coast"])
    'Storm hits the coast'
    >>> title_in_headings("Planet | Storm’s path: the coast", ["Storm's path: the coast"])
    'Storm’s path: the coast'
    >>> title_in_headings("Breaking: Storm hits the coast", ["Breaking"]) is None
    True
    >>> title_in_headings("Storm hits the coast at dawn", ["Storm hits the coast"]) is None
    True
    >>> title_in_headings("Storm hits the coast » News » Planet", ["Storm hits the coastPlanet"])
    'Storm hits the coast'
    """
    plain = title.translate(_PLAIN_QUOTES)
    for heading in headings:
        head = heading.translate(_PLAIN_QUOTES)
        if len(head) >= len(plain) or not _reads_as_headline(head):
            continue
        if plain.startswith(head) and _SEPARATOR_AFTER.match(plain, len(head)):
            return title[: len(head)]
        if plain.endswith(head) and _SEPARATOR_BEFORE.search(plain[: -len(head)]):
            return title[-len(head) :]
    for m in _SEPARATOR.finditer(plain):
        left = plain[: m.start()]
        for heading in headings:
            head = heading.translate(_PLAIN_QUOTES)
            glued = head[len(left) :].strip()
            if head.startswith(left) and _reads_as_headline(left) and glued in plain[m.end() :]:
                return title[: m.start()] if glued else None
    return None


def _reads_as_headline(text: str) -> bool:
    return len(text.split()) >= 3 or len(_UNSPACED_SCRIPT.findall(text)) >= 6


#: Letters of scripts written without spaces between words (Thai, Myanmar, Khmer, kana, CJK).
_UNSPACED_SCRIPT = re.compile(
    r"[\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u3040-\u30ff\u3400-\u9fff]"
)


def page_text_lines(tree: HtmlElement) -> list[str]:
    """A parsed page's text lines: its body (or, with none, the whole tree) linearized.

    >>> page_text_lines(parse_html("<head><title>T</title></head><body><p>One.</p>Two</body>"))
    ['One.', 'Two']
    """
    body = tree.find("body")
    return linearize(body if body is not None else tree)


def leave_out_extracted(lines: Sequence[str], extracted: Sequence[str]) -> tuple[str, ...]:
    """The page's text ``lines`` that are in none of the ``extracted`` lines.

    What trafilatura left out of the page (navigation, footers, share bars, a paragraph it
    judged boilerplate): the cleaner never saw it, so no document's audit can list it.
    Lines are compared with runs of space collapsed; a line found inside an extracted
    line (a paragraph split differently) counts as extracted.

    >>> leave_out_extracted(["Home", "Body text.", "text"], ["Body  text."])
    ('Home',)
    """
    have = {collapse_space(x) for x in extracted}
    joined = "\n".join(have)
    out = []
    for line in lines:
        text = collapse_space(line)
        if text and text not in have and text not in joined:
            out.append(line)
    return tuple(out)


# Where a page names its own address: (tag, attribute, its value, the attribute holding it).
_CANONICAL = (("link", "rel", "canonical", "href"), ("meta", "property", "og:url", "content"))


def _canonical_url(tree: HtmlElement) -> str | None:
    """The first non-blank ``//link[@rel="canonical"]/@href``, else ``og:url``'s content
    (walked, not XPath: see :func:`top_articles`)."""
    root = tree.getroottree().getroot()
    for tag, key, value, attribute in _CANONICAL:
        for el in root.iter(tag):
            if el.get(key) == value:
                found = (el.get(attribute) or "").strip()
                if found:
                    return found
    return None


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


class ReadPages:
    """The last pages read into lines (:func:`extract_page`), by the digest of their bytes.

    A learning run cleans some pages twice in one process (``ingest.engine.run.relearn``:
    first with what earlier runs learned, then with what this run learned); learning changes
    how the lines are cleaned, never how the page reads into them, so the second cleaning
    takes the first one's reading. Only a learning run's cleaning keeps and takes readings
    (:func:`clean_html` under :data:`ingest.learn.LEARNING`); any other cleaning reads the
    page. Each use gets its own list of lines (repairs are made in place). Bounded:
    :attr:`MAX_PAGES` pages holding at most :attr:`MAX_CHARS` characters of lines; a page
    that is not kept is read again, as before.
    """

    MAX_PAGES = 256
    MAX_CHARS = 8_000_000

    def __init__(self) -> None:
        self._pages: OrderedDict[tuple[Any, ...], tuple[Rules, Page, int]] = OrderedDict()
        self._chars = 0
        self._lock = threading.Lock()

    def read(
        self,
        digest: str | None,
        html: str,
        rules: Rules,
        url: str | None,
        settings: ExtractSettings,
        *,
        take_cards: bool,
        text_lines: bool,
    ) -> Page:
        """:func:`extract_page` of ``html`` (decoded from bytes whose digest is ``digest``),
        or the reading kept for the same digest, rules and arguments; a fresh list of lines
        either way. No digest: read, not kept."""
        if digest is None:
            return extract_page(html, rules, url, settings, take_cards=take_cards,
                                text_lines=text_lines)  # fmt: skip
        key = (digest, id(rules), url, settings, take_cards, text_lines)
        with self._lock:
            kept = self._pages.get(key)
            if kept is not None and kept[0] is rules:
                self._pages.move_to_end(key)
                return dataclasses.replace(kept[1], lines=list(kept[1].lines))
        page = extract_page(html, rules, url, settings, take_cards=take_cards,
                            text_lines=text_lines)  # fmt: skip
        size = sum(map(len, page.lines)) + sum(map(len, page.text_lines or ()))
        if size <= self.MAX_CHARS:
            with self._lock:
                old = self._pages.pop(key, None)
                self._chars += size - (old[2] if old is not None else 0)
                self._pages[key] = (rules, page, size)
                while len(self._pages) > self.MAX_PAGES or self._chars > self.MAX_CHARS:
                    self._chars -= self._pages.popitem(last=False)[1][2]
        return dataclasses.replace(page, lines=list(page.lines))

    def clear(self) -> None:
        with self._lock:
            self._pages.clear()
            self._chars = 0


READ_PAGES = ReadPages()


def clean_page(
    html: str,
    *,
    base: Source,
    rules: Rules,
    scraped_at: datetime | None,
    hints: Hints = Hints(),
    settings: ExtractSettings | None = None,
    page_lines: bool = False,
    digest: str | None = None,
) -> PageResult:
    """Clean one decoded page into documents; ``base`` carries the provenance to stamp.

    The main story is index 0 and the cards 1, 2, ... in page order; a part left with no
    text after the rules gives no document (its removals go to the orphans), as in a dump.

    When no main story is left, or cards were taken out and it is shorter than
    :data:`FALLBACK_MIN_WORDS`, the page is read again whole, as bare trafilatura reads it
    (its default settings, no cards taken out); if that holds clearly more story text
    (:func:`fallback_reason`), its reading is the main story, the cards give no documents
    of their own, and the document says so in ``fallback``.

    ``page_lines``: the result also says what extraction left out of the page
    (``not_extracted``), for ``ingest inspect`` and the run's report.

    ``digest``: the digest of the bytes ``html`` was decoded from; given, the page's
    reading is kept for a page cleaned again in this process (:class:`ReadPages`).
    """
    settings = settings or rules.extract  # the run's [extract] settings
    read = functools.partial(READ_PAGES.read, digest, html, rules, hints.url)
    page = read(settings, take_cards=True, text_lines=page_lines)
    result = _clean_whole_page(
        page, base=base, rules=rules, scraped_at=scraped_at, hints=hints, settings=settings,
        reread=read,
    )  # fmt: skip
    if page.text_lines is None:
        return result
    left = leave_out_extracted(page.text_lines, result.extracted_lines)
    return dataclasses.replace(result, not_extracted=left)


def _clean_whole_page(
    page: Page,
    *,
    base: Source,
    rules: Rules,
    scraped_at: datetime | None,
    hints: Hints,
    settings: ExtractSettings,
    reread: Callable[..., Page],
) -> PageResult:
    """:func:`clean_page` of a page read once (``page``), with its fallback (the page
    read again whole by ``reread``: :meth:`ReadPages.read` with the page bound)."""
    result = _clean_read_page(page, base=base, rules=rules, scraped_at=scraped_at, hints=hints)
    main = (
        result.documents[0] if result.documents and result.documents[0].source.index == 0 else None
    )
    ours = main.word_count if main is not None else 0
    if main is not None and (ours >= FALLBACK_MIN_WORDS or not page.cards):
        return result  # a story of its own
    read = sum(len(line.split()) for line in page.lines)  # main story and cards, as read
    if page.words - read < FALLBACK_MIN_WORDS:
        return result  # no text left on the page that could be a story
    bare = dataclasses.replace(BARE_SETTINGS, max_elements=settings.max_elements)
    whole = reread(bare, take_cards=False, text_lines=False)
    again = _clean_read_page(whole, base=base, rules=rules, scraped_at=scraped_at, hints=hints)
    if not again.documents:
        return result
    theirs = again.documents[0]
    reason = fallback_reason(
        main.text if main is not None else "",
        theirs.text,
        [line for _, _, card in page.cards for line in card.lines],
    )
    if reason is None:
        return result
    marked = dataclasses.replace(theirs, fallback=Fallback(reason, ours, theirs.word_count))
    return dataclasses.replace(again, documents=(marked, *again.documents[1:]))


def fallback_reason(ours: str, whole: str, card_lines: Sequence[str]) -> str | None:
    """Why the whole page's reading should be the main story, or None when it should not.

    Only when it holds story text that neither our main story nor the cards hold (counted
    in 4-word shingles, so a card read as one line still counts as the card), at least
    :data:`FALLBACK_MIN_WORDS` of them and more than our story's words.

    >>> fallback_reason("", "A long story.\\n\\nCard line", ["Card line"]) is None
    True
    >>> fallback_reason("", " ".join(f"w{i}" for i in range(60)), [])
    'no_story'
    >>> fallback_reason("Short.", " ".join(f"w{i}" for i in range(60)), ["Card"])
    'short_story'
    """
    known = set(_shingles(" ".join((ours, *card_lines))))
    new = sum(1 for s in _shingles(whole) if s not in known)
    if new < max(FALLBACK_MIN_WORDS, len(ours.split())):
        return None
    return "short_story" if ours else "no_story"


def _shingles(text: str) -> list[tuple[str, ...]]:
    words = _WORD.findall(text.casefold())
    return [tuple(words[i : i + 4]) for i in range(len(words) - 3)]


_WORD = re.compile(r"\w+")
#: The least story text, in words, that the whole page's reading must add for a fallback.
FALLBACK_MIN_WORDS = 50


def _clean_read_page(
    page: Page,
    *,
    base: Source,
    rules: Rules,
    scraped_at: datetime | None,
    hints: Hints,
) -> PageResult:
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
    return PageResult(
        tuple(docs), tuple(orphans), tuple(repairs), aggregator, tuple(lines), page.too_deep
    )


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
        language=detect_language(story.text, rules.settings.min_language_words, rules.language),
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


# Button labels in adjacent elements come out glued ("ShareTweet"), and an article's meta
# bar puts its date or reading time before them ("15 August 2025 Share Save").
_CAMEL_JOIN = re.compile(r"(?<=[a-z])(?=[A-Z])")
_META_LEAD = re.compile(
    r"^(?:(?:updated|published|posted)\s*:?\s*)?"
    r"(?:\d{1,2} [A-Za-z]{3,9}\.? \d{4}|[A-Za-z]{3,9}\.? \d{1,2},? \d{4}|\d{4}-\d\d-\d\d"
    r"|\d+ ?min(?:ute)?s?(?: read)?)[\s,·|–—-]*",
    re.IGNORECASE,
)


def unglue_buttons(line: str) -> str:
    """A line of page buttons as a dump would show it: labels apart, no date in front.

    >>> unglue_buttons("ShareTweet"), unglue_buttons("15 August 2025 Share Save")
    ('Share Tweet', 'Share Save')
    >>> unglue_buttons("McDonald said so")
    'Mc Donald said so'
    """
    return _CAMEL_JOIN.sub(" ", _META_LEAD.sub("", line))


def is_glued_share_buttons(line: str, furniture: FurnitureRules) -> bool:
    """Share buttons that only a page glues so: the ``share_buttons`` family after
    :func:`unglue_buttons`. Lines it reads as they are, clean_lines removes itself.

    >>> from ingest.rules import load_rules
    >>> f = load_rules().furniture
    >>> [is_glued_share_buttons(x, f) for x in ("ShareTweet", "15 August 2025 Share Save")]
    [True, True]
    >>> is_glued_share_buttons("McDonald said the share price fell", f)
    False
    """
    text = unglue_buttons(line)
    return text != line and is_share_buttons(text, furniture)


_PIPE = re.compile(r"\s*[|¦]\s*")
_TABLE_RULE = re.compile(r"^\|(?:\s*:?-+:?\s*\|)+$")


def pipe_cells(line: str) -> list[str] | None:
    """The cells of a line of short "a | b | c" items, or None when it is not one.

    Each cell is 1 to 4 words, starts with a capital or digit and does not end a sentence.

    >>> pipe_cells("Home | News | Sport | Contact us")
    ['Home', 'News', 'Sport', 'Contact us']
    >>> pipe_cells("Revenue rose 5% | analysts had expected 3%") is None
    True
    """
    if "|" not in line and "¦" not in line:
        return None
    cells = [c for c in _PIPE.split(line.strip()) if c]
    if len(cells) < 2:
        return None
    for cell in cells:
        words = cell.split()
        if (
            not 1 <= len(words) <= 4
            or cell[-1] in ".?!:;,"
            or not (cell[0].isupper() or cell[0].isdigit())
        ):
            return None
    return cells


def find_page_furniture(
    lines: Sequence[str], links: frozenset[str], furniture: FurnitureRules
) -> list[str | None]:
    """For each extracted line, the page furniture only a page shows, else None.

    The dump families (:mod:`ingest.furniture`: ``table_pipe`` rows of three or more short
    cells, ``share_buttons`` ...) run on the page's text afterwards, in
    :func:`ingest.clean.clean_lines`; here the same families, as a page renders them:

    - ``table_pipe``: a line of short "a | b" cells that is navigation (every cell one of the
      page's link texts) or stands alone, not a row of a data table: trafilatura renders a
      table's rows as such lines, with a "|---|" rule under a header row, so a page tells a
      table by its neighbours of the same width better than a lone line can;
    - ``share_buttons``: share buttons glued together or behind a date
      (:func:`is_glued_share_buttons`).

    >>> from ingest.rules import load_rules
    >>> f = load_rules().furniture
    >>> find_page_furniture(["About us | Contact", "It rose 5% | 3% expected.",
    ...     "| Name | Age |", "|---|---|", "| Ann | 34 |", "ShareTweet"], frozenset(), f)
    ['table_pipe', None, None, None, None, 'share_buttons']
    """
    cells = [pipe_cells(line) for line in lines]
    # A table's header rule ("|---|---|", as trafilatura writes a header row) counts as a
    # row of its width.
    widths = [
        len(row) if row is not None else (line.count("|") - 1 if _TABLE_RULE.match(line) else 0)
        for line, row in zip(lines, cells, strict=True)
    ]
    found: list[str | None] = []
    for i, line in enumerate(lines):
        row = cells[i]
        if row is not None:
            in_table = any(0 <= j < len(lines) and widths[j] == widths[i] for j in (i - 1, i + 1))
            all_links = all(c in links for c in row)
            found.append("table_pipe" if all_links or not in_table else None)
        elif row is None and is_glued_share_buttons(line, furniture):
            found.append("share_buttons")
        else:
            found.append(None)
    return found


def _clean_main(page: Page, rules: Rules) -> LineStory | None:
    """The main story; its first line is taken as headline only when the page has no title."""
    start, end = page.main
    if start == end:
        return None
    part = page.lines[start:end]
    teasers = []
    if page.headline is not None:  # else the first line is the headline (clean_lines)
        for i in range(count_page_header(part, page.headline, page.headings)):
            teasers.append(Removal("page_header", part[i], i + 1, 0))
            part[i] = ""
    furniture = find_page_furniture(part, page.links, rules.furniture)
    for i, line in enumerate(part):
        rule = "page_navigation" if line in page.navigation else furniture[i]
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


def count_page_header(lines: Sequence[str], headline: str, headings: Sequence[str]) -> int:
    """How many of the main text's first lines are the page's header read into it: the
    headline again (the document's, or the page's first ``h1`` that reads as one: later ones
    may head the story's sections) within the first :data:`MAX_HEADER_LINES` lines, with the
    short labels above it (a section's name, a date, a skip link: each at most
    :data:`MAX_LABEL_WORDS` words, no sentence's end). 0 when no headline stands there or a
    line above it reads as text.

    >>> count_page_header(["Markets", "Fed holds rates", "The Fed held."], "Fed holds rates", [])
    2
    >>> count_page_header(["Fed holds rates again", "Text."], "Fed", ["Fed holds rates again"])
    1
    >>> count_page_header(["The Fed held rates.", "Fed holds rates"], "Fed holds rates", [])
    0
    >>> count_page_header(["Markets", "The Fed held rates on Monday."], "Fed holds", ["Markets"])
    0
    """
    heads = {headline, next((h for h in headings if _reads_as_headline(h)), headline)}
    for i, line in enumerate(lines[:MAX_HEADER_LINES]):
        if line in heads:
            return i + 1
        if len(line.split()) > MAX_LABEL_WORDS or _SENTENCE_END.search(line):
            return 0
    return 0


#: How far into the main text a headline read again is looked for, and the most words of a
#: label above it.
MAX_HEADER_LINES = 4
MAX_LABEL_WORDS = 6
_SENTENCE_END = re.compile(r"[.!?][\"'\u201d\u2019)]*$")


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


# A saver's stamp sits before <head> (SingleFile's comment is a few hundred characters).
_SAVED_STAMP_CHARS = 4096


def page_source(
    data: bytes,
    decoded: Decoded,
    *,
    path: str,
    scraped_at: datetime | None,
    scraped_from: str | None = None,
    sha256: str | None = None,
) -> Source:
    """The provenance every document of one HTML page starts from (its index set later)."""
    return file_source(
        data, decoded, path=path, scraped_at=scraped_at, kind="html", scraped_from=scraped_from,
        sha256=sha256,
    )  # fmt: skip


def clean_html(
    data: bytes,
    *,
    path: str,
    rules: Rules,
    scraped_at: datetime | None = None,
    settings: ExtractSettings | None = None,
    scraped_from: str | None = None,
    page_lines: bool = False,
    sha256: str | None = None,
) -> DumpResult:
    """Clean one HTML file's bytes into documents, or raise IngestError saying why not.

    A page that carries its save time (ingest.scraped.saved_time) is dated by it, whatever
    ``scraped_at`` says (``source.scraped_at_from`` is ``html``). ``page_lines``: the
    result carries the page's lines for the inspect report (``DumpResult.page``).
    """
    decoded = decode_html(data)
    saved = saved_time(decoded.text[:_SAVED_STAMP_CHARS])
    if saved is not None:
        scraped_at, scraped_from = saved, FROM_HTML
    base = page_source(
        data, decoded, path=path, scraped_at=scraped_at, scraped_from=scraped_from, sha256=sha256
    )
    sha = base.sha256
    result = clean_page(
        decoded.text, base=base, rules=rules, scraped_at=scraped_at, settings=settings,
        page_lines=page_lines, digest=sha if LEARNING.get() is not None else None,
    )  # fmt: skip
    if not result.documents:
        raise page_failure(result)
    lines = (
        None
        if result.not_extracted is None
        else PageLines(result.extracted_lines, result.not_extracted)
    )
    return DumpResult(
        result.documents, result.orphans, result.repairs, sha, result.aggregator, page=lines
    )


def page_failure(result: PageResult, where: str = "") -> IngestError:
    """Why a page (a record's, ``where``) gave no document: nested too deep to read, or
    nothing left once chrome and residue were removed."""
    if result.too_deep:
        return IngestError(
            "too_deep",
            f"{where}the page nests its elements more than {MAX_PARSE_DEPTH} deep, past what "
            "the HTML parser reads, and no story stands above that depth (its markup is "
            "broken or machine-made)",
        )
    return no_story((r.rule for r in result.orphans), len(result.orphans), where)
