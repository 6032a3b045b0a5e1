"""The benchmark harness runs end to end at a tiny size and reports sane figures.

No timing is asserted: speed is measured by ``make bench``, never in tests.
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime
from pathlib import Path

from ingest.rules import Rules

ROOT = Path(__file__).resolve().parents[1]


def test_harness_reports_every_measurement(tmp_path: Path) -> None:
    out = tmp_path / "out"
    proc = subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "run_bench.py"),
            "--sizes",
            "16",
            "--batch-size",
            "4",
            "--no-prefect",
            "--profile",
            "--out",
            str(out),
            "--scratch",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "target" in proc.stdout and "written:" in proc.stdout
    report = json.loads((out / "results.json").read_text())

    assert report["machine"]["cpus"] >= 1
    assert set(report["sizes"]) == {"16"} and report["complete"] is True
    for n, entry in report["sizes"].items():
        assert entry["files"] == int(n) and entry["bytes"] > 0
        one, two = entry["library_w1"], entry["library_w2"]
        for run in (one, two):
            assert run["files"] == run["processed"] == int(n) and run["failed"] == 0
            assert run["wall_s"] > 0 and run["mb_per_s"] > 0 and run["dumps_per_s"] > 0
            assert 20 < run["peak_rss_mb"] < 2000
        assert one["documents"] == two["documents"] >= int(n)
        assert two["peak_rss_workers_mb"] > 0  # the pool's processes ran and were measured
        again = entry["library_incremental"]
        assert again["unchanged"] == int(n) and again["processed"] == 0
    assert report["ftfy_synth"]["files"] == 16 and report["ftfy_synth"]["mb_per_s"] > 0
    assert report["ftfy_seeds"]["files"] == 16 and report["library_seeds_w1"]["failed"] == 0
    assert "prefect" not in report
    assert "run_folder" in (out / "profile.txt").read_text()

    ratios = report["ratios"]
    assert ratios["library_vs_ftfy"] > 0 and ratios["two_cores_vs_one"] > 0
    assert 0 <= ratios["incremental_vs_full"] < 10
    targets = {t["key"]: t for t in report["targets"]}
    assert targets["prefect_server_vs_library"]["met"] is None  # not measured here
    assert isinstance(targets["library_vs_ftfy"]["met"], bool)
    # Corpora are cached for the next run; outputs were written to the scratch folder only.
    assert (out / "corpus" / "synth-v1-s0-n16" / ".complete").is_file()
    assert not any(p.name.startswith("ingest-bench-") for p in tmp_path.iterdir())


def _tree(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.name != "lock"
    }


def test_two_workers_write_what_one_writes(
    tmp_path: Path, rules: Rules, scraped_at: datetime
) -> None:
    """The 2-core figure is only worth having if the pool's output is the same, bytes and all."""
    from ingest.engine import run_folder
    from tests.support.synth import write_corpus

    src = tmp_path / "src"
    write_corpus(src, 14, seed=3)
    (src / "synth_00004.txt").write_bytes(b"")  # fails: recorded, in order, by both
    (src / "zz_binary.txt").write_bytes(b"\x00\x01\x02binary\x00" * 50)
    summaries = {}
    for workers in (1, 2):
        out = tmp_path / f"out{workers}"
        summaries[workers] = run_folder(
            src, out, rules, full=True, scraped_at=scraped_at, batch_size=3, workers=workers
        )
    assert _tree(tmp_path / "out1") == _tree(tmp_path / "out2")
    one, two = summaries[1].to_json(), summaries[2].to_json()
    one.pop("duration_s"), two.pop("duration_s"), one.pop("output"), two.pop("output")
    assert one == two
    assert [f["path"] for f in one["failed"]] == ["synth_00004.txt", "zz_binary.txt"]


def test_the_false_positive_audit_lists_a_real_sentence_removed(tmp_path: Path) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()
    body = "The council voted on Tuesday to expand the scheme. It starts in May."
    (plain / "a.txt").write_text(f"Council expands scheme\n{body}\nAdvertisement\n")
    # a real closing line that a rule takes: the audit must list it with the rule's name
    (plain / "b.txt").write_text(f"Council expands scheme\n{body}\nGetty Images\n")
    out = tmp_path / "audit.json"
    audit = [sys.executable, str(ROOT / "bench" / "audit_real.py"), "--no-realdev"]
    proc = subprocess.run(
        [*audit, "--plain", str(plain), "--json", str(out)],
        capture_output=True,
        text=True,
        check=True,
    )
    figures = json.loads(out.read_text())["plain/plain"]
    assert figures["scanned"] == 6 and figures["removed"] == 2
    assert [(x["sentence"], x["rules"]) for x in figures["lost"]] == [
        ("Advertisement", ["ad_slot"]),
        ("Getty Images", ["credit_line"]),
    ]
    assert "real sentences      6  removed    2" in proc.stdout


def _probe_round(path: Path, n: int) -> Path:
    """A labelled probe round (bench/probe.py's format): shaped residue around real prose."""
    path.mkdir(parents=True)
    blocks = []
    for k in range(n):
        blocks.append(
            f"=== {path.name}-{k} Outlet\n"
            f"T|Council expands the housing scheme {k}\n"
            "R:share|Share on Facebook\n"
            f"|The council voted on Tuesday to expand the scheme to {k + 3} more towns.\n"
            "R:ad|ADVERTISEMENT\n"
            "|It starts in May, and the first homes should be ready by the autumn.\n"
            "R:credit|Photo: Jane Doe/Reuters\n"
        )
    (path / "tagged.txt").write_text("".join(blocks), encoding="utf-8")
    return path


def test_the_line_scorer_is_measured_on_rounds_it_never_saw(tmp_path: Path) -> None:
    rounds = [str(_probe_round(tmp_path / f"r{k}", 4)) for k in (1, 2)]
    script = str(ROOT / "bench" / "train_scorer.py")
    proc = subprocess.run(
        [sys.executable, script, "--realdev", "", "--steps", "300", "--probe", *rounds],
        capture_output=True,
        text=True,
        check=True,
    )
    rows = {line.split()[0]: line.split()[1:] for line in proc.stdout.splitlines() if line}
    assert proc.stdout.startswith("40 lines, 24 residue, 2 groups")
    # held out in turn: at 0.5, all 12 residue lines caught and none of the 8 real ones lost
    assert rows["r1"][:2] == ["12/12", "0/8"] and rows["r2"][:2] == ["12/12", "0/8"]
    assert rows["all"][:2] == ["24/24", "0/16"]
    assert "readability gold lines lost: @0.5 " in proc.stdout


def test_the_line_scorer_takes_paragraphs_from_a_run_deterministically(tmp_path: Path) -> None:
    sys.path.insert(0, str(ROOT / "bench"))
    import train_scorer

    examples = train_scorer.probe_examples(_probe_round(tmp_path / "r1", 3))
    model = train_scorer.train(examples, steps=300)
    assert model == train_scorer.train(examples, steps=300)
    doc = {"headline": "Council votes", "text": "Share on Facebook\n\nThe council voted on it."}
    (tmp_path / "out" / "a.txt").mkdir(parents=True)
    (tmp_path / "out" / "a.txt" / "0.json").write_text(json.dumps(doc))
    gone = train_scorer.drop_scored(tmp_path / "out", tmp_path / "dest", model, 0.5)
    kept = json.loads((tmp_path / "dest" / "a.txt" / "0.json").read_text())["text"]
    assert (gone, kept) == (1, "The council voted on it.")


def test_the_line_scorer_reads_the_rules_verdicts_on_neighbours(tmp_path: Path) -> None:
    sys.path.insert(0, str(ROOT / "bench"))
    import probe
    import train_scorer

    round_dir = _probe_round(tmp_path / "r1", 1)
    probe.build(round_dir / "tagged.txt", round_dir)
    # a run whose rules removed dump line 2 ("Share on Facebook") whole, and nothing else
    doc = {"removed": [{"rule": "share", "text": "Share on Facebook", "line": 2, "start": 0}]}
    (tmp_path / "out" / "r1-0.txt").mkdir(parents=True)
    (tmp_path / "out" / "r1-0.txt" / "0.json").write_text(json.dumps(doc))
    every = train_scorer.verdict_examples(round_dir, tmp_path / "out", survivors=False)
    kept = train_scorer.verdict_examples(round_dir, tmp_path / "out", survivors=True)
    marks = [(e.text[:12], "rule_prev" in e.features, "rule_next" in e.features) for e in every]
    assert marks[:3] == [
        ("Share on Fac", False, False),
        ("The council ", True, False),
        ("ADVERTISEMEN", False, False),
    ]
    assert [e.text for e in every if e.text not in {k.text for k in kept}] == ["Share on Facebook"]


def test_the_line_scorer_features_hold_their_doctests() -> None:
    import doctest

    sys.path.insert(0, str(ROOT / "bench"))
    import line_scorer

    result = doctest.testmod(line_scorer)
    assert result.attempted >= 8 and result.failed == 0


def test_a_probe_rounds_labels_come_back_on_its_text_refetched(tmp_path: Path) -> None:
    sys.path.insert(0, str(ROOT / "bench"))
    import probe

    round_dir = _probe_round(tmp_path / "r1", 2)
    tagged = round_dir / "tagged.txt"
    lines = tagged.read_text(encoding="utf-8").splitlines()
    lines.insert(1, "S|owner/repo:tests/data/r1-0.txt")
    lines[4] = "|The council voted on ⟦Tuesday⟧ to expand the scheme to 3 more towns."
    tagged.write_text("\n".join(lines) + "\n", encoding="utf-8")
    labels = probe.export_labels(tagged)
    assert "council" not in json.dumps(labels)  # no text, only keys
    # The text fetched again: its lines as the source gives them, spacing changed.
    texts = tmp_path / "texts"
    texts.mkdir()
    for block in tagged.read_text(encoding="utf-8").split("=== ")[1:]:
        fid = block.split(" ", 1)[0]
        body = [ln.split("|", 1)[1] for ln in block.splitlines()[1:] if not ln.startswith("S|")]
        text = "\n\n".join(
            b.replace("⟦", "").replace("⟧", "").replace(" on ", "  on ") for b in body
        )
        (texts / f"{fid}.txt").write_text(text + "\n", encoding="utf-8")
    back, problems = probe.relabel(labels, texts)
    assert problems == []
    want = "\n".join(" ".join(ln.split()) if "⟦" in ln else ln for ln in lines) + "\n"
    assert back.replace("  on ", " on ") == want
    # A line the labels do not know is named and tagged for a person, a missing one counted.
    path = texts / "r1-1.txt"
    path.write_text(path.read_text().replace("ADVERTISEMENT", "Sponsored content"))
    back, problems = probe.relabel(labels, texts)
    assert "?|Sponsored content" in back
    assert problems == [
        "r1-1: no label for line 'Sponsored content'",
        "r1-1: 1 labelled line(s) not in its text",
    ]
