"""Learned boilerplate: what a source repeats across many distinct stories is its furniture.

Sites repeat their furniture; stories do not. Across a run's dumps from one source (the
rules profile detected in them, else their folder), a line, or a line's fixed prefix or
suffix around a varying middle (a template), that recurs in many *distinct* stories is
removed with a rule named ``learned.<kind>``, and the evidence (how many stories of how
many, from which source, what pattern) is recorded with the removed span.

Kinds, each a feature of one body line, as it is counted: whitespace collapsed, case folded,
digit runs as ``0`` (``tests/test_learn.py`` checks the fast path against exactly that):

- ``line``: the whole line ("Story Continued Below", "Copyright © 2019 ...": digits count as
  one digit, so the year may change);
- ``prefix``: a short marker up to a colon or bar ("Read or Share this story: <url>",
  "(Photo: <credit>)"), or the first :data:`TEMPLATE_WORDS` words of a long line;
- ``suffix``: a short tail after a bar or a spaced dash ("<byline> | Share"), or the last
  :data:`TEMPLATE_WORDS` words of a long line;
- ``frame``: the first and the last :data:`TEMPLATE_WORDS` words of a long line together
  (a sign-up box whose newsletter name changes);
- ``lead``: the first :data:`LEAD_WORDS` words of a long line, one of them a content word,
  before a title that changes ("JUST WATCHED <title> Replay More Videos ... <title> 2:31").
  The least specific kind: a line goes under it only when nothing else was learned of it.

A one-sided template (``prefix``, ``suffix``, ``lead``) never removes a line that ends like a
sentence: "UPDATE: The company said it would appeal." stays, "PHOTOS: The week in
pictures" goes. Stories are counted once however often they are reposted (a story is its
normalised body's hash), and a story whose every body line would go keeps them all.

Anchors: CCNet (Wenzek et al. 2019) drops paragraphs repeated across a shard; dolma and
datatrove remove repeated paragraphs and lines. This counts distinct stories per source,
learns templates as well as exact lines, and keeps what it learned per source (the run
layer stores it in the output's state folder) so small incremental runs benefit.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
import math
import re
import sys
from array import array
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field

from ingest.rules import Settings

RULE_PREFIX = "learned."
# Fixed words of a word template (prefix, suffix, frame) ...
TEMPLATE_WORDS = 5
# ... which only lines at least this long have (shorter lines are learned whole).
MIN_TEMPLATE_LINE_WORDS = 8
# A player's or a gallery's lead words before a varying title ("JUST WATCHED <title> Replay
# ...", "Image copyright <agency> ..."): a one-sided template of this many words, when one
# of them is a content word.
LEAD_WORDS = 2
_LEAD_FILLER = frozenset(
    {"a", "an", "and", "as", "at", "by", "for", "from", "in", "of", "on", "or", "the", "to"}
    | {"with", "this", "that", "it", "he", "she", "they", "we", "i", "you", "is", "was"}
)
# A marker prefix or suffix: at most this many words, and at least this many letters.
MAX_MARKER_WORDS = 5
MIN_MARKER_LETTERS = 3
# Most specific first: the kind a line is removed under when several match.
KINDS = ("line", "frame", "prefix", "suffix", "lead")
_ONE_SIDED = frozenset({"prefix", "suffix", "lead"})

_DIGITS = re.compile(r"\d+")
# A long line is normalised only at its ends: enough words for a marker and a template ...
_EDGE_WORDS = max(MAX_MARKER_WORDS, TEMPLATE_WORDS) + 3
# ... and a suffix marker is looked for in the last characters only.
_EDGE_CHARS = 72
# A long line's ends are split from this many characters at each end (more when its words
# are too long for that).
_EDGE_SPAN = 200
# A marker prefix ends at the line's first colon or bar, within this many characters ...
_MARKER_CHARS = 60
# ... and a suffix starts at a spaced bar or dash (normalised text: single spaces only).
_MARKER_SUFFIX = re.compile(r" [|•·\-–—] ?([^|•·]{1,60})$")
_LETTERS = re.compile(r"[^\W\d_]")
_SENTENCE_ENDS = frozenset(".!?…")
_CLOSERS = "”’\"')]"


def ends_like_sentence(text: str) -> bool:
    """Say whether a line ends a sentence: ``.``, ``!``, ``?`` or ``…``, then closers only.

    >>> ends_like_sentence('He said "no."'), ends_like_sentence("(Photo: AP)")
    (True, False)
    """
    tail = text.rstrip().rstrip(_CLOSERS)
    return bool(tail) and tail[-1] in _SENTENCE_ENDS


def _is_marker(part: str) -> bool:
    return (
        len(part.split()) <= MAX_MARKER_WORDS and len(_LETTERS.findall(part)) >= MIN_MARKER_LETTERS
    )


def line_features(text: str, max_words: int) -> list[str]:
    """The features of one line, each ``"<kind>\t<pattern>"`` (patterns normalised).

    A long line is normalised only at its ends, where all its features come from.

    >>> line_features("Posted by Ann Lee on May 3, 2024 | Share", 40)
    ... # doctest: +NORMALIZE_WHITESPACE
    ['line\\tposted by ann lee on may 0, 0 | share', 'suffix\\t| share',
     'prefix\\tposted by ann lee on …', 'suffix\\t… may 0, 0 | share',
     'lead\\tposted by …', 'frame\\tposted by ann lee on … may 0, 0 | share']
    >>> line_features("(Photo: Jane Doe, AP)", 40)
    ['line\\t(photo: jane doe, ap)', 'prefix\\t(photo:']
    """
    return story_features([text], max_words)[0]


def story_features(
    texts: list[str], max_words: int, collapsed: list[str] | None = None
) -> list[list[str]]:
    """:func:`line_features` of each of a story's lines, the story folded in one go.

    Only the words features come from are normalised: a short line's, and the first and
    last :data:`_EDGE_WORDS` of a long one (a paragraph of 600 characters is read at its
    ends, not folded whole). ``collapsed``: the lines through :func:`collapse_line`, when
    the caller has them.

    >>> lines = ["Posted by Ann Lee on May 3, 2024 | Share", "Body text.", ""]
    >>> [len(f) for f in story_features(lines, 40)]
    [6, 1, 0]
    """
    if collapsed is None:
        collapsed = [collapse_line(t) for t in texts]
    # Enough words to tell a short line (<= max_words) from a long one, and to take a long
    # line's two ends without overlap; a longer line is split at its ends only.
    limit = max(max_words, 2 * _EDGE_WORDS)
    pieces, whole = [], []
    for text in collapsed:
        n = text.count(" ") + 1 if text else 0
        whole.append(n <= max_words)
        if n > limit:
            head = text[:_EDGE_SPAN].split(" ", _EDGE_WORDS)
            if len(head) <= _EDGE_WORDS:  # long words: the span holds fewer than needed
                head = text.split(" ", _EDGE_WORDS)
            tail = text[-_EDGE_SPAN:].rsplit(" ", _EDGE_WORDS)
            if len(tail) <= _EDGE_WORDS:
                tail = text.rsplit(" ", _EDGE_WORDS)
            text = " ".join(head[:_EDGE_WORDS] + tail[-_EDGE_WORDS:])
        pieces.append(text)
    # Case folding and digit runs never cross a space or a line: per story, not per line.
    folded = _DIGITS.sub("0", "\n".join(pieces).casefold()).split("\n")
    return [_features(t, f.split(), w) for t, f, w in zip(collapsed, folded, whole, strict=True)]


def collapse_line(text: str) -> str:
    """A line's whitespace as single spaces between words: the line itself when it is so
    already (most lines; every whitespace character but the space is unprintable).

    >>> collapse_line("a b"), collapse_line(" a  b\\t"), collapse_line("a\\u00a0b")
    ('a b', 'a b', 'a b')
    """
    if text.isprintable() and "  " not in text and text[:1] != " " and text[-1:] != " ":
        return text
    return " ".join(text.split())


def _features(text: str, words: list[str], whole: bool) -> list[str]:
    """The features of a line from its normalised words: all of them (``whole``, a short
    line), or at least its first and last :data:`_EDGE_WORDS` (a long line)."""
    if not words:
        return []
    out = []
    if whole:
        head = tail = " ".join(words)
        out.append("line\t" + head)
    else:
        head = " ".join(words[:_EDGE_WORDS])
        tail = " ".join(words[-_EDGE_WORDS:])
    # One-sided templates never remove a sentence, so a sentence is no evidence for them
    # either: what is learned then removes every line it is found in (and a run cleans again
    # only the dumps it really changes).
    one_sided = not ends_like_sentence(text)
    if one_sided:
        # (str.find, not a lazy pattern that tries every length up to the colon)
        cut = head.find(":", 0, _MARKER_CHARS + 1)
        bar = head.find("|", 0, _MARKER_CHARS + 1)
        if bar >= 0 and (cut < 0 or bar < cut):
            cut = bar
        if 0 < cut < len(head) - 1 and _is_marker(head[: cut + 1]):
            out.append("prefix\t" + head[: cut + 1].strip())
        end = _MARKER_SUFFIX.search(tail, max(0, len(tail) - _EDGE_CHARS))
        if end and end.start() > 0 and _is_marker(end.group(1)):
            out.append("suffix\t" + end.group().strip())
    if len(words) >= MIN_TEMPLATE_LINE_WORDS:
        first = " ".join(words[:TEMPLATE_WORDS])
        last = " ".join(words[-TEMPLATE_WORDS:])
        if one_sided:
            out += [f"prefix\t{first} …", f"suffix\t… {last}"]
            lead = words[:LEAD_WORDS]
            if any(w.isalpha() and w not in _LEAD_FILLER for w in lead):
                out.append(f"lead\t{' '.join(lead)} …")
        out.append(f"frame\t{first} … {last}")
    return out


def feature_id(feature: str) -> int:
    """A feature as it is counted and kept: 64 bits of its BLAKE2b hash (the same in every
    process and run, unlike ``hash()``; a collision needs about 4 billion features).

    >>> feature_id("line\\tshare") == feature_id("line\\tshare") != feature_id("line\\tshares")
    True
    """
    return int.from_bytes(hashlib.blake2b(feature.encode(), digest_size=8).digest(), "little")


def pack_ids(ids: Iterable[int]) -> bytes:
    """Feature ids as a story keeps them: each once, sorted, 8 bytes little-endian each (one
    bytes object: a tuple of Python ints costs five times the memory, and more to pickle).

    >>> pack_ids([3, 1, 3]) == (1).to_bytes(8, "little") + (3).to_bytes(8, "little")
    True
    """
    packed = array("Q", sorted(set(ids)))
    if sys.byteorder == "big":
        packed.byteswap()
    return packed.tobytes()


def unpack_ids(packed: bytes) -> array[int]:
    """The feature ids :func:`pack_ids` packed (raises ValueError if they are not ids).

    >>> list(unpack_ids(pack_ids([9, 2])))
    [2, 9]
    """
    ids = array("Q")
    ids.frombytes(packed)
    if sys.byteorder == "big":
        ids.byteswap()
    return ids


def story_key(lines: Iterable[str], collapsed: bool = False) -> str:
    """A story's identity for counting: the hash of its body lines, whitespace collapsed
    (``collapsed``: the lines are :func:`collapse_line`'s already).

    >>> story_key(["a  b", "c"]) == story_key(["a b", "c "]) != story_key(["a b c"])
    True
    """
    text = "\n".join(lines if collapsed else map(collapse_line, lines))
    return hashlib.blake2b(text.encode(), digest_size=12).hexdigest()


@dataclass(frozen=True, slots=True)
class StoryFeatures:
    """What one story contributes to learning: its source, identity and line features
    (:func:`feature_id` of each, as :func:`pack_ids` packs them)."""

    source: str
    key: str
    features: bytes

    def ids(self) -> array[int]:
        """The story's feature ids, sorted."""
        return unpack_ids(self.features)


def collect_story(source: str, lines: Iterable[str], max_words: int) -> StoryFeatures:
    """The features of a story's body lines, each counted once per story.

    >>> s = collect_story("folder:.", ["Advertisement", "Body text.", "Advertisement"], 40)
    >>> sorted(s.ids()) == sorted({feature_id("line\\tadvertisement"),
    ...                           feature_id("line\\tbody text.")})
    True
    """
    lines = list(lines)
    return story_of(source, lines, line_ids(story_features(lines, max_words)))


def line_ids(features: list[list[str]]) -> list[list[int]]:
    """The :func:`feature_id` of each line's features (a story's, computed once for what is
    learned and what is removed alike)."""
    return [[feature_id(f) for f in per_line] for per_line in features]


def story_of(
    source: str, lines: list[str], ids: list[list[int]], collapsed: bool = False
) -> StoryFeatures:
    """A story's contribution from its lines and their features' :func:`line_ids`
    (``collapsed``: the lines are :func:`collapse_line`'s already)."""
    key = story_key(lines, collapsed)
    return StoryFeatures(source, key, pack_ids(itertools.chain.from_iterable(ids)))


@dataclass
class SourceStats:
    """Counts for one source: its distinct stories, and in how many of them each feature is."""

    stories: set[str] = field(default_factory=set)
    counts: Counter[int] = field(default_factory=Counter)

    def add(self, story: StoryFeatures) -> bool:
        """Count a story once; a story seen before (same body) adds nothing."""
        if story.key in self.stories:
            return False
        self.stories.add(story.key)
        self.counts.update(story.ids())
        return True


def collect_stats(stories: Iterable[StoryFeatures]) -> dict[str, SourceStats]:
    """Stats per source over stories, in any order (the result does not depend on it).

    >>> a = StoryFeatures("s", "k1", pack_ids([7]))
    >>> b = StoryFeatures("s", "k2", pack_ids([7]))
    >>> collect_stats([a, b, a])["s"].counts[7]
    2
    """
    stats: dict[str, SourceStats] = {}
    for story in stories:
        stats.setdefault(story.source, SourceStats()).add(story)
    return stats


@dataclass(frozen=True)
class Learned:
    """What was learned from one source: feature id → in how many of its stories it recurs."""

    source: str
    stories: int
    features: Mapping[int, int]

    def get(self, feature: str) -> int | None:
        """In how many stories a feature (``"<kind>\\t<pattern>"``) recurs, if it was learned."""
        return self.features.get(feature_id(feature))


def threshold(stories: int, settings: Settings) -> int:
    """How many distinct stories a feature needs in a source of ``stories`` stories.

    >>> threshold(30, Settings()), threshold(10_000, Settings())
    (4, 500)
    """
    share = math.ceil(settings.learn_min_percent * stories / 100)
    return max(settings.learn_min_stories, share, 2)


def derive(source: str, stats: SourceStats, settings: Settings) -> Learned:
    """The features of a source that recur in enough distinct stories to be boilerplate."""
    need = threshold(len(stats.stories), settings)
    learned = {f: n for f, n in stats.counts.items() if n >= need}
    return Learned(source, len(stats.stories), dict(sorted(learned.items())))


@dataclass(frozen=True)
class Match:
    """A line that learned boilerplate removes, and why."""

    kind: str
    pattern: str
    stories: int

    @property
    def rule(self) -> str:
        return RULE_PREFIX + self.kind


def match_line(
    text: str,
    learned: Learned,
    max_words: int,
    features: list[str] | None = None,
    ids: list[int] | None = None,
) -> Match | None:
    """The most specific learned feature of a line, or None if the line stays.

    ``features``, ``ids``: the line's :func:`line_features` and their ids, when the caller
    has them already.

    >>> learned = Learned("s", 30, {feature_id("prefix\\t(photo:"): 9,
    ...                             feature_id("line\\tadvertisement"): 12})
    >>> match_line("ADVERTISEMENT", learned, 40)
    Match(kind='line', pattern='advertisement', stories=12)
    >>> match_line("(Photo: Jane Doe, AP)", learned, 40).rule
    'learned.prefix'
    >>> match_line("(Photo: the crowd cheered.)", learned, 40) is None  # ends a sentence
    True
    """
    known = learned.features
    if not known:
        return None
    if features is None:
        features = line_features(text, max_words)
    if ids is None:
        ids = [feature_id(f) for f in features]
    found: dict[str, Match] = {}
    for feature, fid in zip(features, ids, strict=True):
        n = known.get(fid)
        if n is not None:
            kind, _, pattern = feature.partition("\t")
            found.setdefault(kind, Match(kind, pattern, n))
    if not found:
        return None
    for kind in KINDS:
        match = found.get(kind)
        if match is None:
            continue
        if kind in _ONE_SIDED and ends_like_sentence(text):
            continue
        return match
    return None


def match_story(
    lines: list[str],
    learned: Learned,
    max_words: int,
    features: list[list[str]] | None = None,
    ids: list[list[int]] | None = None,
) -> Iterator[tuple[int, Match]]:
    """``(position, match)`` for a story's body lines that learned boilerplate removes.

    Nothing when every line would go: a line that is the only body text is never removed.

    >>> learned = Learned("s", 30, {feature_id("line\\tshare"): 9})
    >>> list(match_story(["Body.", "Share"], learned, 40))
    [(1, Match(kind='line', pattern='share', stories=9))]
    >>> list(match_story(["Share"], learned, 40))
    []
    """
    if features is None:
        features = story_features(lines, max_words)
    if ids is None:
        ids = line_ids(features)
    known = learned.features
    hits = []
    for i, line_ids_ in enumerate(ids):
        if not known.keys().isdisjoint(line_ids_):  # most lines: no lookup beyond this
            match = match_line(lines[i], learned, max_words, features[i], line_ids_)
            if match is not None:
                hits.append((i, match))
    if len(hits) == len(lines):
        return iter(())
    return iter(hits)


@dataclass
class Learning:
    """Learning for one HTML page or JSON records file, whose front end cleans its text in
    parts (a page's story and cards, each record): the file's path, what was learned, whether
    to collect, and the stories gathered. Set in :data:`LEARNING` around the front end, so
    every part it cleans takes part without each front end passing it along."""

    path: str
    learned: Mapping[str, Learned]
    collect: bool
    stories: list[StoryFeatures] = field(default_factory=list)


LEARNING: ContextVar[Learning | None] = ContextVar("ingest_learning", default=None)


def source_of(path: str, profiles: Iterable[str]) -> str:
    """A dump's source for learning: its first detected profile, else its folder.

    >>> source_of("nyt/a/001.txt", ()), source_of("001.txt", ()), source_of("x/1.txt", ["daily8"])
    ('folder:nyt/a', 'folder:.', 'profile:daily8')
    """
    first = next(iter(sorted(profiles)), None)
    if first is not None:
        return f"profile:{first}"
    folder = path.rpartition("/")[0]
    return f"folder:{folder or '.'}"


STATE_VERSION = 3


def encode_state(dumps: Mapping[str, Sequence[StoryFeatures]], max_words: int) -> bytes:
    """What each dump contributed to learning, as the bytes of the output's state file.

    Kept per dump, so a later run counts exactly the stories of the dumps that are there
    (a dump changed or gone takes its stories with it) without reading the others again.
    Feature ids are little-endian 64-bit, base64: compact, and sorted, so the same dumps
    give the same bytes.

    >>> s = {"caf" + chr(0xDCE9) + ".txt": (StoryFeatures("folder:.", "k1", pack_ids([3, 9])),)}
    >>> decode_state(encode_state(s, 40), 40) == s
    True
    """
    body = {
        "version": STATE_VERSION,
        "learn_max_words": max_words,
        "dumps": {
            rel: [[s.source, s.key, encode_ids(s.features)] for s in stories]
            for rel, stories in sorted(dumps.items())
        },
    }
    # ASCII: a name that is not UTF-8 (a lone surrogate) is kept as its escape.
    return json.dumps(body, separators=(",", ":"), sort_keys=True).encode()


def decode_state(data: bytes, max_words: int) -> dict[str, tuple[StoryFeatures, ...]] | None:
    """The dumps' contributions in a state file; None when it is unreadable or was made with
    other settings or another version (the run then learns again from every dump)."""
    try:
        body = json.loads(data)
        if (
            not isinstance(body, dict)
            or body.get("version") != STATE_VERSION
            or body.get("learn_max_words") != max_words
        ):
            return None
        # One string per source, not one per story (100,000 dumps: ~20 MB less).
        sources: dict[str, str] = {}
        return {
            rel: tuple(
                StoryFeatures(sources.setdefault(source, source), key, decode_ids(ids))
                for source, key, ids in stories
            )
            for rel, stories in body["dumps"].items()
        }
    except (ValueError, TypeError, KeyError, AttributeError):
        return None


def encode_ids(packed: bytes) -> str:
    """A story's packed feature ids as text (base64), as the state files keep them.

    >>> decode_ids(encode_ids(pack_ids([5, 1]))) == pack_ids([1, 5])
    True
    """
    return base64.b64encode(packed).decode()


def decode_ids(text: str) -> bytes:
    """Packed feature ids from :func:`encode_ids`' text (raises ValueError if they are not)."""
    packed = base64.b64decode(text, validate=True)
    if len(packed) % 8:
        raise ValueError("feature ids are 8 bytes each")
    return packed


def learn_from(
    dumps: Mapping[str, Sequence[StoryFeatures]], settings: Settings
) -> dict[str, Learned]:
    """Per source, the features learned from the distinct stories of ``dumps`` (sources
    where nothing was learned are left out).

    The result depends on the set of stories only, not on their order or how they were
    batched: the same folder gives the same learning whatever the worker split. Counting is
    vectorised: each source's feature ids in one array, counted by sorting (8 bytes per
    feature of a story, not a dict entry per distinct feature).

    >>> st = lambda k, *f: StoryFeatures("s", k, pack_ids(f))
    >>> dumps = {f"{i}.txt": (st(f"k{i}", 1, 100 + i),) for i in range(5)}
    >>> learn_from(dumps, Settings())["s"].features
    {1: 5}
    >>> learn_from({**dumps, "copy.txt": (st("k0", 1, 100),)}, Settings())["s"].stories
    5
    """
    if not dumps:
        return {}
    per_source: dict[str, dict[str, bytes]] = {}
    for rel in sorted(dumps):
        for story in dumps[rel]:
            per_source.setdefault(story.source, {}).setdefault(story.key, story.features)
    learned = {}
    for source, stories in sorted(per_source.items()):
        need = threshold(len(stories), settings)
        if len(stories) < need:
            continue
        found = count_ids(b"".join(stories.values()), need)
        if found:
            learned[source] = Learned(source, len(stories), found)
    return learned


# Below this many feature ids, a source's are counted in Python: importing numpy costs
# 0.2 s of CPU, more than counting them takes (bench/README.md, learned boilerplate).
NUMPY_FROM = 250_000


def count_ids(blob: bytes, need: int, numpy_from: int = NUMPY_FROM) -> dict[int, int]:
    """The ids packed in ``blob`` (8 bytes each) seen at least ``need`` times, with their
    counts, in id order; by sorting in numpy from ``numpy_from`` ids on.

    >>> blob = pack_ids([7, 3]) + pack_ids([7, 9, 3]) + pack_ids([7])
    >>> count_ids(blob, 2), count_ids(blob, 2, numpy_from=0)
    ({3: 2, 7: 3}, {3: 2, 7: 3})
    """
    if len(blob) < 8 * numpy_from:
        counted = Counter(unpack_ids(blob))
        return {v: c for v, c in sorted(counted.items()) if c >= need}
    import numpy as np

    values, counts = np.unique(np.frombuffer(blob, dtype="<u8"), return_counts=True)
    keep = counts >= need
    return dict(zip(values[keep].tolist(), counts[keep].tolist(), strict=True))


def changed_features(
    before: Mapping[str, Learned], after: Mapping[str, Learned]
) -> dict[str, frozenset[int]]:
    """Per source, the features learned before or after but not both.

    >>> a, b = Learned("s", 9, {1: 5, 2: 5}), Learned("s", 9, {2: 6, 3: 5})
    >>> changed_features({"s": a}, {"s": b})
    {'s': frozenset({1, 3})}
    """
    out = {}
    for source in sorted({*before, *after}):
        old = before[source].features.keys() if source in before else frozenset()
        new = after[source].features.keys() if source in after else frozenset()
        diff = frozenset(old ^ new)
        if diff:
            out[source] = diff
    return out


def hits(stories: Iterable[StoryFeatures], features: Mapping[str, frozenset[int]]) -> bool:
    """Whether any of a dump's stories holds one of its source's ``features``."""
    for story in stories:
        found = features.get(story.source)
        if found is not None and not found.isdisjoint(story.ids()):
            return True
    return False
