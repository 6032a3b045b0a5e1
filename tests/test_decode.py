"""Decoding: BOMs, UTF-16, cp1252, mixed files, binary and empty input."""

from __future__ import annotations

import pytest

from ingest.decode import decode_bytes
from ingest.errors import IngestError

TEXT = "Café “quoted” – £5\nsecond line\n"


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (TEXT.encode("utf-8"), "utf-8"),
        (b"\xef\xbb\xbf" + TEXT.encode("utf-8"), "utf-8-sig"),
        (TEXT.encode("utf-16"), "utf-16-bom"),
        (TEXT.encode("utf-16-le"), "utf-16-le"),
        (TEXT.encode("utf-16-be"), "utf-16-be"),
        (TEXT.encode("cp1252"), "cp1252"),
    ],
)
def test_text_decodes_the_same_whatever_the_encoding(data: bytes, encoding: str) -> None:
    decoded = decode_bytes(data)
    assert decoded.text == TEXT
    assert decoded.encoding == encoding


def test_mixed_utf8_and_cp1252_lines_both_survive() -> None:
    data = "Café in UTF-8\n".encode() + "Crème in cp1252\n".encode("cp1252")
    decoded = decode_bytes(data)
    assert decoded.text == "Café in UTF-8\nCrème in cp1252\n"
    assert decoded.encoding == "utf-8+cp1252"


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty_file"),
        (b"  \n\t\r\n ", "whitespace_only"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00", "binary_file"),
        (bytes(range(1, 9)) * 200, "binary_file"),
        (b"\xff\xfe" + b"\x00\xd8", "invalid_encoding"),
    ],
)
def test_non_text_is_refused_with_a_reason(data: bytes, reason: str) -> None:
    with pytest.raises(IngestError) as err:
        decode_bytes(data)
    assert err.value.reason == reason
    assert err.value.message


@pytest.mark.parametrize(
    ("data", "newline"),
    [
        (b"a\nb", "lf"),
        (b"a\r\nb", "crlf"),
        (b"a\rb", "cr"),
        (b"a\r\nb\nc", "mixed"),
        (b"ab", "none"),
    ],
)
def test_line_ends_are_normalised(data: bytes, newline: str) -> None:
    decoded = decode_bytes(data)
    assert "\r" not in decoded.text
    assert decoded.newline == newline
