"""Duplicates across dumps: a generated corpus with known duplicate pairs and hard negatives.

The corpus (:func:`story_copies`, :func:`compose_dumps`) places synthetic stories from
``tests.support.synth`` in several dumps, as exact copies or edited (a typo, a teaser headline left
inside, a truncated body), next to hard negatives: different stories from the same outlet
on the same topic, sharing the outlet's boilerplate footer and a sentence. bench/dedup_bench.py
uses the same corpus for its sweep and timings.
"""

from __future__ import annotations

import json
import random
import shutil
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import combinations
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import ingest.dedup as dedup_mod
import ingest.engine.process as run_mod
from ingest.dedup import (
    DEFAULT_SETTINGS,
    DedupIndex,
    DedupSettings,
    DocRecord,
    Signature,
    fingerprint_text,
    group_fields,
    group_records,
    iter_pairs,
    without_seen_in,
)
from ingest.document import Sighting, encode_json
from ingest.engine import run_folder
from ingest.rules import Rules
from ingest.store.manifest import read_entries
from tests.support.synth import CHROME_HEAD, CHROME_TAIL, HEADLINES, TIMES, TOPICS, generate_corpus

FOOTERS = {
    "Sky News": "Sky News is on WhatsApp: follow our channel for the latest breaking news "
    "and analysis. Download the Sky News app for free to stay up to date.",
    "BBC News": "Follow BBC News on social media for the latest updates. Get in touch if you "
    "have been affected by any of the issues raised in this story.",
    "Reuters": "Reporting by our correspondents; editing by the desk. Our standards: the "
    "Thomson Reuters Trust Principles.",
}


@dataclass(frozen=True)
class Copy:
    """One appearance of a story: its ground-truth story id, text as the page gives it."""

    story: int
    outlet: str
    time: str
    headline: str
    text: str
    edit: str  # same, typo, teaser, truncated, typo+truncated, negative


def _typo(words: list[str], rng: random.Random, n: int) -> list[str]:
    out = list(words)
    long_words = [i for i, w in enumerate(out) if len(w) > 4 and w.isalpha()]
    for i in rng.sample(long_words, min(n, len(long_words))):
        w = out[i]
        j = rng.randrange(1, len(w) - 2)
        out[i] = w[:j] + w[j + 1] + w[j] + w[j + 2 :]  # swap two letters
    return out


def _teaser(sentences: list[str], rng: random.Random) -> list[str]:
    out = list(sentences)
    head = rng.choice(HEADLINES).format(
        Sur="Nowak", sur2="Okafor", org="Nato", topic="the budget", place="Leeds",
        Name="Kate Forbes", nouns="pubs", quote="Nobody wins a trade war", pct="12",
    )  # fmt: skip
    out.insert(rng.randint(1, len(out)), head + ".")
    return out


def _truncate(words: list[str], rng: random.Random) -> list[str]:
    keep = max(8, int(len(words) * rng.uniform(0.4, 0.95)))
    return [*words[: keep - 1], words[keep - 1].rstrip('.?!”"')]


def _sentences(paragraphs: Sequence[str]) -> list[str]:
    text = " ".join(paragraphs)
    out, start = [], 0
    for i, ch in enumerate(text):
        if ch in ".?!" and (i + 1 == len(text) or text[i + 1] == " "):
            out.append(text[start : i + 1].strip())
            start = i + 1
    if text[start:].strip():
        out.append(text[start:].strip())
    return out


def story_copies(n_stories: int, seed: int = 0) -> list[Copy]:
    """Stories from ``tests.support.synth``, each placed 1 to 5 times, some edited, with hard negatives.

    About a third of stories appear more than once. Each further copy is the same text (35%),
    has one to three typos (20%), a headline left inside as a sentence (20%), a body cut to
    40-95% of its words (20%), or a typo and a cut (5%). One story in six gets a hard
    negative: another story from the same outlet, its topics rewritten to this story's
    topic, sharing its second sentence and the outlet's boilerplate footer.
    """
    rng = random.Random(seed)
    stories = [
        (s.headline or "Untitled", list(s.paragraphs))
        for dump in generate_corpus((n_stories * 7 // 6 + 1) // 2 + 1, seed=seed, n_related=1)
        for s in dump.stories
    ]
    pool, spare = stories[:n_stories], iter(stories[n_stories:])  # spare: negatives' stories
    copies: list[Copy] = []
    story_id = 0
    for headline, paragraphs in pool:
        outlet = (
            rng.choice(sorted(FOOTERS))
            if rng.random() < 0.5
            else rng.choice(("The Guardian", "Euronews", "The Scotsman", "Le Monde"))
        )
        sentences = _sentences(paragraphs)
        if outlet in FOOTERS:
            sentences.append(FOOTERS[outlet])
        base = " ".join(sentences)
        n = rng.choice((1, 1, 1, 1, 1, 1, 2, 2, 3, 5))
        copies.append(Copy(story_id, outlet, rng.choice(TIMES), headline, base, "same"))
        for _ in range(n - 1):
            r = rng.random()
            words = base.split(" ")
            if r < 0.35:
                text, edit = base, "same"
            elif r < 0.55:
                text, edit = " ".join(_typo(words, rng, rng.randint(1, 3))), "typo"
            elif r < 0.75:
                text, edit = " ".join(_teaser(sentences, rng)), "teaser"
            elif r < 0.95:
                text, edit = " ".join(_truncate(words, rng)), "truncated"
            else:
                text = " ".join(_truncate(_typo(words, rng, 1), rng))
                edit = "typo+truncated"
            copies.append(Copy(story_id, outlet, rng.choice(TIMES), headline, text, edit))
        story_id += 1
        other = next(spare, None) if rng.random() < 1 / 6 and len(sentences) > 2 else None
        if other:  # a hard negative: a different story, same outlet, topic and footer
            topic = next((t for t in TOPICS if t in base), TOPICS[0])
            twin = _sentences(other[1])
            for t in TOPICS:
                twin = [s.replace(t, topic) for s in twin]
            twin.insert(1, sentences[1])
            if outlet in FOOTERS:
                twin.append(FOOTERS[outlet])
            text = " ".join(twin)
            copies.append(Copy(story_id, outlet, rng.choice(TIMES), other[0], text, "negative"))
            story_id += 1
    return copies


def true_pairs(keys: Sequence[str], stories: Sequence[int]) -> set[tuple[str, str]]:
    """Every unordered pair of keys whose documents tell the same story."""
    by_story: dict[int, list[str]] = {}
    for key, story in zip(keys, stories, strict=True):
        by_story.setdefault(story, []).append(key)
    return {tuple(sorted(p)) for ks in by_story.values() for p in combinations(ks, 2)}  # type: ignore[misc]


def precision_recall(
    found: set[tuple[str, str]], truth: set[tuple[str, str]]
) -> tuple[float, float]:
    hit = len(found & truth)
    return (hit / len(found) if found else 1.0), (hit / len(truth) if truth else 1.0)


def records_for(
    copies: Sequence[Copy], settings: DedupSettings = DEFAULT_SETTINGS
) -> list[tuple[DocRecord, Signature]]:
    """Copies as dedup records directly (no dump, no cleaning): for sweeps and benchmarks."""
    out = []
    for i, c in enumerate(copies):
        key, n, sig = fingerprint_text(c.text, settings)
        rec = DocRecord(
            id=f"{i:032x}", path=f"d{i // 4:05d}.txt", index=i % 4, file="", outlet=c.outlet,
            published_text=c.time, published=None, scraped_at=None, words=len(c.text.split()),
            removed=0, text_key=key, shingles=n, truncated=not c.text.endswith((".", "?", "!", "”")),
        )  # fmt: skip
        out.append((rec, sig))
    return out


def evaluate(
    copies: Sequence[Copy], settings: DedupSettings = DEFAULT_SETTINGS
) -> tuple[float, float]:
    """Pairwise precision and recall of the groups found among ``copies``."""
    items = records_for(copies, settings)
    groups = group_records(items, settings)
    truth = true_pairs([r.id for r, _ in items], [c.story for c in copies])
    return precision_recall(set(iter_pairs(groups)), truth)


def compose_dumps(copies: Sequence[Copy], seed: int = 0) -> list[tuple[str, bytes, list[int]]]:
    """Pack copies into Daily8-style dumps (a main story, then 1 to 5 related ones).

    Returns (file name, bytes, story id per document index). Copies are shuffled first,
    so one story's copies land in different dumps; one dump in five takes a copy as its
    main story (paragraphs on their own lines), the rest as related stories (one line).
    """
    rng = random.Random(seed)
    order = list(copies)
    rng.shuffle(order)
    dumps = []
    i = 0
    while i < len(order):
        take = order[i : i + rng.randint(2, 6)]
        i += len(take)
        main, related = take[0], take[1:]
        lines = [main.headline, *_paragraph_lines(main.text)]
        lines += [CHROME_HEAD, "", *CHROME_TAIL, ""]
        for j, c in enumerate(related):
            lines += [c.outlet, c.time, f"- {c.outlet}", c.headline, c.text]
            lines += [""] if j < len(related) - 1 else []
        name = f"dump_{len(dumps):04d}.txt"
        dumps.append((name, ("\n".join(lines) + "\n").encode(), [c.story for c in take]))
    return dumps


def _paragraph_lines(text: str) -> list[str]:
    words = text.split(" ")
    return [" ".join(words[k : k + 60]) for k in range(0, len(words), 60)]


def write_dumps(folder: Path, dumps: Iterable[tuple[str, bytes, list[int]]]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, data, _ in dumps:
        (folder / name).write_bytes(data)


# ------------------------------------------------------------------------------------ tests

SEED_004 = "004_5cc9e0325e006e26.txt"


def documents(out: Path) -> dict[tuple[str, int], dict[str, object]]:
    """Every document JSON in ``out`` by (dump path, index)."""
    docs = {}
    for p in sorted(out.rglob("*.json")):
        if ".ingest" in p.parts:
            continue
        d = json.loads(p.read_text("utf-8"))
        docs[(d["source"]["path"], d["source"]["index"])] = d
    return docs


def found_pairs(docs: dict[tuple[str, int], dict[str, object]]) -> set[tuple[str, str]]:
    """Pairs of documents the output links, as "path#index" keys, from duplicate_of."""
    key = {d["id"]: f"{p}#{i}" for (p, i), d in docs.items()}
    groups: dict[str, list[str]] = {}
    for (p, i), d in docs.items():
        canon = d.get("duplicate_of", d["id"])
        groups.setdefault(str(canon), []).append(f"{p}#{i}")
    assert all(c in key for c in groups), "duplicate_of names a document that is not there"
    return {tuple(sorted(pr)) for g in groups.values() for pr in combinations(g, 2)}  # type: ignore[misc]


def check_links(docs: dict[tuple[str, int], dict[str, object]]) -> None:
    """Each group has one canonical document whose seen_in lists every member, sorted."""
    by_id = {d["id"]: d for d in docs.values()}
    members: dict[str, list[tuple[str, int]]] = {}
    for (p, i), d in docs.items():
        if "duplicate_of" in d:
            assert "seen_in" not in d
            members.setdefault(str(d["duplicate_of"]), []).append((p, i))
    for canon_id, dups in members.items():
        canon = by_id[canon_id]
        seen = canon["seen_in"]
        assert isinstance(seen, list)
        where = [(s["path"], s["index"]) for s in seen]
        assert where == sorted(where)
        src = canon["source"]
        assert isinstance(src, dict)
        assert sorted([*dups, (src["path"], src["index"])]) == sorted(
            w for w, s in zip(where, seen, strict=True) if s["match"] != "copy"
        )
        # the canonical document is the most complete: no member has more words
        assert all(canon["word_count"] >= docs[m]["word_count"] for m in dups)  # type: ignore[operator]


@pytest.fixture(scope="module")
def corpus() -> list[Copy]:
    return story_copies(160, seed=7)


def test_generated_pairs_precision_and_recall(corpus: list[Copy]) -> None:
    kinds = {c.edit for c in corpus}
    assert {"same", "typo", "teaser", "truncated", "negative"} <= kinds
    precision, recall = evaluate(corpus)
    assert precision >= 0.99 and recall >= 0.95, (precision, recall)


def test_groups_do_not_depend_on_order(corpus: list[Copy]) -> None:
    items = records_for(corpus)
    shuffled = list(items)
    random.Random(3).shuffle(shuffled)
    assert group_records(items) == group_records(shuffled)


def test_linking_a_bucket_at_a_time_finds_the_same_groups(
    corpus: list[Copy], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Candidate pairs are linked one bucket of new texts at a time (each bucket merged into
    the stored groups before the next is read) and verified a few pairs at a time: the
    groups must not depend on how the pairs were cut, and no bucket or check may hold
    more than its share (here 7 new texts a bucket, 5 pairs a check)."""
    items = records_for(corpus)
    want = group_records(items)
    buckets: list[set[int]] = []
    checked: list[int] = []
    verify, signatures = DedupIndex._verify, DedupIndex._signatures

    def spy_verify(self: DedupIndex, pairs: np.ndarray) -> np.ndarray:
        buckets.append(set((pairs[:, 0] // 7).tolist()))
        return verify(self, pairs)

    def spy_signatures(self: DedupIndex, tids: np.ndarray) -> Any:
        checked.append(len(tids))
        return signatures(self, tids)

    monkeypatch.setattr(dedup_mod, "_BUCKET_TEXTS", 7)
    monkeypatch.setattr(dedup_mod, "_VERIFY_PAIRS", 5)
    monkeypatch.setattr(DedupIndex, "_verify", spy_verify)
    monkeypatch.setattr(DedupIndex, "_signatures", spy_signatures)
    assert group_records(items) == want
    assert len(buckets) > 10 and all(len(b) == 1 for b in buckets)
    assert len(checked) > len(buckets) and max(checked) <= 2 * 5
    assert sum(len(g) > 1 for g in want) > 10  # the corpus has groups to find


def test_canonical_is_longest_then_fewest_removals_then_earliest() -> None:
    def rec(i: int, words: int, removed: int, when: str) -> DocRecord:
        return DocRecord(f"{i:032x}", f"d{i}.txt", 0, "", None, None, None, when, words, removed, "k", 50)  # fmt: skip

    group = [rec(1, 90, 0, "2025-01-02"), rec(2, 100, 3, "2025-01-03"), rec(3, 100, 1, "2025-01-04"),
             rec(4, 100, 1, "2025-01-01")]  # fmt: skip
    fields_ = group_fields(group)
    canon = f"{4:032x}"
    assert fields_[canon]["seen_in"][0]["path"] == "d1.txt"
    assert all(fields_[r.id] == {"duplicate_of": canon} for r in group if r.id != canon)
    assert group_fields(list(reversed(group))) == fields_


def test_run_links_duplicates_across_dumps(
    corpus: list[Copy], tmp_path: Path, rules: Rules, scraped_at: datetime
) -> None:
    dumps = compose_dumps(corpus, seed=7)
    write_dumps(tmp_path / "src", dumps)
    out = tmp_path / "out"
    summary = run_folder(tmp_path / "src", out, rules, scraped_at=scraped_at, dedup=True)
    assert summary.ok and summary.dedup is not None
    docs = documents(out)
    truth_keys, truth_stories = [], []
    for name, _, stories in dumps:
        assert [i for p, i in docs if p == name] == list(range(len(stories))), name
        truth_keys += [f"{name}#{i}" for i in range(len(stories))]
        truth_stories += stories
    precision, recall = precision_recall(found_pairs(docs), true_pairs(truth_keys, truth_stories))
    assert precision >= 0.99 and recall >= 0.95, (precision, recall)
    check_links(docs)
    d = summary.dedup
    assert d["new"] + d["exact_duplicates"] + d["near_duplicates"] == len(docs)
    assert d["new"] == len({s for s in truth_stories})


def test_written_fields_are_group_fields_encoded_as_every_document(
    corpus: list[Copy],
    tmp_path: Path,
    rules: Rules,
    scraped_at: datetime,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The step writes dedup fields from index rows, splicing them after each file's own
    bytes, reading a group's members a page at a time (here 2, so groups span pages): every
    file must be what group_fields (the reference) gives its group, encoded as every
    document is, including seen_in's byte-identical copies."""
    monkeypatch.setattr(dedup_mod, "_PAGE", 2)
    dumps = compose_dumps(corpus, seed=7)[:40]
    src, out = tmp_path / "src", tmp_path / "out"
    write_dumps(src, dumps)
    for name, data, _ in dumps[:3]:  # copies sort before and after their originals
        (src / f"0{name}").write_bytes(data)
        (src / f"z{name}").write_bytes(data)
    assert run_folder(src, out, rules, scraped_at=scraped_at, dedup=True).ok
    files = {p: p.read_bytes() for p in sorted(out.rglob("*.json")) if ".ingest" not in p.parts}
    bodies = {p: json.loads(b) for p, b in files.items()}
    assert all(encode_json(bodies[p]) == b for p, b in files.items())
    # what readers that do not show seen_in parse (the inspect report): all the rest
    for p, b in files.items():
        rest = {k: v for k, v in bodies[p].items() if k != "seen_in"}
        assert json.loads(without_seen_in(b)) == rest, p
    assert any("seen_in" in body for body in bodies.values())
    by_id = {d["id"]: d for d in bodies.values()}
    index = DedupIndex.open(dedup_mod.index_path(out))
    try:
        copies = index.copies()
        linked = 0
        for g in index.all_groups():
            group = [m.record for m in index.members(g)]
            copy_map = {
                r.id: [
                    Sighting(r.id, p, r.index, r.outlet, r.published_text, r.published, "copy")
                    for p in json.loads(copies[r.id])
                ]
                for r in group
                if r.id in copies
            }
            for key, want in group_fields(group, copy_map).items():
                held = {k: by_id[key][k] for k in ("duplicate_of", "seen_in") if k in by_id[key]}
                assert held == want, key
                linked += bool(want)
    finally:
        index.close()
    assert linked > len(dumps) and copies


def test_incremental_run_indexes_only_new_documents_and_matches_a_full_run(
    corpus: list[Copy], tmp_path: Path, rules: Rules, scraped_at: datetime,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    dumps = compose_dumps(corpus, seed=7)
    half = len(dumps) // 2
    src, out = tmp_path / "src", tmp_path / "out"
    write_dumps(src / "day1", dumps[:half])
    run_folder(src, out, rules, scraped_at=scraped_at, dedup=True)
    write_dumps(src / "day2", dumps[half:])
    calls = []
    real = dedup_mod.record_from_document
    monkeypatch.setattr(
        dedup_mod, "record_from_document", lambda *a, **k: calls.append(1) or real(*a, **k)
    )
    grown: list[bool] = []  # seen_in lists that only had sightings appended
    real_grown = dedup_mod._grown_seen_in
    monkeypatch.setattr(
        dedup_mod,
        "_grown_seen_in",
        lambda *a: grown.append((r := real_grown(*a)) is not None) or r,  # type: ignore[func-returns-value]
    )
    # groups that only gained members: their old members are not even read
    fast: list[bool] = []
    real_grow = dedup_mod._grow_group
    monkeypatch.setattr(dedup_mod, "_grow_group", lambda *a: fast.append(r := real_grow(*a)) or r)
    second = run_folder(src, out, rules, scraped_at=scraped_at, dedup=True)
    assert second.unchanged == half
    assert len(calls) == sum(len(s) for _, _, s in dumps[half:])  # history is not re-read
    assert any(grown) and any(fast)  # and the bytes below are a fresh run's all the same
    monkeypatch.undo()
    again = tmp_path / "again"
    run_folder(src, again, rules, scraped_at=scraped_at, dedup=True)
    assert snapshot(out) == snapshot(again)  # same bytes whatever the order of arrival
    # a third run with nothing new changes nothing
    third = run_folder(src, out, rules, scraped_at=scraped_at, dedup=True)
    assert third.dedup is not None and third.dedup["files_updated"] == 0
    assert snapshot(out) == snapshot(again)


def test_removed_dump_leaves_its_group(tmp_path: Path, rules: Rules, scraped_at: datetime) -> None:
    copies = [c for c in story_copies(40, seed=11)]
    dumps = compose_dumps(copies, seed=11)
    src, out = tmp_path / "src", tmp_path / "out"
    write_dumps(src, dumps)
    run_folder(src, out, rules, scraped_at=scraped_at, dedup=True)
    victim = dumps[0][0]
    (src / victim).unlink()
    shutil.rmtree(out / victim)
    run_folder(src, out, rules, scraped_at=scraped_at, dedup=True)
    fresh = tmp_path / "fresh"
    run_folder(src, fresh, rules, scraped_at=scraped_at, dedup=True)
    assert snapshot(out) == snapshot(fresh)


def test_byte_identical_dump_is_reported_and_not_cleaned(
    seeds: Path, tmp_path: Path, rules: Rules, scraped_at: datetime,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    src, out = tmp_path / "src", tmp_path / "out"
    shutil.copytree(seeds, src)
    shutil.copy(src / SEED_004, src / "zz_again.txt")
    cleaned = []
    real = run_mod.clean_source
    monkeypatch.setattr(run_mod, "clean_source", lambda d, **k: cleaned.append(k["path"]) or real(d, **k))  # fmt: skip
    summary = run_folder(src, out, rules, scraped_at=scraped_at, dedup=True, workers=1)
    assert "zz_again.txt" not in cleaned
    assert summary.duplicate_dumps == 1 and "1 byte-identical dumps" in summary.line()
    entry = read_entries(out)["zz_again.txt"]
    assert entry["status"] == "duplicate_dump" and entry["duplicate_of"] == SEED_004
    assert not (out / "zz_again.txt").exists()
    docs = documents(out)
    for i in range(4):
        seen = docs[(SEED_004, i)]["seen_in"]
        assert [(s["path"], s["index"], s["match"]) for s in seen] == [  # type: ignore[union-attr,index]
            (SEED_004, i, "canonical"),
            ("zz_again.txt", i, "copy"),
        ]
    assert run_folder(src, out, rules, scraped_at=scraped_at, dedup=True).duplicate_dumps == 1


def test_seed_related_stories_seen_in_several_dumps(
    seeds: Path, tmp_path: Path, rules: Rules, scraped_at: datetime
) -> None:
    """The seed's related stories, re-posted under two other pages (one with a typo)."""
    lines = (seeds / SEED_004).read_text("utf-8").split("\n")
    related = lines[19:]  # after "Related Articles"
    body = lines[38]  # the Sky News story
    typo = body.replace("red carpet", "red crapet", 1)
    page = ["Ferry services cut again", "Islanders say ferry services are failing them.",
            CHROME_HEAD, "", *CHROME_TAIL]  # fmt: skip
    src, out = tmp_path / "src", tmp_path / "out"
    shutil.copytree(seeds, src)
    (src / "page_a.txt").write_text("\n".join([*page, *related]), "utf-8")
    shifted = [x.replace("2 hours ago", "5 hours ago") for x in related]
    (src / "page_b.txt").write_text("\n".join([*page, *shifted]).replace(body, typo), "utf-8")
    run_folder(src, out, rules, scraped_at=scraped_at, dedup=True)
    docs = documents(out)
    paths = [SEED_004, "page_a.txt", "page_b.txt"]
    for i, outlet in ((1, "Spectator"), (2, "The National"), (3, "Sky News")):
        group = [docs[(p, i)] for p in paths]
        canon = [d for d in group if "seen_in" in d]
        assert len(canon) == 1 and all(
            d.get("duplicate_of") == canon[0]["id"] for d in group if d is not canon[0]
        )
        seen = canon[0]["seen_in"]
        assert isinstance(seen, list)
        assert [(s["path"], s["index"], s["outlet"]) for s in seen] == [
            (p, i, outlet) for p in paths
        ]
        assert [s["published_text"] for s in seen] == [g["published_text"] for g in group]
        assert [s["id"] for s in seen] == [g["id"] for g in group]
    # i=2 and 3 were "2 hours ago" on the seed, "5 hours ago" on page_b: seen earliest there
    assert "seen_in" in docs[("page_b.txt", 2)]
    sky = {s["path"]: s["match"] for s in docs[("page_b.txt", 3)]["seen_in"]}  # type: ignore[union-attr]
    assert sky == {SEED_004: "near", "page_a.txt": "near", "page_b.txt": "canonical"}
    assert "seen_in" not in docs[(SEED_004, 0)] and "duplicate_of" not in docs[(SEED_004, 0)]


def test_canonical_only_writes_canonical_documents(
    corpus: list[Copy], tmp_path: Path, rules: Rules, scraped_at: datetime
) -> None:
    dumps = compose_dumps(corpus[:80], seed=5)
    src = tmp_path / "src"
    write_dumps(src, dumps)
    full, only = tmp_path / "full", tmp_path / "only"
    run_folder(src, full, rules, scraped_at=scraped_at, dedup=True)
    run_folder(src, only, rules, scraped_at=scraped_at, canonical_only=True)
    everything = documents(full)
    kept = documents(only)
    assert set(kept) == {k for k, d in everything.items() if "duplicate_of" not in d}
    assert any("duplicate_of" in d for d in everything.values())
    again = run_folder(src, only, rules, scraped_at=scraped_at, canonical_only=True)
    assert again.processed == 0 and documents(only) == kept  # withheld ones are not redone
    run_folder(src, only, rules, scraped_at=scraped_at, dedup=True)
    assert snapshot(only) == snapshot(full)  # without the flag, duplicates come back


def test_annotated_documents_follow_the_schema(
    corpus: list[Copy], tmp_path: Path, rules: Rules, scraped_at: datetime
) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads(
        (Path(dedup_mod.__file__).parent / "data" / "document.schema.json").read_text("utf-8")
    )
    write_dumps(tmp_path / "src", compose_dumps(corpus[:60], seed=2))
    run_folder(tmp_path / "src", tmp_path / "out", rules, scraped_at=scraped_at, dedup=True)
    docs = documents(tmp_path / "out")
    assert any("seen_in" in d for d in docs.values())
    for d in docs.values():
        jsonschema.validate(d, schema)


def test_damaged_index_is_rebuilt(
    corpus: list[Copy], tmp_path: Path, rules: Rules, scraped_at: datetime
) -> None:
    src, out = tmp_path / "src", tmp_path / "out"
    write_dumps(src, compose_dumps(corpus[:60], seed=3))
    run_folder(src, out, rules, scraped_at=scraped_at, dedup=True)
    before = snapshot(out)
    path = dedup_mod.index_path(out)
    path.write_bytes(path.read_bytes()[:1000])  # a torn copy: not a database any more
    run_folder(src, out, rules, scraped_at=scraped_at, dedup=True, full=True)
    assert snapshot(out) == before
    index = DedupIndex.open(path)
    try:
        assert index.count_docs() == len(snapshot(out))
    finally:
        index.close()


def snapshot(out: Path) -> dict[str, bytes]:
    return {
        p.relative_to(out).as_posix(): p.read_bytes()
        for p in sorted(out.rglob("*.json"))
        if ".ingest" not in p.parts
    }
