"""Train the learned line scorer (``bench/line_scorer.py``) and measure it on unseen sites.

    python bench/train_scorer.py --probe /work/probe*-data/r*              # leave-one-out table
    python bench/train_scorer.py --probe ... --no-loro --outputs R=OUT ...  # on top of a run

Lines come labelled from two kinds of source:

- ``bench/realdev/<set>/`` (Apache-2.0, in this repository): a line equal to a gold residue
  span is residue, a line holding a gold keep sentence and no residue is real, the rest
  (inline residue, lines the gold does not score) is context only;
- held-out probe rounds (``bench/probe.py``'s labelled ``tagged.txt``, kept outside the
  repository): ``R:`` lines are residue, real lines real, neutral lines context only.

Three measurements, each on lines the model was not trained on:

- leave-one-group-out (default): each group (a probe round, a realdev set) is held out in
  turn; the model trained on every other group scores the held-out group's lines alone, as
  if no rule ran (per threshold: residue lines caught, real lines lost);
- ``--outputs ROUND_DIR=OUT_DIR``: a run's documents on a round (say main before that
  round's own rules) re-scored with ``bench/probe.py``'s scorer after the model, trained
  without that round (``--forward``: only on rounds numbered below it), takes every
  paragraph at or above the threshold, as it would on top of the rules;
- the readability pages' gold bodies (``bench/realdev/readability``, 55 real pages of many
  sites and seven languages, every line real): lines taken by the model trained on all.

Training is full-batch Adam on the class-balanced, L2-regularised log loss, a fixed number of
steps from zero weights: the same data gives the same weights (numpy, when importable, only
makes the same steps faster).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import math
import re
import sys
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import line_scorer
from line_scorer import Model, line_features

BENCH = Path(__file__).resolve().parent
_INLINE = re.compile(r"⟦(.*?)⟧")
THRESHOLDS = (0.5, 0.7, 0.8, 0.9, 0.95, 0.97, 0.99)


@dataclass(frozen=True)
class Example:
    group: str
    doc: str
    text: str
    label: int  # 1 residue, 0 real
    features: dict[str, float]


def _story(
    group: str, doc: str, title: str | None, lines: list[tuple[str, int | None]]
) -> list[Example]:
    """A story's labelled lines with their features (unlabelled lines are context only)."""
    feats = line_features([t for t, _ in lines], title)
    return [
        Example(group, doc, t, y, f)
        for (t, y), f in zip(lines, feats, strict=True)
        if y is not None
    ]


def probe_examples(round_dir: Path) -> list[Example]:
    """A probe round's labelled lines, each with its features in its story."""
    out: list[Example] = []
    for block in (round_dir / "tagged.txt").read_text(encoding="utf-8").split("=== ")[1:]:
        head, *rows = block.rstrip("\n").split("\n")
        title = None
        lines: list[tuple[str, int | None]] = []
        for row in rows:
            if not row.strip():
                continue
            tag, body = row.split("|", 1)
            if tag == "T":
                title = title or body
            elif tag == "":
                lines.append((_INLINE.sub(lambda m: m.group(1), body).strip(), 0))
            elif tag == "N":
                lines.append((body.strip(), None))
            else:
                lines.append((body.strip(), 1))
        out += _story(round_dir.name, head.split(" ", 1)[0], title, [x for x in lines if x[0]])
    return out


def _norm(text: str) -> str:
    return " ".join(text.split())


def realdev_examples(set_dir: Path) -> list[Example]:
    """A realdev text set's whole residue lines and real lines (see the module's doc)."""
    gold = json.loads((set_dir / "gold.json").read_text(encoding="utf-8"))
    out: list[Example] = []
    for name, g in sorted(gold.items()):
        raw = (set_dir / name).read_text(encoding="utf-8").split("\n")
        spans = [_norm(s) for s in g["residue"]]
        parts = [_norm(p) for ps in g.get("parts", []) for p in ps if len(p.strip()) > 3]
        keep = [_norm(k) for k in g.get("keep", [])]
        lines: list[tuple[str, int | None]] = []
        for t in (_norm(t) for t in raw[1:] if t.strip()):
            if t in spans:
                lines.append((t, 1))
            elif any(s in t for s in spans) or any(p in t for p in parts):
                lines.append((t, None))
            elif any(k in t for k in keep):
                lines.append((t, 0))
            else:  # not scored by the set's gold: may be residue of a family it leaves out
                lines.append((t, None))
        out += _story(set_dir.name, name, raw[0].strip(), lines)
    return out


def readability_examples(folds: int = 1) -> list[Example]:
    """Every line of the readability pages' gold bodies, all real; in ``folds`` groups
    (``read0`` ...) by page, when they are trained on."""
    gold = json.loads((BENCH / "realdev/readability/gold.json").read_text(encoding="utf-8"))
    out: list[Example] = []
    for k, (name, g) in enumerate(sorted(gold.items())):
        body = [_norm(t) for t in g["articleBody"].split("\n") if t.strip()]
        group = f"read{k % folds}" if folds > 1 else "readability"
        out += _story(group, name, g.get("title"), [(t, 0) for t in body])
    return out


def train(
    examples: list[Example],
    steps: int = 1000,
    l2: float = 1e-3,
    real_weight: float = 1.0,
    rate: float = 0.05,
) -> Model:
    """Logistic regression: full-batch Adam from zero, classes weighted to equal mass (a real
    line's weight times ``real_weight``)."""
    names = sorted({k for e in examples for k in e.features})
    index = {k: i for i, k in enumerate(names)}
    ys = [float(e.label) for e in examples]
    n = len(ys)
    pos = sum(ys) or 1.0
    neg = (n - pos) or 1.0
    cw = [n / (2 * pos) if y else real_weight * n / (2 * neg) for y in ys]
    try:
        import numpy as np
    except ImportError:
        np = None  # type: ignore[assignment]
    if np is not None:
        x = np.zeros((n, len(names)))
        for r, e in enumerate(examples):
            for k, val in e.features.items():
                x[r, index[k]] = val
        y, c = np.array(ys), np.array(cw)
        w, m, v = np.zeros(len(names)), np.zeros(len(names)), np.zeros(len(names))
        for step in range(1, steps + 1):
            p = 1.0 / (1.0 + np.exp(-np.clip(x @ w, -40.0, 40.0)))
            grad = l2 * w + x.T @ (c * (p - y)) / n
            m = 0.9 * m + 0.1 * grad
            v = 0.999 * v + 0.001 * grad * grad
            w -= rate * (m / (1 - 0.9**step)) / (np.sqrt(v / (1 - 0.999**step)) + 1e-8)
        return Model({k: round(float(w[i]), 6) for k, i in index.items()})
    rows = [[(index[k], val) for k, val in sorted(e.features.items())] for e in examples]
    wl, ml, vl = [0.0] * len(names), [0.0] * len(names), [0.0] * len(names)
    for step in range(1, steps + 1):
        grad = [l2 * wi for wi in wl]
        for row, yv, cv in zip(rows, ys, cw, strict=True):
            z = sum(wl[i] * xv for i, xv in row)
            g = cv * (1.0 / (1.0 + math.exp(-max(-40.0, min(40.0, z)))) - yv) / n
            for i, xv in row:
                grad[i] += g * xv
        for i, gi in enumerate(grad):
            ml[i] = 0.9 * ml[i] + 0.1 * gi
            vl[i] = 0.999 * vl[i] + 0.001 * gi * gi
            mh, vh = ml[i] / (1 - 0.9**step), vl[i] / (1 - 0.999**step)
            wl[i] -= rate * mh / (math.sqrt(vh) + 1e-8)
    return Model({k: round(wl[i], 6) for k, i in index.items()})


def evaluate(model: Model, examples: Iterable[Example]) -> dict[float, tuple[int, int, int, int]]:
    """Per threshold: (residue caught, residue, real lost, real)."""
    scored = [(model.score(e.features), e.label) for e in examples]
    res = sum(y for _, y in scored)
    real = len(scored) - res
    return {
        t: (
            sum(1 for s, y in scored if y and s >= t),
            res,
            sum(1 for s, y in scored if not y and s >= t),
            real,
        )
        for t in THRESHOLDS
    }


def drop_scored(out: Path, dest: Path, model: Model, threshold: float) -> int:
    """Copy a run's documents (``out/<dump>/*.json``) to ``dest`` with every paragraph the
    model scores at or above ``threshold`` taken out; return how many paragraphs went."""
    gone = 0
    for path in sorted(out.glob("*/*.json")):
        doc = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(doc, dict) or "text" not in doc:
            continue
        paras = doc["text"].split("\n\n")
        scores = [model.score(f) for f in line_features(paras, doc.get("headline"))]
        kept = [p for p, sc in zip(paras, scores, strict=True) if sc < threshold]
        gone += len(paras) - len(kept)
        doc["text"] = "\n\n".join(kept)
        (dest / path.parent.name).mkdir(parents=True, exist_ok=True)
        (dest / path.parent.name / path.name).write_text(json.dumps(doc), encoding="utf-8")
    return gone


def _cells(counts: tuple[int, int, int, int] | list[int]) -> str:
    return f"{counts[0]}/{counts[1]} {counts[2]}/{counts[3]}"


def leave_one_out(examples: list[Example], args: argparse.Namespace) -> None:
    """Each group held out in turn: residue caught and real lost, per threshold."""
    groups = sorted({e.group for e in examples}, key=lambda g: (not g[1:].isdigit(), len(g), g))
    total = {t: [0, 0, 0, 0] for t in THRESHOLDS}
    print("held out   " + "  ".join(f"@{t} caught lost" for t in THRESHOLDS))
    for g in groups:
        model = train([e for e in examples if e.group != g], args.steps, args.l2, args.real_weight)
        held = [e for e in examples if e.group == g]
        cells = []
        for t, counts in evaluate(model, held).items():
            total[t] = [a + b for a, b in zip(total[t], counts, strict=True)]
            cells.append(_cells(counts))
        print(f"{g:10} " + "  ".join(cells), flush=True)
        for e in held if args.show is not None else ():
            s = model.score(e.features)
            if s >= args.show:
                print(f"    {'RES ' if e.label else 'REAL'} {s:.3f} {e.doc} {e.text[:100]}")
    print("all        " + "  ".join(_cells(total[t]) for t in THRESHOLDS))


def on_outputs(examples: list[Example], args: argparse.Namespace) -> None:
    """Runs' documents re-scored by bench/probe.py after the model takes its lines."""
    from probe import score as probe_score

    sums: dict[float, list[int]] = {}
    print("round before  " + "  ".join(f"@{t} left kept" for t in THRESHOLDS))
    for pair in args.outputs:
        rdir, odir = (Path(x) for x in pair.split("=", 1))
        g, number = rdir.name, int(rdir.name[1:])
        model = train(
            [
                e
                for e in examples
                if e.group != g
                and not (args.forward and e.group[1:].isdigit() and int(e.group[1:]) > number)
            ],
            args.steps,
            args.l2,
            args.real_weight,
        )
        with contextlib.redirect_stdout(io.StringIO()):
            base = probe_score(rdir, odir)
        row = [f"{base[0]}/{base[1]} {base[2]}/{base[3]}"]
        sums.setdefault(-1.0, [0, 0, 0, 0])
        sums[-1.0] = [a + b for a, b in zip(sums[-1.0], base, strict=True)]
        for t in THRESHOLDS:
            with tempfile.TemporaryDirectory() as tmp:
                drop_scored(odir, Path(tmp), model, t)
                with contextlib.redirect_stdout(io.StringIO()):
                    got = probe_score(rdir, Path(tmp))
            sums[t] = [a + b for a, b in zip(sums.get(t, [0, 0, 0, 0]), got, strict=True)]
            row.append(_cells(got))
        print(f"{g:5} " + "  ".join(row), flush=True)
    print("all   " + "  ".join(_cells(sums[t]) for t in (-1.0, *THRESHOLDS)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--probe", type=Path, nargs="*", default=[], help="probe round folders")
    parser.add_argument("--realdev", default="nyt,washtimes,usatoday,politico,thehill")
    parser.add_argument("--steps", type=int, default=1000)
    parser.add_argument("--l2", type=float, default=1e-3)
    parser.add_argument("--real-weight", type=float, default=1.0, help="a real line's weight")
    parser.add_argument("--tokens", type=int, default=0, help="hashed word features (0: none)")
    parser.add_argument(
        "--train-readability",
        type=int,
        default=0,
        metavar="FOLDS",
        help="train on the readability gold lines too, as FOLDS groups held out in turn",
    )
    parser.add_argument("--no-loro", action="store_true", help="skip leave-one-group-out")
    parser.add_argument("--outputs", nargs="*", default=[], metavar="ROUND_DIR=OUT_DIR")
    parser.add_argument("--forward", action="store_true", help="--outputs: earlier rounds only")
    parser.add_argument("--show", type=float, help="list held-out lines scored at least this")
    args = parser.parse_args()
    line_scorer.TOKENS = args.tokens
    examples: list[Example] = []
    for r in args.probe:
        if (r / "tagged.txt").exists():
            examples += probe_examples(r)
    for s in filter(None, args.realdev.split(",")):
        examples += realdev_examples(BENCH / "realdev" / s)
    if args.train_readability:
        examples += readability_examples(args.train_readability)
    groups = {e.group for e in examples}
    print(f"{len(examples)} lines, {sum(e.label for e in examples)} residue, {len(groups)} groups")
    if not args.no_loro:
        leave_one_out(examples, args)
    if args.outputs:
        on_outputs(examples, args)
    if args.train_readability:  # held out by fold in the table above
        return
    model = train(examples, args.steps, args.l2, args.real_weight)
    res = evaluate(model, readability_examples())
    print(
        "readability gold lines lost: " + "  ".join(f"@{t} {r[2]}/{r[3]}" for t, r in res.items())
    )


if __name__ == "__main__":
    sys.exit(main())
