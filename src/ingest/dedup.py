"""Duplicate stories across dumps: exact and near duplicates, one canonical document per story.

Aggregators repeat themselves: the same outlet story appears under many pages as a related
article, scrapers fetch a page twice, and a story comes back with a typo fixed, a teaser left
inside it or its body cut short. This module finds those duplicates among every document
written to an output folder and links them:

- **exact duplicates** have the same normalised text (:func:`normalise_words`): a document
  whose text is already indexed joins that text's group with no MinHash work at all;
- **near duplicates**: each distinct text gets a MinHash signature (vectorised numpy over
  all shingles of a batch); LSH band keys propose candidates (a key's *occupant*, the first
  text that had it, is every later text's candidate for that key), and a candidate is
  accepted when the estimated Jaccard similarity reaches ``DedupSettings.jaccard``, or when
  the shorter text is truncated and (by estimate) almost all contained in the longer one;
- a **group** is a connected set of accepted pairs (union-find over texts; no pair list is
  kept); its **canonical** document is the most complete version (:func:`canonical_order`).
  Every other member gets ``duplicate_of``; the canonical one gets ``seen_in``.

The state lives in one SQLite file, ``<out>/.ingest/dedup/index.sqlite`` (:class:`DedupIndex`):
documents, distinct texts with their signatures and group, and the LSH band keys as sorted
segments per key range, so a run reads and writes only what its new documents touch, and
state grows with documents, never with pairs. :func:`deduplicate` is the step a run (or the
Prefect flow) calls at its end, holding the output folder's lock. See docs/dedup.md.
"""

from __future__ import annotations

import contextlib
import hashlib
import heapq
import json
import os
import re
import shutil
import sqlite3
import tempfile
import time
import unicodedata
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import orjson

from ingest.document import DEDUP_KEYS, DUPLICATE_OF_KEY, SEEN_IN_KEY, Sighting, doc_id, dumps_json
from ingest.settings import DedupSettings
from ingest.store import STATE_DIR, Location, OutputFolder, output_folder, write_atomic
from ingest.store.manifest import DUPLICATE_DUMP, iter_entries

Signature = npt.NDArray[np.uint32]
Match = Literal["exact", "near"]
# progress(stage, done, total): "read" (documents read and fingerprinted), "link" (texts
# linked), "write" (groups written). Plain values, so a Prefect task can log them.
Progress = Callable[[str, int, int], None]

DEDUP_DIR = "dedup"
INDEX_FILE = "index.sqlite"
MARK_FILE = "index.state"
INDEX_VERSION = 2
_U64 = np.uint64


DEFAULT_SETTINGS = DedupSettings()


@dataclass(frozen=True)
class DocRecord:
    """What deduplication needs to know about one document (no text: signatures stand in)."""

    id: str
    path: str  # the dump it came from, relative to the source folder
    index: int
    file: str  # the document's path relative to the output folder
    outlet: str | None
    published_text: str | None
    published: str | None
    scraped_at: str | None
    words: int
    removed: int
    text_key: str  # hash of the normalised text: equal keys are exact duplicates
    shingles: int  # number of distinct shingles
    truncated: bool = False  # the body was cut short (the document's ``truncated``)


# --------------------------------------------------------------------------- pure functions


_WORD = re.compile(r"[^\W_]+")  # letters and digits: punctuation and spacing never count


def normalise_words(text: str) -> list[str]:
    """The words of ``text`` as compared: NFKC, case-folded, punctuation and spacing dropped.

    >>> normalise_words("“It’s  NOT good enough,” she said.")
    ['it', 's', 'not', 'good', 'enough', 'she', 'said']
    """
    return _WORD.findall(unicodedata.normalize("NFKC", text).casefold())


def text_key(words: Sequence[str]) -> str:
    """Hash of the normalised text; two documents with equal keys are exact duplicates."""
    return hashlib.sha256(" ".join(words).encode("utf-8")).hexdigest()[:32]


def _fmix64(x: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint64]:
    """MurmurHash3's 64-bit finaliser: every input bit reaches every output bit."""
    with np.errstate(over="ignore"):
        x = x ^ (x >> _U64(33))
        x = x * _U64(0xFF51AFD7ED558CCD)
        x = x ^ (x >> _U64(33))
        x = x * _U64(0xC4CEB9FE1A85EC53)
        return x ^ (x >> _U64(33))


_BASE = 0x100000001B3  # odd, so invertible modulo 2**64
_BASE_INV = pow(_BASE, -1, 2**64)


def _powers(base: int, n: int) -> npt.NDArray[np.uint64]:
    out = np.full(n, base, dtype=_U64)
    if n:
        out[0] = 1
    with np.errstate(over="ignore"):
        return np.cumprod(out, dtype=_U64)


def shingle_hashes(
    word_lists: Sequence[Sequence[str]], k: int
) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.int64]]:
    """64-bit hashes of every text's distinct ``k``-word shingles, in one numpy pass.

    Returns (hashes, owner): ``owner[i]`` is the text ``hashes[i]`` belongs to; hashes are
    sorted and distinct within each text. A text shorter than ``k`` words is one shingle,
    an empty text none. Each shingle's hash is a polynomial hash of its bytes (prefix sums
    over the batch, no Python loop per shingle), then mixed.

    >>> h, owner = shingle_hashes([["a", "b", "c", "a", "b"], ["a", "b"], []], 2)
    >>> owner.tolist()
    [0, 0, 0, 1]
    >>> bool(h[owner == 1][0] in h[owner == 0])  # "a b" is a shingle of both
    True
    """
    counts = np.fromiter((len(w) for w in word_lists), dtype=np.int64, count=len(word_lists))
    present = [i for i, c in enumerate(counts.tolist()) if c]
    if not present:
        return np.zeros(0, dtype=_U64), np.zeros(0, dtype=np.int64)
    data = (" ".join(" ".join(word_lists[i]) for i in present) + " ").encode("utf-8")
    arr = np.frombuffer(data, dtype=np.uint8)
    ends = np.flatnonzero(arr == 32)  # one space after every word
    starts = np.empty_like(ends)
    starts[0] = 0
    starts[1:] = ends[:-1] + 1
    with np.errstate(over="ignore"):
        pw = _powers(_BASE, len(arr) + 1)
        prefix = np.zeros(len(arr) + 1, dtype=_U64)
        np.cumsum((arr.astype(_U64) + _U64(1)) * pw[:-1], dtype=_U64, out=prefix[1:])
        inv = _powers(_BASE_INV, len(arr) + 1)
    n = counts[present]
    first_word = np.zeros(len(present), dtype=np.int64)
    first_word[1:] = np.cumsum(n)[:-1]
    per = np.maximum(n - k + 1, 1)
    owner_local = np.repeat(np.arange(len(present)), per)
    offsets = np.zeros(len(present), dtype=np.int64)
    offsets[1:] = np.cumsum(per)[:-1]
    j = np.arange(int(per.sum())) - offsets[owner_local]
    sw = first_word[owner_local] + j
    ew = first_word[owner_local] + np.minimum(j + k - 1, n[owner_local] - 1)
    s, e = starts[sw], ends[ew]
    with np.errstate(over="ignore"):
        raw = (prefix[e] - prefix[s]) * inv[s]
    hashes = _fmix64(raw)
    owner = np.asarray(present, dtype=np.int64)[owner_local]
    order = np.lexsort((hashes, owner))
    hashes, owner = hashes[order], owner[order]
    keep = np.ones(len(hashes), dtype=bool)
    keep[1:] = (hashes[1:] != hashes[:-1]) | (owner[1:] != owner[:-1])
    return hashes[keep], owner[keep]


def _perm_params(settings: DedupSettings) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.uint64]]:
    rng = np.random.default_rng(settings.seed)
    a = rng.integers(1, 2**63, size=settings.num_perm, dtype=np.uint64) * _U64(2) + _U64(1)
    b = rng.integers(0, 2**63, size=settings.num_perm, dtype=np.uint64)
    return a, b


_BLOCK = 4096  # shingles per MinHash block: 4k x 128 x 8 bytes = 4 MiB per temporary


def minhash(
    hashes: npt.NDArray[np.uint64],
    owner: npt.NDArray[np.int64],
    n_texts: int,
    settings: DedupSettings = DEFAULT_SETTINGS,
) -> Signature:
    """MinHash signatures (``n_texts`` × ``num_perm`` uint32) from :func:`shingle_hashes`.

    Value p of a text is the least ``(a_p · h + b_p) mod 2⁶⁴ >> 32`` over its shingle hashes
    h (multiply-shift hashing, ``a_p`` odd); a text without shingles gets all 0xFFFFFFFF.
    """
    a, b = _perm_params(settings)
    sigs = np.full((n_texts, settings.num_perm), 0xFFFFFFFF, dtype=np.uint32)
    buf = np.empty((min(_BLOCK, len(hashes)), settings.num_perm), dtype=_U64)
    for lo in range(0, len(hashes), _BLOCK):
        h, own = hashes[lo : lo + _BLOCK], owner[lo : lo + _BLOCK]
        vals = buf[: len(h)]
        with np.errstate(over="ignore"):
            np.multiply(h[:, None], a[None, :], out=vals)
            np.add(vals, b[None, :], out=vals)
        cut = np.flatnonzero(np.r_[True, own[1:] != own[:-1]])
        # the least value's top half is the least top half: shifted after the minimum
        mins = (np.minimum.reduceat(vals, cut, axis=0) >> _U64(32)).astype(np.uint32)
        rows = own[cut]
        sigs[rows] = np.minimum(sigs[rows], mins)
    return sigs


_HASH_WORDS = 50_000  # words hashed at once: the prefix arrays stay a few MiB


def fingerprint_words(
    word_lists: Sequence[Sequence[str]], settings: DedupSettings = DEFAULT_SETTINGS
) -> tuple[npt.NDArray[np.int64], Signature]:
    """Distinct shingle counts and MinHash signatures of a batch of normalised texts."""
    counts = np.zeros(len(word_lists), dtype=np.int64)
    sigs = np.empty((len(word_lists), settings.num_perm), dtype=np.uint32)
    lo = 0
    while lo < len(word_lists):
        hi, size = lo, 0
        while hi < len(word_lists) and (hi == lo or size + len(word_lists[hi]) <= _HASH_WORDS):
            size += len(word_lists[hi])
            hi += 1
        hashes, owner = shingle_hashes(word_lists[lo:hi], settings.shingle_words)
        counts[lo:hi] = np.bincount(owner, minlength=hi - lo)
        sigs[lo:hi] = minhash(hashes, owner, hi - lo, settings)
        lo = hi
    return counts, sigs


def fingerprint_text(
    text: str, settings: DedupSettings = DEFAULT_SETTINGS
) -> tuple[str, int, Signature]:
    """A text's exact-duplicate key, its number of shingles and its MinHash signature."""
    words = normalise_words(text)
    counts, sigs = fingerprint_words([words], settings)
    return text_key(words), int(counts[0]), sigs[0]


def band_keys(sigs: Signature, settings: DedupSettings = DEFAULT_SETTINGS) -> npt.NDArray[np.int64]:
    """LSH keys (texts × ``bands``, non-negative int64): one hash of each band's ``rows`` values
    and the band's number, so equal keys mean an equal band."""
    b, r = settings.bands, settings.rows
    v = sigs[:, : b * r].reshape(len(sigs), b, r).astype(_U64)
    acc = np.broadcast_to(np.arange(b, dtype=_U64) + _U64(1), (len(sigs), b)).copy()
    with np.errstate(over="ignore"):
        for i in range(r):
            acc = _fmix64(acc * _U64(0x9E3779B97F4A7C15) + v[:, :, i])
    return (acc >> _U64(1)).astype(np.int64)


def estimate_jaccard(a: Signature, b: Signature) -> float:
    """Share of equal MinHash values: an unbiased estimate of the sets' Jaccard similarity."""
    return float(np.count_nonzero(a == b)) / len(a)


def classify(a: DocRecord, b: DocRecord, j: float, settings: DedupSettings) -> Match | None:
    """Whether two documents are the same story, given the estimated Jaccard ``j``.

    ``exact`` for equal normalised text; ``near`` when ``j`` ≥ ``settings.jaccard``, or when
    the shorter text is truncated, has at least ``min_shingles`` shingles, and the estimated
    share of its shingles present in the longer one ≥ ``settings.containment`` (the
    intersection estimated from J and the set sizes: |A∩B| = J / (1 + J) · (|A| + |B|)).
    """
    if a.text_key == b.text_key:
        return "exact"
    near = _near(
        np.array([j]),
        np.array([a.shingles]),
        np.array([b.shingles]),
        np.array([a.truncated]),
        np.array([b.truncated]),
        np.array([a.text_key < b.text_key]),
        settings,
    )
    return "near" if bool(near[0]) else None


def _near(
    j: npt.NDArray[np.float64],
    na: npt.NDArray[np.int64],
    nb: npt.NDArray[np.int64],
    ta: npt.NDArray[np.bool_],
    tb: npt.NDArray[np.bool_],
    a_first: npt.NDArray[np.bool_],
    s: DedupSettings,
) -> npt.NDArray[np.bool_]:
    """:func:`classify`'s near-duplicate rule over arrays of candidate pairs."""
    a_short = (na < nb) | ((na == nb) & a_first)
    short_n = np.where(a_short, na, nb)
    short_t = np.where(a_short, ta, tb)
    inter = j / (1 + j) * (na + nb)
    contained = (
        short_t
        & (short_n >= s.min_shingles)
        & (j > 0)
        & (inter >= s.containment * np.maximum(short_n, 1))
    )
    result: npt.NDArray[np.bool_] = (j >= s.jaccard) | contained
    return result


def canonical_order(r: DocRecord) -> tuple[Any, ...]:
    """Sort key whose first item is the canonical document of a group.

    The most complete version: the longest body (words after cleaning), then the fewest
    removed spans, then the earliest seen (scrape time, then published time; unknown times
    last), then the dump path and index, so the choice never depends on arrival order.
    """
    return (-r.words, r.removed, r.scraped_at or "~", r.published or "~", r.path, r.index)


def group_fields(
    group: Sequence[DocRecord], copies: Mapping[str, Sequence[Sighting]] | None = None
) -> dict[str, dict[str, Any]]:
    """The fields each member of a group gets: ``duplicate_of`` or, on the canonical, ``seen_in``.

    ``copies`` maps a document id to sightings of it in byte-identical copies of its dump
    (``match: "copy"`` in ``seen_in``). A lone document with no copies gets nothing.
    """
    copies = copies or {}
    extra = [s for r in group for s in copies.get(r.id, ())]
    if len(group) < 2 and not extra:
        return {r.id: {} for r in group}
    canon = min(group, key=canonical_order)
    seen = [_sighting(r, _label(r, canon)) for r in group] + list(extra)
    seen_in = [s.to_json() for s in sorted(seen, key=lambda s: (s.path, s.index, s.match))]
    out: dict[str, dict[str, Any]] = {r.id: {"duplicate_of": canon.id} for r in group}
    out[canon.id] = {"seen_in": seen_in}
    return out


def _label(r: DocRecord, canon: DocRecord) -> str:
    if r.id == canon.id:
        return "canonical"
    return "exact" if r.text_key == canon.text_key else "near"


def _sighting(r: DocRecord, match: str) -> Sighting:
    return Sighting(r.id, r.path, r.index, r.outlet, r.published_text, r.published, match)


def iter_pairs(groups: Iterable[Sequence[DocRecord]]) -> Iterator[tuple[str, str]]:
    """Every unordered pair of ids that share a group, as sorted tuples (for evaluation)."""
    for g in groups:
        ids = sorted(r.id for r in g)
        for i, a in enumerate(ids):
            for b in ids[i + 1 :]:
                yield a, b


# --------------------------------------------------------------------------- the index

_PARTS = 64  # LSH keys are kept in 64 key ranges, each a list of sorted segments
_MERGE_AT = 8  # a key range with more segments than this is merged into one
# Candidate pairs are spilled in buckets of this many new texts (at most ``bands`` pairs a
# text: 16k x 37 x 8 bytes = 4.7 MiB a bucket), verified and merged one bucket at a time.
_BUCKET_TEXTS = 16384
_VERIFY_PAIRS = 4096  # pairs verified at once: at most 8k signatures (4 MiB) in memory
_SCHEMA = """
CREATE TABLE meta(k TEXT PRIMARY KEY, v TEXT) WITHOUT ROWID;
CREATE TABLE texts(tid INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE, sig BLOB NOT NULL,
                   shingles INTEGER NOT NULL, truncated INTEGER NOT NULL, grp INTEGER NOT NULL);
CREATE INDEX texts_grp ON texts(grp);
CREATE TABLE docs(id TEXT PRIMARY KEY, tid INTEGER NOT NULL, path TEXT NOT NULL,
                  idx INTEGER NOT NULL, file TEXT NOT NULL, outlet TEXT, published_text TEXT,
                  published TEXT, scraped_at TEXT, words INTEGER NOT NULL,
                  removed INTEGER NOT NULL, written TEXT NOT NULL DEFAULT '') WITHOUT ROWID;
CREATE INDEX docs_tid ON docs(tid);
CREATE TABLE lsh(part INTEGER, seg INTEGER, keys BLOB NOT NULL, tids BLOB NOT NULL,
                 PRIMARY KEY(part, seg)) WITHOUT ROWID;
CREATE TABLE copies(id TEXT PRIMARY KEY, sightings TEXT NOT NULL) WITHOUT ROWID;
"""
# What the manifest said when the index was last brought up to date with it (ManifestView):
# kept, so a re-run reads only the entries that changed. (Added to version 2's schema.)
_VIEW_SCHEMA = """
CREATE TABLE IF NOT EXISTS m_dump(rel TEXT PRIMARY KEY, status TEXT, sha TEXT, dup_of TEXT,
                                  withheld TEXT) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS m_dump_sha ON m_dump(sha);
CREATE TABLE IF NOT EXISTS m_doc(rel TEXT NOT NULL, idx INTEGER NOT NULL, id TEXT NOT NULL,
                                 file TEXT NOT NULL, PRIMARY KEY(rel, idx)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS m_doc_id ON m_doc(id);
CREATE INDEX IF NOT EXISTS docs_path ON docs(path);
CREATE TABLE IF NOT EXISTS g_state(grp INTEGER PRIMARY KEY, canon TEXT NOT NULL,
                                   n INTEGER NOT NULL);
"""
# (g_state: each group's canonical document and member count as last written, so a re-run
# that only adds members to a group reads its new members and canonical, not the group.)
# Per step, never saved: what changed, what the step found and did.
_TEMP_SCHEMA = """
CREATE TEMP TABLE m_proc(rel TEXT PRIMARY KEY) WITHOUT ROWID;
CREATE TEMP TABLE m_delta(rel TEXT PRIMARY KEY) WITHOUT ROWID;
CREATE TEMP TABLE m_sha(sha TEXT PRIMARY KEY) WITHOUT ROWID;
CREATE TEMP TABLE m_stale(id TEXT NOT NULL, tid INTEGER NOT NULL);
CREATE TEMP TABLE m_miss(id TEXT NOT NULL, rel TEXT NOT NULL, idx INTEGER NOT NULL,
                         file TEXT NOT NULL);
CREATE TEMP TABLE m_added(id TEXT PRIMARY KEY, bare INTEGER NOT NULL) WITHOUT ROWID;
CREATE TEMP TABLE m_raw(h BLOB PRIMARY KEY, key TEXT NOT NULL) WITHOUT ROWID;
CREATE TEMP TABLE m_groups(grp INTEGER PRIMARY KEY);
CREATE TEMP TABLE m_merged(tid INTEGER PRIMARY KEY);
CREATE TEMP TABLE m_slow(grp INTEGER PRIMARY KEY);
CREATE TEMP TABLE m_addg(grp INTEGER NOT NULL, path TEXT NOT NULL, idx INTEGER NOT NULL,
                         id TEXT NOT NULL, PRIMARY KEY(grp, path, idx, id)) WITHOUT ROWID;
"""
_DOC_COLS = "d.id, d.path, d.idx, d.file, d.outlet, d.published_text, d.published, "
_DOC_COLS += "d.scraped_at, d.words, d.removed, t.key, t.shingles, t.truncated"


def _record(row: Sequence[Any]) -> DocRecord:
    i, path, idx, file, outlet, ptext, pub, scraped, words, removed, key, n, trunc = row[:13]
    return DocRecord(
        i, path, idx, file, outlet, ptext, pub, scraped, words, removed, key, n, bool(trunc)
    )


@dataclass(frozen=True)
class Member:
    """A document of a group: its record, what its file was last given (a
    :func:`_tail_mark`), whether it was added by this step and, then, whether its file
    holds no dedup fields (``bare``)."""

    record: DocRecord
    written: str
    added: bool
    bare: bool


class DedupIndex:
    """Documents, distinct texts (signature, shingle count, group) and LSH keys in SQLite.

    A text's group is the smallest text id of its connected set of accepted pairs; two
    groups that become connected are relabelled (the pairs themselves are never kept).
    Each LSH key belongs to its occupant: the first text that had it. All changes of one
    step are one transaction (:meth:`commit`), so a killed run leaves the previous index.
    """

    def __init__(self, conn: sqlite3.Connection, settings: DedupSettings) -> None:
        self.conn = conn
        self.settings = settings
        self._spill: Path | None = None
        self._new_from: int | None = None  # the first text added since the last link
        self._live: npt.NDArray[np.int64] | None = None

    # -- opening

    @staticmethod
    def folder(out: Path) -> Path:
        return out / STATE_DIR / DEDUP_DIR

    @classmethod
    def open(cls, path: Path | str, settings: DedupSettings = DEFAULT_SETTINGS) -> DedupIndex:
        """The index at ``path`` (``":memory:"`` for a throwaway one); created, or emptied,
        when it is missing, damaged, of another version or built with other settings."""
        want = {"version": str(INDEX_VERSION), "settings": settings.fingerprint}
        if path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        for attempt in range(2):
            conn = sqlite3.connect(str(path), isolation_level=None)
            try:
                conn.execute("PRAGMA journal_mode=DELETE")
                conn.execute("PRAGMA synchronous=NORMAL")
                conn.execute("PRAGMA cache_size=-16384")  # 16 MiB
                conn.execute("PRAGMA temp_store=FILE")
                tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
                if "meta" in tables:
                    meta = dict(conn.execute("SELECT k, v FROM meta").fetchall())
                    if all(meta.get(k) == v for k, v in want.items()):
                        conn.executescript(_VIEW_SCHEMA + _TEMP_SCHEMA)
                        conn.execute("BEGIN")
                        return cls(conn, settings)
                if tables:  # another version or other settings: start again
                    conn.close()
                    os.unlink(path)
                    conn = sqlite3.connect(str(path), isolation_level=None)
                conn.executescript(_SCHEMA)
                conn.executemany("INSERT INTO meta VALUES (?, ?)", want.items())
                conn.executescript(_VIEW_SCHEMA + _TEMP_SCHEMA)
                conn.execute("BEGIN")
                return cls(conn, settings)
            except sqlite3.DatabaseError:
                conn.close()
                if attempt or path == ":memory:":
                    raise
                with contextlib.suppress(OSError):
                    os.unlink(path)  # damaged: rebuilt from the documents
        raise AssertionError("unreachable")

    def commit(self) -> None:
        self._drop_spill()
        self.conn.execute("COMMIT")
        self.conn.execute("BEGIN")

    def close(self) -> None:
        self._drop_spill()
        with contextlib.suppress(sqlite3.Error):
            self.conn.execute("ROLLBACK")
        self.conn.close()

    def _drop_spill(self) -> None:
        if self._spill is not None:
            shutil.rmtree(self._spill, ignore_errors=True)
            self._spill = None

    def get_meta(self, k: str) -> str | None:
        row = self.conn.execute("SELECT v FROM meta WHERE k = ?", (k,)).fetchone()
        return None if row is None else str(row[0])

    def set_meta(self, k: str, v: str) -> None:
        self.conn.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (k, v))

    # -- documents and texts

    def count_docs(self) -> int:
        return int(self.conn.execute("SELECT COUNT(*) FROM docs").fetchone()[0])

    def _rows_in(self, select: str, column: str, values: list[Any]) -> Iterator[Any]:
        """Rows of ``select ... WHERE column IN values``, asked 500 values at a time (SQLite
        caps a statement's parameters)."""
        for i in range(0, len(values), 500):
            part = values[i : i + 500]
            q = f"{select} WHERE {column} IN ({','.join('?' * len(part))})"
            yield from self.conn.execute(q, part)

    def raw_key(self, h: bytes) -> str | None:
        """The key of a text whose bytes as written hash to ``h`` (:func:`_raw_hash`), if
        read before in this step."""
        row = self.conn.execute("SELECT key FROM m_raw WHERE h = ?", (h,)).fetchone()
        return None if row is None else str(row[0])

    def text_ids(self, keys: Collection[str]) -> dict[str, int]:
        """Text id of each of ``keys`` already indexed."""
        return dict(self._rows_in("SELECT key, tid FROM texts", "key", list(keys)))

    def add_texts(
        self,
        keys: Sequence[str],
        sigs: Signature,
        shingles: npt.NDArray[np.int64],
        truncated: Sequence[bool],
    ) -> list[int]:
        """Store new distinct texts (each its own group for now); their LSH keys wait in a
        spill folder until :meth:`link`. Returns their ids."""
        first = int(self.get_meta("next_tid") or 1)  # never reused: old LSH keys name them
        tids = list(range(first, first + len(keys)))
        self.set_meta("next_tid", str(first + len(keys)))
        self.conn.executemany(
            "INSERT INTO texts VALUES (?, ?, ?, ?, ?, ?)",
            zip(
                tids,
                keys,
                (s.tobytes() for s in sigs),
                shingles.tolist(),
                [int(t) for t in truncated],
                tids,
                strict=True,
            ),
        )
        self._spill_keys(np.asarray(tids, dtype=np.int64), band_keys(sigs, self.settings))
        if self._new_from is None:
            self._new_from = first  # text ids are handed out in order: the new ones are a range
        return tids

    def _spill_keys(self, tids: npt.NDArray[np.int64], keys: npt.NDArray[np.int64]) -> None:
        if self._spill is None:
            self._spill = Path(tempfile.mkdtemp(prefix="ingest-dedup-"))
        flat_t = np.repeat(tids, keys.shape[1])
        flat_k = keys.ravel()
        part = flat_k >> np.int64(63 - 6)
        for p in np.unique(part).tolist():
            sel = part == p
            with open(self._spill / f"{p}.bin", "ab") as fh:
                np.stack([flat_k[sel], flat_t[sel]], axis=1).tofile(fh)

    def add_docs(self, records: Iterable[tuple[DocRecord, int]]) -> None:
        """Store documents (each with its text id)."""
        self.conn.executemany(
            "INSERT OR REPLACE INTO docs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '')",
            (
                (
                    r.id,
                    tid,
                    r.path,
                    r.index,
                    r.file,
                    r.outlet,
                    r.published_text,
                    r.published,
                    r.scraped_at,
                    r.words,
                    r.removed,
                )
                for r, tid in records
            ),
        )

    def group_of(self, tids: Iterable[int]) -> set[int]:
        """The groups of these texts (those still indexed)."""
        return {r[0] for r in self._rows_in("SELECT DISTINCT grp FROM texts", "tid", list(tids))}

    def groups_of_docs(self, ids: Collection[str]) -> set[int]:
        """The groups of these documents."""
        q = "SELECT DISTINCT t.grp FROM docs d JOIN texts t ON t.tid = d.tid"
        return {r[0] for r in self._rows_in(q, "d.id", sorted(ids))}

    def all_groups(self) -> list[int]:
        return [r[0] for r in self.conn.execute("SELECT DISTINCT grp FROM texts ORDER BY grp")]

    def members(self, grp: int) -> list[Member]:
        """The documents of a group."""
        rows = self.conn.execute(
            f"SELECT {_DOC_COLS}, d.written, a.bare FROM texts t JOIN docs d ON d.tid = t.tid"
            " LEFT JOIN m_added a ON a.id = d.id WHERE t.grp = ? ORDER BY d.id",
            (grp,),
        )
        return [Member(_record(r), str(r[13]), r[14] is not None, bool(r[14])) for r in rows]

    def touch_groups(self, groups: Iterable[int] = (), *, added: bool = False) -> None:
        """Mark groups to be written (in ``m_groups``, not in memory: a first run touches
        every group): ``groups``, and with ``added`` those of the documents added by this
        step."""
        self.conn.executemany("INSERT OR IGNORE INTO m_groups VALUES (?)", ((g,) for g in groups))
        if added:
            self.conn.execute(
                "INSERT OR IGNORE INTO m_groups SELECT t.grp FROM m_added a"
                " JOIN docs d ON d.id = a.id JOIN texts t ON t.tid = d.tid"
            )

    def note_rewrites(self, groups: Iterable[int]) -> None:
        """After linking: mark ``groups``, and those that merged two groups indexed before
        (:meth:`_union`), as changed beyond the documents added (``m_slow``), and list the
        documents added by group (``m_addg``)."""
        conn = self.conn
        conn.executemany("INSERT OR IGNORE INTO m_slow VALUES (?)", ((g,) for g in groups))
        conn.execute(
            "INSERT OR IGNORE INTO m_slow"
            " SELECT t.grp FROM m_merged m JOIN texts t ON t.tid = m.tid"
        )
        conn.execute(
            "INSERT OR IGNORE INTO m_addg SELECT t.grp, d.path, d.idx, d.id FROM m_added a"
            " JOIN docs d ON d.id = a.id JOIN texts t ON t.tid = d.tid"
        )

    def touch_all_groups(self) -> None:
        self.conn.execute("INSERT OR IGNORE INTO m_groups SELECT grp FROM texts")

    def touched_groups(self) -> Iterator[int]:
        """The groups marked by :meth:`touch_groups`, in order, read a page at a time (the
        caller writes to the index between two pages)."""
        after = -1
        while True:
            page = self.conn.execute(
                "SELECT grp FROM m_groups WHERE grp > ? ORDER BY grp LIMIT 1000", (after,)
            ).fetchall()
            if not page:
                return
            for (g,) in page:
                yield g
            after = page[-1][0]

    def count_touched_groups(self) -> int:
        return int(self.conn.execute("SELECT COUNT(*) FROM m_groups").fetchone()[0])

    def added_among(self, ids: Collection[str]) -> set[str]:
        """Those of ``ids`` added by this step."""
        return {r[0] for r in self._rows_in("SELECT id FROM m_added", "id", sorted(ids))}

    def set_written(self, items: Iterable[tuple[str, str]]) -> None:
        self.conn.executemany(
            "UPDATE docs SET written = ? WHERE id = ?", ((w, i) for i, w in items)
        )

    # -- linking

    def _segments(self, part: int) -> list[tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]]:
        """A key range's segments: (sorted keys, their occupants), as stored (read-only
        views on the stored bytes: nothing is copied or sorted here)."""
        rows = self.conn.execute(
            "SELECT keys, tids FROM lsh WHERE part = ? ORDER BY seg", (part,)
        ).fetchall()
        i64 = np.int64
        return [(np.frombuffer(k, dtype=i64), np.frombuffer(t, dtype=i64)) for k, t in rows]

    def _live_tids(self) -> npt.NDArray[np.int64]:
        if self._live is None:
            self._live = np.fromiter(
                (r[0] for r in self.conn.execute("SELECT tid FROM texts ORDER BY tid")), np.int64
            )
        return self._live

    def _alive(self, tids: npt.NDArray[np.int64]) -> npt.NDArray[np.bool_]:
        live = self._live_tids()
        if not len(live):
            return np.zeros(len(tids), dtype=bool)
        ok: npt.NDArray[np.bool_] = (
            live[np.minimum(np.searchsorted(live, tids), len(live) - 1)] == tids
        )
        return ok

    def _occupants(
        self,
        segments: Sequence[tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]],
        keys: npt.NDArray[np.int64],
    ) -> npt.NDArray[np.int64]:
        """The live stored occupant of each of ``keys`` (-1: none). Each segment is searched
        as it is, and only the occupants found are checked for life: a re-run that adds a
        few texts costs a binary search per key and segment, not a pass over the index.
        (A key whose occupant was removed is free; it is stored again, in a later segment,
        for its next text, so a key has at most one live occupant.)"""
        occ = np.full(len(keys), -1, dtype=np.int64)
        for sk, st in segments:
            if not len(sk):
                continue
            pos = np.minimum(np.searchsorted(sk, keys), len(sk) - 1)
            hit = np.flatnonzero(sk[pos] == keys)
            if len(hit):
                found = st[pos[hit]]
                alive = self._alive(found)
                occ[hit[alive]] = found[alive]
        return occ

    def _candidates(self, spill_dir: Path) -> list[Path]:
        """Stage 2: for every spilled (key, new text), the key's occupant (a stored live
        text, else the first new text with that key) is a candidate; new occupants are
        stored. The candidate pairs (text, occupant) go to one spill file per bucket of
        :data:`_BUCKET_TEXTS` new texts (every pair of a text in its bucket's file), so no
        stage holds more than a bucket's pairs; returns the files, in text order."""
        buckets: set[int] = set()
        self._live = None
        for p in range(_PARTS):
            spill = spill_dir / f"{p}.bin"
            if not spill.exists():
                continue
            new = np.fromfile(spill, dtype=np.int64).reshape(-1, 2)
            order = np.lexsort((new[:, 1], new[:, 0]))
            nk, nt = new[order, 0], new[order, 1]
            segments = self._segments(p)
            occ = self._occupants(segments, nk)
            hit = occ >= 0
            first = np.r_[True, nk[1:] != nk[:-1]]
            run_first = nt[np.maximum.accumulate(np.where(first, np.arange(len(nk)), 0))]
            occ = np.where(hit, occ, run_first)
            sel = occ != nt
            # one int64 per pair (text ids stay below 2**31): sorted as (text, occupant)
            codes = np.unique((nt[sel] << np.int64(32)) | occ[sel])
            bucket = (codes >> np.int64(32)) // _BUCKET_TEXTS
            for b in np.unique(bucket).tolist():
                with open(spill_dir / f"pairs-{b}.bin", "ab") as fh:
                    codes[bucket == b].tofile(fh)
                buckets.add(b)
            fresh = first & ~hit
            self._store_segment(p, nk[fresh], nt[fresh], segments)
        return [spill_dir / f"pairs-{b}.bin" for b in sorted(buckets)]

    def _store_segment(
        self,
        part: int,
        keys: npt.NDArray[np.int64],
        tids: npt.NDArray[np.int64],
        segments: Sequence[tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]],
    ) -> None:
        if not len(keys):
            return
        if len(segments) + 1 > _MERGE_AT:  # merge: one segment, without keys of removed texts
            k = np.concatenate([*(sk for sk, _ in segments), keys])
            t = np.concatenate([*(st for _, st in segments), tids])
            alive = self._alive(t)
            alive[len(t) - len(tids) :] = True  # the new ones (not in the texts read yet)
            k, t = k[alive], t[alive]
            order = np.argsort(k, kind="stable")
            k, t = k[order], t[order]
            self.conn.execute("DELETE FROM lsh WHERE part = ?", (part,))
            self.conn.execute(
                "INSERT INTO lsh VALUES (?, 0, ?, ?)", (part, k.tobytes(), t.tobytes())
            )
            return
        seg = self.conn.execute(
            "SELECT COALESCE(MAX(seg), -1) + 1 FROM lsh WHERE part = ?", (part,)
        ).fetchone()[0]
        self.conn.execute(
            "INSERT INTO lsh VALUES (?, ?, ?, ?)", (part, seg, keys.tobytes(), tids.tobytes())
        )

    def _signatures(
        self, tids: npt.NDArray[np.int64]
    ) -> tuple[
        npt.NDArray[np.int64],
        Signature,
        npt.NDArray[np.int64],
        npt.NDArray[np.bool_],
        npt.NDArray[np.int64],
    ]:
        """Of the texts among ``tids`` still indexed: their ids (sorted), signatures,
        shingle counts, truncated flags and the rank of their keys among them (for the
        key order :func:`classify` breaks ties with), as arrays."""
        q = "SELECT tid, sig, shingles, truncated, key FROM texts"
        rows = sorted(self._rows_in(q, "tid", tids.tolist()))
        n = len(rows)
        sigs = np.frombuffer(b"".join(r[1] for r in rows), dtype=np.uint32)
        keys = np.array([r[4] for r in rows], dtype=str)
        rank = np.empty(n, dtype=np.int64)
        rank[np.argsort(keys, kind="stable")] = np.arange(n)
        return (
            np.fromiter((r[0] for r in rows), np.int64, count=n),
            sigs.reshape(n, self.settings.num_perm),
            np.fromiter((r[2] for r in rows), np.int64, count=n),
            np.fromiter((bool(r[3]) for r in rows), np.bool_, count=n),
            rank,
        )

    def _groups_by_tid(self, tids: npt.NDArray[np.int64]) -> dict[int, int]:
        return dict(self._rows_in("SELECT tid, grp FROM texts", "tid", tids.tolist()))

    def _verify(self, pairs: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
        """Stage 3: the candidate pairs that are near duplicates (both texts still here),
        :data:`_VERIFY_PAIRS` at a time."""
        s = self.settings
        out = [pairs[:0]]
        for lo in range(0, len(pairs), _VERIFY_PAIRS):
            chunk = pairs[lo : lo + _VERIFY_PAIRS]
            tids, sigs, shingles, truncated, rank = self._signatures(np.unique(chunk))
            if not len(tids):
                continue
            ia = np.minimum(np.searchsorted(tids, chunk[:, 0]), len(tids) - 1)
            ib = np.minimum(np.searchsorted(tids, chunk[:, 1]), len(tids) - 1)
            keep = (tids[ia] == chunk[:, 0]) & (tids[ib] == chunk[:, 1])
            chunk, ia, ib = chunk[keep], ia[keep], ib[keep]
            j = np.count_nonzero(sigs[ia] == sigs[ib], axis=1) / s.num_perm
            near = _near(
                j,
                shingles[ia],
                shingles[ib],
                truncated[ia],
                truncated[ib],
                rank[ia] < rank[ib],
                s,
            )
            out.append(chunk[near])
        return np.concatenate(out)

    def link(self, progress: Progress | None = None) -> None:
        """Link the texts added since the last call to their near duplicates (merged
        groups relabelled), one bucket of candidate pairs at a time: each bucket's
        accepted pairs are merged into the stored groups before the next is read, so
        memory holds one bucket, however many texts are new."""
        first, self._new_from = self._new_from, None
        spill = self._spill
        if first is None or spill is None:
            return
        total = int(self.get_meta("next_tid") or first) - first
        tick = _Ticker(progress, "link", total)
        for path in self._candidates(spill):
            codes = np.unique(np.fromfile(path, dtype=np.int64))
            path.unlink()
            pairs = np.stack([codes >> np.int64(32), codes & np.int64(0xFFFFFFFF)], axis=1)
            self._union(self._verify(pairs), old_below=first)
            tick(min(total, int(pairs[-1, 0]) + 1 - first))
        tick(total)
        self._drop_spill()

    def _union(self, pairs: npt.NDArray[np.int64], old_below: int | None = None) -> None:
        """Merge the groups of accepted pairs; a merged group takes the smallest label.
        Two groups of texts indexed before (labels below ``old_below``) that become one
        are noted in ``m_merged`` (by the label kept): their members' files all change."""
        if not len(pairs):
            return
        grp = self._groups_by_tid(np.unique(pairs))
        parent: dict[int, int] = {}

        def find(x: int) -> int:
            root = x
            while parent.get(root, root) != root:
                root = parent[root]
            while parent.get(x, x) != root:
                parent[x], x = root, parent[x]
            return root

        merged: set[int] = set()
        for a, b in pairs.tolist():
            ra, rb = find(grp[a]), find(grp[b])
            if ra != rb:
                parent[max(ra, rb)] = min(ra, rb)
                if old_below is not None and max(ra, rb) < old_below:
                    merged.add(min(ra, rb))
        self.conn.executemany("INSERT OR IGNORE INTO m_merged VALUES (?)", ((t,) for t in merged))
        moves = [(find(g), g) for g in list(parent) if find(g) != g]
        self.conn.executemany("UPDATE texts SET grp = ? WHERE grp = ?", moves)

    def prune(self, tids: Collection[int]) -> set[int]:
        """Delete texts among ``tids`` that no document has any more, and re-link what is
        left of their groups (a removed text may have been the only bridge); return the
        groups of what is left."""
        orphans = [
            t
            for t in sorted(tids)
            if self.conn.execute("SELECT 1 FROM docs WHERE tid = ? LIMIT 1", (t,)).fetchone()
            is None
        ]
        if not orphans:
            return self.group_of(tids)
        groups = self.group_of(orphans)
        marks = ",".join("?" * len(orphans))
        self.conn.execute(f"DELETE FROM texts WHERE tid IN ({marks})", orphans)
        self._live = None
        touched = self.group_of(set(tids) - set(orphans))
        for g in sorted(groups):
            touched |= self._relink(g)
        return touched

    def _relink(self, grp: int) -> set[int]:
        """Split a group into its texts and link them again among themselves."""
        rows = self.conn.execute(
            "SELECT tid, sig FROM texts WHERE grp = ? ORDER BY tid", (grp,)
        ).fetchall()
        if not rows:
            return set()
        tids = np.array([r[0] for r in rows], dtype=np.int64)
        self.conn.executemany(
            "UPDATE texts SET grp = tid WHERE tid = ?", ((t,) for t in tids.tolist())
        )
        sigs = np.frombuffer(b"".join(r[1] for r in rows), dtype=np.uint32)
        keys = band_keys(sigs.reshape(len(rows), self.settings.num_perm), self.settings)
        flat_k = keys.ravel()
        flat_t = np.repeat(tids, keys.shape[1])
        order = np.lexsort((flat_t, flat_k))
        k, t = flat_k[order], flat_t[order]
        first = np.r_[True, k[1:] != k[:-1]]
        occ = t[np.maximum.accumulate(np.where(first, np.arange(len(k)), 0))]
        sel = occ != t
        pairs = np.unique(np.stack([t[sel], occ[sel]], axis=1), axis=0)
        self._union(self._verify(pairs))
        return self.group_of(tids.tolist())

    # -- copies of documents through byte-identical dumps

    def copies(self) -> dict[str, str]:
        return dict(self.conn.execute("SELECT id, sightings FROM copies"))

    def set_copies(self, copies: Mapping[str, str]) -> None:
        self.conn.execute("DELETE FROM copies")
        self.conn.executemany("INSERT INTO copies VALUES (?, ?)", sorted(copies.items()))


# --------------------------------------------------------------------------- pure entry point


def group_records(
    items: Sequence[tuple[DocRecord, Signature]], settings: DedupSettings = DEFAULT_SETTINGS
) -> list[list[DocRecord]]:
    """The duplicate groups among ``items`` (singletons included), with a throwaway index."""
    index = DedupIndex.open(":memory:", settings)
    try:
        ordered = sorted(items, key=lambda t: (t[0].path, t[0].index, t[0].id))
        firsts: dict[str, tuple[DocRecord, Signature]] = {}
        for rec, sig in ordered:
            firsts.setdefault(rec.text_key, (rec, sig))
        keys = list(firsts)
        if keys:
            tids = index.add_texts(
                keys,
                np.stack([firsts[k][1] for k in keys]).astype(np.uint32),
                np.array([firsts[k][0].shingles for k in keys], dtype=np.int64),
                [firsts[k][0].truncated for k in keys],
            )
            by_key = dict(zip(keys, tids, strict=True))
            index.add_docs((rec, by_key[rec.text_key]) for rec, _ in ordered)
        index.link()
        groups = [
            sorted((m.record for m in index.members(g)), key=lambda r: r.id)
            for g in index.all_groups()
        ]
        return sorted(groups, key=lambda g: g[0].id)
    finally:
        index.close()


# --------------------------------------------------------------------------- the run step


@dataclass
class DedupReport:
    """What deduplication did at the end of a run (``line()`` for the CLI, ``to_json()``)."""

    documents: int = 0  # documents in the index after the run
    groups: int = 0  # groups of two or more touched by the run
    new: int = 0  # documents written this run that are the first of their story
    exact: int = 0  # ... exact duplicates of an earlier document (copies in same dumps too)
    near: int = 0  # ... near duplicates of an earlier document
    duplicate_dumps: int = 0  # dumps byte-identical to another one (not re-cleaned)
    files_updated: int = 0  # document files whose duplicate_of / seen_in changed
    withheld: int = 0  # non-canonical documents not kept (canonical_only)
    # Manifest entries to change (path -> fields to set): the caller rewrites the manifest.
    edits: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def manifest_changed(self) -> bool:
        return bool(self.edits)

    def to_json(self) -> dict[str, int]:
        return {
            "documents": self.documents,
            "new": self.new,
            "exact_duplicates": self.exact,
            "near_duplicates": self.near,
            "duplicate_dumps": self.duplicate_dumps,
            "files_updated": self.files_updated,
            "withheld": self.withheld,
        }

    def line(self) -> str:
        return (
            f"dedup: {self.new} new, {self.exact} exact and {self.near} near duplicates"
            + (f", {self.duplicate_dumps} byte-identical dumps" if self.duplicate_dumps else "")
            + (f", {self.withheld} withheld" if self.withheld else "")
        )


STALE = "stale"
DEDUP_FIELDS = ("duplicate_of", "seen_in")


def describe_progress(stage: str, done: int, total: int) -> str:
    """One line for a progress event (what the CLI prints and the flow logs).

    >>> describe_progress("read", 500, 2000)
    'dedup: 500/2000 documents read and fingerprinted'
    """
    what = {
        "read": "documents read and fingerprinted",
        "link": "new texts linked",
        "write": "groups written",
    }.get(stage, stage)
    return f"dedup: {done}/{total} {what}"


class ManifestView:
    """What deduplication needs of the manifest, in SQLite tables of the index (memory stays
    flat however many dumps the output folder holds), and the entry edits the step makes
    (:attr:`edits`, path → fields to set; the caller rewrites the manifest with them).

    ``m_dump``: every dump's status, sha256, ``duplicate_of`` and ``withheld``; ``m_doc``:
    every document of a written dump, (dump, index) → id and file. Both are kept with the
    index: a run whose previous manifest is the one the index was last brought up to date
    with passes only the entries that changed since (``delta``), and the step looks only at
    what they touch. ``m_proc``: the dumps cleaned since the index was last saved.
    """

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.edits: dict[str, dict[str, Any]] = {}
        self.partial = False  # only the dumps in m_delta (and their sha256s) changed

    def load(
        self, out: Location, processed: Collection[str] | None, delta: Collection[str] | None
    ) -> None:
        """Read the manifest's entries; ``processed`` None: every dump.

        ``delta``: the dumps whose entries may differ from the manifest the index was last
        brought up to date with: only theirs are read (a dump of ``delta`` missing from the
        manifest is gone), when the index holds that manifest's view; else all are.
        """
        conn = self.conn
        self.partial = delta is not None and conn.execute(
            "SELECT v FROM meta WHERE k = 'view'"
        ).fetchone() == ("1",)
        if self.partial:
            assert delta is not None
            conn.executemany("INSERT OR IGNORE INTO m_delta VALUES (?)", ((r,) for r in delta))
            conn.execute(  # the sha256s the changed entries had: their copies are looked at
                "INSERT OR IGNORE INTO m_sha SELECT sha FROM m_dump"
                " WHERE rel IN (SELECT rel FROM m_delta) AND sha IS NOT NULL"
            )
            conn.execute("DELETE FROM m_dump WHERE rel IN (SELECT rel FROM m_delta)")
            conn.execute("DELETE FROM m_doc WHERE rel IN (SELECT rel FROM m_delta)")
        else:
            conn.execute("DELETE FROM m_dump")
            conn.execute("DELETE FROM m_doc")
        entries = iter_entries(out, only=delta if self.partial else None)
        dumps: list[tuple[Any, ...]] = []
        docs: list[tuple[str, int, str, str]] = []

        def flush() -> None:
            conn.executemany("INSERT OR REPLACE INTO m_dump VALUES (?, ?, ?, ?, ?)", dumps)
            conn.executemany("INSERT OR IGNORE INTO m_doc VALUES (?, ?, ?, ?)", docs)
            if self.partial:
                shas = ((d[2],) for d in dumps if d[2])
                conn.executemany("INSERT OR IGNORE INTO m_sha VALUES (?)", shas)
            dumps.clear()
            docs.clear()

        for rel, e in entries:
            status, sha = e.get("status"), e.get("sha256") or None
            withheld = e.get("withheld")
            held = json.dumps(withheld) if withheld else None
            dumps.append((rel, status, sha, e.get("duplicate_of"), held))
            if status == "written" and sha:
                for d in e.get("documents", ()):
                    idx = int(d["index"])
                    docs.append((rel, idx, doc_id(sha, idx), d["file"]))
            if len(docs) >= 5000 or len(dumps) >= 5000:
                flush()
        flush()
        if processed is None:
            conn.execute("INSERT INTO m_proc SELECT rel FROM m_dump")
        else:
            conn.executemany(
                "INSERT OR IGNORE INTO m_proc VALUES (?)", ((r,) for r in sorted(processed))
            )
        conn.execute("INSERT OR REPLACE INTO meta VALUES ('view', '1')")

    def scope(self, column: str, kind: str = "rel") -> str:
        """An SQL condition on ``column`` (a dump path, or a sha256 with ``kind="sha"``):
        true for what the changed entries touch (always true for a whole manifest)."""
        if not self.partial:
            return "1"
        table = "m_delta" if kind == "rel" else "m_sha"
        return f"{column} IN (SELECT {kind} FROM {table})"

    def edit(self, rel: str, **fields_: Any) -> None:
        self.edits.setdefault(rel, {}).update(fields_)

    def set_status(self, rel: str, status: str, duplicate_of: str | None = None) -> None:
        """A dump's new status (its documents leave the view: it is no longer written; and
        it counts as changed)."""
        self.conn.execute(
            "UPDATE m_dump SET status = ?, dup_of = ? WHERE rel = ?", (status, duplicate_of, rel)
        )
        self.conn.execute("DELETE FROM m_doc WHERE rel = ?", (rel,))
        self.conn.execute("INSERT OR IGNORE INTO m_delta VALUES (?)", (rel,))

    def withheld(self, rel: str) -> list[str]:
        row = self.conn.execute("SELECT withheld FROM m_dump WHERE rel = ?", (rel,)).fetchone()
        return list(json.loads(row[0])) if row and row[0] else []

    def set_withheld(self, rel: str, names: list[str]) -> None:
        self.conn.execute("UPDATE m_dump SET withheld = ? WHERE rel = ?", (json.dumps(names), rel))
        self.edit(rel, withheld=names)


def resolve_duplicate_dumps(folder: OutputFolder, view: ManifestView) -> int:
    """Turn every written dump whose bytes equal another's into a ``duplicate_dump`` entry,
    and point every ``duplicate_dump`` at its original (the written dump with its bytes).

    The kept dump is one that was not processed this run (it was there before), else the
    first by path. Documents of the duplicates are deleted (they would share ids with the
    kept dump's). A ``duplicate_dump`` whose bytes no written dump holds any more becomes
    ``stale``, so the next run cleans it. Returns how many duplicate dumps there are.
    Only the sha256s of changed entries can have changed their answer, so with a partial
    view only those are looked at.
    """
    conn = view.conn
    rows = conn.execute(
        "SELECT sha, rel, rel IN (SELECT rel FROM m_proc) FROM m_dump"
        " WHERE status = 'written' AND sha IN (SELECT sha FROM m_dump WHERE status = 'written'"
        f" AND {view.scope('sha', 'sha')} GROUP BY sha HAVING COUNT(*) > 1) ORDER BY sha, rel"
    ).fetchall()
    by_sha: dict[str, list[tuple[bool, str]]] = {}
    for sha, rel, proc in rows:
        by_sha.setdefault(sha, []).append((bool(proc), rel))
    for group in by_sha.values():
        keep = min(group)[1]
        for _, rel in group:
            if rel != keep:
                folder.drop_documents(rel)
                view.edit(rel, status=DUPLICATE_DUMP, duplicate_of=keep, documents=[])
                view.set_status(rel, DUPLICATE_DUMP, keep)
    rows = conn.execute(
        "SELECT d.rel, d.dup_of, (SELECT w.rel FROM m_dump w WHERE w.status = 'written'"
        " AND w.sha = d.sha) FROM m_dump d WHERE d.status = ?"
        f" AND ({view.scope('d.rel')} OR {view.scope('d.sha', 'sha')}) ORDER BY d.rel",
        (DUPLICATE_DUMP,),
    ).fetchall()
    for rel, dup_of, target in rows:
        if target is None:
            view.edit(rel, status=STALE, key=None, reason="duplicate_of_changed")
            view.set_status(rel, STALE)
        elif dup_of != target:
            view.edit(rel, duplicate_of=target)
            view.set_status(rel, DUPLICATE_DUMP, target)
    q = "SELECT COUNT(*) FROM m_dump WHERE status = ?"
    return int(conn.execute(q, (DUPLICATE_DUMP,)).fetchone()[0])


def copy_paths(view: ManifestView) -> dict[str, str]:
    """Document id → JSON list of the byte-identical copies of its dump (paths, sorted)."""
    paths: dict[str, list[str]] = {}
    rows = view.conn.execute(
        "SELECT m.id, d.rel FROM m_dump d JOIN m_doc m ON m.rel = d.dup_of"
        " WHERE d.status = ? ORDER BY d.rel, m.idx",
        (DUPLICATE_DUMP,),
    )
    for key, rel in rows:
        paths.setdefault(key, []).append(rel)
    return {k: json.dumps(v) for k, v in paths.items()}


def _read_json(folder: OutputFolder, file: str) -> dict[str, Any] | None:
    try:
        data = orjson.loads(folder.read_file(file))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def annotate(body: dict[str, Any], fields_: Mapping[str, Any]) -> dict[str, Any]:
    """A document's JSON with its dedup fields replaced by ``fields_`` (placed last)."""
    out = {k: v for k, v in body.items() if k not in DEDUP_FIELDS}
    out.update((k, fields_[k]) for k in DEDUP_FIELDS if k in fields_)
    return out


def _tail_mark(tail: bytes | bytearray | memoryview) -> str:
    """A short fingerprint of the dedup fields a file holds, from their bytes (:func:`_tails`);
    '' for none."""
    return "" if tail == _LONE_TAIL else hashlib.sha256(tail).hexdigest()[:16]


# A key of the document's own object: files are written indented two spaces, and strings
# hold no raw newline, so only a top-level key starts a line with exactly two spaces.
_TOP_KEY = re.compile(rb'\n  "((?:[^"\\]|\\.)*)": ')


def split_dedup_fields(data: bytes) -> bytes | None:
    """A document file's bytes before its dedup fields (which :func:`annotate` puts last)
    and its closing brace; None when the file is not laid out so (then it is parsed).

    >>> split_dedup_fields(b'{\\n  "id": "a",\\n  "duplicate_of": "b"\\n}\\n')
    b'{\\n  "id": "a"'
    >>> split_dedup_fields(b'{\\n  "id": "a"\\n}\\n')
    b'{\\n  "id": "a"'
    """
    end = len(data) - 3
    if end < 1 or not data.endswith(b"\n}\n"):
        return None
    cut = min((p for p in (data.find(k) for k in DEDUP_KEYS) if p >= 0), default=end)
    if cut < end and data[cut - 1 : cut] != b",":
        return None
    names = {m.group(1) for m in _TOP_KEY.finditer(data, cut)}
    if not names <= {b"duplicate_of", b"seen_in"}:
        return None  # another key after a dedup field: not written by annotate
    return data[: cut - 1] if cut < end else data[:end]


def without_seen_in(data: bytes) -> bytes:
    """A document file's bytes without its ``seen_in``, for a reader that does not show it
    (a story seen on tens of thousands of pages lists megabytes of sightings, several
    times that decoded); the bytes as they are when there is none, or when the file is not
    laid out as :func:`annotate` writes it.

    >>> without_seen_in(b'{\\n  "id": "a",\\n  "seen_in": [\\n    {}\\n  ]\\n}\\n')
    b'{\\n  "id": "a"\\n}\\n'
    >>> without_seen_in(b'{\\n  "id": "a",\\n  "duplicate_of": "b"\\n}\\n')
    b'{\\n  "id": "a",\\n  "duplicate_of": "b"\\n}\\n'
    """
    head = split_dedup_fields(data)
    if head is None or data.find(SEEN_IN_KEY, len(head)) < 0:
        return data
    if data.find(DUPLICATE_OF_KEY, len(head)) >= 0:  # not a canonical's: keep it whole
        return data
    return head + _LONE_TAIL


_LONE_TAIL = b"\n}\n"  # a document's end without dedup fields
_SEEN_OPEN = b',\n  "seen_in": [\n'
_SEEN_CLOSE = b"\n  ]\n}\n"
_ENTRY_ID = re.compile(rb'\n    \{\n      "id": "([0-9a-f]+)",')
_ENTRY_START = b'\n    {\n      "id": "'  # (what _ENTRY_ID matches, as plain bytes)


class _SeenIn:
    """A canonical document's ``seen_in``, one sighting at a time, straight into the bytes of
    its file's tail as :func:`dumps_json` writes them (no Python object per sighting of a
    story seen on tens of thousands of pages, and one buffer)."""

    def __init__(self, start: bytes = _SEEN_OPEN) -> None:
        self.buf = bytearray(start)
        self.first: tuple[str, int] | None = None  # (path, index) of the first entry
        self.count = 0

    def add(self, sighting: Mapping[str, Any]) -> None:
        self.count += 1
        if self.first is None:
            self.first = (sighting["path"], sighting["index"])
        else:
            self.buf += b",\n"
        entry = orjson.dumps(sighting, option=orjson.OPT_INDENT_2)
        self.buf += b"    " + entry.replace(b"\n", b"\n    ")

    def tail(self) -> bytearray:
        """The finished tail (the buffer itself: add nothing after)."""
        self.buf += _SEEN_CLOSE
        return self.buf


def _grown_seen_in(
    old: bytes, written: str, ids: list[str] | int, added: _SeenIn
) -> tuple[bytearray, str] | None:
    """The new bytes (and :func:`_tail_mark`) of a canonical document whose group only
    gained the sightings ``added``, all sorting after its old ones (a re-run adding dumps):
    its file's bytes with them appended to its ``seen_in``, not going over the old ones.

    None unless the file holds what the index last gave it (``written``), its ``seen_in``
    lists exactly ``ids`` (the group's members before this step, sorted; or, when the
    group is known to be unchanged since, as many entries as ``ids`` says) and no copies,
    and ``added`` sorts after its last entry: then the whole ``seen_in`` is built again.
    """
    head = split_dedup_fields(old)
    if head is None or added.first is None:
        return None
    at = len(head)
    if not old.startswith(_SEEN_OPEN, at) or _tail_mark(memoryview(old)[at:]) != written:
        return None
    if old.find(b'"match": "copy"', at) >= 0:
        return None
    if isinstance(ids, int):
        if old.count(_ENTRY_START, at) != ids:
            return None
    elif sorted(m.decode() for m in _ENTRY_ID.findall(old, at)) != ids:
        return None
    try:  # the last entry's place: its "path" and "index" lines
        p = old.rindex(b'\n      "path": ', at) + 15
        i = old.rindex(b'\n      "index": ', at) + 16
        last = (orjson.loads(old[p : old.index(b",\n", p)]), int(old[i : old.index(b",\n", i)]))
    except ValueError:
        return None
    if not last < added.first:
        return None
    new = bytearray(old)
    del new[-len(_SEEN_CLOSE) :]
    new += added.buf  # started with ",\n", not _SEEN_OPEN
    new += _SEEN_CLOSE
    return new, _tail_mark(memoryview(new)[at:])


def _rewritten(
    folder: OutputFolder, file: str, tail: bytes | bytearray
) -> tuple[bytes, bytes | bytearray] | None:
    """(old bytes, new bytes) of a document file whose dedup fields become ``tail`` (their
    encoding after the document's own fields, closing brace included); None when the file
    cannot be read.

    The new bytes are the file's own up to its dedup fields, then ``tail``: what
    :func:`dumps_json` of :func:`annotate` writes, without decoding the document.
    """
    try:
        old = folder.read_file(file)
    except OSError:
        return None
    head = split_dedup_fields(old)
    if head is not None:
        if isinstance(tail, bytearray):  # a long seen_in: no second copy of it
            tail[0:0] = head
            return old, tail
        return old, head + tail
    try:  # not laid out as this module writes: decode and annotate
        body = orjson.loads(old)
    except ValueError:
        return None
    if not isinstance(body, dict):
        return None
    want = orjson.loads(b"{" + bytes(tail[1:]))
    return old, dumps_json(annotate(body, want)).encode("utf-8")


def record_from_document(
    doc: Mapping[str, Any],
    file: str,
    settings: DedupSettings = DEFAULT_SETTINGS,
    key: str | None = None,
) -> tuple[DocRecord, list[str]]:
    """A document's JSON object (as written) → its record (shingles still 0) and words;
    ``key``: its text's key when already known (then it is not normalised: no words)."""
    words = [] if key is not None else normalise_words(str(doc["text"]))
    src = doc["source"]
    record = DocRecord(
        id=str(doc["id"]),
        path=str(src["path"]),
        index=int(src["index"]),
        file=file,
        outlet=doc.get("outlet"),
        published_text=doc.get("published_text"),
        published=doc.get("published"),
        scraped_at=src.get("scraped_at"),
        words=int(doc["word_count"] if "word_count" in doc else len(str(doc["text"]).split())),
        removed=len(doc.get("removed", ())),
        text_key=key if key is not None else text_key(words),
        shingles=0,
        truncated=bool(doc.get("truncated", False)),
    )
    return record, words


_READ_BATCH = 2000  # documents read, then fingerprinted together (bounded memory)


def _raw_hash(text: Any) -> bytes:
    """A document's text as written, hashed (to find texts read before without normalising)."""
    data = str(text).encode("utf-8", "surrogatepass")
    return hashlib.blake2b(data, digest_size=16).digest()


INDEX_STATE = f"{DEDUP_DIR}/{INDEX_FILE}"  # the index, as a state file of the output folder


def index_path(out: Location) -> Path:
    """Where the index file is: in the output folder, or a local cache for remote output."""
    return output_folder(out).working_path(INDEX_STATE)


class _Ticker:
    """Calls ``progress`` about once a second, and at the end if it spoke before."""

    def __init__(self, progress: Progress | None, stage: str, total: int) -> None:
        self.progress, self.stage, self.total = progress, stage, total
        self.last = time.monotonic()
        self.said = False  # a stage done within its first second says nothing

    def __call__(self, done: int) -> None:
        now = time.monotonic()
        if self.progress and (now - self.last >= 1.0 or (done >= self.total and self.said)):
            self.last, self.said = now, True
            self.progress(self.stage, done, self.total)


def deduplicate(
    out: Location,
    processed: Collection[str] | None,
    *,
    delta: Collection[str] | None = None,
    settings: DedupSettings = DEFAULT_SETTINGS,
    canonical_only: bool = False,
    full: bool = False,
    progress: Progress | None = None,
) -> DedupReport:
    """Deduplicate the output folder after a run; call it holding the folder's lock.

    The manifest is read as a stream (:class:`ManifestView`). The step may change entries
    (byte-identical dumps, withheld documents): ``report.edits`` says how, and the caller
    rewrites the manifest with them. ``processed`` names the dumps cleaned since the
    index was last saved (None: all of them): their documents are (re)indexed; documents of
    unchanged dumps are taken from the index, never re-read. ``delta``, when the manifest
    before the run was the one the index was last brought up to date with: the dumps whose
    entries may have changed since (cleaned, gone, edited): only theirs are read, and only
    what they touch is looked at. ``full`` rebuilds the index
    from every document. ``progress(stage, done, total)`` hears how far it is
    (:func:`describe_progress`).

    The index is reconciled with the manifest first (:func:`reconcile`), so the documents
    end as a fresh ``full`` run would write them.
    """
    report = DedupReport()
    folder = output_folder(out)
    local = folder.check_out(INDEX_STATE)
    if full:
        local.unlink(missing_ok=True)
    index = DedupIndex.open(local, settings)
    try:
        view = ManifestView(index.conn)
        view.load(out, processed, None if full else delta)
        report.duplicate_dumps = resolve_duplicate_dumps(folder, view)
        _deduplicate(folder, view, index, canonical_only, report, progress)
        report.edits = view.edits
        index.commit()
    finally:
        index.close()
    folder.check_in(INDEX_STATE)
    # The run layer's sign that an index exists (it does not open SQLite to ask).
    about = {"version": INDEX_VERSION, "file": INDEX_FILE, "settings": settings.fingerprint}
    write_atomic(out / STATE_DIR / DEDUP_DIR / MARK_FILE, json.dumps(about).encode() + b"\n")
    return report


def reconcile(index: DedupIndex, view: ManifestView) -> tuple[set[int], int]:
    """Forget indexed documents whose records no longer stand for the output folder, and
    list the manifest's documents not indexed (in ``m_miss``, by dump path and index).
    Returns (text ids of the forgotten documents, how many documents are to be read).

    A record stands while the manifest lists its id under the same dump, index and file
    (``m_doc``) and that dump was not cleaned since (``m_proc``). Document ids come from a
    dump's bytes, so a dump gone while its byte-identical copy was cleaned in its place (by
    a run without dedup) brings back the same ids under another dump: re-read, not trusted.

    With a partial view only the documents of changed dumps (and those their entries name)
    are looked at: the others stood when the index was last brought up to date.
    """
    conn = index.conn
    touched = "1"
    if view.partial:
        touched = (
            f"({view.scope('d.path')} OR d.id IN (SELECT m.id FROM m_doc m"
            f" WHERE {view.scope('m.rel')}))"
        )
    conn.execute(
        "INSERT INTO m_stale SELECT d.id, d.tid FROM docs d LEFT JOIN m_doc l ON l.id = d.id"
        f" WHERE {touched} AND (l.id IS NULL OR l.rel IS NOT d.path OR l.idx IS NOT d.idx"
        " OR l.file IS NOT d.file OR d.path IN (SELECT rel FROM m_proc))"
    )
    tids = {r[0] for r in conn.execute("SELECT DISTINCT tid FROM m_stale")}
    conn.execute("DELETE FROM docs WHERE id IN (SELECT id FROM m_stale)")
    wanted = "1"
    if view.partial:
        wanted = f"({view.scope('l.rel')} OR l.id IN (SELECT id FROM m_stale))"
    conn.execute(
        "INSERT INTO m_miss SELECT l.id, l.rel, l.idx, l.file FROM m_doc l"
        f" WHERE {wanted} AND NOT EXISTS (SELECT 1 FROM docs d WHERE d.id = l.id)"
        " ORDER BY l.rel, l.idx, l.id"
    )
    return tids, int(conn.execute("SELECT COUNT(*) FROM m_miss").fetchone()[0])


def _deduplicate(
    folder: OutputFolder,
    view: ManifestView,
    index: DedupIndex,
    canonical_only: bool,
    report: DedupReport,
    progress: Progress | None,
) -> None:
    mode_changed = index.get_meta("canonical_only") != str(canonical_only)
    index.set_meta("canonical_only", str(canonical_only))
    old_tids, n_missing = reconcile(index, view)
    tick = _Ticker(progress, "read", n_missing)
    done, last = 0, 0
    while True:
        batch = index.conn.execute(
            "SELECT rowid, id, rel, file FROM m_miss WHERE rowid > ? ORDER BY rowid LIMIT ?",
            (last, _READ_BATCH),
        ).fetchall()
        if not batch:
            break
        last = batch[-1][0]
        recs: list[DocRecord] = []
        firsts: dict[str, tuple[DocRecord, list[str]]] = {}  # words of each text, once
        added: list[tuple[str, int]] = []
        raw: dict[bytes, str] = {}  # this batch's texts as written → their keys
        for _, key, rel, file in batch:
            body = _read_json(folder, file)
            if body is None or body.get("id") != key:
                _mark_stale(view, rel)  # a withheld or damaged file: clean it again
                continue
            # A text written the same as one read before has its key: not normalised again
            # (most copies of a related story are byte for byte the same).
            h = _raw_hash(body.get("text"))
            known_key = raw.get(h) or index.raw_key(h)
            rec, words = record_from_document(body, file, index.settings, known_key)
            raw.setdefault(h, rec.text_key)
            # (new documents whose files hold no dedup fields yet: bare)
            added.append((key, int(not any(k in body for k in DEDUP_FIELDS))))
            recs.append(rec)
            if known_key is None:
                firsts.setdefault(rec.text_key, (rec, words))
        index.conn.executemany("INSERT OR IGNORE INTO m_raw VALUES (?, ?)", raw.items())
        known = index.text_ids({r.text_key for r in recs})
        # the exact-duplicate fast path: a text already indexed gets no MinHash
        fresh = {k: v for k, v in firsts.items() if k not in known}
        if fresh:
            keys = list(fresh)
            counts, sigs = fingerprint_words([fresh[k][1] for k in keys], index.settings)
            tids = index.add_texts(keys, sigs, counts, [fresh[k][0].truncated for k in keys])
            known.update(zip(keys, tids, strict=True))
        index.add_docs((rec, known[rec.text_key]) for rec in recs)
        index.conn.executemany("INSERT OR REPLACE INTO m_added VALUES (?, ?)", added)
        done += len(batch)
        tick(done)
    index.link(progress)
    pruned = index.prune(old_tids)
    index.touch_groups(pruned, added=True)
    copies = copy_paths(view)
    before = index.copies()
    changed_copies = {k for k in set(copies) | set(before) if copies.get(k) != before.get(k)}
    index.set_copies(copies)
    copied = index.groups_of_docs(changed_copies)
    index.touch_groups(copied)
    if mode_changed:
        index.touch_all_groups()
    # Groups that lost, merged or re-linked members, or whose copies changed, are written
    # whole; any other touched group only gained the documents added (_grow_group).
    index.note_rewrites(pruned | copied)
    counted = index.added_among(set(copies)) | changed_copies
    report.exact += sum(len(json.loads(v)) for k, v in copies.items() if k in counted)
    _write_groups(folder, view, index, canonical_only, report, progress)
    report.documents = index.count_docs()


def _write_groups(
    folder: OutputFolder,
    view: ManifestView,
    index: DedupIndex,
    canonical_only: bool,
    report: DedupReport,
    progress: Progress | None,
) -> None:
    """Give each member of the groups marked to be written its dedup fields (or,
    canonical-only, drop duplicates); a file is read and rewritten only when its fields
    change."""
    tick = _Ticker(progress, "write", index.count_touched_groups())
    marks: list[tuple[str, str]] = []
    with folder.rewriting() as rewrite:

        def put(
            key: str, path: str, file: str, new: tuple[bytes, bytes | bytearray] | None, mark: str
        ) -> None:
            """Write ``new`` (old bytes, new bytes), or mark the dump stale when None."""
            nonlocal marks
            if new is None:
                _mark_stale(view, path)
                return
            if rewrite(file, new[1], new[0]):
                report.files_updated += 1
            marks.append((key, mark))
            if len(marks) >= 5000:
                index.set_written(marks)
                marks = []

        def put_tail(key: str, path: str, file: str, tail: bytes | bytearray) -> None:
            mark = _tail_mark(tail)  # before _rewritten puts the head in front of it
            put(key, path, file, _rewritten(folder, file, tail), mark)

        for n, g in enumerate(index.touched_groups(), 1):
            if canonical_only or not _grow_group(index, g, folder, report, put, put_tail):
                _write_group(index, g, view, folder, canonical_only, report, put, put_tail)
            tick(n)
    index.set_written(marks)


_GROUP = (
    " FROM texts t JOIN docs d ON d.tid = t.tid LEFT JOIN m_added a ON a.id = d.id WHERE t.grp = ?"
)
# canonical_order in SQL (text compares as Python's str does: UTF-8 bytes keep code point order)
_CANONICAL_ORDER = (
    " ORDER BY d.words DESC, d.removed, COALESCE(NULLIF(d.scraped_at, ''), '~'),"
    " COALESCE(NULLIF(d.published, ''), '~'), d.path, d.idx"
)
_SIGHTING = "d.id, d.path, d.idx, d.outlet, d.published_text, d.published, d.tid"
_PAGE = 1000  # members of a group read at once, in (path, index) order


def _write_group(
    index: DedupIndex,
    g: int,
    view: ManifestView,
    folder: OutputFolder,
    canonical_only: bool,
    report: DedupReport,
    put: Callable[[str, str, str, tuple[bytes, bytes | bytearray] | None, str], None],
    put_tail: Callable[[str, str, str, bytes | bytearray], None],
) -> None:
    """One group: what :func:`group_fields` and the arrival rule say, read from the
    index as rows, never as one list (a story seen on tens of thousands of pages). The
    canonical document first; the members indexed before this step by SQL alone, unless
    their file must change; then the members added, in arrival order; then the canonical's
    ``seen_in``: the added sightings appended to the file's own when that is all that
    changed (:func:`_grown_seen_in`), else every sighting in (path, index) order."""
    conn = index.conn
    top = conn.execute(
        "SELECT d.id, d.path, d.file, d.written, a.id IS NOT NULL, a.bare, d.tid,"
        f" EXISTS (SELECT 1 FROM copies c WHERE c.id = d.id) {_GROUP} {_CANONICAL_ORDER} LIMIT 2",
        (g,),
    ).fetchall()
    if not top:
        return
    canon_id, canon_path, canon_file, written, added, bare, canon_tid, copied = top[0]
    holds = ("" if bare else None) if added else written
    if len(top) == 1 and not copied:  # alone, without copies: no dedup fields
        _set_state(conn, g, canon_id, 1)
        report.new += bool(added)
        if holds != "":
            put_tail(canon_id, canon_path, canon_file, _LONE_TAIL)
        return
    report.groups += len(top) > 1
    dup_tail = b',\n  "duplicate_of": ' + orjson.dumps(canon_id) + _LONE_TAIL
    texts = {r[0] for r in conn.execute(f"SELECT DISTINCT d.tid {_GROUP} AND a.id IS NULL", (g,))}
    todo: list[tuple[str, str, str]] = []
    old = f"SELECT d.id, d.path, d.file {_GROUP} AND a.id IS NULL AND d.id != ?"
    if canonical_only:
        for _, path, file in conn.execute(old, (g, canon_id)).fetchall():
            _withhold(folder, view, path, file, report)
    else:
        old += " AND d.written != ?"
        todo += conn.execute(old, (g, canon_id, _tail_mark(dup_tail))).fetchall()
    for key, path, file in todo:
        put_tail(key, path, file, dup_tail)
    grown = _SeenIn(b",\n")  # the added members' sightings, when the canonical is not new
    # The added members, a page at a time (their files are rewritten between two queries).
    # Arrival: new when no member came before (indexed earlier, or earlier in this run's
    # (path, index) order), exact when one with the same text did, else near.
    added_rows = _by_place(conn, f"SELECT {_SIGHTING}, d.file", g, " AND a.id IS NOT NULL")
    for key, path, idx, outlet, ptext, pub, tid, file in added_rows:
        label = "new" if not texts else "exact" if tid in texts else "near"
        setattr(report, label, getattr(report, label) + 1)
        texts.add(tid)
        if not added:
            match = "canonical" if key == canon_id else "exact" if tid == canon_tid else "near"
            grown.add(Sighting(key, path, idx, outlet, ptext, pub, match).to_json())
        if key == canon_id:
            continue
        if canonical_only:
            _withhold(folder, view, path, file, report)
        else:
            put_tail(key, path, file, dup_tail)
    if grown.first is not None and written and not _has_copies(conn, g):
        try:
            data = folder.read_file(canon_file)
        except OSError:
            data = b""
        ids = [
            r[0] for r in conn.execute(f"SELECT d.id {_GROUP} AND a.id IS NULL ORDER BY d.id", (g,))
        ]
        grew = _grown_seen_in(data, written, ids, grown)
        if grew is not None:
            put(canon_id, canon_path, canon_file, (data, grew[0]), grew[1])
            _set_state(conn, g, canon_id, len(ids) + grown.count)
            return
    seen = _SeenIn()
    copies: list[tuple[str, int, int, dict[str, Any]]] = []  # (path, index, n, sighting)
    every = _by_place(
        conn, f"SELECT {_SIGHTING}, (SELECT c.sightings FROM copies c WHERE c.id = d.id)", g
    )
    members = 0
    for key, path, idx, outlet, ptext, pub, tid, paths in every:
        members += 1
        match = "canonical" if key == canon_id else "exact" if tid == canon_tid else "near"
        sighting = Sighting(key, path, idx, outlet, ptext, pub, match).to_json()
        for p in json.loads(paths) if paths else ():  # its dump's byte-identical copies
            entry = {**sighting, "path": p, "match": "copy"}
            heapq.heappush(copies, (p, idx, len(copies), entry))
        while copies and copies[0][:2] < (path, idx):
            seen.add(heapq.heappop(copies)[3])
        seen.add(sighting)
    while copies:
        seen.add(heapq.heappop(copies)[3])
    _set_state(conn, g, canon_id, members)
    tail = seen.tail()
    if _tail_mark(tail) != holds:
        put_tail(canon_id, canon_path, canon_file, tail)


def _set_state(conn: sqlite3.Connection, g: int, canon: str, n: int) -> None:
    conn.execute("INSERT OR REPLACE INTO g_state VALUES (?, ?, ?)", (g, canon, n))


def _grow_group(
    index: DedupIndex,
    g: int,
    folder: OutputFolder,
    report: DedupReport,
    put: Callable[[str, str, str, tuple[bytes, bytes | bytearray] | None, str], None],
    put_tail: Callable[[str, str, str, bytes | bytearray], None],
) -> bool:
    """Write a group that only gained the documents added by this step, all sorting after
    its old members, and whose canonical document stays (a re-run adding dumps), reading
    its new members and canonical only, never the old members: they already hold
    ``duplicate_of`` the canonical. Returns False, having written nothing, for any other
    group (:func:`_write_group` writes it).

    What the group was is in ``g_state`` (its canonical and member count when last
    written); a group that lost, merged or re-linked members since is in ``m_slow``.
    """
    conn = index.conn
    state = conn.execute(
        "SELECT s.canon, s.n FROM g_state s WHERE s.grp = ?"
        " AND NOT EXISTS (SELECT 1 FROM m_slow WHERE grp = ?)",
        (g, g),
    ).fetchone()
    if state is None or state[1] < 2:
        return False  # new, alone before (no seen_in to grow), or changed: written whole
    canon_id, n = state
    canon = conn.execute(
        "SELECT d.path, d.file, d.written, d.tid, t.grp FROM docs d JOIN texts t ON t.tid = d.tid"
        " WHERE d.id = ? AND NOT EXISTS (SELECT 1 FROM m_added a WHERE a.id = d.id)",
        (canon_id,),
    ).fetchone()
    if canon is None or canon[4] != g or not canon[2]:
        return False
    canon_path, canon_file, written, canon_tid, _ = canon
    best = conn.execute(
        "SELECT d.id FROM docs d WHERE d.id IN (SELECT id FROM m_addg WHERE grp = ? UNION ALL"
        f" SELECT ?) {_CANONICAL_ORDER} LIMIT 1",
        (g, canon_id),
    ).fetchone()
    if best is None or best[0] != canon_id:
        return False  # a new canonical: every member's duplicate_of changes
    if conn.execute(
        "SELECT 1 FROM copies WHERE id IN (SELECT id FROM m_addg WHERE grp = ?) LIMIT 1", (g,)
    ).fetchone():
        return False
    rows = conn.execute(
        f"SELECT {_SIGHTING}, d.file FROM m_addg m JOIN docs d ON d.id = m.id"
        " WHERE m.grp = ? ORDER BY m.path, m.idx",
        (g,),
    ).fetchall()
    grown = _SeenIn(b",\n")
    old_text: dict[int, bool] = {}  # text id -> whether a member indexed before has it
    labels = {"exact": 0, "near": 0}
    for key, path, idx, outlet, ptext, pub, tid, _ in rows:
        if tid not in old_text:
            old_text[tid] = (
                conn.execute(
                    "SELECT 1 FROM docs d WHERE d.tid = ?"
                    " AND NOT EXISTS (SELECT 1 FROM m_added a WHERE a.id = d.id) LIMIT 1",
                    (tid,),
                ).fetchone()
                is not None
            )
        labels["exact" if old_text[tid] else "near"] += 1
        old_text[tid] = True  # (a later member with this text is exact)
        match = "exact" if tid == canon_tid else "near"
        grown.add(Sighting(key, path, idx, outlet, ptext, pub, match).to_json())
    try:
        data = folder.read_file(canon_file)
    except OSError:
        return False
    grew = _grown_seen_in(data, written, n, grown)
    if grew is None:
        return False
    report.groups += 1
    report.exact += labels["exact"]
    report.near += labels["near"]
    dup_tail = b',\n  "duplicate_of": ' + orjson.dumps(canon_id) + _LONE_TAIL
    for key, path, *_, file in rows:
        put_tail(key, path, file, dup_tail)
    put(canon_id, canon_path, canon_file, (data, grew[0]), grew[1])
    _set_state(conn, g, canon_id, n + len(rows))
    return True


def _by_place(conn: sqlite3.Connection, select: str, g: int, where: str = "") -> Iterator[Any]:
    """Rows of ``select`` (its 2nd and 3rd columns ``d.path, d.idx``) over group ``g``'s
    members that ``where`` keeps, in (path, index) order, :data:`_PAGE` at a time: SQLite
    keeps a page in its sorter, not the whole group (the largest group of a 100k run is
    45,000 members), and no query is open while the caller writes."""
    after: tuple[str, int] = ("", -1)
    while True:
        rows = conn.execute(
            f"{select} {_GROUP}{where} AND (d.path, d.idx) > (?, ?) ORDER BY d.path, d.idx LIMIT ?",
            (g, *after, _PAGE),
        ).fetchall()
        yield from rows
        if len(rows) < _PAGE:
            return
        after = (rows[-1][1], rows[-1][2])


def _has_copies(conn: sqlite3.Connection, g: int) -> bool:
    """Whether a member of group ``g`` is in byte-identical copies of its dump."""
    q = "SELECT 1 FROM copies c JOIN docs d ON d.id = c.id JOIN texts t ON t.tid = d.tid"
    return conn.execute(q + " WHERE t.grp = ? LIMIT 1", (g,)).fetchone() is not None


def _withhold(
    folder: OutputFolder, view: ManifestView, path: str, file: str, report: DedupReport
) -> None:
    name = Path(file).name
    (folder.root / file).unlink(missing_ok=True)
    withheld = view.withheld(path)
    if name not in withheld:
        view.set_withheld(path, sorted([*withheld, name]))
    report.withheld += 1


def _mark_stale(view: ManifestView, rel: str) -> None:
    view.edit(rel, status=STALE, key=None, reason="documents_missing")
    view.set_status(rel, STALE)
