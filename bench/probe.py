"""Held-out probe: build dumps from hand-labelled real articles and score a run on them.

The articles are not in this repository (bench/README.md, "Held-out probe", lists their ids
in ramybaly/Article-Bias-Prediction, Apache-2.0). A round is one labelled text file:

    === <id> <outlet>
    T|<title>
    |<a real line, kept whole; ⟦inline residue⟧ cut out of it>
    R:<family>|<a residue line>
    N|<a neutral line: neither residue nor scored as real (a subhead, "X contributed ...")>
    S|<where the article's text comes from: repository:path (optional, not in the dump)>

``python bench/probe.py build ROUND.txt DIR`` writes DIR/dumps/<id>.txt (title, then one
paragraph a line) and DIR/gold.json; run ``ingest run DIR/dumps --out OUT --local`` and
``python bench/probe.py score DIR OUT [-v]``. A residue line is left when it, or a 4-word run
of it that no real line holds, is in the output (one of under 4 words: when it is still a
line of its own); an inline span is left when its text is; a real line counts as kept only
whole.

The labelled files hold news text and stay out of the repository; their labels need not.
``python bench/probe.py labels ROUND.txt LABELS.json`` keeps each line's tag under a hash of
its words (and an inline span's place), no text; ``python bench/probe.py relabel LABELS.json
TEXTS OUT.txt`` puts them back on the articles' text fetched again from their sources
(TEXTS/<id>.txt, one line per title or paragraph), naming every line it has no label for
(tag ``?``, which ``build`` refuses until a person labels it) and every label it found no
line for.
"""

from __future__ import annotations

import argparse
import collections
import hashlib
import itertools
import json
import re
from pathlib import Path
from typing import Any

_INLINE = re.compile(r"⟦(.*?)⟧")


def build(tagged: Path, out: Path) -> dict[str, dict[str, object]]:
    """Write a round's dumps and gold from its labelled file; return the gold."""
    (out / "dumps").mkdir(parents=True, exist_ok=True)
    gold: dict[str, dict[str, object]] = {}
    for block in tagged.read_text(encoding="utf-8").split("=== ")[1:]:
        head, *lines = block.rstrip("\n").split("\n")
        fid, outlet = head.split(" ", 1)
        text: list[str] = []
        residue: list[list[str]] = []
        real: list[str] = []
        inline: list[str] = []
        neutral: list[str] = []
        for line in lines:
            if not line.strip():
                continue
            tag, body = line.split("|", 1)
            if tag == "T":
                text.append(body)
            elif tag == "":
                text.append(_INLINE.sub(lambda m: m.group(1), body))
                inline += _INLINE.findall(body)
                real.append(" ".join(_INLINE.sub(" ", body).split()))
            elif tag == "N":
                text.append(body)
                neutral.append(body)
            elif tag.startswith("R:"):
                text.append(body)
                residue.append([tag[2:], body])
            elif tag == "S":
                continue
            else:
                raise SystemExit(f"{tagged}: bad tag {tag!r} in {fid}")
        (out / "dumps" / f"{fid}.txt").write_text("\n".join(text) + "\n", encoding="utf-8")
        gold[fid] = {
            "outlet": outlet,
            "residue": residue,
            "real": real,
            "inline": inline,
            "neutral": neutral,
        }
    (out / "gold.json").write_text(json.dumps(gold, indent=1, ensure_ascii=False))
    return gold


def line_key(line: str) -> str:
    """A line's label key: a hash of its words, so spacing the source changes does not count.

    >>> line_key("Share on  Facebook") == line_key(" Share on Facebook ")
    True
    """
    return hashlib.sha1(" ".join(line.split()).encode()).hexdigest()[:16]


def export_labels(tagged: Path) -> dict[str, Any]:
    """A round's labels with no text: per article its id, outlet, source and, per line, its
    tag, its key (:func:`line_key`) and its inline spans as offsets into its words."""
    articles = []
    for block in tagged.read_text(encoding="utf-8").split("=== ")[1:]:
        head, *lines = block.rstrip("\n").split("\n")
        fid, outlet = head.split(" ", 1)
        source = ""
        rows: list[list[Any]] = []
        for line in lines:
            if not line.strip():
                continue
            tag, body = line.split("|", 1)
            if tag == "S":
                source = body.strip()
                continue
            spans: list[list[int]] = []
            plain = ""
            for k, part in enumerate(_MARKS.split(" ".join(body.split()))):
                if k % 2:
                    spans.append([len(plain), len(plain) + len(part)])
                plain += part
            rows.append([tag, line_key(plain), spans])
        articles.append({"id": fid, "outlet": outlet, "source": source, "lines": rows})
    return {"format": 1, "articles": articles}


_MARKS = re.compile(r"[⟦⟧]")


def relabel(labels: dict[str, Any], texts: Path) -> tuple[str, list[str]]:
    """A labelled round from ``labels`` and the articles' text in ``texts``/<id>.txt, and the
    problems: lines with no label (tagged ``?``) and labels with no line."""
    out: list[str] = []
    problems: list[str] = []
    for art in labels["articles"]:
        fid = art["id"]
        out.append(f"=== {fid} {art['outlet']}")
        if art["source"]:
            out.append(f"S|{art['source']}")
        by_key = {key: (tag, spans) for tag, key, spans in art["lines"]}
        path = texts / f"{fid}.txt"
        if not path.exists():
            problems.append(f"{fid}: no text at {path}")
            continue
        seen = set()
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            key = line_key(line)
            if key not in by_key:
                out.append(f"?|{line}")
                problems.append(f"{fid}: no label for line {line[:80]!r}")
                continue
            seen.add(key)
            tag, spans = by_key[key]
            if spans:  # the inline spans' markers, put back on the line's words
                flat = " ".join(line.split())
                cuts = [0, *(x for a, b in spans for x in (a, b)), len(flat)]
                parts = [flat[a:b] for a, b in itertools.pairwise(cuts)]
                line = "".join(f"⟦{t}⟧" if k % 2 else t for k, t in enumerate(parts))
            out.append(f"{tag}|{line}")
        missing = sum(1 for _, key, _ in art["lines"] if key not in seen)
        if missing:
            problems.append(f"{fid}: {missing} labelled line(s) not in its text")
    return "\n".join(out) + "\n", problems


def score(round_dir: Path, out: Path, verbose: bool = False) -> tuple[int, int, int, int]:
    """Print and return (residue left, residue, real lines kept, real lines)."""
    gold = json.loads((round_dir / "gold.json").read_text())
    left: collections.Counter[str] = collections.Counter()
    total: collections.Counter[str] = collections.Counter()
    kept = real_total = 0
    notes = []
    for fid, g in sorted(gold.items()):
        docs = [json.loads(p.read_text()) for p in sorted((out / f"{fid}.txt").glob("*.json"))]
        flat = " ".join(" ".join(d["text"].split()) for d in docs)
        lines = "\n".join(d["text"] for d in docs)
        realtext = "\n".join(g["real"] + g["neutral"])
        for family, line in g["residue"]:
            total[family] += 1
            words = line.split()
            runs = {" ".join(words[k : k + 4]) for k in range(max(1, len(words) - 3))}
            if len(words) < 4:  # "—", "WATCH:": only a line of its own is this residue
                gone = line.strip() not in {t.strip() for t in lines.split("\n")}
            else:
                gone = " ".join(words) not in flat
                gone = gone and not any(r in lines and r not in realtext for r in runs)
            if not gone:
                left[family] += 1
                notes.append(f"LEFT {fid} ({g['outlet']}) [{family}] {line[:100]}")
        for span in g["inline"]:
            total["inline"] += 1
            if " ".join(span.split()) in flat:
                left["inline"] += 1
                notes.append(f"LEFT {fid} ({g['outlet']}) [inline] {span[:100]}")
        for line in g["real"]:
            real_total += 1
            if line in flat:
                kept += 1
            else:
                notes.append(f"LOST {fid} ({g['outlet']}) {line[:110]}")
    families = ", ".join(f"{f} {left[f]}/{total[f]}" for f in sorted(total))
    print(f"residue left: {sum(left.values())}/{sum(total.values())}  {families}")
    print(f"real lines kept: {kept}/{real_total}")
    if verbose:
        print("\n".join(notes))
    return sum(left.values()), sum(total.values()), kept, real_total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="labelled round file -> DIR/dumps and DIR/gold.json")
    b.add_argument("tagged", type=Path)
    b.add_argument("dir", type=Path)
    lab = sub.add_parser("labels", help="labelled round file -> its labels, no text (JSON)")
    lab.add_argument("tagged", type=Path)
    lab.add_argument("out", type=Path)
    rel = sub.add_parser("relabel", help="labels + TEXTS/<id>.txt -> a labelled round file")
    rel.add_argument("labels", type=Path)
    rel.add_argument("texts", type=Path)
    rel.add_argument("out", type=Path)
    s = sub.add_parser("score", help="score an ingest output folder against DIR/gold.json")
    s.add_argument("dir", type=Path)
    s.add_argument("out", type=Path)
    s.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args()
    if args.command == "build":
        gold = build(args.tagged, args.dir)
        residue = sum(len(g["residue"]) for g in gold.values())  # type: ignore[arg-type]
        print(f"{len(gold)} articles, {residue} residue lines")
    elif args.command == "labels":
        labels = export_labels(args.tagged)
        args.out.write_text(json.dumps(labels, indent=0, ensure_ascii=False) + "\n")
        print(f"{len(labels['articles'])} articles' labels in {args.out}")
    elif args.command == "relabel":
        text, problems = relabel(json.loads(args.labels.read_text()), args.texts)
        args.out.write_text(text, encoding="utf-8")
        print("\n".join(problems) or f"every line labelled: {args.out}")
    else:
        score(args.dir, args.out, args.verbose)


if __name__ == "__main__":
    main()
