"""Held-out probe: build dumps from hand-labelled real articles and score a run on them.

The articles are not in this repository (bench/README.md, "Held-out probe", lists their ids
in ramybaly/Article-Bias-Prediction, Apache-2.0). A round is one labelled text file:

    === <id> <outlet>
    T|<title>
    |<a real line, kept whole; ⟦inline residue⟧ cut out of it>
    R:<family>|<a residue line>
    N|<a neutral line: neither residue nor scored as real (a subhead, "X contributed ...")>

``python bench/probe.py build ROUND.txt DIR`` writes DIR/dumps/<id>.txt (title, then one
paragraph a line) and DIR/gold.json; run ``ingest run DIR/dumps --out OUT --local`` and
``python bench/probe.py score DIR OUT [-v]``. A residue line is left when it, or a 4-word run
of it that no real line holds, is in the output (one of under 4 words: when it is still a
line of its own); an inline span is left when its text is; a real line counts as kept only
whole.
"""

from __future__ import annotations

import argparse
import collections
import json
import re
from pathlib import Path

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
    s = sub.add_parser("score", help="score an ingest output folder against DIR/gold.json")
    s.add_argument("dir", type=Path)
    s.add_argument("out", type=Path)
    s.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args()
    if args.command == "build":
        gold = build(args.tagged, args.dir)
        residue = sum(len(g["residue"]) for g in gold.values())  # type: ignore[arg-type]
        print(f"{len(gold)} articles, {residue} residue lines")
    else:
        score(args.dir, args.out, args.verbose)


if __name__ == "__main__":
    main()
