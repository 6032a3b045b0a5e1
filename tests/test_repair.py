"""Character repair: mojibake fixed and named, clean text and typography untouched."""

from __future__ import annotations

import unicodedata

import ftfy
import ftfy.bad_codecs  # registers sloppy-windows-1252
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ingest import repair
from ingest.clean import clean_dump
from ingest.repair import needs_repair, reencode_utf8, repair_line
from ingest.rules import load_rules
from tests.dumps import check_reassembly

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


FRENCH = [
    "Le Monde a publié lundi une enquête sur la filière du vin dans la région.",
    "Les producteurs ont expliqué que la récolte était en baisse depuis trois ans.",
]


def _clean_text(lines: list[str]) -> tuple[str, list[tuple[str, ...]]]:
    data = ("\n".join(lines) + "\n").encode()
    result = clean_dump(data, path="t.txt", rules=load_rules(), scraped_at=None)
    check_reassembly(data, result)
    text = "\n".join(d.text for d in result.documents)
    return text, [r.fixes for d in result.documents for r in d.repairs]


def test_words_glued_around_a_dropped_italic_title_are_spaced_and_recorded() -> None:
    glued = [
        "Lecture duMondeen cours sur un autre appareil, selon le message affiché.",
        "Vous pouvez lireLe Mondesur un seul appareil à la fois, dit le message.",
    ]
    text, fixes = _clean_text([*FRENCH, *glued])
    assert "Lecture du Monde en cours" in text
    assert "lire Le Monde sur un seul" in text
    assert fixes == [("unglue:article",)] * 2
    english = [
        "The staff of the mayor said on Monday that they would leave the city in the spring.",
        "Meanwhile, in theWhite House, the staff said that they had all left for the day.",
    ]
    text, fixes = _clean_text(english)
    assert "in the White House" in text
    assert fixes == [("unglue:article",)]


@pytest.mark.parametrize(
    "line",
    [
        "The astrophysicist Neil deGrasse Tyson said that he would speak at the event.",
        "Developers call toString or use forEach on the list, as the guide explains.",
        "The value of obj.theValue and the #theWhite tag were shown in the report.",
        "Buy an iPhone at McDonald's, the YouTube star told her followers on Monday.",
        "He said theWhiteHouse account had posted the clip on Monday night.",
        # a French article glued in an English line, an English one in a French line
        "The bar in Paris, called leMonde, closed in the spring, the owner said.",
        "Il a cité theGuardian dans son discours devant les élus de la ville.",
    ],
)
def test_glued_lookalikes_stay(line: str) -> None:
    lines = [line]
    assert repair.repair_lines(lines) == []
    assert lines == [line]
