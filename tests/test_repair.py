"""Character repair: mojibake fixed and named, clean text and typography untouched."""

from __future__ import annotations

import ftfy
import ftfy.bad_codecs  # registers sloppy-windows-1252
import pytest

from ingest.repair import needs_repair, repair_line

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
