"""Character repair: mojibake fixed and named, clean text and typography untouched."""

from __future__ import annotations

import unicodedata

import ftfy
import ftfy.bad_codecs  # registers sloppy-windows-1252
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ingest import repair
from ingest.repair import needs_repair, reencode_utf8, repair_line

CLEAN = [
    "Plain ASCII with numbers 3:10 and symbols #!",
    "“Curly quotes” and ‘single’ ones stay curly – and dashes — too.",
    "Français, español, Deutsch: café, niño, Straße, château.",
    "Ελληνικά and русский and 中文 text.",
]


@pytest.mark.parametrize("line", CLEAN)
def test_clean_lines_are_not_touched(line: str) -> None:
    assert repair_line(line) == (line, ())


@pytest.mark.parametrize(
    ("broken", "fixed"),
    [
        ("Prices rose by Â£4bn", "Prices rose by £4bn"),
        ("Itâ€™s the bankâ€™s call", "It’s the bank’s call"),
        ("Ã©tÃ© en France", "été en France"),
        ("fish &amp; chips", "fish & chips"),
    ],
)
def test_mojibake_is_repaired_and_named(broken: str, fixed: str) -> None:
    out, fixes = repair_line(broken)
    assert out == fixed
    assert fixes  # the audit says what was applied


def test_cheap_check_agrees_with_ftfy_on_clean_text() -> None:
    for line in CLEAN:
        assert not needs_repair(line)


def test_cheap_check_flags_every_mojibake_ftfy_would_fix() -> None:
    """Every character cp1252 can show, UTF-8 encoded then misread: the check must see it."""
    extra = [0x2013, 0x2014, 0x2018, 0x2019, 0x201C, 0x201D, 0x2026, 0x20AC, 0x2122]
    missed = []
    for cp in [*range(0xA0, 0x250), *extra]:
        good = f"Word {chr(cp)} word"
        broken = good.encode("utf-8").decode("sloppy-windows-1252")
        if ftfy.fix_text(broken) == good and not needs_repair(broken):
            missed.append(chr(cp))
    assert missed == []


# --- The faster paths must agree exactly with the plain formulations they replace. ---

# Characters around every test: ASCII, cp1252's continuation characters, Latin lead bytes,
# controls, ligatures, entities, markup, surrogates, line separators.
_ALPHABET = [
    *map(chr, [*range(0x20, 0x7F), *range(0xA0, 0x180)]),
    *"\u2013\u2014\u2018\u2019\u201c\u201d\u2026\u20ac\u2122\u0152\u0161\u02c6",
    *"\ufb01\u0132\x81\x9d\x85\ufeff\u2028\x1b\x07\t\r\xad\u0301\ufffd\ud83d\ude00",
    "&amp;",
    "&#x2019;",
    "<b>",
    "\x1b[31m",
]
_CODECS = ["sloppy-windows-1252", "latin-1", "sloppy-windows-1250", "macroman", "cp437"]


@st.composite
def damaged_text(draw: st.DrawFn) -> str:
    """Random text, often UTF-8 misread once or twice through a single-byte codec."""
    text = "".join(draw(st.lists(st.sampled_from(_ALPHABET), max_size=30)))
    for codec in draw(st.lists(st.sampled_from(_CODECS), max_size=2)):
        try:
            text = text.encode("utf-8", "surrogatepass").decode(codec)
        except UnicodeError:
            break
    return text


def _needs_repair_reference(line: str) -> bool:
    """The two-regex test needs_repair replaced with one pass."""
    if repair._FIXABLE.search(line):
        return True
    if line.isascii():
        return False
    return bool(repair._MOJIBAKE.search(line)) or not unicodedata.is_normalized("NFC", line)


def _reencode_reference(line: str) -> str | None:
    if "\ufffd" in line:  # bytes already lost: never a cp1252 reading of UTF-8
        return None
    try:
        fixed = line.encode("sloppy-windows-1252").decode("utf-8")
    except UnicodeError:
        return None
    return fixed if fixed != line else None


@given(damaged_text())
@settings(max_examples=1500, deadline=None)
def test_fast_paths_agree_with_reference(text: str) -> None:
    assert needs_repair(text) == _needs_repair_reference(text)
    assert reencode_utf8(text) == _reencode_reference(text)
    fixed, steps = ftfy.fix_and_explain(text, repair.FTFY_CONFIG)
    assert repair.fix_and_explain(text) == (fixed, [tuple(s) for s in steps or ()])


@pytest.mark.parametrize(
    "line",
    [
        "Lindqvist knows ErdoÄŸan",  # plausible-looking: only the re-encode catches it
        "Ã©tÃ© Â£4bn and ﬁne",  # mojibake, then a ligature fixed in the same call
        "A\x81B Ã©",  # C1 control kept by cp1252: a step that changes nothing
        "â€œQuotedâ€\x9d &amp; <b>bold</b>",  # markup: html left escaped
        "Ã\xa0 la carte",
    ],
)
def test_repair_line_matches_plain_ftfy(line: str) -> None:
    fixed, steps = ftfy.fix_and_explain(line, repair.FTFY_CONFIG)
    names = tuple(dict.fromkeys(f"{a}:{s}" for a, s in steps or ()))
    redone = _reencode_reference(fixed)
    if redone is not None:
        fixed, names = redone, (*names, "reencode:sloppy-windows-1252/utf-8")
    assert repair_line(line) == ((fixed, names) if fixed != line else (line, ()))


def test_ftfy_release_is_the_mirrored_one() -> None:
    """Under another release fix_and_explain falls back to ftfy: correct, but slow again."""
    assert ftfy.__version__ == repair._MIRRORED_FTFY
