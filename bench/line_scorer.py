"""A learned line scorer, measured only: how much a story's line reads like page residue.

A logistic model over structural features of a line and its neighbours (length, how it ends,
its capitalisation, its share of function words in any language ``ingest.language`` lists,
digits, URL, handle, time and credit shapes, its place in the story, its overlap with the
headline, whether it sits in a list of lines shaped alike), optionally plus hashed words.
No feature names a site or copies a phrase. ``bench/train_scorer.py`` trains it and measures
whether it generalises to sites it never saw (bench/README.md, "Learned line scorer"); it
did not clear the bar to ship, so it is not part of the package. Inference is pure Python
and deterministic.
"""

from __future__ import annotations

import math
import re
import tomllib
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ingest.language import load_stopwords

_WORD = re.compile(r"\w+")
_STOP_END = re.compile(r"[.!?…][\"”’')\]]*$")
_URL = re.compile(r"https?://|www\.|\b[\w-]+\.(?:com|org|net|co|fr|de|es|uk|io)\b", re.I)
_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+\.\w")
_HANDLE = re.compile(r"(?:^|\s)@\w")
_TIME = re.compile(r"\b\d{1,2}:\d\d\b")
_SLASHED = re.compile(r"\b[A-Z][\w.-]*\s?/\s?[A-Z]")
_SENTENCE_BREAK = re.compile(r"[.!?][\"”’')]* +[\"“‘(]?[A-Z]")
_COPYRIGHT = re.compile(r"©|\(c\)|copyright", re.I)
# Words hash into this many features (0: no word features).
TOKENS = 0
# Upper bounds of the word-count buckets (a line's length in words, one-hot).
_BUCKETS = (1, 3, 7, 15, 30, 60)


def _bucket(n: int) -> str:
    """The length bucket of ``n`` words.

    >>> _bucket(1), _bucket(5), _bucket(200)
    ('w1', 'w7', 'w61+')
    """
    for top in _BUCKETS:
        if n <= top:
            return f"w{top}"
    return f"w{_BUCKETS[-1] + 1}+"


@dataclass(frozen=True)
class _Shape:
    """One line's own measurements, shared by its features and its neighbours'."""

    words: int
    stop: bool  # ends like a sentence
    short: bool
    bucket: str
    mark: str  # its last character's class: a stop, a colon, a word, other


def _shape(text: str) -> _Shape:
    n = len(text.split())
    tail = text.rstrip("\"”’')] ")[-1:]
    stop = bool(_STOP_END.search(text))
    mark = "." if stop else ":" if tail == ":" else "w" if tail.isalnum() else "o"
    return _Shape(n, stop, n < 8, _bucket(n), mark)


def _alike(a: _Shape, b: _Shape) -> bool:
    """Two lines of one list: the same length bucket and ending, neither a sentence.

    >>> _alike(_shape("Sudan and Tanzania"), _shape("Yemen and Libya"))
    True
    >>> _alike(_shape("It rained."), _shape("It poured."))
    False
    """
    return not a.stop and a.bucket == b.bucket and a.mark == b.mark


def own_features(text: str, title_words: frozenset[str]) -> dict[str, float]:
    """A line's features from its own text (and the headline's words), by name.

    >>> f = own_features("Photo: Jane Doe/Reuters", frozenset())
    >>> f["w3"], f["slashed"], f["end_word"], f["stop_share"]
    (1.0, 1.0, 1.0, 0.0)
    """
    words = text.split()
    n = len(words)
    tokens = _WORD.findall(text)
    lower = [t.lower() for t in tokens]
    packed = load_stopwords().packed
    alpha = [w for w in words if w[:1].isalpha()]
    f: dict[str, float] = {_bucket(n): 1.0}
    tail = text.rstrip("\"”’')] ")
    if _STOP_END.search(text):
        f["end_stop"] = 1.0
    elif tail.endswith(":"):
        f["end_colon"] = 1.0
    elif tail[-1:].isalnum():
        f["end_word"] = 1.0
    else:
        f["end_other"] = 1.0
    if alpha:
        f["cap_share"] = sum(w[0].isupper() for w in alpha) / len(alpha)
        f["allcaps_share"] = sum(w.isupper() and len(w) > 1 for w in alpha) / len(alpha)
        f["first_lower"] = float(alpha[0][0].islower())
    if lower:
        share = sum(t in packed for t in lower) / len(lower)
        f["stop_share"] = share
        f["stop_none"] = float(share == 0.0)
        f["long_word_share"] = sum(len(t) > 7 for t in lower) / len(lower)
    chars = len(text) or 1
    f["digit_share"] = sum(c.isdigit() for c in text) / chars
    f["punct_share"] = sum(not c.isalnum() and not c.isspace() for c in text) / chars
    for name, pattern in (
        ("url", _URL),
        ("email", _EMAIL),
        ("handle", _HANDLE),
        ("time", _TIME),
        ("slashed", _SLASHED),
        ("copyright", _COPYRIGHT),
    ):
        if pattern.search(text):
            f[name] = 1.0
    if "|" in text:
        f["pipe"] = 1.0
    if text[:1] in "([":
        f["opens_bracket"] = 1.0
    if text[:1] in "\"“‘'«":
        f["opens_quote"] = 1.0
    if _SENTENCE_BREAK.search(text):
        f["sentences"] = 1.0
    if "!" in text:
        f["exclaim"] = 1.0
    if "..." in text or "…" in text:
        f["ellipsis"] = 1.0
    if title_words:
        content = {t for t in lower if t not in packed}
        if content:
            f["title_share"] = len(content & title_words) / len(content)
    if TOKENS and lower:
        seen = sorted(set(lower))
        weight = 1.0 / math.sqrt(len(seen))
        for t in seen:
            key = f"t{zlib.crc32(t.encode()) % TOKENS}"
            f[key] = f.get(key, 0.0) + weight
    return f


def title_words(title: str | None) -> frozenset[str]:
    """The headline's content words (lowercase, function words left out).

    >>> sorted(title_words("The Fed raises rates"))
    ['fed', 'raises', 'rates']
    """
    if not title:
        return frozenset()
    packed = load_stopwords().packed
    return frozenset(t for t in (w.lower() for w in _WORD.findall(title)) if t not in packed)


def line_features(texts: Sequence[str], title: str | None = None) -> list[dict[str, float]]:
    """Every line's features: its own, its place in the story and its neighbours' shape.

    >>> fs = line_features(["A body line that ends well.", "Share"])
    >>> fs[1]["last"], fs[1]["prev_stop"], fs[0]["first"]
    (1.0, 1.0, 1.0)
    """
    heads = title_words(title)
    shapes = [_shape(t) for t in texts]
    counts: dict[str, int] = {}
    for t in texts:
        counts[t] = counts.get(t, 0) + 1
    out = []
    last = len(texts) - 1
    short_share = sum(s.short for s in shapes) / len(shapes) if shapes else 0.0
    for i, text in enumerate(texts):
        f = own_features(text, heads)
        f["bias"] = 1.0
        f["story_short_share"] = short_share
        if (i > 0 and _alike(shapes[i], shapes[i - 1])) or (
            i < last and _alike(shapes[i], shapes[i + 1])
        ):
            f["list_item"] = 1.0
        if i == 0:
            f["first"] = 1.0
        if i == last:
            f["last"] = 1.0
        if counts[text] > 1:
            f["repeated"] = 1.0
        for side, j in (("prev", i - 1), ("next", i + 1)):
            if not 0 <= j <= last:
                f[f"{side}_none"] = 1.0
                continue
            if shapes[j].stop:
                f[f"{side}_stop"] = 1.0
            if shapes[j].short:
                f[f"{side}_short"] = 1.0
        out.append(f)
    return out


@dataclass(frozen=True)
class Model:
    """A trained scorer: a weight per feature name (a missing name weighs 0)."""

    weights: Mapping[str, float]
    trained_on: str = ""

    def score(self, features: Mapping[str, float]) -> float:
        """The probability that a line with these features is residue."""
        z = sum(v * self.weights.get(k, 0.0) for k, v in sorted(features.items()))
        return 1.0 / (1.0 + math.exp(-max(-40.0, min(40.0, z))))


# A depth-two tree: (feature, split, (feature, split, leaf, leaf), (feature, split, leaf, leaf));
# a value below the split goes left.
Tree = tuple[str, float, tuple[str, float, float, float], tuple[str, float, float, float]]


@dataclass(frozen=True)
class Trees:
    """Boosted depth-two trees over the same features (a missing feature reads 0)."""

    trees: tuple[Tree, ...]
    base: float = 0.0

    def score(self, features: Mapping[str, float]) -> float:
        """The probability that a line with these features is residue."""
        z = self.base
        for name, split, low, high in self.trees:
            leaf = low if features.get(name, 0.0) < split else high
            z += leaf[2] if features.get(leaf[0], 0.0) < leaf[1] else leaf[3]
        return 1.0 / (1.0 + math.exp(-max(-40.0, min(40.0, z))))


def parse_model(text: str) -> Model:
    """A model from its TOML: ``[weights]`` name = weight, ``[meta]`` what it was trained on.

    >>> parse_model('[meta]\\ntrained_on = "x"\\n[weights]\\nbias = 0.0').score({"bias": 1.0})
    0.5
    """
    table = tomllib.loads(text)
    weights = {str(k): float(v) for k, v in table.get("weights", {}).items()}
    return Model(weights, str(table.get("meta", {}).get("trained_on", "")))


def score_lines(texts: Sequence[str], model: Model, title: str | None = None) -> list[float]:
    """Each line's probability of being residue, in order."""
    return [model.score(f) for f in line_features(texts, title)]
