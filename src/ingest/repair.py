"""Character repair with ftfy, run only on the lines that need it, with a trail of what changed.

ftfy alone reads about 3.6 MB/s here; running it over every line would cap the whole
pipeline. Most lines of a dump are plain ASCII or clean UTF-8, and a cheap test tells them
apart: a line is handed to ftfy only when it holds a character ftfy could change.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable, Iterable
from typing import Any

import ftfy
import ftfy.bad_codecs
import ftfy.fixes
from ftfy.chardata import CONTROL_CHARS, LIGATURES

from ingest.document import Repair

# Typographic quotes and full-width characters stay as the outlet wrote them.
FTFY_CONFIG = ftfy.TextFixerConfig(uncurl_quotes=False, fix_character_width=False, explain=True)

# Characters that some ftfy step other than mojibake repair would change: HTML entities,
# control characters, C1 controls, surrogates, ligatures, replacement characters, BOMs.
_FIXABLE_CHARS = (
    "&\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufb00-\ufb06\ufeff\ufff9-\ufffd\u206a-\u206f"
)
_FIXABLE = re.compile(f"[{_FIXABLE_CHARS}]")

# UTF-8 read as cp1252 or latin-1 always leaves a lead-byte character (Â..ï) followed by a
# continuation-byte character (0x80-0xBF as cp1252 shows them: € ‚ ƒ „ … † ‡ ˆ ‰ Š ‹ Œ Ž ‘ ’
# “ ” • – — ˜ ™ š › œ ž Ÿ, or U+00A0-U+00BF), or "Ã " where a no-break space was lost.
_CONTINUATION = (
    "\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192"
    "\u02c6\u02dc\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a"
    "\u20ac\u2122"
)
_MOJIBAKE = re.compile(f"[\u00c2-\u00ef][{_CONTINUATION}]|\u00c3 ")

# Both tests in one pass over the line. Written to start with a single character class, so
# the regex engine skips ahead by that class instead of attempting a match at every position
# (the alternation above starts with no such class: scanning with it cost 4x as much).
_FIXABLE_OR_MOJIBAKE = re.compile(
    f"[{_FIXABLE_CHARS}\u00c2-\u00ef]"
    f"(?:(?<=[{_FIXABLE_CHARS}])|(?<=[\u00c2-\u00ef])(?:[{_CONTINUATION}]|(?<=\u00c3) ))"
)
_NON_ASCII = re.compile("[^\x00-\x7f]")


def needs_repair(line: str) -> bool:
    """Say cheaply whether ftfy could change this line.

    >>> needs_repair("Plain ASCII, nothing to do.")
    False
    >>> needs_repair("“Clean” UTF-8 – café")
    False
    >>> needs_repair("Itâ€™s Â£4bn")
    True
    >>> needs_repair("fish &amp; chips"), needs_repair("tab\tand bell\x07")
    (True, True)
    """
    if line.isascii():
        # In ASCII only "&" and the controls can need fixing; printable means no controls.
        return "&" in line or (not line.isprintable() and bool(_FIXABLE.search(line)))
    if _FIXABLE_OR_MOJIBAKE.search(line):
        return True
    return not unicodedata.is_normalized("NFC", line)


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
        fixed, explanation = fix_and_explain(line)
        names = tuple(dict.fromkeys(f"{action}:{step}" for action, step in explanation))
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

    A replacement character (U+FFFD) means bytes were already lost: no cp1252 reading of
    UTF-8 produces one, and the sloppy codec would turn it into a control character.

    >>> reencode_utf8("Ã© lost \ufffd here") is None
    True
    """
    if line.isascii() or "\ufffd" in line:
        return None
    # cp1252 turns each character into one byte and keeps ASCII, so the bytes can only be
    # UTF-8 if the first non-ASCII character becomes a lead byte (0xC2-0xF4), and those
    # bytes are the characters U+00C2-U+00F4. Most lines fail here, without encoding.
    first = _NON_ASCII.search(line)
    if first is None or not "\u00c2" <= first.group() <= "\u00f4":
        return None
    try:
        fixed = line.encode("sloppy-windows-1252").decode("utf-8")
    except UnicodeError:
        return None
    return fixed if fixed != line else None


# The ftfy release whose fix_and_explain loop ``fix_and_explain`` below repeats step by step.
_MIRRORED_FTFY = "6.3.1"
_FIXER_ORDER = (
    "fix_c1_controls",
    "fix_latin_ligatures",
    "fix_character_width",
    "uncurl_quotes",
    "fix_line_breaks",
    "fix_surrogates",
    "remove_terminal_escapes",
    "remove_control_chars",
)


def _class_of(codepoints: Iterable[int]) -> re.Pattern[str]:
    r"""A one-character class of the given code points.

    >>> _class_of([0x41, 0xFB01]).findall("AﬁB")
    ['A', 'ﬁ']
    """
    return re.compile("[" + "".join(f"\\U{cp:08x}" for cp in sorted(codepoints)) + "]")


def _skip_if_absent(fixer: Callable[[str], str], table: Iterable[int]) -> Callable[[str], str]:
    """``fixer`` (a ``str.translate`` over ``table``), skipped when no key of it is present.

    translate looks every character up in a dict (about 10x a regex class scan); a line
    holding none of the table's characters comes back unchanged anyway.
    """
    present = _class_of(table)

    def fix(text: str) -> str:
        return fixer(text) if present.search(text) else text

    return fix


_FIXERS: dict[str, Callable[[str], str]] = {
    **ftfy.FIXERS,
    "fix_latin_ligatures": _skip_if_absent(ftfy.fixes.fix_latin_ligatures, LIGATURES),
    "remove_control_chars": _skip_if_absent(ftfy.fixes.remove_control_chars, CONTROL_CHARS),
}


def fix_and_explain(line: str) -> tuple[str, list[tuple[str, str]]]:
    """``ftfy.fix_and_explain(line, FTFY_CONFIG)``, without the work ftfy repeats.

    ftfy runs its whole pipeline again until the text stops changing: the second round
    re-judges the fixed text (a regex over the line) and re-runs every fixer (two of them
    ``str.translate``), almost always to change nothing. Each step is a pure function of
    its text, so this copy of the loop remembers each step's result by its input within the
    call and replays it; the text and the explanation come out exactly as ftfy's. Under any
    other ftfy release it simply calls ftfy.

    >>> fix_and_explain("Itâ€™s Â£4bn")
    ('It’s £4bn', [('encode', 'sloppy-windows-1252'), ('decode', 'utf-8')])
    """
    if ftfy.__version__ != _MIRRORED_FTFY:
        fixed, explanation = ftfy.fix_and_explain(line, FTFY_CONFIG)
        return fixed, [(action, step) for action, step in explanation or ()]
    config = FTFY_CONFIG
    if config.unescape_html == "auto" and "<" in line:
        config = config._replace(unescape_html=False)
    memo: dict[tuple[str, str], Any] = {}

    def once(name: str, step: Callable[[str], Any], text: str) -> Any:
        key = (name, text)
        if key not in memo:
            memo[key] = step(text)
        return memo[key]

    def encoding_steps(text: str) -> tuple[str, list[tuple[str, str]]]:
        fixed, plan = ftfy.fix_encoding_and_explain(text, config)
        return fixed, list(plan or ())

    steps: list[tuple[str, str]] = []

    def apply(name: str, text: str) -> str:  # ftfy._try_fix
        if not getattr(config, name):
            return text
        fixed: str = once(name, _FIXERS[name], text)
        if fixed != text:
            steps.append(("apply", name))
        return fixed

    text = line
    while True:
        origtext = text
        text = apply("unescape_html", text)
        if config.fix_encoding:
            text, plan = once("fix_encoding", encoding_steps, text)
            steps.extend(plan)
        for name in _FIXER_ORDER:
            text = apply(name, text)
        if config.normalization is not None:
            form = config.normalization
            fixed = once(form, functools.partial(unicodedata.normalize, form), text)
            if fixed != text:
                steps.append(("normalize", form))
            text = fixed
        if text == origtext:
            return text, steps


def repair_lines(lines: list[str]) -> list[Repair]:
    """Repair mojibake in place, line by line, and say what was repaired (1-based lines).

    The one repair pass of every front end (text dumps, HTML pages, records).

    >>> lines = ["plain", "Itâ€™s"]
    >>> [r.line for r in repair_lines(lines)], lines
    ([2], ['plain', 'It’s'])
    """
    repairs = []
    for i, line in enumerate(lines):
        fixed, fixes = repair_line(line)
        if fixes:
            repairs.append(Repair(i + 1, line, fixed, fixes))
            lines[i] = fixed
    return repairs
