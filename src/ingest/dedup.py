"""Duplicate stories across dumps: exact and near duplicates, one canonical document per story.

Aggregators repeat themselves: the same outlet story appears under many pages as a related
article, scrapers fetch a page twice, and a story comes back with a typo fixed, a teaser left
inside it or its body cut short. This module finds those duplicates among every document
written to an output folder and links them:

- **exact duplicates** have the same normalised text (:func:`normalise_words`);
- **near duplicates** are found with MinHash over word shingles and LSH (``datasketch``) for
  candidates, then accepted when the estimated Jaccard similarity of the shingle sets reaches
  ``DedupSettings.jaccard``, or when the shorter text's shingles are (by estimate) almost all
  contained in the longer one's (``DedupSettings.containment``: a truncated body);
- a **group** is a connected set of such pairs; its **canonical** document is the most
  complete version (:func:`canonical_order`). Every other member gets ``duplicate_of`` (the
  canonical document's id); the canonical one gets ``seen_in``: every place the story was
  seen, sorted by dump path and index.

The pure part works on :class:`DocRecord` values and signature arrays; :class:`DedupIndex`
keeps them, with the matched pairs, under ``<out>/.ingest/dedup/`` so a later run adds only
the documents it wrote and never rescans history; :func:`deduplicate` is the step a run (or
the Prefect flow) calls at its end, holding the output folder's lock. See docs/dedup.md.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import unicodedata
import zlib
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field, fields
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:
    from datasketch import MinHashLSH

from ingest.document import Sighting, doc_id, dumps_json
from ingest.store import STATE_DIR, document_dir, write_atomic
from ingest.store.manifest import DUPLICATE_DUMP

Signature = npt.NDArray[np.uint32]
Match = Literal["exact", "near"]

DEDUP_DIR = "dedup"
INDEX_FILE = "index.json"
SIGNATURES_FILE = "signatures.npy"
INDEX_VERSION = 1


@dataclass(frozen=True)
class DedupSettings:
    """How duplicates are found. Defaults chosen by measurement (docs/dedup.md).

    ``shingle_words``: words per shingle. ``num_perm``: MinHash permutations (signature
    length). ``lsh_threshold``: the Jaccard similarity LSH bands are tuned for (candidates
    only; set below ``jaccard`` so truncated copies, whose Jaccard is about the fraction
    kept, are still proposed). ``jaccard``: estimated Jaccard at or above which a candidate
    is a near duplicate. ``containment``: share of the shorter text's shingles found in the
    longer one at or above which a candidate is a near duplicate, when the shorter one is
    ``truncated`` (cut short: it does not end a sentence) and has at least ``min_shingles``.
    """

    shingle_words: int = 5
    num_perm: int = 128
    lsh_threshold: float = 0.3
    jaccard: float = 0.45
    containment: float = 0.85
    min_shingles: int = 40
    seed: int = 1

    @property
    def fingerprint(self) -> str:
        """Changes whenever a setting does: an index built with other settings is rebuilt."""
        blob = json.dumps(asdict(self), sort_keys=True).encode()
        return hashlib.sha256(blob).hexdigest()[:16]


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

    @classmethod
    def from_json(cls, d: Mapping[str, Any]) -> DocRecord:
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in d.items() if k in names})


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


def shingles(words: Sequence[str], k: int) -> set[bytes]:
    """Distinct runs of ``k`` consecutive words (the whole text when it is shorter).

    >>> sorted(shingles("a b c a b".split(), 2))
    [b'a b', b'b c', b'c a']
    """
    if len(words) <= k:
        return {" ".join(words).encode("utf-8")} if words else set()
    return {" ".join(words[i : i + k]).encode("utf-8") for i in range(len(words) - k + 1)}


def _crc32(data: bytes) -> int:
    # Fast, deterministic, 32-bit; datasketch mixes it (MurmurHash3 finaliser) before permuting.
    return zlib.crc32(data)


@cache
def _permutations(num_perm: int, seed: int) -> Any:
    from datasketch import MinHash  # datasketch pulls in scipy: ~97 MB, loaded only for dedup

    return MinHash(num_perm=num_perm, seed=seed).permutations


def signature(items: Iterable[bytes], settings: DedupSettings = DEFAULT_SETTINGS) -> Signature:
    """The MinHash signature (``num_perm`` uint32 values) of a set of shingles."""
    from datasketch import MinHash

    mh = MinHash(
        num_perm=settings.num_perm,
        seed=settings.seed,
        hashfunc=_crc32,
        permutations=_permutations(settings.num_perm, settings.seed),
        scheme="affine32",
    )
    mh.update_batch(items)
    values: Signature = np.asarray(mh.hashvalues, dtype=np.uint32)
    return values


def fingerprint_text(
    text: str, settings: DedupSettings = DEFAULT_SETTINGS
) -> tuple[str, int, Signature]:
    """A text's exact-duplicate key, its number of shingles and its MinHash signature."""
    words = normalise_words(text)
    sh = shingles(words, settings.shingle_words)
    return text_key(words), len(sh), signature(sh, settings)


def record_from_document(
    doc: Mapping[str, Any], file: str, settings: DedupSettings = DEFAULT_SETTINGS
) -> tuple[DocRecord, Signature]:
    """A document's JSON object (as written) → its record and signature."""
    key, n, sig = fingerprint_text(str(doc["text"]), settings)
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
        words=int(doc.get("word_count", len(str(doc["text"]).split()))),
        removed=len(doc.get("removed", ())),
        text_key=key,
        shingles=n,
        truncated=bool(doc.get("truncated", False)),
    )
    return record, sig


def estimate_jaccard(a: Signature, b: Signature) -> float:
    """Share of equal MinHash values: an unbiased estimate of the sets' Jaccard similarity."""
    return float(np.count_nonzero(a == b)) / len(a)


def match(
    a: DocRecord, b: DocRecord, sa: Signature, sb: Signature, settings: DedupSettings
) -> Match | None:
    """Whether two documents are the same story: ``exact``, ``near``, or None.

    Near: estimated Jaccard ≥ ``settings.jaccard``, or, when the shorter text is truncated
    and has at least ``min_shingles`` shingles, the estimated share of its shingles present
    in the longer one ≥ ``settings.containment``. The intersection is estimated from the Jaccard
    estimate J and the exact set sizes: |A∩B| = J / (1 + J) · (|A| + |B|).
    """
    return classify(a, b, estimate_jaccard(sa, sb), settings)


def classify(a: DocRecord, b: DocRecord, j: float, settings: DedupSettings) -> Match | None:
    """:func:`match`, given the estimated Jaccard similarity ``j`` of their signatures."""
    if a.text_key == b.text_key:
        return "exact"
    if j >= settings.jaccard:
        return "near"
    short = min(a, b, key=lambda r: (r.shingles, r.id))
    if short.truncated and short.shingles >= settings.min_shingles and j > 0:
        inter = j / (1 + j) * (a.shingles + b.shingles)
        if inter / short.shingles >= settings.containment:
            return "near"
    return None


def canonical_order(r: DocRecord) -> tuple[Any, ...]:
    """Sort key whose first item is the canonical document of a group.

    The most complete version: the longest body (words after cleaning), then the fewest
    removed spans, then the earliest seen (scrape time, then published time; unknown times
    last), then the dump path and index, so the choice never depends on arrival order.
    """
    return (-r.words, r.removed, r.scraped_at or "~", r.published or "~", r.path, r.index)


def components(nodes: Iterable[str], edges: Mapping[str, Collection[str]]) -> list[list[str]]:
    """Connected groups of ``nodes`` under ``edges`` (sorted members; sorted groups).

    >>> components(["a", "b", "c", "d"], {"a": ["b"], "b": ["a", "c"], "c": ["b"]})
    [['a', 'b', 'c'], ['d']]
    """
    seen: set[str] = set()
    groups = []
    for start in sorted(nodes):
        if start in seen:
            continue
        seen.add(start)
        stack, group = [start], []
        while stack:
            node = stack.pop()
            group.append(node)
            for nxt in edges.get(node, ()):
                if nxt not in seen:
                    seen.add(nxt)
                    stack.append(nxt)
        groups.append(sorted(group))
    return sorted(groups)


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


def arrival_labels(
    group: Sequence[DocRecord], added: Collection[str]
) -> dict[str, Literal["new", "exact", "near"]]:
    """For each member of ``group`` in ``added``: ``new`` when no member came before it,
    ``exact`` when one with the same normalised text did, else ``near``.

    "Before" means already indexed by an earlier run, or earlier in this run's (path,
    index) order, so the counts do not depend on the order documents arrive in.
    """
    order = sorted(group, key=lambda r: (r.id in added, r.path, r.index))
    labels: dict[str, Literal["new", "exact", "near"]] = {}
    for i, r in enumerate(order):
        if r.id not in added:
            continue
        prior = order[:i]
        if not prior:
            labels[r.id] = "new"
        elif any(p.text_key == r.text_key for p in prior):
            labels[r.id] = "exact"
        else:
            labels[r.id] = "near"
    return labels


# --------------------------------------------------------------------------- the index


class _Sketch:
    """What MinHashLSH reads from a MinHash (values, scheme, length), without rebuilding one."""

    __slots__ = ("hashvalues",)
    scheme = "affine32"

    def __init__(self, values: Signature) -> None:
        self.hashvalues = values

    def __len__(self) -> int:
        return len(self.hashvalues)


@dataclass
class DedupIndex:
    """Every indexed document's record and signature, and the duplicate pairs found so far.

    Lives in ``<out>/.ingest/dedup/``: ``signatures.npy`` (one row per record) and
    ``index.json`` (settings fingerprint, records, pairs, copies, and the signature file's
    hash, so a half-written pair of files is detected and the index rebuilt). The LSH
    tables are rebuilt from the signatures at load (see docs/dedup.md for why and the cost).
    """

    settings: DedupSettings = DEFAULT_SETTINGS
    records: dict[str, DocRecord] = field(default_factory=dict)
    signatures: dict[str, Signature] = field(default_factory=dict)
    edges: dict[str, set[str]] = field(default_factory=dict)
    copies: dict[str, list[Sighting]] = field(default_factory=dict)
    canonical_only: bool = False
    _lsh: MinHashLSH | None = None

    # -- persistence

    @staticmethod
    def folder(out: Path) -> Path:
        return out / STATE_DIR / DEDUP_DIR

    @classmethod
    def load(cls, out: Path, settings: DedupSettings = DEFAULT_SETTINGS) -> DedupIndex | None:
        """The saved index, or None when there is none, it is damaged, or settings changed."""
        folder = cls.folder(out)
        try:
            meta = json.loads((folder / INDEX_FILE).read_text("utf-8"))
            raw = (folder / SIGNATURES_FILE).read_bytes()
            if (
                meta.get("version") != INDEX_VERSION
                or meta.get("settings") != settings.fingerprint
                or meta.get("signatures_sha256") != hashlib.sha256(raw).hexdigest()
            ):
                return None
            matrix = np.load(io.BytesIO(raw), allow_pickle=False)
            names = meta["record_fields"]
            records = [DocRecord(**dict(zip(names, row, strict=True))) for row in meta["records"]]
            if matrix.shape != (len(records), settings.num_perm):
                return None
        except (OSError, ValueError, KeyError, TypeError):
            return None
        index = cls(settings, canonical_only=bool(meta.get("canonical_only", False)))
        for i, rec in enumerate(records):
            index.records[rec.id] = rec
            index.signatures[rec.id] = matrix[i]
        for a, b in meta["pairs"]:
            index._link(a, b)
        index.copies = {k: [Sighting(**s) for s in v] for k, v in meta.get("copies", {}).items()}
        return index

    def save(self, out: Path) -> None:
        """Write the signatures, then the index that vouches for them (each atomically)."""
        folder = self.folder(out)
        ids = sorted(self.records)
        matrix = (
            np.stack([self.signatures[i] for i in ids])
            if ids
            else np.zeros((0, self.settings.num_perm), dtype=np.uint32)
        )
        buf = io.BytesIO()
        np.save(buf, matrix.astype(np.uint32), allow_pickle=False)
        raw = buf.getvalue()
        write_atomic(folder / SIGNATURES_FILE, raw)
        names = [f.name for f in fields(DocRecord)]
        meta = {
            "version": INDEX_VERSION,
            "settings": self.settings.fingerprint,
            "settings_values": asdict(self.settings),
            "canonical_only": self.canonical_only,
            "signatures_sha256": hashlib.sha256(raw).hexdigest(),
            "record_fields": names,
            "records": [[getattr(self.records[i], n) for n in names] for i in ids],
            "pairs": sorted((a, b) for a, nb in self.edges.items() for b in nb if a < b),
            "copies": {k: [s.to_json() for s in v] for k, v in sorted(self.copies.items()) if v},
        }
        text = json.dumps(meta, ensure_ascii=False, separators=(",", ":")) + "\n"
        write_atomic(folder / INDEX_FILE, text.encode("utf-8"))

    # -- changes

    def _link(self, a: str, b: str) -> None:
        self.edges.setdefault(a, set()).add(b)
        self.edges.setdefault(b, set()).add(a)

    def lsh(self) -> MinHashLSH:
        """The LSH tables over every indexed signature (built on first use)."""
        if self._lsh is None:
            s = self.settings
            from datasketch import MinHashLSH

            self._lsh = MinHashLSH(threshold=s.lsh_threshold, num_perm=s.num_perm)
            with self._lsh.insertion_session() as session:
                for key in sorted(self.records):
                    session.insert(key, _Sketch(self.signatures[key]), check_duplication=False)
        return self._lsh

    def remove(self, ids: Iterable[str]) -> set[str]:
        """Forget documents; return their former duplicates that remain (their groups change)."""
        gone = set(ids) & set(self.records)
        touched: set[str] = set()
        for key in gone:
            del self.records[key]
            del self.signatures[key]
            for other in self.edges.pop(key, set()):
                touched.add(other)
                self.edges.get(other, set()).discard(key)
        self._lsh = None  # rebuilt without them on next use
        return touched - gone

    def add(self, items: Iterable[tuple[DocRecord, Signature]]) -> list[str]:
        """Index documents in (path, index) order, linking each to the duplicates it has."""
        lsh = self.lsh()
        added = []
        for rec, sig in sorted(items, key=lambda t: (t[0].path, t[0].index, t[0].id)):
            if rec.id in self.records:
                continue
            sketch = _Sketch(sig)
            candidates = sorted(lsh.query(sketch))
            if candidates:  # verify them all in one array comparison
                others = np.stack([self.signatures[c] for c in candidates])
                shares = np.count_nonzero(others == sig, axis=1) / len(sig)
                for other, j in zip(candidates, shares.tolist(), strict=True):
                    if classify(rec, self.records[other], j, self.settings):
                        self._link(rec.id, other)
            lsh.insert(rec.id, sketch, check_duplication=False)
            self.records[rec.id] = rec
            self.signatures[rec.id] = sig
            added.append(rec.id)
        return added

    def groups_of(self, ids: Iterable[str]) -> list[list[DocRecord]]:
        """The whole groups (connected duplicates) that contain any of ``ids``."""
        present = [i for i in ids if i in self.records]
        return [[self.records[i] for i in g] for g in components(present, self.edges)]

    def all_groups(self) -> list[list[DocRecord]]:
        return self.groups_of(self.records)


def group_records(
    items: Sequence[tuple[DocRecord, Signature]], settings: DedupSettings = DEFAULT_SETTINGS
) -> list[list[DocRecord]]:
    """Pure entry point: the duplicate groups among ``items`` (singletons included)."""
    index = DedupIndex(settings)
    index.add(items)
    return index.all_groups()


def iter_pairs(groups: Iterable[Sequence[DocRecord]]) -> Iterator[tuple[str, str]]:
    """Every unordered pair of ids that share a group, as sorted tuples."""
    for g in groups:
        ids = sorted(r.id for r in g)
        for i, a in enumerate(ids):
            for b in ids[i + 1 :]:
                yield a, b


# --------------------------------------------------------------------------- the run step


@dataclass
class DedupReport:
    """What deduplication did at the end of a run (``line()`` for the CLI, ``to_json()``)."""

    documents: int = 0  # documents in the index after the run
    groups: int = 0  # groups of two or more, after the run (counted over affected groups)
    new: int = 0  # documents written this run that are the first of their story
    exact: int = 0  # ... exact duplicates of an earlier document (copies in same dumps too)
    near: int = 0  # ... near duplicates of an earlier document
    duplicate_dumps: int = 0  # dumps byte-identical to another one (not re-cleaned)
    files_updated: int = 0  # document files whose duplicate_of / seen_in changed
    withheld: int = 0  # non-canonical documents not kept (canonical_only)
    manifest_changed: bool = False  # the caller must save the manifest again

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


def resolve_duplicate_dumps(
    out: Path, entries: dict[str, dict[str, Any]], processed: Collection[str]
) -> tuple[int, bool]:
    """Turn every written dump whose bytes equal another's into a ``duplicate_dump`` entry.

    The kept dump is one that was not processed this run (it was there before), else the
    first by path. Documents of the duplicates are deleted (they would share ids with the
    kept dump's). A ``duplicate_dump`` whose original no longer holds the same bytes becomes
    ``stale``, so the next run cleans it. Returns (duplicate dumps, whether entries changed).
    """
    changed = False
    by_sha: dict[str, list[str]] = {}
    for rel, e in sorted(entries.items()):
        if e.get("status") == "written" and e.get("sha256"):
            by_sha.setdefault(e["sha256"], []).append(rel)
    for rels in by_sha.values():
        if len(rels) < 2:
            continue
        keep = min(rels, key=lambda r: (r in processed, r))
        for rel in rels:
            if rel != keep:
                _drop_documents(out, rel, entries[rel])
                entries[rel].update(status=DUPLICATE_DUMP, duplicate_of=keep, documents=[])
                changed = True
    count = 0
    for e in entries.values():
        if e.get("status") != DUPLICATE_DUMP:
            continue
        target = entries.get(e.get("duplicate_of") or "")
        if target and target.get("status") == "written" and target.get("sha256") == e["sha256"]:
            count += 1
        else:
            e.update(status=STALE, key=None, reason="duplicate_of_changed")
            changed = True
    return count, changed


def _drop_documents(out: Path, rel: str, entry: Mapping[str, Any]) -> None:
    folder = document_dir(out, rel)
    for d in entry.get("documents", []):
        (folder / Path(d["file"]).name).unlink(missing_ok=True)


def live_documents(entries: Mapping[str, Mapping[str, Any]]) -> dict[str, tuple[str, int, str]]:
    """Every document the manifest vouches for: id → (dump path, index, file)."""
    live: dict[str, tuple[str, int, str]] = {}
    for rel, e in sorted(entries.items()):
        if e.get("status") != "written" or not e.get("sha256"):
            continue
        for d in e.get("documents", []):
            live.setdefault(doc_id(e["sha256"], int(d["index"])), (rel, int(d["index"]), d["file"]))
    return live


def copy_sightings(
    entries: Mapping[str, Mapping[str, Any]], records: Mapping[str, DocRecord]
) -> dict[str, list[Sighting]]:
    """Document id → the places its story also appears through byte-identical dumps."""
    out: dict[str, list[Sighting]] = {}
    for rel, e in sorted(entries.items()):
        if e.get("status") != DUPLICATE_DUMP:
            continue
        target = entries[e["duplicate_of"]]
        for d in target.get("documents", []):
            key = doc_id(target["sha256"], int(d["index"]))
            r = records.get(key)
            if r is not None:
                sighting = Sighting(
                    key, rel, r.index, r.outlet, r.published_text, r.published, "copy"
                )
                out.setdefault(key, []).append(sighting)
    return out


def _read_json(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def annotate(body: dict[str, Any], fields_: Mapping[str, Any]) -> dict[str, Any]:
    """A document's JSON with its dedup fields replaced by ``fields_`` (placed last)."""
    out = {k: v for k, v in body.items() if k not in DEDUP_FIELDS}
    out.update((k, fields_[k]) for k in DEDUP_FIELDS if k in fields_)
    return out


def deduplicate(
    out: Path,
    entries: dict[str, dict[str, Any]],
    processed: Collection[str],
    *,
    settings: DedupSettings = DEFAULT_SETTINGS,
    canonical_only: bool = False,
    full: bool = False,
) -> DedupReport:
    """Deduplicate the output folder after a run; call it holding the folder's lock.

    ``entries`` is the manifest's file table after the run (it may be changed in place:
    byte-identical dumps, withheld documents; then ``report.manifest_changed`` is set and the
    caller saves the manifest). ``processed`` names the dumps cleaned since the index was
    last saved (this run, and runs without dedup or interrupted ones before it): their
    documents are (re)indexed; documents of unchanged dumps are taken from the saved index,
    never re-read. ``full`` rebuilds the index from every document.

    The saved index is reconciled with the manifest first, whatever earlier runs did
    (:func:`reconcile`), so the documents end as a fresh ``full`` run would write them.
    """
    report = DedupReport()
    report.duplicate_dumps, report.manifest_changed = resolve_duplicate_dumps(
        out, entries, processed
    )
    live = live_documents(entries)
    index = None if full else DedupIndex.load(out, settings)
    if index is None:
        index = DedupIndex(settings, canonical_only=canonical_only)
    mode_changed = index.canonical_only != canonical_only
    index.canonical_only = canonical_only
    touched = index.remove(reconcile(index, live, processed))
    bodies: dict[str, dict[str, Any]] = {}
    items = []
    for key, (rel, _, file) in sorted(live.items()):
        if key in index.records:
            continue
        body = _read_json(out / file)
        if body is None or body.get("id") != key:
            _mark_stale(entries[rel], report)  # a withheld or damaged file: clean it again
            continue
        bodies[key] = body
        items.append(record_from_document(body, file, settings))
    added = set(index.add(items))
    copies = copy_sightings(entries, index.records)
    changed_copies = {
        k for k in set(copies) | set(index.copies) if copies.get(k) != index.copies.get(k)
    }
    index.copies = copies
    seeds = added | touched | changed_copies
    groups = index.all_groups() if mode_changed else index.groups_of(seeds)
    for group in groups:
        labels = arrival_labels(group, added)
        for label in labels.values():
            setattr(report, label, getattr(report, label) + 1)
        _write_group(
            out, entries, group, group_fields(group, copies), bodies, canonical_only, report
        )
    report.exact += sum(len(v) for k, v in copies.items() if k in added or k in changed_copies)
    report.documents = len(index.records)
    report.groups = sum(1 for g in groups if len(g) > 1)
    index.save(out)
    return report


def reconcile(
    index: DedupIndex, live: Mapping[str, tuple[str, int, str]], processed: Collection[str]
) -> list[str]:
    """The indexed documents whose records no longer stand for what the output folder holds.

    A record stands while the manifest lists its id under the same dump, index and file
    (``live``) and that dump was not cleaned since. Document ids come from a dump's bytes,
    so a dump gone while its byte-identical copy was cleaned in its place (by a run
    without dedup) brings back the same ids under another dump: re-read, not trusted.
    """
    return [
        key
        for key, r in index.records.items()
        if live.get(key) != (r.path, r.index, r.file) or r.path in processed
    ]


def _mark_stale(entry: dict[str, Any], report: DedupReport) -> None:
    entry.update(status=STALE, key=None, reason="documents_missing")
    report.manifest_changed = True


def _write_group(
    out: Path,
    entries: dict[str, dict[str, Any]],
    group: Sequence[DocRecord],
    fields_by_id: Mapping[str, Mapping[str, Any]],
    bodies: dict[str, dict[str, Any]],
    canonical_only: bool,
    report: DedupReport,
) -> None:
    """Give each member of a group its dedup fields (or, canonical-only, drop duplicates)."""
    for r in group:
        path = out / r.file
        want = fields_by_id[r.id]
        entry = entries[r.path]
        name = Path(r.file).name
        withheld = entry.get("withheld", [])
        if canonical_only and "duplicate_of" in want:
            if path.exists():
                path.unlink()
            if name not in withheld:
                entry["withheld"] = sorted([*withheld, name])
                report.manifest_changed = True
            report.withheld += 1
            continue
        body = bodies.get(r.id) or _read_json(path)
        if body is None:
            _mark_stale(entry, report)
            continue
        if write_atomic(path, dumps_json(annotate(body, want)).encode("utf-8")):
            report.files_updated += 1
