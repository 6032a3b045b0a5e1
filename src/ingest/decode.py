"""Bytes to text: BOMs, UTF-16, legacy single-byte encodings, mixed files, line ends."""

from __future__ import annotations

import codecs
import hashlib
import re
from dataclasses import dataclass
from datetime import datetime

from ingest.document import Source
from ingest.errors import IngestError
from ingest.published import format_utc
from ingest.scraped import FROM_FLAG

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# C0 controls other than tab, line feed, form feed and carriage return: rare in real text.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f]")
# The same characters as bytes. UTF-8 (multi-byte sequences never use bytes below 0x80),
# cp1252 and latin-1 turn each of these bytes into the same control character and no
# other byte into one, so for them the count in the bytes is the count in the text.
_CONTROL_BYTES = bytes([*range(0x00, 0x09), 0x0B, *range(0x0E, 0x20)])
_CONTROL_LIMIT = 8  # a few stray controls are fine in any file; see _mostly_control
_LINE_SPLIT = re.compile(rb"(?<=\n)")


@dataclass(frozen=True)
class Decoded:
    """Text with line ends normalised to ``\\n``, and how it was read."""

    text: str
    encoding: str
    newline: str


def sniff_utf16(data: bytes) -> str | None:
    """Name the UTF-16 byte order of BOM-less text, or None if it does not look like UTF-16.

    >>> sniff_utf16("Hello world".encode("utf-16-le"))
    'utf-16-le'
    >>> sniff_utf16(b"plain ascii") is None
    True
    """
    sample = data[:4096]
    if len(sample) < 4 or len(sample) % 2:
        return None
    even_zero = sample[0::2].count(0) / (len(sample) / 2)
    odd_zero = sample[1::2].count(0) / (len(sample) / 2)
    if odd_zero > 0.3 and even_zero < 0.05:
        return "utf-16-le"
    if even_zero > 0.3 and odd_zero < 0.05:
        return "utf-16-be"
    return None


def decode_line_legacy(raw: bytes) -> str:
    """Decode a line that is not UTF-8: cp1252, falling back to latin-1 byte by byte.

    >>> decode_line_legacy(b"\\x93caf\\xe9\\x94")
    '“café”'
    >>> decode_line_legacy(b"\\x81")  # undefined in cp1252
    '\\x81'
    """
    try:
        return raw.decode("cp1252")
    except UnicodeDecodeError:
        return "".join(bytes([b]).decode("cp1252", errors="ignore") or chr(b) for b in raw)


def normalise_newlines(text: str) -> tuple[str, str]:
    """Turn CRLF and lone CR into LF; say which line ends the text had.

    >>> normalise_newlines("a\\r\\nb\\r\\n")
    ('a\\nb\\n', 'crlf')
    >>> normalise_newlines("a\\rb")
    ('a\\nb', 'cr')
    """
    if "\r" not in text:  # the usual case: one scan instead of three counts
        return text, "lf" if "\n" in text else "none"
    crlf = text.count("\r\n")
    cr = text.count("\r") - crlf
    lf = text.count("\n") - crlf
    kinds = [name for name, n in (("crlf", crlf), ("cr", cr), ("lf", lf)) if n]
    style = kinds[0] if len(kinds) == 1 else ("mixed" if kinds else "none")
    if crlf or cr:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text, style


def decode_bytes(data: bytes) -> Decoded:
    """Decode a dump's bytes, or raise IngestError saying why it is not text.

    UTF-8 is tried first; a file that is not valid UTF-8 is decoded line by line, so a file
    that mixes UTF-8 and cp1252 lines keeps both right.

    >>> decode_bytes(b"\\xef\\xbb\\xbfHi\\r\\n").encoding
    'utf-8-sig'
    >>> decode_bytes("caf\\u00e9\\n".encode("cp1252")).encoding
    'cp1252'
    """
    if not data:
        raise IngestError("empty_file", "the file is empty (0 bytes)")
    text: str | None = None
    encoding = "utf-8"
    for bom, name in _BOMS:
        if data.startswith(bom):
            try:
                text = data[len(bom) :].decode(name.removesuffix("-sig"))
            except UnicodeDecodeError as exc:
                raise IngestError(
                    "invalid_encoding",
                    f"the file starts with a {name} byte-order mark but is not valid {name} "
                    f"(byte {exc.start + len(bom)}); re-save it as UTF-8",
                ) from None
            encoding = name if name == "utf-8-sig" else name.rsplit("-", 1)[0] + "-bom"
            break
    if text is None and b"\x00" in data:
        utf16 = sniff_utf16(data)
        if utf16 is None:
            raise IngestError(
                "binary_file", "the file holds NUL bytes and is not UTF-16 text: not a text dump"
            )
        text = data.decode(utf16, errors="replace")
        encoding = utf16
    if text is None:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text, encoding = _decode_mixed(data)
    byte_per_char = not encoding.startswith(("utf-16", "utf-32"))
    if _mostly_control(text, data if byte_per_char else None):
        raise IngestError("binary_file", "the file is mostly control characters: not a text dump")
    text, newline = normalise_newlines(text)
    if not text or text.isspace():  # what ``not text.strip()`` says, without copying the text
        raise IngestError("whitespace_only", "the file holds only whitespace")
    return Decoded(text=text, encoding=encoding, newline=newline)


def _mostly_control(text: str, data: bytes | None) -> bool:
    """Say whether more than 1% (and more than 8) of the first 64K characters are controls.

    ``data`` is the file's bytes when each control character in ``text`` came from one
    control byte (UTF-8, cp1252, latin-1): a file with at most 8 such bytes then passes
    without the character scan, a C loop over bytes instead of a regex over the text.

    >>> _mostly_control("ok\\x01" * 3, b"ok\\x01" * 3), _mostly_control("\\x01" * 9, None)
    (False, True)
    """
    if data is not None and len(data) - len(data.translate(None, _CONTROL_BYTES)) <= _CONTROL_LIMIT:
        return False
    head = text[:65536]
    return len(_CONTROL.findall(head)) > max(_CONTROL_LIMIT, len(head) // 100)


def _decode_mixed(data: bytes) -> tuple[str, str]:
    parts: list[str] = []
    utf8_lines = legacy_lines = 0
    for raw in _LINE_SPLIT.split(data):
        try:
            parts.append(raw.decode("utf-8"))
            if not raw.isascii():
                utf8_lines += 1
        except UnicodeDecodeError:
            parts.append(decode_line_legacy(raw))
            legacy_lines += 1
    encoding = "cp1252" if not utf8_lines else "utf-8+cp1252"
    return "".join(parts), encoding


def file_source(
    data: bytes,
    decoded: Decoded,
    *,
    path: str,
    scraped_at: datetime | None,
    kind: str | None = None,
    scraped_from: str | None = None,
    sha256: str | None = None,
) -> Source:
    """The provenance every document of one input file starts from: the file's path, hash,
    encoding and line ends, its scrape time and where that came from (``scraped_from``,
    ingest.scraped; default ``flag``), and ``kind`` for a non-text input (HTML, JSON
    records). Index 0 and no line span: each front end sets a document's own
    (``dataclasses.replace``), so all three build it here and record the same fields.
    ``sha256`` is the bytes' hash when the caller has it (a run hashes each dump before
    cleaning it, to find byte-identical copies), so they are not hashed again.

    >>> file_source(b"Hi", decode_bytes(b"Hi"), path="a.txt", scraped_at=None).sha256[:12]
    '3639efcd08ab'
    """
    return Source(
        path=path,
        sha256=sha256 or hashlib.sha256(data).hexdigest(),
        index=0,
        line_start=None,
        line_end=None,
        encoding=decoded.encoding,
        newline=decoded.newline,
        scraped_at=format_utc(scraped_at) if scraped_at else None,
        kind=kind,
        scraped_at_from=(scraped_from or FROM_FLAG) if scraped_at else None,
    )
