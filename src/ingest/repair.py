"""Character repair with ftfy, run only on the lines that need it, with a trail of what changed.

ftfy alone reads about 3.6 MB/s here; running it over every line would cap the whole
pipeline. Most lines of a dump are plain ASCII or clean UTF-8, and a cheap test tells them
apart: a line is handed to ftfy only when it holds a character ftfy could change.
"""

from __future__ import annotations

import re
import unicodedata

import ftfy
import ftfy.bad_codecs

# Typographic quotes and full-width characters stay as the outlet wrote them.
FTFY_CONFIG = ftfy.TextFixerConfig(uncurl_quotes=False, fix_character_width=False, explain=True)

# Characters that some ftfy step other than mojibake repair would change: HTML entities,
# control characters, C1 controls, surrogates, ligatures, replacement characters, BOMs.
_FIXABLE = re.compile(
    r"[&\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufb00-\ufb06\ufeff\ufff9-\ufffd\u206a-\u206f]"
)


# UTF-8 read as cp1252 or latin-1 always leaves a lead-byte character (Â..ï) followed by a
# continuation-byte character (0x80-0xBF as cp1252 shows them: € ‚ ƒ „ … † ‡ ˆ ‰ Š ‹ Œ Ž ‘ ’
# “ ” • – — ˜ ™ š › œ ž Ÿ, or U+00A0-U+00BF), or "Ã " where a no-break space was lost.
_MOJIBAKE = re.compile(
    "[\u00c2-\u00ef][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192"
    "\u02c6\u02dc\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a"
    "\u20ac\u2122]|\u00c3 "
)


def needs_repair(line: str) -> bool:
    """Say cheaply whether ftfy could change this line.

    >>> needs_repair("Plain ASCII, nothing to do.")
    False
    >>> needs_repair("“Clean” UTF-8 – café")
    False
    >>> needs_repair("Itâ€™s Â£4bn")
    True
    """
    if _FIXABLE.search(line):
        return True
    if line.isascii():
        return False
    return bool(_MOJIBAKE.search(line)) or not unicodedata.is_normalized("NFC", line)


def repair_line(line: str) -> tuple[str, tuple[str, ...]]:
    """Repair mojibake and broken characters in one line; name the fixes that changed it.

    The names are empty when nothing changed, so the audit records only real repairs.

    >>> repair_line("Itâ€™s Â£4bn")
    ('It’s £4bn', ('encode:sloppy-windows-1252', 'decode:utf-8'))
    >>> repair_line("“Fine” – as written")
    ('“Fine” – as written', ())
    """
    fixed: str = line
    names: tuple[str, ...] = ()
    if needs_repair(line):
        fixed, explanation = ftfy.fix_and_explain(line, FTFY_CONFIG)
        names = tuple(dict.fromkeys(f"{action}:{step}" for action, step in explanation or ()))
    redone = reencode_utf8(fixed)
    if redone is not None:
        fixed, names = redone, (*names, "reencode:sloppy-windows-1252/utf-8")
    return (fixed, names) if fixed != line else (line, ())


def reencode_utf8(line: str) -> str | None:
    """Undo UTF-8 read as cp1252 that ftfy leaves alone because it looks plausible.

    ftfy judges a line by how odd it looks, and "ErdoÄŸan" looks like Latin text. But a line
    whose characters all encode to cp1252 *and* whose bytes then form valid multi-byte UTF-8
    is mojibake beyond reasonable doubt: real text almost never spells a UTF-8 sequence.

    >>> reencode_utf8("Lindqvist knows ErdoÄŸan")
    'Lindqvist knows Erdoğan'
    >>> reencode_utf8("Café “quoted”") is None
    True
    """
    if line.isascii():
        return None
    try:
        fixed = line.encode("sloppy-windows-1252").decode("utf-8")
    except UnicodeError:
        return None
    return fixed if fixed != line else None
