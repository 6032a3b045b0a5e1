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
from ingest.language import FIELD, decide_by_stopwords, load_stopwords
from ingest.settings import LanguageSettings

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
    """Repair mojibake in place, line by line, and say what was repaired (1-based lines);
    then put back the spaces a page lost around an italic title (:func:`unglue_articles`).

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
    glued = _glued_lines(lines)
    if glued:
        dump_lang = decide_by_stopwords(" ".join(lines), _WIDE)
        vocabulary = _capitalised_words(lines)
        stems = _glued_stems([lines[i] for i in glued], dump_lang)
        for i in glued:
            lang = decide_by_stopwords(lines[i]) or dump_lang
            fixed = unglue_articles(lines[i], lang, vocabulary, stems)
            if fixed != lines[i]:
                done = next((r for r in repairs if r.line == i + 1), None)
                if done is None:
                    repairs.append(Repair(i + 1, lines[i], fixed, (_UNGLUE,)))
                else:
                    repairs[repairs.index(done)] = Repair(
                        i + 1, done.before, fixed, (*done.fixes, _UNGLUE)
                    )
                lines[i] = fixed
        repairs.sort(key=lambda r: r.line)
    return repairs


# A page that drops an italic title's tags with the spaces around them glues an article to
# the title and the title to the next word: "Lecture duMondeen cours", "Vous pouvez lireLe
# Mondesur un seul appareil", "theWhite House". Safe only where the article belongs to the
# line's own language (by its function words: "deGrasse", "toString" and "forEach" stay)
# and the glued word is one capitalised word, not code ("getElementById", "obj.toString").
_UNGLUE = "unglue:article"
_WIDE = LanguageSettings(window=6000)  # a dump's language, when a short line tells none
# A capital after a small letter; scanning for the capital first is 6x cheaper than
# scanning for the small letter (most characters are small letters).
_LOWER_UPPER = re.compile(r"[A-Z](?<=[a-zà-öø-ÿ].)")
_ARTICLES: dict[str, frozenset[str]] = {
    "en": frozenset({"the"}),
    "fr": frozenset({"du", "des", "le", "la", "les", "au", "aux"}),
    "de": frozenset({"der", "die", "das", "dem", "den", "des"}),
    "es": frozenset({"el", "los", "las", "del"}),
    "it": frozenset({"il", "lo", "gli", "del", "della", "dello", "delle", "degli"}),
    "pt": frozenset({"do", "da", "dos", "das"}),
    "nl": frozenset({"het"}),
}
_ALL_ARTICLES = sorted(set().union(*_ARTICLES.values()), key=lambda a: (-len(a), a))
# Where an article may be glued: before a capital, or capitalised after a small letter.
_GLUED = re.compile(
    rf"(?<![^\W\d_])(?:{'|'.join(_ALL_ARTICLES)})[A-Z]|[^\W\d_A-Z]"
    rf"(?:{'|'.join(a.capitalize() for a in _ALL_ARTICLES)}) [A-Z]"
)
_GLUED_TOKEN = re.compile(r"(?<![\w.@/#'’&-])([^\W\d_]+)(?=[\s,;:!?.)\]»”’\"]|$)")


def _glued_lines(lines: list[str]) -> list[int]:
    """The indexes of lines where an article may be glued to a word, found with one scan of
    the whole dump for a capital after a small letter (a few hundred in a megabyte).

    >>> _glued_lines(["iPhone sales", "plain", "Lecture duMonde en cours", "McDonald"])
    [2]
    """
    text = "\n".join(lines)
    found: list[int] = []
    i = pos = 0
    for m in _LOWER_UPPER.finditer(text):
        i += text.count("\n", pos, m.start())
        pos = m.start()
        if (not found or found[-1] != i) and _GLUED.search(text, max(0, pos - 6), pos + 9):
            found.append(i)
    return found


def _capitalised_words(lines: Iterable[str]) -> frozenset[str]:
    """The capitalised words a dump prints on their own: what a glued title may be."""
    return frozenset(
        w
        for line in lines
        for w in re.findall(r"(?<![\w.@/#-])[A-Z][^\W\d_A-Z]{2,}(?![\w(])", line)
    )


def _glued_stems(lines: Iterable[str], lang: str | None) -> frozenset[str]:
    """Titles the dump prints glued to two or more different function words of ``lang``
    ("Mondeen", "Mondesur", "Mondeavec": "Monde"), so a glued tail can be told from a word.

    >>> sorted(_glued_stems(["du Mondeen cours", "lire Le Mondesur un", "Mondaine"], "fr"))
    ['Monde']
    """
    if lang not in _ARTICLES:
        return frozenset()
    stopwords = load_stopwords()
    bit = FIELD * stopwords.languages.index(lang or "")
    tails: dict[str, set[str]] = {}
    for line in lines:
        for word in re.findall(r"[A-Z][^\W\d_A-Z]{4,}", line):
            for k in range(3, len(word) - 1):
                if stopwords.packed.get(word[k:], 0) >> bit & 1:
                    tails.setdefault(word[:k], set()).add(word[k:])
    return frozenset(stem for stem, seen in tails.items() if len(seen) >= 2)


def unglue_articles(
    line: str,
    lang: str | None,
    known: frozenset[str] = frozenset(),
    stems: frozenset[str] = frozenset(),
) -> str:
    """Put back the spaces around a title whose italics were dropped with them, in a line
    of language ``lang``.

    An article of that language glued to a capitalised word ("duMonde"), or a word glued to
    a capitalised article before a capitalised word ("lireLe Monde"); the title's glued tail
    too ("Mondeen"), when the tail is a function word of the language and the dump glues the
    title to two or more of them (``stems``, :func:`_glued_stems`), or prints the title
    alone and never the glued word (``known``: the dump's capitalised words).

    >>> monde = frozenset({"Monde"})
    >>> unglue_articles("Lecture duMondeen cours sur un autre appareil.", "fr", monde)
    'Lecture du Monde en cours sur un autre appareil.'
    >>> unglue_articles("Vous pouvez lireLe Mondesur un seul appareil.", "fr", stems=monde)
    'Vous pouvez lire Le Monde sur un seul appareil.'
    >>> unglue_articles("Le musée duLouvreen travaux.", "fr", frozenset({"Louvreen"}))
    'Le musée du Louvreen travaux.'
    >>> unglue_articles("Vous pouvez lireLe Mondesur un seul appareil.", "fr")
    'Vous pouvez lire Le Mondesur un seul appareil.'
    >>> unglue_articles("Meanwhile, in theWhite House, the staff had left.", "en")
    'Meanwhile, in the White House, the staff had left.'
    >>> kept = ("Neil deGrasse Tyson", "Call toString on it", "use the forEach loop",
    ...     "call obj.theValue", "theWhiteHouse", "iPhone", "McDonald")
    >>> [unglue_articles(t, "en") for t in kept] == list(kept)
    True
    >>> unglue_articles("Lecture duMonde", None)
    'Lecture duMonde'
    """
    articles = _ARTICLES.get(lang or "")
    if not articles:
        return line
    stopwords = load_stopwords()
    bit = FIELD * stopwords.languages.index(lang or "")

    def untail(word: str) -> str:
        # "Mondeen" -> "Monde en"
        for k in range(len(word) - 2, 2, -1):
            stem, tail = word[:k], word[k:]
            if not stopwords.packed.get(tail, 0) >> bit & 1:
                continue
            if stem in stems or (stem in known and word not in known):
                return f"{stem} {tail}"
        return word

    out: list[str] = []
    prev = 0
    title_next = False
    for m in _GLUED_TOKEN.finditer(line):
        token = m.group(1)
        out.append(line[prev : m.start()])
        prev = m.end()
        if title_next:
            title_next = False
            if token[:1].isupper():
                out.append(untail(token))  # "lire Le Mondesur" -> "Monde sur"
                continue
        humps = [k for k in range(1, len(token)) if token[k].isupper()]
        if len(humps) != 1 or not token[0].islower():
            out.append(token)
            continue
        head, tail = token[: humps[0]], token[humps[0] :]
        if head in articles and len(tail) >= 3 and tail[1:].islower():
            out.append(f"{head} {untail(tail)}")  # "duMondeen" -> "du Monde en"
        elif tail.lower() in articles and line[m.end() : m.end() + 2][1:].isupper():
            out.append(f"{head} {tail}")  # "lireLe Monde"
            title_next = line[m.end() : m.end() + 1] == " "
        else:
            out.append(token)
    out.append(line[prev:])
    return "".join(out)
