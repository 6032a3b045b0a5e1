"""File kinds are detected from content; the extension only breaks ties."""

from __future__ import annotations

import codecs

import pytest

from ingest.detect import detect_kind

PAGE = b"<!DOCTYPE html><html><head><title>T</title></head><body><p>Story.</p></body></html>"
FRAGMENT = b"<div><h2>Title</h2><p>One.</p><p>Two.</p><p>Three.</p><a href='/'>x</a></div>"
DUMP = b"Trump and Putin fundamentally misunderstand each other\nPetty insults aside.\n"


@pytest.mark.parametrize(
    ("data", "path", "kind"),
    [
        (PAGE, "page.html", "html"),
        (PAGE, "saved.txt", "html"),  # an .txt that is HTML
        (codecs.BOM_UTF8 + PAGE, "bom.txt", "html"),
        (PAGE.decode().encode("utf-16"), "utf16.txt", "html"),
        (FRAGMENT, "fragment.txt", "html"),
        (DUMP, "dump.html", "text"),  # an .html with no markup
        (DUMP, "dump.txt", "text"),
        (b"Use <p> for paragraphs, said the style guide.\nAnd more.\n", "a.txt", "text"),
        (b'{"html": "<p>x</p>"}\n{"text": "y"}\n', "r.jsonl", "jsonl"),
        (b'{"html": "<p>x</p>"}\n{"text": "y"}\n', "r.txt", "jsonl"),
        (b'{"text": "a", broken\n{"text": "b"}\n', "r.jsonl", "jsonl"),
        (b'[{"text": "y"}, {"text": "z"}]', "r.json", "json"),
        (b'[\n  {"text": "y"}\n]\n', "r.txt", "json"),
        (b'{\n  "text": "y"\n}\n', "r.json", "json"),
        (b"[Advertisement] Markets rallied on Monday.\nShares rose.\n", "a.txt", "text"),
        (b"{curly} is how this dump starts\nand it goes on\n", "a.txt", "text"),
    ],
)
def test_detect_kind(data: bytes, path: str, kind: str) -> None:
    assert detect_kind(data, path) == kind
