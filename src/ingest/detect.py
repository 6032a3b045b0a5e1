"""What kind of input a file is, from its content first and its name only to break ties.

A scraper's ``.txt`` may hold a saved HTML page, an ``.html`` may hold plain text, and a
``.json`` may hold JSON Lines: the bytes decide. The extension is consulted only where the
content alone is ambiguous (text starting with ``[`` or ``{`` that is not valid JSON).
"""

from __future__ import annotations

import codecs
import json
import re
from pathlib import PurePosixPath
from typing import Literal

from ingest.decode import sniff_utf16

Kind = Literal["text", "html", "jsonl", "json"]

SAMPLE_BYTES = 65536
# Markup that only an HTML document opens with.
_HTML_START = re.compile(r"<(?:!doctype\s+html|html[\s>]|head[\s>]|body[\s>]|meta\s|\?xml\s)", re.I)
# Tags a fragment of a saved page is made of; prose mentioning "<p>" once is not a page.
_HTML_TAG = re.compile(
    r"</?(?:p|div|span|a|article|section|main|header|footer|nav|aside|h[1-6]|ul|ol|li|br|"
    r"table|tr|td|img|script|style|link|title|time|figure|blockquote|strong|em)\b[^<>]{0,2000}>",
    re.I,
)
MIN_FRAGMENT_TAGS = 6
_JSON_EXTENSIONS = {".json", ".jsonl", ".ndjson", ".jsonlines"}


def sample_text(data: bytes, size: int = SAMPLE_BYTES) -> str:
    """The start of a file as text, good enough to recognise markup and JSON.

    BOMs and BOM-less UTF-16 are honoured; anything else is read as latin-1, which keeps
    every ASCII character (all markup and JSON syntax is ASCII) whatever the real encoding.

    >>> sample_text(codecs.BOM_UTF8 + b"<html>")
    '<html>'
    >>> sample_text("<p>hi</p>".encode("utf-16-le"))
    '<p>hi</p>'
    """
    head = data[:size]
    for bom, name in (
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ):
        if head.startswith(bom):
            return head[len(bom) :].decode(name, errors="ignore")
    utf16 = sniff_utf16(head[: len(head) - len(head) % 2]) if b"\x00" in head else None
    if utf16:
        return head[: len(head) - len(head) % 2].decode(utf16, errors="ignore")
    return head.decode("latin-1")


def looks_like_html(text: str) -> bool:
    """Say whether text is an HTML page or a fragment of one.

    >>> looks_like_html("<!DOCTYPE html><html><body><p>Hi</p></body></html>")
    True
    >>> looks_like_html("<div><p>One</p><p>Two</p><p>Three</p></div>")
    True
    >>> looks_like_html("Use <p> for paragraphs, said the style guide.")
    False
    """
    start = text.lstrip()[:2048]
    if start.startswith("<") and _HTML_START.search(start):
        return True
    return len(_HTML_TAG.findall(text)) >= MIN_FRAGMENT_TAGS


def looks_like_jsonl(text: str) -> bool:
    """Say whether text is JSON Lines: a JSON object on its first line that parses.

    Later lines may be broken (they become recorded failures), but the first non-blank line
    must be a whole object, or one of the next few must be when the first is damaged.

    >>> looks_like_jsonl('{"text": "a"}\\n{"text": "b"}\\n')
    True
    >>> looks_like_jsonl('{"text": "a", broken\\n{"text": "b"}\\n')
    True
    >>> looks_like_jsonl("{curly} is how the dump starts\\nand goes on\\n")
    False
    """
    lines = [line.strip() for line in text.splitlines() if line.strip()][:20]
    if not lines or not lines[0].startswith("{"):
        return False
    for line in lines[:5]:
        try:
            value = json.loads(line)
        except ValueError:
            continue
        if isinstance(value, dict):
            return True
    return False


def looks_like_json(text: str) -> bool:
    """Say whether text opens a JSON array or object of records.

    Only the start is examined (a sample may cut the value short): ``[`` or ``{`` then
    the opening of an object's first key.

    >>> looks_like_json('[\\n  {"url": "https://x.test/a", "html": "<p>..."}]')
    True
    >>> looks_like_json("[Advertisement] Markets rallied on Monday.")
    False
    """
    return re.match(r'\s*(?:\[\s*)?\{\s*"', text) is not None


def detect_kind(data: bytes, path: str = "") -> Kind:
    """Name the kind of an input file from its bytes; ``path`` only breaks ties.

    >>> detect_kind(b"<html><body><p>Story.</p></body></html>", "page.txt")
    'html'
    >>> detect_kind(b"Headline\\nJust text, no markup.\\n", "page.html")
    'text'
    >>> detect_kind(b'{"html": "<p>x</p>"}\\n{"text": "y"}\\n', "dump.json")
    'jsonl'
    >>> detect_kind(b'[{"text": "y"}]', "records.txt")
    'json'
    """
    text = sample_text(data)
    start = text.lstrip()
    if start[:1] in "[{" and start:
        if looks_like_jsonl(text):
            whole = text if len(data) <= SAMPLE_BYTES else ""
            return "json" if whole and _parses_as_one_value(whole) else "jsonl"
        suffix = PurePosixPath(path).suffix.lower()
        if looks_like_json(text) or suffix in _JSON_EXTENSIONS:
            return "jsonl" if suffix in (".jsonl", ".ndjson", ".jsonlines") else "json"
    if looks_like_html(text):
        return "html"
    return "text"


def _parses_as_one_value(text: str) -> bool:
    """A single-line JSON object is a JSON file as much as a one-record JSON Lines file."""
    try:
        json.loads(text)
    except ValueError:
        return False
    return True
