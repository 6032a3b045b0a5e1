"""Language identification: a function-word fast path in front of py3langid.

py3langid walks a byte automaton in Python and costs about a millisecond a story, which made
it the library's biggest CPU cost. News text is nearly always in a handful of languages whose
function words ("the", "of", "der", "und", "le", "de", ...) make up a third or more of any
sentence, so counting them settles most stories at a few percent of that cost.

The fast path, :func:`decide_by_stopwords`, reads the same 600-character window py3langid
classifies and answers only when the evidence is overwhelming (the thresholds of
:class:`ingest.settings.LanguageSettings`); any doubt returns None and py3langid decides,
so the answer is py3langid's either way. The word lists live in ``data/stopwords.toml``:
the languages the fast path may answer, and "guard" relatives (Galician, Catalan,
Afrikaans, ...) whose words only ever count against a decision.

Counting is done on packed integers: each word maps to an int with one :data:`FIELD`-bit
counter per language, set to 1 for every list the word is on, so ``sum()`` over a window's
words tallies all languages at once in C.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from ingest.settings import LanguageSettings

#: The thresholds' defaults (documented on LanguageSettings, set in a rules file's
#: ``[language]`` table).
DEFAULT_LANGUAGE = LanguageSettings()
WINDOW = DEFAULT_LANGUAGE.window
MIN_TOKENS = DEFAULT_LANGUAGE.min_tokens
MIN_SHARE = DEFAULT_LANGUAGE.min_share
MIN_OWN = DEFAULT_LANGUAGE.min_own
MIN_RATIO = DEFAULT_LANGUAGE.min_ratio
MIN_PART_SHARE = DEFAULT_LANGUAGE.min_part_share

#: Bits per language in a packed count. A window holds at most window // 2 words, so counts
#: and the margins of :func:`outweighs_others` (at most min_ratio * window // 2 either side
#: of _BIAS) stay inside a field and never carry into the next (ingest.settings bounds both).
FIELD = 16
_COUNT = (1 << FIELD) - 1
_BIAS = 1 << (FIELD - 2)


@dataclass(frozen=True)
class Stopwords:
    """Function-word lists, as packed language sets per word.

    ``packed`` maps a word (lowercase, and Capitalised as at a sentence start) to an int with
    bit ``FIELD * i`` set for each language ``languages[i]`` whose list has it; ``deciding``
    holds the indexes of the languages the fast path may answer (the others are guards).
    """

    languages: tuple[str, ...]
    packed: Mapping[str, int]
    deciding: tuple[int, ...]
    ones: int  # a packed count of 1 for every language
    if_on_list: tuple[Mapping[int, int], ...]  # per language: each word set if it has it, or 0


def parse_stopwords(text: str) -> Stopwords:
    """Read word lists from TOML: a table per language with ``words`` and ``decide``.

    >>> words = parse_stopwords('[en]\\ndecide = true\\nwords = "the a"\\n[fy]\\nwords = "a"')
    >>> words.languages, words.deciding, words.packed["The"] == 1, words.packed["a"] == 1 + 2**16
    (('en', 'fy'), (0,), True, True)
    """
    tables: dict[str, Any] = tomllib.loads(text)
    packed: dict[str, int] = {}
    for i, table in enumerate(tables.values()):
        for word in set(table["words"].split()):
            for form in {word, word[:1].upper() + word[1:]}:
                packed[form] = packed.get(form, 0) | 1 << (FIELD * i)
    sets = set(packed.values())
    return Stopwords(
        languages=tuple(tables),
        packed=packed,
        deciding=tuple(i for i, table in enumerate(tables.values()) if table.get("decide")),
        ones=sum(1 << (FIELD * i) for i in range(len(tables))),
        if_on_list=tuple(
            {s: s if s >> (FIELD * i) & 1 else 0 for s in sets} for i in range(len(tables))
        ),
    )


@lru_cache(maxsize=1)
def load_stopwords() -> Stopwords:
    """The word lists shipped in ``ingest/data/stopwords.toml`` (read once).

    >>> sorted(load_stopwords().languages[i] for i in load_stopwords().deciding)
    ['de', 'en', 'es', 'fr', 'it', 'nl', 'pt']
    """
    data = resources.files("ingest").joinpath("data/stopwords.toml")
    return parse_stopwords(data.read_text(encoding="utf-8"))


def split_window(text: str, window: int = WINDOW) -> list[str]:
    """Words of the window py3langid would see, cased as py3langid sees them.

    Split on whitespace and apostrophes only, and no Unicode normalisation: a word with
    punctuation attached ("said,") or in decomposed accents matches no list and just counts
    as a word, which only makes the fast path more cautious. py3langid lowercases an
    all-capitals window and is otherwise case-sensitive, and so is this.

    >>> split_window("L’État a dit qu'il viendra.")
    ['L', 'État', 'a', 'dit', 'qu', 'il', 'viendra.']
    >>> split_window("THE END OF 2024")
    ['the', 'end', 'of', '2024']
    """
    part = text[:window]
    if part.isupper():
        part = part.lower()
    # "l'homme" -> "l homme": elided articles count (str.replace: far cheaper than translate)
    return part.replace("'", " ").replace("’", " ").split()


def count_language(packed: int, lang: int) -> int:
    """The count of language ``lang`` in a packed count.

    >>> count_language(3 + (5 << FIELD), 1)
    5
    """
    return packed >> (FIELD * lang) & _COUNT


def outweighs_others(
    hits: int,
    shared: int,
    lang: int,
    ones: int,
    min_hits: float,
    min_own: int,
    min_ratio: int = MIN_RATIO,
) -> bool:
    """Whether ``lang`` has ``min_hits`` words and, against every other language, at least
    ``min_own`` words that language's list lacks plus ``min_ratio`` for each of its words
    ``lang``'s list lacks.

    ``hits`` is the packed count of all matched words, ``shared`` that of the words on
    ``lang``'s list, ``ones`` has a 1 in every language's field. With ``top`` words on
    ``lang``'s list, ``n`` on the other's and ``s`` on both, the test is
    ``(top - s) - min_own - min_ratio * (n - s) >= 0``, computed for all languages at once:
    offset by _BIAS, every field stays positive and passes if it keeps its _BIAS bit.

    >>> es, ca = 1, 1 << FIELD  # "el", "los": Spanish; "la", "de": both; "amb": Catalan
    >>> ones = es + ca
    >>> outweighs_others(4 * es + 2 * ca, 4 * es + 2 * ca, 0, ones, 4, 2)
    True
    >>> outweighs_others(4 * es + 3 * ca, 4 * es + 2 * ca, 0, ones, 4, 2)
    False
    """
    top = count_language(hits, lang)
    if top < min_hits:
        return False
    margins = (_BIAS + top - min_own) * ones + (min_ratio - 1) * shared - min_ratio * hits
    passed = margins & _BIAS * ones | _BIAS << (FIELD * lang)  # lang needs no win over lang
    return passed == _BIAS * ones


def choose_language(
    tokens: Sequence[str], stopwords: Stopwords, settings: LanguageSettings = DEFAULT_LANGUAGE
) -> str | None:
    """The language whose function words overwhelm every other's, or None.

    The deciding language with most words on its list must have ``min_share`` of the
    tokens and outweigh every other language (``min_own``) over the whole window, and
    ``min_part_share`` and outweigh every other language in each half of it: a window
    that switches language (a Spanish story after a Romanian caption) goes to py3langid even
    when the language it switches to is on no list.

    >>> words = parse_stopwords('[en]\\ndecide = true\\nwords = "the of a to in"\\n'
    ...     '[fr]\\ndecide = true\\nwords = "le la de a en"')
    >>> english = "the end of a story told to a child in the dark of the night".split()
    >>> french = "le chat de la voisine a dormi en paix dans la cour de la maison".split()
    >>> choose_language(english, words), choose_language(french, words)
    ('en', 'fr')
    >>> choose_language(english[:7] + french[7:], words) is None
    True
    """
    n = len(tokens)
    if n < settings.min_tokens:
        return None
    packed, ones = stopwords.packed.get, stopwords.ones
    halves = tokens[: n // 2], tokens[n // 2 :]
    words = [list(filter(None, map(packed, half))) for half in halves]
    hits = [sum(half) for half in words]
    total = hits[0] + hits[1]
    counts = [total >> (FIELD * i) & _COUNT for i in stopwords.deciding]
    lang = stopwords.deciding[counts.index(max(counts))]
    if_on_list = stopwords.if_on_list[lang].__getitem__
    shared = [sum(map(if_on_list, half)) for half in words]
    s, ratio = settings, settings.min_ratio
    if not outweighs_others(
        total, shared[0] + shared[1], lang, ones, s.min_share * n, s.min_own, ratio
    ):
        return None
    for half, half_hits, half_shared in zip(halves, hits, shared, strict=True):
        min_hits = s.min_part_share * len(half)
        if not outweighs_others(half_hits, half_shared, lang, ones, min_hits, 0, ratio):
            return None
    return stopwords.languages[lang]


def decide_by_stopwords(text: str, settings: LanguageSettings = DEFAULT_LANGUAGE) -> str | None:
    """The language of the text's window by function words alone, or None when in doubt.

    >>> decide_by_stopwords("Die Regierung hat am Montag ein neues Paket für Familien "
    ...     "beschlossen, das nach Angaben des Ministeriums im kommenden Jahr gilt.")
    'de'
    >>> decide_by_stopwords("Seamus O'Neill, Niamh Ní Bhriain, Siobhán de Búrca, "
    ...     "Aoife Nic Fhionnlaoich and Ruaidhrí Mac Giolla Phádraig") is None
    True
    """
    return choose_language(split_window(text, settings.window), load_stopwords(), settings)


@lru_cache(maxsize=1)
def _identifier() -> Any:
    # Imported on first use: loading the model costs ~0.7 s, which a run whose stories the
    # fast path settles (and a CLI --help, a rules check) should not pay.
    import py3langid

    return py3langid


def detect_language(
    text: str, min_words: int = 8, settings: LanguageSettings = DEFAULT_LANGUAGE
) -> str | None:
    """ISO 639-1 code of the text's language, or None when it is too short to tell.

    py3langid's answer for the first ``settings.window`` characters; the function-word fast path
    gives it without loading py3langid whenever the evidence is overwhelming.

    >>> detect_language("The government said on Monday that the talks would resume next week.")
    'en'
    >>> detect_language("Too short") is None
    True
    """
    # At most min_words + 1 pieces: the count is all that matters, not the whole story.
    if len(text.split(None, min_words)) < min_words:
        return None
    fast = decide_by_stopwords(text, settings)
    if fast is not None:
        return fast
    lang, _ = _identifier().classify(text[: settings.window])
    return str(lang)
