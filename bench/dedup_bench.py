"""Deduplication at aggregator scale: accuracy sweep, and time and memory side by side.

    python bench/dedup_bench.py sweep -n 1500          # precision/recall per setting
    python bench/dedup_bench.py figures                # make bench-dedup: 10k, group, 1M sim
    python bench/dedup_bench.py figures --sizes 10000 100000 --sim 1000000

``sweep`` builds the generated corpus of tests/test_dedup.py (synthetic stories in several
dumps, with typo, teaser and truncation edits, and hard negatives) and prints the pairwise
precision and recall of the groups found, for a grid of shingle sizes and thresholds.

``figures`` measures, each run in a fresh child process (so peak RSS is its own), on an
*aggregator* corpus (:func:`aggregator_dump`): Daily8-style dumps, each with a main story of
its own and 0-6 related stories drawn from a pool by Zipf popularity, so most related
stories are seen many times (88% byte-identical text, 8% with a typo, 4% cut short):

- ``run_folder`` (what ``ingest run --local --workers 1`` runs) with deduplication and
  with ``--no-dedup``, at each size; the dedup step's own time and the peak RSS;
- a re-run after adding 1% new dumps: its dedup step's time beside the full run's;
- one story repeated in 4,000 and 8,000 dumps (each dump's main story different; one copy in
  ten with a typo): dedup time, peak RSS and the index's size on disk;
- a simulated index of ``--sim`` documents (signatures only, no cleaning): build time and
  peak RSS.

Results go to ``bench/out/dedup.json`` and a table on stdout. Timings are wall-clock; the
load average is recorded, and a busy machine makes every figure worse (ratios are taken
between runs made side by side).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support.synth import CHROME_HEAD, CHROME_TAIL, TIMES  # noqa: E402
from tests.test_dedup import (  # noqa: E402
    _sentences,
    _truncate,
    _typo,
    evaluate,
    story_copies,
)

from ingest.dedup import DEFAULT_SETTINGS  # noqa: E402

OUT = ROOT / "bench" / "out"
SCRAPED_AT = "2025-08-15T12:00:00Z"
OUTLETS = ("Sky News", "BBC News", "Reuters", "The Guardian", "Spectator", "The National")


def sweep(n: int, seed: int) -> None:
    copies = story_copies(n, seed=seed)
    print(f"{len(copies)} documents from {n} stories (seed {seed})")
    print("shingle  jaccard  containment  precision  recall")
    for k in (3, 4, 5, 6, 8):
        for j in (0.35, 0.4, 0.45, 0.5, 0.6):
            for c in (0.85, 1.01):
                s = replace(DEFAULT_SETTINGS, shingle_words=k, jaccard=j, containment=c)
                p, r = evaluate(copies, s)
                print(f"{k:7d}  {j:7.2f}  {c:11.2f}  {p:9.4f}  {r:6.4f}", flush=True)


# --------------------------------------------------------------------------- corpora


class Bank:
    """Sentences of synthetic stories, to build any number of distinct stories quickly."""

    def __init__(self, seed: int) -> None:
        self.sentences = [s for c in story_copies(400, seed=seed) for s in _sentences([c.text])]

    def story(self, rng: random.Random) -> tuple[str, str]:
        """(headline, body): 6-20 sampled sentences; the headline from a sentence's words."""
        body = " ".join(rng.sample(self.sentences, rng.randint(6, 20)))
        words = rng.choice(self.sentences).rstrip(".").split()
        return " ".join(words[: rng.randint(5, 10)]), body


def _lines(text: str) -> list[str]:
    words = text.split(" ")
    return [" ".join(words[k : k + 60]) for k in range(0, len(words), 60)]


def aggregator_dump(
    rng: random.Random, bank: Bank, related: list[tuple[str, str, str]], popular: list[float]
) -> bytes:
    """A Daily8-style dump: its own main story, then 0-6 related stories from the pool
    (weights ``popular``): most byte-identical, some with a typo or cut short."""
    headline, body = bank.story(rng)
    lines = ["", headline, *_lines(body), *CHROME_HEAD, "", *CHROME_TAIL, "", ""]
    n = rng.choice((0, 1, 2, 2, 3, 3, 4, 6))
    for i in rng.choices(range(len(related)), weights=popular, k=n):
        outlet, head, text = related[i]
        r = rng.random()
        if r < 0.08:
            text = " ".join(_typo(text.split(" "), rng, rng.randint(1, 2)))
        elif r < 0.12:
            text = " ".join(_truncate(text.split(" "), rng))
        lines += [outlet, rng.choice(TIMES), f"- {outlet}", head, text, ""]
    return ("\n".join(lines) + "\n").encode("utf-8")


def related_pool(rng: random.Random, bank: Bank, n: int) -> tuple[list[Any], list[float]]:
    pool = [(rng.choice(OUTLETS), *bank.story(rng)) for _ in range(n)]
    return pool, [1 / (i + 1) ** 1.1 for i in range(n)]  # Zipf: a few stories everywhere


def aggregator_path(folder: Path, i: int) -> Path:
    return folder / f"{i // 1000:03d}" / f"dump_{i:06d}.txt"


def write_aggregator(folder: Path, lo: int, hi: int, seed: int) -> list[Path]:
    """Dumps ``lo``..``hi`` of the corpus (the same dumps whatever the range asked; those
    already there are kept, so a corpus kept with ``--corpus`` is made once)."""
    bank = Bank(seed)
    pool, popular = related_pool(random.Random(seed), bank, 2000)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(lo, hi):
        path = aggregator_path(folder, i)
        paths.append(path)
        if path.exists():
            continue
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(aggregator_dump(random.Random(f"{seed}:{i}"), bank, pool, popular))
    return paths


def write_group(folder: Path, n: int, seed: int) -> None:
    """``n`` dumps, each a main story of its own and the same related story (one in ten
    with a typo)."""
    bank = Bank(seed)
    rng = random.Random(seed)
    outlet, head, text = (rng.choice(OUTLETS), *bank.story(rng))
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        r = random.Random(f"{seed}:{i}")
        headline, body = bank.story(r)
        story = text if r.random() >= 0.1 else " ".join(_typo(text.split(" "), r, 1))
        lines = ["", headline, *_lines(body), *CHROME_HEAD, "", *CHROME_TAIL, "", ""]
        lines += [outlet, "2 hours ago", f"- {outlet}", head, story, ""]
        (folder / f"dump_{i:05d}.txt").write_bytes(("\n".join(lines) + "\n").encode())


# --------------------------------------------------------------------------- child jobs


def _peak_mib() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _rss_mib() -> float | None:
    """The resident set now (Linux: /proc), None where it cannot be read."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return None


def _cpu_s() -> float:
    """User + system CPU seconds of this process: less sensitive to a busy machine than wall
    time (both are reported)."""
    r = resource.getrusage(resource.RUSAGE_SELF)
    return round(r.ru_utime + r.ru_stime, 2)


def job_run(src: str, out: str, dedup: bool) -> dict[str, Any]:
    """``run_folder`` with one worker (``ingest run --local --workers 1``), timing the
    dedup step by wrapping :func:`ingest.dedup.deduplicate`."""
    import ingest.dedup as dedup_mod
    from ingest.cli import parse_time
    from ingest.engine import run_folder
    from ingest.language import detect_language
    from ingest.rules import load_rules

    detect_language("The talks in Brussels are due to resume later this week, officials said.")
    spent = [0.0]
    before = [0.0]  # the peak RSS before the dedup step: what the rest of the run needed
    entering: list[float | None] = [None]  # RSS as the step starts: what the run holds there
    real = dedup_mod.deduplicate

    def timed(*a: Any, **k: Any) -> Any:
        t0 = time.perf_counter()
        before[0] = _peak_mib()
        entering[0] = _rss_mib()
        try:
            return real(*a, **k)
        finally:
            spent[0] += time.perf_counter() - t0

    dedup_mod.deduplicate = timed  # type: ignore[assignment]
    rules = load_rules()
    t0 = time.perf_counter()
    summary = run_folder(
        Path(src), Path(out), rules, scraped_at=parse_time(SCRAPED_AT), workers=1, dedup=dedup
    )
    wall = time.perf_counter() - t0
    index = dedup_mod.index_path(Path(out))
    return {
        "wall_s": round(wall, 2),
        "dedup_s": round(spent[0], 2),
        "documents": summary.documents_written,
        "processed": summary.processed,
        "dedup": summary.dedup,
        "index_mib": round(index.stat().st_size / 2**20, 2) if index.exists() else 0.0,
        "peak_rss_mib": _peak_mib(),
        "peak_rss_before_dedup_mib": before[0],
        "rss_entering_dedup_mib": entering[0],
        "cpu_s": _cpu_s(),
        "load": [round(x, 1) for x in os.getloadavg()],
    }


def job_sim(n_docs: int, seed: int, distinct: float) -> dict[str, Any]:
    """A simulated index of ``n_docs`` documents (signatures only, no cleaning).

    A share ``distinct`` of documents are new texts (random signatures, half of them near
    copies of an earlier text: 30% of its values redrawn); the rest repeat an earlier text
    exactly (the exact-duplicate fast path). Documents arrive in batches of 2,000, as a run
    reads them, and are linked every 100,000 (as ten runs of 100k dumps' worth would).
    """
    import numpy as np

    from ingest.dedup import DedupIndex, DocRecord

    rng = np.random.default_rng(seed)
    perm = DEFAULT_SETTINGS.num_perm
    tmp = Path(tempfile.mkdtemp(prefix="dedup-sim-"))
    index = DedupIndex.open(tmp / "index.sqlite")
    texts: list[str] = []
    t0 = time.perf_counter()
    batch, run = 2000, 100_000
    for lo in range(0, n_docs, batch):
        m = min(batch, n_docs - lo)
        new = rng.random(m) < distinct if texts else np.ones(m, dtype=bool)
        keys = [f"t{len(texts) + i:031d}" for i in range(int(new.sum()))]
        sigs = rng.integers(0, 2**32, size=(len(keys), perm), dtype=np.uint32)
        near = rng.random(len(keys)) < 0.5
        if texts and near.any():  # near copies of recent texts (signatures kept in the batch)
            src = rng.integers(0, len(keys), size=int(near.sum()))
            redraw = rng.random((int(near.sum()), perm)) < 0.3
            sigs[near] = np.where(redraw, sigs[near], sigs[src])
        if keys:
            recs = []
        ki = 0
        for i in range(m):
            if new[i]:
                key = keys[ki]
                ki += 1
            else:
                key = texts[int(rng.integers(0, len(texts)))]
            doc = f"{lo + i:032x}"
            recs.append(
                DocRecord(
                    doc,
                    f"d{(lo + i) // 3:07d}.txt",
                    (lo + i) % 3,
                    "",
                    None,
                    None,
                    None,
                    None,
                    100,
                    0,
                    key,
                    200,
                )
            )
        known = index.text_ids({r.text_key for r in recs} - set(keys))
        if keys:
            tids = index.add_texts(
                keys, sigs, np.full(len(keys), 200, np.int64), [False] * len(keys)
            )
            known.update(zip(keys, tids, strict=True))
        texts.extend(keys)
        index.add_docs((r, known[r.text_key]) for r in recs)
        if (lo + m) % run == 0 or lo + m == n_docs:  # one run's worth: link, commit
            index.link()
            index.commit()
    build = time.perf_counter() - t0
    groups = int(index.conn.execute("SELECT COUNT(DISTINCT grp) FROM texts").fetchone()[0])
    n_texts = int(index.conn.execute("SELECT COUNT(*) FROM texts").fetchone()[0])
    index.close()
    size = (tmp / "index.sqlite").stat().st_size
    shutil.rmtree(tmp, ignore_errors=True)
    return {
        "documents": n_docs,
        "texts": n_texts,
        "groups": groups,
        "build_s": round(build, 1),
        "index_mib": round(size / 2**20, 1),
        "peak_rss_mib": _peak_mib(),
    }


def child(job: str, **kwargs: Any) -> dict[str, Any]:
    cmd = [sys.executable, str(Path(__file__).resolve()), "child", job, json.dumps(kwargs)]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"{job} {kwargs} failed:\n{proc.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


# --------------------------------------------------------------------------- figures


def figures(args: argparse.Namespace) -> dict[str, Any]:
    def log(msg: str) -> None:
        print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)

    scratch = Path(args.scratch or tempfile.mkdtemp(prefix="dedup-bench-"))
    corpora = Path(args.corpus) if args.corpus else scratch
    res: dict[str, Any] = {
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "load_start": os.getloadavg(),
            "platform": platform.platform(),
        },
        "sizes": {},
    }
    try:
        if args.rss_only:
            res["sizes"] = rss_side_by_side(args.sizes, corpora, scratch, args.seed, log)
        for n in [] if args.rss_only else args.sizes:
            extra = max(1, n // 100)
            src = corpora / f"agg-{n}"
            log(f"corpus: {n} dumps (+{extra} for the re-run)")
            write_aggregator(src, 0, n, args.seed)
            row: dict[str, Any] = {}
            log(f"{n}: --no-dedup")
            row["no_dedup"] = child("run", src=str(src), out=str(scratch / f"o-{n}-n"), dedup=False)
            log(f"{n}: with dedup")
            row["dedup"] = child("run", src=str(src), out=str(scratch / f"o-{n}-d"), dedup=True)
            added = write_aggregator(src, n, n + extra, args.seed)
            log(f"{n}: re-run with {extra} new dumps")
            row["rerun_1pct"] = child(
                "run", src=str(src), out=str(scratch / f"o-{n}-d"), dedup=True
            )
            for path in added:  # the corpus stays as made, for the next time
                path.unlink()
            shutil.rmtree(scratch / f"o-{n}-n", ignore_errors=True)
            shutil.rmtree(scratch / f"o-{n}-d", ignore_errors=True)
            if not args.corpus:
                shutil.rmtree(src, ignore_errors=True)
            res["sizes"][str(n)] = row
        res["group"] = {}
        for k in args.group:
            src = scratch / f"group-{k}"
            write_group(src, k, args.seed)
            log(f"one story in {k} dumps")
            res["group"][str(k)] = child(
                "run", src=str(src), out=str(scratch / f"g-{k}"), dedup=True
            )
            shutil.rmtree(scratch / f"g-{k}", ignore_errors=True)
            shutil.rmtree(src, ignore_errors=True)
        if args.sim:
            log(f"simulated index: {args.sim} documents")
            res["sim"] = child("sim", n_docs=args.sim, seed=args.seed, distinct=args.distinct)
    finally:
        if not args.scratch:
            shutil.rmtree(scratch, ignore_errors=True)
    res["machine"]["load_end"] = os.getloadavg()
    res["ratios"] = ratios(res)
    return res


def rss_side_by_side(
    sizes: list[int], corpora: Path, scratch: Path, seed: int, log: Any
) -> dict[str, Any]:
    """The dedup run alone at each size, all started together (``figures --rss-only``).

    Peak RSS does not depend on the machine's load, so the sizes run at the same time: the
    100k run's hour covers the smaller ones. Each is a fresh child process, as above.
    """
    running = {}
    for n in sizes:
        src = corpora / f"agg-{n}"
        log(f"corpus: {n} dumps")
        write_aggregator(src, 0, n, seed)
        out = scratch / f"o-{n}-d"
        shutil.rmtree(out, ignore_errors=True)
        kwargs = {"src": str(src), "out": str(out), "dedup": True}
        cmd = [sys.executable, str(Path(__file__).resolve()), "child", "run", json.dumps(kwargs)]
        log(f"{n}: with dedup (started)")
        running[n] = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT)
    rows: dict[str, Any] = {}
    for n, proc in running.items():
        stdout, stderr = proc.communicate()
        if proc.returncode != 0:
            raise RuntimeError(f"run {n} failed:\n{stderr.decode()[-3000:]}")
        log(f"{n}: done")
        rows[str(n)] = {"dedup": json.loads(stdout.decode().strip().splitlines()[-1])}
        shutil.rmtree(scratch / f"o-{n}-d", ignore_errors=True)
    return rows


def _ratio(a: float, b: float) -> float | None:
    return round(a / b, 3) if b else None


def ratios(res: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for n, row in res["sizes"].items():
        if "no_dedup" not in row:  # figures --rss-only
            continue
        out[f"dedup_vs_no_dedup_{n}"] = _ratio(row["dedup"]["wall_s"], row["no_dedup"]["wall_s"])
        out[f"dedup_vs_no_dedup_cpu_{n}"] = _ratio(
            row["dedup"].get("cpu_s", 0), row["no_dedup"].get("cpu_s", 0)
        )
        # Within the dedup run alone (immune to the load drifting between two runs): its
        # wall time over its time outside the dedup step (cleaning, manifest, report).
        d = row["dedup"]
        out[f"dedup_run_vs_its_own_rest_{n}"] = _ratio(d["wall_s"], d["wall_s"] - d["dedup_s"])
        out[f"rerun_dedup_vs_full_dedup_{n}"] = _ratio(
            row["rerun_1pct"]["dedup_s"], row["dedup"]["dedup_s"]
        )
    sizes = sorted(res["sizes"], key=int)
    if len(sizes) > 1:
        small, big = res["sizes"][sizes[0]], res["sizes"][sizes[-1]]
        out["rss_big_vs_small"] = _ratio(
            big["dedup"]["peak_rss_mib"], small["dedup"]["peak_rss_mib"]
        )
    groups = sorted(res.get("group", {}), key=int)
    if len(groups) > 1:
        a, b = res["group"][groups[0]], res["group"][groups[-1]]
        out["group_dedup_time_big_vs_small"] = _ratio(b["dedup_s"], a["dedup_s"])
        out["group_index_size_big_vs_small"] = _ratio(b["index_mib"], a["index_mib"])
    return out


_MB = 2**20 / 1e6  # MiB in MB: the memory targets are in MB


def targets(res: dict[str, Any]) -> list[tuple[str, str, bool | None]]:
    """Issue #15's targets: (what, measured, met); met is None when not measured."""
    out: list[tuple[str, str, bool | None]] = []
    r = res.get("ratios", {})
    sizes = sorted(res.get("sizes", {}), key=int)
    rss_only = any("no_dedup" not in res["sizes"][n] for n in sizes)
    for n in [] if rss_only else sizes:
        x = r.get(f"dedup_vs_no_dedup_{n}")
        out.append(
            (f"dedup run <= 1.5x --no-dedup, {n} dumps", f"{x}x", x is not None and x <= 1.5)
        )
    if sizes:
        big = res["sizes"][sizes[-1]]["dedup"]["peak_rss_mib"]
        out.append(
            (f"peak RSS <= 400 MB, {sizes[-1]} dumps", f"{round(big * _MB)} MB", big * _MB <= 400)
        )
    if sizes and not rss_only:
        x = r.get(f"rerun_dedup_vs_full_dedup_{sizes[-1]}")
        pct = None if x is None else round(100 * x, 1)
        out.append(
            (f"1% re-run's dedup <= 5% of the full run's, {sizes[-1]} dumps", f"{pct}%",
             x is not None and x <= 0.05)
        )  # fmt: skip
    if len(sizes) > 1:
        x = r.get("rss_big_vs_small")
        out.append(
            (f"peak RSS {sizes[-1]} within 25% of {sizes[0]}", f"{x}x", x is not None and x <= 1.25)
        )
    groups = sorted(res.get("group", {}), key=int)
    if len(groups) > 1:
        x = r.get("group_dedup_time_big_vs_small")
        out.append(
            (
                f"{groups[-1]} copies within 2.5x of {groups[0]} (time)",
                f"{x}x",
                x is not None and x <= 2.5,
            )
        )
        rss = res["group"][groups[-1]]["peak_rss_mib"]
        out.append(
            (f"{groups[-1]} copies: peak RSS <= 400 MB", f"{round(rss * _MB)} MB", rss * _MB <= 400)
        )
        x = r.get("group_index_size_big_vs_small")
        k = int(groups[-1]) / int(groups[0])
        out.append(
            (
                f"index on disk linear in the group ({k:g}x copies)",
                f"{x}x",
                x is not None and x <= k * 1.1,
            )
        )
    if "sim" in res:
        rss = res["sim"]["peak_rss_mib"]
        out.append(
            (
                f"simulated {res['sim']['documents']}-document index: RSS <= 400 MB",
                f"{round(rss * _MB)} MB",
                rss * _MB <= 400,
            )
        )
    return out


def table(res: dict[str, Any]) -> str:
    rows = [
        "| measurement | wall s | CPU s | dedup s | peak RSS MiB | RSS entering dedup MiB"
        " | documents | index MiB |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for n, row in res["sizes"].items():
        for name, r in row.items():
            rows.append(
                f"| {n} dumps, {name} | {r['wall_s']} | {r.get('cpu_s', '')} | {r['dedup_s']}"
                f" | {r['peak_rss_mib']} | {r.get('rss_entering_dedup_mib') or ''}"
                f" | {r['documents']} | {r['index_mib']} |"
            )
    for k, r in res.get("group", {}).items():
        rows.append(
            f"| one story in {k} dumps | {r['wall_s']} | {r.get('cpu_s', '')} | {r['dedup_s']}"
            f" | {r['peak_rss_mib']} | {r.get('rss_entering_dedup_mib') or ''}"
            f" | {r['documents']} | {r['index_mib']} |"
        )
    if "sim" in res:
        s = res["sim"]
        rows.append(
            f"| simulated index, {s['documents']} docs ({s['texts']} texts) | {s['build_s']} |"
            f" | {s['build_s']} | {s['peak_rss_mib']} | | {s['documents']} | {s['index_mib']} |"
        )
    rows.append("")
    rows += [f"- {k}: {v}" for k, v in res["ratios"].items()]
    load = res["machine"]
    rows.append(f"- load average at start {load['load_start']}, at end {load.get('load_end')}")
    rows += ["", "| target | measured | |", "|---|---:|---|"]
    rows += [f"| {what} | {got} | {'met' if ok else 'missed'} |" for what, got, ok in targets(res)]
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    sub = parser.add_subparsers(dest="cmd", required=True)
    sw = sub.add_parser("sweep")
    sw.add_argument("-n", type=int, default=1500, help="stories (default 1500)")
    sw.add_argument("--seed", type=int, default=1)
    fg = sub.add_parser("figures")
    fg.add_argument("--sizes", type=int, nargs="*", default=[10_000])
    fg.add_argument("--group", type=int, nargs="*", default=[4000, 8000])
    fg.add_argument("--sim", type=int, default=1_000_000, help="0 to skip")
    fg.add_argument("--distinct", type=float, default=0.3, help="share of new texts (sim)")
    fg.add_argument("--seed", type=int, default=1)
    fg.add_argument("--scratch", default=None, help="where corpora and outputs go")
    fg.add_argument(
        "--corpus", default=None, help="keep the aggregator corpora here (made once, reused)"
    )
    fg.add_argument(
        "--rss-only",
        action="store_true",
        help="only the dedup run at each size, all at once (peak RSS; no times, no re-run)",
    )
    fg.add_argument("--json", default=str(OUT / "dedup.json"))
    ch = sub.add_parser("child")
    ch.add_argument("job")
    ch.add_argument("kwargs")
    args = parser.parse_args(argv)
    if args.cmd == "sweep":
        sweep(args.n, args.seed)
        return 0
    if args.cmd == "child":
        jobs = {"run": job_run, "sim": job_sim}
        print(json.dumps(jobs[args.job](**json.loads(args.kwargs))))
        return 0
    res = figures(args)
    Path(args.json).parent.mkdir(parents=True, exist_ok=True)
    Path(args.json).write_text(json.dumps(res, indent=1) + "\n", "utf-8")
    print(table(res))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
