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
makes the same steps faster). ``--trees N`` fits N boosted depth-two trees instead (numpy).
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
from line_scorer import Model, Tree, Trees, line_features

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


def rule_verdicts(dumps: Path, out: Path) -> dict[str, tuple[list[str], set[int]]]:
    """Per dump (its stem): its lines, and the 1-based lines a run's rules removed whole (the
    run's ``removed[]`` texts on a line cover at least 90% of it)."""
    found: dict[str, tuple[list[str], set[int]]] = {}
    for dump in sorted(dumps.glob("*.txt")):
        lines = dump.read_text(encoding="utf-8").split("\n")
        parts: dict[int, list[str]] = {}
        for path in sorted((out / dump.name).glob("*.json")):
            for r in json.loads(path.read_text(encoding="utf-8")).get("removed", []):
                parts.setdefault(r["line"], []).append(r["text"])
        gone = {
            n
            for n, texts in parts.items()
            if _norm(lines[n - 1]) and len(_norm(" ".join(texts))) >= 0.9 * len(_norm(lines[n - 1]))
        }
        found[dump.stem] = (lines, gone)
    return found


def _neighbours(n: int, lines: list[str], gone: set[int]) -> dict[str, float]:
    """Whether the rules removed the non-blank dump line above ``n`` (not the title) or
    below it."""
    f: dict[str, float] = {}
    up = n - 1
    while up >= 1 and not lines[up - 1].strip():
        up -= 1
    down = n + 1
    while down <= len(lines) and not lines[down - 1].strip():
        down += 1
    if up >= 2 and up in gone:
        f["rule_prev"] = 1.0
    if down <= len(lines) and down in gone:
        f["rule_next"] = 1.0
    return f


def verdict_examples(round_dir: Path, out: Path, survivors: bool) -> list[Example]:
    """A probe round's labelled lines with the rules' verdicts on their neighbours in a run
    (``out``) as features; ``survivors``: only the lines the run kept, scored among them."""
    verdicts = rule_verdicts(round_dir / "dumps", out)
    examples: list[Example] = []
    for block in (round_dir / "tagged.txt").read_text(encoding="utf-8").split("=== ")[1:]:
        head, *rows = block.rstrip("\n").split("\n")
        fid = head.split(" ", 1)[0]
        lines, gone = verdicts[fid]
        title, items, n = None, [], 0
        for row in (r for r in rows if r.strip()):
            tag, body = row.split("|", 1)
            n += 1  # bench/probe.py writes one dump line a labelled line
            if tag == "T":
                title = title or body
                continue
            text = _INLINE.sub(lambda m: m.group(1), body).strip()
            label = 0 if tag == "" else None if tag == "N" else 1
            if text and not (survivors and n in gone):
                items.append((n, text, label))
        feats = line_features([t for _, t, _ in items], title)
        for (k, text, label), f in zip(items, feats, strict=True):
            if label is not None:
                f.update(_neighbours(k, lines, gone))
                examples.append(Example(round_dir.name, fid, text, label, f))
    return examples


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


def train_trees(
    examples: list[Example],
    rounds: int = 200,
    real_weight: float = 1.0,
    rate: float = 0.1,
    lam: float = 1.0,
    bins: int = 16,
) -> Trees:
    """Gradient-boosted depth-two trees on the class-balanced log loss (needs numpy).

    Splits are tried at up to ``bins`` quantiles of each feature; ties go to the first
    feature by name, so the same data gives the same trees.
    """
    import numpy as np

    names = sorted({k for e in examples for k in e.features})
    x = np.zeros((len(examples), len(names)))
    for r, e in enumerate(examples):
        for k, val in e.features.items():
            x[r, names.index(k)] = val
    y = np.array([float(e.label) for e in examples])
    n, pos = len(y), max(y.sum(), 1.0)
    c = np.where(y > 0, n / (2 * pos), real_weight * n / (2 * max(n - y.sum(), 1.0)))
    qs = np.linspace(0, 1, bins + 1)[1:-1]
    cuts = [np.unique(np.quantile(x[:, j], qs)) for j in range(len(names))]
    cuts = [cj[cj > x[:, j].min()] for j, cj in enumerate(cuts)]

    # bin[r, j]: how many of feature j's cuts row r's value reaches (values < cut i: bin <= i)
    binned = np.stack(
        [np.searchsorted(cj, x[:, j], side="right") for j, cj in enumerate(cuts)], axis=1
    )

    def best(mask: np.ndarray, g: np.ndarray, h: np.ndarray) -> tuple[int, float] | None:
        gm, hm = g[mask], h[mask]
        gt, ht = gm.sum(), hm.sum()
        top, pick = 1e-9, None
        for j, cj in enumerate(cuts):
            if not len(cj):
                continue
            b = binned[mask, j]
            gl = np.cumsum(np.bincount(b, weights=gm, minlength=len(cj) + 1))[:-1]
            hl = np.cumsum(np.bincount(b, weights=hm, minlength=len(cj) + 1))[:-1]
            gain = gl**2 / (hl + lam) + (gt - gl) ** 2 / (ht - hl + lam) - gt * gt / (ht + lam)
            i = int(np.argmax(gain))
            if gain[i] > top:
                top, pick = float(gain[i]), (j, float(cj[i]))
        return pick

    def leaf(mask: np.ndarray, g: np.ndarray, h: np.ndarray) -> float:
        return float(-rate * g[mask].sum() / (h[mask].sum() + lam))

    base = float(np.log(pos / max(n - y.sum(), 1.0)))
    z = np.full(n, base)
    trees: list[Tree] = []
    for _ in range(rounds):
        p = 1.0 / (1.0 + np.exp(-z))
        g, h = c * (p - y), c * p * (1 - p)
        everyone = np.ones(n, dtype=bool)
        root = best(everyone, g, h)
        if root is None:
            break
        j, cut = root
        sides = []
        for side in (x[:, j] < cut, x[:, j] >= cut):
            split = best(side, g, h)
            if split is None:
                sides.append((names[0], -1e300, leaf(side, g, h), leaf(side, g, h)))
                continue
            k, cut2 = split
            lo, hi = side & (x[:, k] < cut2), side & (x[:, k] >= cut2)
            sides.append((names[k], cut2, leaf(lo, g, h), leaf(hi, g, h)))
        tree: Tree = (names[j], cut, sides[0], sides[1])
        trees.append(tree)
        for side, sub in ((x[:, j] < cut, sides[0]), (x[:, j] >= cut, sides[1])):
            below = x[:, names.index(sub[0])] < sub[1]
            z += np.where(side & below, sub[2], 0.0) + np.where(side & ~below, sub[3], 0.0)
    return Trees(tuple(trees), base)


def fit(examples: list[Example], args: argparse.Namespace) -> Model | Trees:
    """The model ``args`` asks for, trained on ``examples``."""
    if args.trees:
        return train_trees(examples, args.trees, args.real_weight)
    return train(examples, args.steps, args.l2, args.real_weight)


def evaluate(
    model: Model | Trees, examples: Iterable[Example]
) -> dict[float, tuple[int, int, int, int]]:
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


def drop_scored(out: Path, dest: Path, model: Model | Trees, threshold: float) -> int:
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
        model = fit([e for e in examples if e.group != g], args)
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
        model = fit(
            [
                e
                for e in examples
                if e.group != g
                and not (args.forward and e.group[1:].isdigit() and int(e.group[1:]) > number)
            ],
            args,
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


def with_verdicts(examples: list[Example], args: argparse.Namespace) -> None:
    """Line-level: the lines a run kept (``--line-outputs``) scored by a model trained without
    their round, with and without the rules' verdicts on each line's neighbours (training
    rounds' verdicts from ``--train-runs``)."""
    runs = dict(pair.split("=", 1) for pair in args.train_runs)
    others = [e for e in examples if not e.group[1:].isdigit()]  # realdev, readability
    rounds = [
        e
        for r, out in sorted(runs.items())
        for e in verdict_examples(Path(r), Path(out), survivors=False)
    ]
    tests = [tuple(Path(x) for x in pair.split("=", 1)) for pair in args.line_outputs]
    for name, keep in (("plain", False), ("neighbours", True)):
        total = {t: [0, 0, 0, 0] for t in THRESHOLDS}

        def trim(xs: list[Example], keep: bool = keep) -> list[Example]:
            if keep:
                return xs
            return [
                Example(
                    e.group,
                    e.doc,
                    e.text,
                    e.label,
                    {k: v for k, v in e.features.items() if not k.startswith("rule_")},
                )
                for e in xs
            ]

        for rdir, out in tests:
            model = fit(trim([e for e in rounds if e.group != rdir.name] + others), args)
            held = trim(verdict_examples(rdir, out, survivors=True))
            for t, counts in evaluate(model, held).items():
                total[t] = [a + b for a, b in zip(total[t], counts, strict=True)]
        print(f"{name:10} " + "  ".join(_cells(total[t]) for t in THRESHOLDS), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--probe", type=Path, nargs="*", default=[], help="probe round folders")
    parser.add_argument("--realdev", default="nyt,washtimes,usatoday,politico,thehill")
    parser.add_argument("--steps", type=int, default=1000)
    parser.add_argument("--l2", type=float, default=1e-3)
    parser.add_argument("--real-weight", type=float, default=1.0, help="a real line's weight")
    parser.add_argument(
        "--trees", type=int, default=0, help="boosted depth-two trees, this many (needs numpy)"
    )
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
    parser.add_argument(
        "--train-runs",
        nargs="*",
        default=[],
        metavar="ROUND_DIR=OUT_DIR",
        help="with --line-outputs: a run on each training round, for the rules' verdicts",
    )
    parser.add_argument(
        "--line-outputs",
        nargs="*",
        default=[],
        metavar="ROUND_DIR=OUT_DIR",
        help="line-level, with and without the rules' verdicts on the neighbours as features",
    )
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
    if args.line_outputs:
        with_verdicts(examples, args)
    if args.train_readability:  # held out by fold in the table above
        return
    model = fit(examples, args)
    res = evaluate(model, readability_examples())
    print(
        "readability gold lines lost: " + "  ".join(f"@{t} {r[2]}/{r[3]}" for t, r in res.items())
    )


if __name__ == "__main__":
    sys.exit(main())
