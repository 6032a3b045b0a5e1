"""False-positive audit: which real sentences does the cleaner remove?

    python bench/audit_real.py                       # bench/realdev's text sets
    python bench/audit_real.py --plain DIR ...       # folders of clean articles, all real
    python bench/audit_real.py --probe ROUND ...     # held-out probe rounds (bench/probe.py)

Every article is cleaned in-process (``clean_dump``, no profile, no rules file) and every
real sentence is looked for in the documents' text; a sentence missing from it is listed
with the rules whose removed spans hold it. Real sentences are:

- a realdev set (``bench/realdev/<set>/``, gold in ``gold.json``): the lines after the title
  that hold no gold residue span nor any of its parts;
- a ``--plain`` folder: every ``.txt`` is a clean article (title on the first line, then
  paragraphs), so every line after the title is real (BBC News articles as the BBC printed
  them, Greene & Cunningham 2006, are the shape this was written for);
- a ``--probe`` round: its gold's ``real`` lines;
- the readability pages' gold bodies (``bench/realdev/readability/gold.json``), each as a
  text dump: the page's title, then its body a paragraph a line, all real.

With ``--positions`` each real line is also tried where the position rules look: alone
between two plain paragraphs, as a story's first line and as its last (``find_furniture``
only), so a rule that would take it on another page shows too.

Lines are cut into sentences at a stop followed by a space and a capital; text is compared
after collapsing whitespace, and a line the cleaner repaired (``repairs[]``: mojibake, words
glued where markup was dropped) in its repaired form. The figure to watch is ``removed``: a
real sentence taken is worse than a residue line left.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from ingest.clean import clean_dump
from ingest.rules import Rules, load_rules

BENCH = Path(__file__).resolve().parent
_SENTENCE_END = re.compile(r"(?:(?<=[.!?…])|(?<=[.!?…][\"”’')\]]))\s+(?=[\"“‘(\[]?[A-Z0-9])")
_WHEN = datetime(2025, 8, 15, 12, 0, tzinfo=UTC)


def _norm(text: str) -> str:
    return " ".join(text.split())


def sentences(line: str) -> list[str]:
    """A line's sentences, cut at a stop before a capital.

    >>> sentences("He left. Then 3 more came! Ok")
    ['He left.', 'Then 3 more came!', 'Ok']
    """
    return [s for s in _SENTENCE_END.split(_norm(line)) if s]


def _realdev(folder: Path) -> Iterator[tuple[str, bytes, list[str]]]:
    gold = json.loads((folder / "gold.json").read_text(encoding="utf-8"))
    for name, entry in sorted(gold.items()):
        data = (folder / name).read_bytes()
        spans = [*entry.get("residue", []), *(p for ps in entry.get("parts", []) for p in ps)]
        lines = data.decode("utf-8").splitlines()[1:]
        real = [ln for ln in lines if ln.strip() and not any(s in ln for s in spans)]
        yield f"{folder.name}/{name}", data, real


def _plain(folder: Path) -> Iterator[tuple[str, bytes, list[str]]]:
    for path in sorted(folder.rglob("*.txt")):
        data = path.read_bytes()
        lines = [ln for ln in data.decode("utf-8").splitlines() if ln.strip()]
        yield str(path.relative_to(folder)), ("\n".join(lines) + "\n").encode(), lines[1:]


def _bodies(gold_file: Path) -> Iterator[tuple[str, bytes, list[str]]]:
    gold = json.loads(gold_file.read_text(encoding="utf-8"))
    for name, entry in sorted(gold.items()):
        if entry.get("lang", "en") != "en":
            continue
        lines = [ln for ln in entry["articleBody"].splitlines() if ln.strip()]
        data = "\n".join([entry.get("title") or "Untitled", *lines]) + "\n"
        yield name, data.encode(), lines


def _probe(folder: Path) -> Iterator[tuple[str, bytes, list[str]]]:
    gold = json.loads((folder / "gold.json").read_text(encoding="utf-8"))
    for fid, entry in sorted(gold.items()):
        data = (folder / "dumps" / f"{fid}.txt").read_bytes()
        yield f"{folder.name}/{fid}", data, list(entry["real"])


def audit(articles: Iterator[tuple[str, bytes, list[str]]], rules: Rules) -> dict[str, object]:
    """Clean each article and return how many real sentences were scanned and lost."""
    scanned = 0
    lost: list[dict[str, object]] = []
    by_rule: Counter[str] = Counter()
    for name, data, real in articles:
        result = clean_dump(data, path=name, rules=rules, scraped_at=_WHEN)
        text = _norm(" ".join(d.text for d in result.documents))
        removed = [(r.rule, _norm(r.text)) for d in result.documents for r in d.removed]
        # a repaired line (mojibake, words glued by dropped markup) is looked for as repaired
        fixed = {_norm(r.before): r.after for d in result.documents for r in d.repairs}
        for line in real:
            for sentence in sentences(fixed.get(_norm(line), line)):
                if not any(ch.isalpha() for ch in sentence):
                    continue  # "***", "1.": a rule or a number, no sentence
                scanned += 1
                if sentence in text:
                    continue
                rules_hit = sorted(
                    {
                        rule
                        for rule, span in removed
                        if span and (span in sentence or sentence in span)
                    }
                )
                by_rule.update(rules_hit or ["(changed)"])
                lost.append({"article": name, "sentence": sentence, "rules": rules_hit})
    return {"scanned": scanned, "removed": len(lost), "by_rule": dict(by_rule), "lost": lost}


_BEFORE = "The council voted on Tuesday to expand the scheme to every district in the city."
_AFTER = "Officials expect the first grants to be paid before the end of the year, they said."


def positions(articles: Iterator[tuple[str, bytes, list[str]]], rules: Rules) -> dict[str, object]:
    """Each real line between two paragraphs, first and last: the lines a rule takes; and
    each line's inline cuts (a teaser, a prompt's tail), wherever it stands."""
    from ingest.furniture import find_furniture
    from ingest.residue import find_cuts

    scanned = 0
    taken: list[dict[str, object]] = []
    by_rule: Counter[str] = Counter()
    for name, _data, real in articles:
        for line in real:
            text = _norm(line)
            if not any(ch.isalpha() for ch in text):
                continue
            scanned += 1
            cuts = find_cuts(text, rules.inline, rules.cues, rules.settings)
            if cuts:
                for cut in cuts:
                    by_rule[cut.rule] += 1
                gone = " | ".join(text[c.start : c.end] for c in cuts)
                taken.append(
                    {"article": name, "where": "inline", "rule": cuts[0].rule, "line": gone}
                )
                continue
            for where, body, at in (
                ("between", [_BEFORE, text, _AFTER], 1),
                ("first", [text, _BEFORE, _AFTER], 0),
                ("last", [_BEFORE, _AFTER, text], 2),
            ):
                rule = find_furniture(body, rules.furniture, rules.settings).get(at)
                if rule:
                    by_rule[rule] += 1
                    taken.append({"article": name, "where": where, "rule": rule, "line": text})
                    break
    return {"scanned": scanned, "removed": len(taken), "by_rule": dict(by_rule), "lost": taken}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--plain", nargs="*", type=Path, default=[], help="clean articles")
    parser.add_argument("--probe", nargs="*", type=Path, default=[], help="probe rounds")
    parser.add_argument("--no-realdev", action="store_true", help="skip bench/realdev")
    parser.add_argument(
        "--positions", action="store_true", help="also try each real line in three positions"
    )
    parser.add_argument("--json", type=Path, help="write the figures and lost sentences here")
    args = parser.parse_args(argv)
    rules = load_rules()
    sources: list[tuple[str, Iterator[tuple[str, bytes, list[str]]]]] = []
    if not args.no_realdev:
        for folder in sorted(
            p for p in (BENCH / "realdev").iterdir() if (p / "gold.json").exists()
        ):
            if any(folder.glob("*.txt")):
                sources.append((f"realdev/{folder.name}", _realdev(folder)))
            else:
                sources.append((f"bodies/{folder.name}", _bodies(folder / "gold.json")))
    sources += [(f"plain/{p.name}", _plain(p)) for p in args.plain]
    sources += [(f"probe/{p.name}", _probe(p)) for p in args.probe]
    report: dict[str, object] = {}
    total = lost = 0
    for label, articles in sources:
        figures = positions(articles, rules) if args.positions else audit(articles, rules)
        report[label] = figures
        total += int(figures["scanned"])  # type: ignore[call-overload]
        lost += int(figures["removed"])  # type: ignore[call-overload]
        print(f"{label:28} real sentences {figures['scanned']:6}  removed {figures['removed']:4}")
        for item in figures["lost"]:  # type: ignore[attr-defined]
            if args.positions:
                print(f"   {item['article']} {item['where']} {item['rule']}: {item['line'][:140]}")
            else:
                what = item["rules"] or "(changed)"
                print(f"   {item['article']} {what}: {item['sentence'][:140]}")
    print(f"{'all':28} real sentences {total:6}  removed {lost:4}")
    if args.json:
        args.json.write_text(json.dumps(report, indent=1, ensure_ascii=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
