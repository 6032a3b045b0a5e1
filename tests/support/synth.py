"""Deterministic synthetic Daily8-style dumps with ground truth, for tests and benchmarks.

``generate_dump(seed, **options)`` returns the bytes of one dump plus the clean stories a perfect
cleaner should recover. Output depends only on the seed and options (``random.Random`` seeded
with ints, no ``hash()``, no set order, no clock), so it is byte-identical on every machine.
Options are drawn from a stream separate from the text, so changing one option (e.g. the
encoding) leaves the rest of the dump as it was.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import string
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal, TypedDict, Unpack

Encoding = Literal["utf-8", "utf-8-sig", "cp1252", "mojibake"]
ENCODINGS: tuple[str, ...] = ("utf-8", "utf-8-sig", "cp1252", "mojibake")
NEWLINES: tuple[str, ...] = ("\n", "\r\n", "\r")
CHROME_HEAD = "Hashtags"
# fmt: off
CHROME_TAIL = (  # after CHROME_HEAD, the hashtag lines and a blank line
    "Try Our AI Features", "Explore what Daily8 AI can do for you:", "Comments",
    "No comments yet...", "Related Articles",
)
TEASER_MARKERS = ("READ MORE:", "Read more:", "READ ALSO:", "RELATED:", "WATCH:")
OUTLETS = (
    "Sky News", "The National", "Spectator", "BBC News", "The Guardian", "Reuters", "Al Jazeera",
    "Le Monde", "The Irish Times", "Daily Maverick", "ABC News (Australia)", "Yahoo Finance UK",
    "The Independent", "Euronews", "Deutsche Welle", "The Scotsman", "RTÉ News", "Politico Europe",
)
PAPERS = ("Courier", "Herald", "Gazette", "Post", "Chronicle", "Observer", "Echo", "Argus")
TIMES = (
    "just now", "15 minutes ago", "an hour ago", "2 hours ago", "5 hours ago", "a day ago",
    "yesterday", "3 days ago", "2 weeks ago", "a minute ago", "a week ago", "40 minutes ago",
)
FIRST = (
    "Olena", "James", "Siobhán", "Ahmed", "Zoë", "Kate", "Mei", "José", "Ngozi", "Søren", "Łukasz",
    "Priya", "Anders", "Fiona", "Tomás", "Amara", "Dmitry", "Chloé", "Rhys", "Agnieszka", "Keir",
)
LAST = (
    "O’Brien", "Forbes", "Müller", "García", "Nowak", "Okafor", "Patel", "Kowalski", "Dvořák",
    "Erdoğan", "Lindqvist", "MacLeod", "Mbeki", "Fournier", "Nakamura", "Ó Ceallaigh", "Siluanov",
)
PLACES = (
    "Kyiv", "Glasgow", "Brussels", "Nairobi", "São Paulo", "Montréal", "Kraków", "Łódź", "Gdańsk",
    "Reykjavík", "Zürich", "Cork", "Durban", "Perth", "Anchorage", "Leeds", "Marseille", "Dundee",
)
ORGS = (
    "the Bank of England", "the European Commission", "Nato", "the UN", "the Treasury", "Ofgem",
    "the Met Office", "the World Health Organization", "Holyrood", "the Kremlin", "the Fed",
)
ROLES = (
    "the finance minister", "a senior official", "the party leader", "the chief economist",
    "a union spokeswoman", "the council’s leader", "a defence analyst", "the health secretary",
)
TOPICS = (
    "energy prices", "the ceasefire", "housing costs", "the trade deal", "climate targets",
    "interest rates", "the teachers’ strike", "ferry services", "the budget", "migration rules",
)
NOUNS = ("stories", "jobs", "farms", "schools", "pubs", "rail links", "libraries", "harbours")
QUOTES = (
    "We will not be rushed into a bad deal", "This is a moment for calm heads",
    "People are struggling and they need help now", "It’s simply not good enough",
    "Nobody wins a trade war", "We’ve been clear from the start – the answer is no",
    "The numbers don’t lie", "This was always going to take time",
)
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
TAGS = ("#Economy", "#Jobs", "#Ukraine", "#Scotland", "#Climate", "#Politics", "#Markets", "#NHS")
SENTENCES = (
    "{Name} said the plan for {topic} would be published on {day}.",
    "Officials in {place} expect {n},000 people to be affected by the changes.",
    "The decision comes after months of pressure from {org} over {topic}.",
    "{Name}, {role}, told reporters: “{quote}.”",
    "{Sur} said: \"{quote}.\"",
    "It is the first time since {year} that {org} has intervened so directly.",
    "Figures released on {day} showed prices in {place} rising by {pct}% in a year.",
    "Critics say the £{money}m package – announced with great fanfare – falls short.",
    "The government’s critics were quick to respond.",
    "{Name} – who has led the campaign for {n} years – called it “a turning point”.",
    "Can {org} really deliver on {topic} before the election?",
    "Residents of {place} have complained about {topic} for years.",
    "According to {org}, around {pct}% of {nouns} in the region could close.",
    "{Sur}’s allies insist the row over {topic} has been overblown.",
    "The talks in {place} are due to resume later this week.",
    "Meanwhile, {role} warned that {topic} would dominate the agenda.",
    "Asked whether the deal was dead, {Sur} replied: “{quote}.”",
    "Costs have risen by €{money}m since the project began in {year}.",
    "It’s not clear whether {org} will back the proposal.",
    "{Name} did not respond to a request for comment.",
    "Some {n} {nouns} have already closed across {place}, campaigners say.",
    "The row has exposed deep divisions within {org}.",
    "Speaking in {place}, {Sur} said {topic} would be “the defining test of this parliament”.",
    "What happens next is anyone’s guess.",
    "Officials privately concede that {topic} will not be resolved before {day}.",
    "{Sur} has faced growing criticism over {topic} since taking office in {year}.",
    "Turnout in {place} fell to {pct}%, the lowest on record.",
    "The move was welcomed by {role}, who called it “long overdue”.",
    "Who will pay for it?",
    "Critics point out that {org} had been warned about {topic} as early as {year}.",
)
LOOKALIKES = (
    ("Talks resumed at {h}:{mm}pm on {day}, officials said.", "at {h}:{mm}pm"),
    ("The statement was issued at {hh}:{mm} GMT, hours before the vote.", "at {hh}:{mm} GMT"),
    ("A banner quoting John 3:16 hung above the stage in {place}.", "John 3:16"),
    ("{place} sealed a {a}-1 win in the final minutes.", "a {a}-1 win"),
    ("Applicants outnumber places by a ratio of {a}:1, the report found.", "a ratio of {a}:1"),
    ("Comments were closed after the post went viral.",) * 2,
)
HEADLINES = (
    "{Sur} warns {org} over {topic}", "{place} braces for another week of disruption",
    "Tree-planting is not a {topic} fix, report urges", "Markets rally as Fed signals pause",
    "{Name}: {place}’s {nouns} are being lost as tourists focus on aesthetic posts",
    "Why {topic} could decide the next election", "{Sur} knows {sur2} has to be a willing partner",
    "Fears grow for {nouns} in {place} as costs soar", "‘{quote}’ – {Sur} hits back at critics",
    "{Sur} and {sur2} fundamentally misunderstand each other", "Inside the fight over {topic}",
    "{place} {nouns} face closure - but there is still hope", "{pct}% rise in {topic} complaints",
)
LOOKALIKE_HEADLINES = (
    "Related charities pool funds as winter bites", "Comments by minister spark row",
    "Related firms in {place} face fresh scrutiny", "Comments on {topic} leave {Sur} isolated",
)
# fmt: on
CONNECTORS = ("And ", "But ", "Meanwhile, ", "Still, ")
# Characters outside cp1252, folded to ASCII letters when the dump is encoded as cp1252.
_FOLD = str.maketrans("Łłńřğźś", "Llnrgzs")


class SynthOptions(TypedDict, total=False):
    """Keyword options of :func:`generate_dump`; each one is drawn at random when omitted."""

    n_related: int  # related stories (random 0..6); must be 0 when chrome is False
    teasers: int  # teaser links per related story (random 0..3 per story)
    main_teasers: int  # teaser links in the main story (random 0..2)
    durations: int  # video durations per story, main included (random 0..3 per story)
    lookalikes: int  # look-alike sentences per story (random 0..2 per story)
    hashtags: int  # hashtag lines in the chrome (random 0..2)
    headline: bool  # main headline line present
    chrome: bool  # Daily8 aggregator chrome present
    encoding: Encoding
    newline: str  # "\n", "\r\n" or "\r"


@dataclass(frozen=True)
class SynthStory:
    """Ground truth for one story: what a perfect cleaner recovers, and what it must remove."""

    outlet: str | None  # None for the main story
    published_text: str | None  # e.g. "2 hours ago"; None for the main story
    headline: str | None
    paragraphs: tuple[str, ...]  # clean body paragraphs, typographic characters intact
    residue: tuple[str, ...]  # inline residue strings exactly as inserted, in file order
    lookalikes: tuple[str, ...]  # look-alike substrings (in headline or paragraphs) to keep


@dataclass(frozen=True)
class SynthDump:
    """One synthetic dump: its file name, bytes and ground truth."""

    name: str
    data: bytes
    stories: tuple[SynthStory, ...]  # index 0 = main story, then related in file order
    aggregator: str | None  # "Daily8" when chrome present, else None
    encoding: str
    newline: str


def corpus_seed(seed: int, index: int) -> int:
    """Seed of dump ``index`` in the corpus of ``seed`` (stable across machines)."""
    # "ingest.synth" is the module's old name: kept, so every corpus stays byte for byte.
    digest = hashlib.sha256(f"ingest.synth:{seed}:{index}".encode()).digest()
    return int.from_bytes(digest[:8], "big")


def _sub_rng(seed: int, stream: str) -> random.Random:
    digest = hashlib.sha256(f"ingest.synth:{seed}/{stream}".encode()).digest()
    return random.Random(int.from_bytes(digest, "big"))


_FORMATTER = string.Formatter()


def _numbers(lo: int, hi: int, fmt: str = "d") -> tuple[str, ...]:
    return tuple(format(i, fmt) for i in range(lo, hi + 1))


# fmt: off
POOLS: dict[str, tuple[str, ...]] = {
    "first": FIRST, "Sur": LAST, "sur2": LAST, "place": PLACES, "org": ORGS, "role": ROLES,
    "topic": TOPICS, "nouns": NOUNS, "quote": QUOTES, "day": DAYS, "n": _numbers(2, 40),
    "pct": _numbers(2, 60), "money": _numbers(5, 900), "year": _numbers(1979, 2023),
    "h": _numbers(1, 11), "hh": _numbers(0, 23, "02d"), "mm": _numbers(0, 59, "02d"),
    "a": _numbers(2, 5), "paper": PAPERS, "outlet": OUTLETS, "time": TIMES,
}
# fmt: on


class _Text:
    """Newsy sentences, headlines and residue from templates, driven by one ``random.Random``.

    With ``fold`` the word pools lose the characters cp1252 cannot encode; the random stream
    is the same, so a cp1252 dump is the utf-8 dump of the same seed with those letters folded.
    """

    def __init__(self, rng: random.Random, fold: bool) -> None:
        self.rng = rng
        self.pools = {
            k: tuple(x.translate(_FOLD) for x in v) if fold else v for k, v in POOLS.items()
        }
        self.deck: list[str] = []

    def slots(self, *templates: str) -> dict[str, str]:
        """Draw a value for each field the templates use ({Name} is {first} {Sur})."""
        fields = [f for t in templates for _, f, _, _ in _FORMATTER.parse(t) if f]
        fields = ["first", "Sur", *fields] if "Name" in fields else fields
        slots = {f: self.rng.choice(self.pools[f]) for f in dict.fromkeys(fields) if f != "Name"}
        return slots | {"Name": f"{slots['first']} {slots['Sur']}"} if "first" in slots else slots

    def fill(self, template: str) -> str:
        text = template.format(**self.slots(template))
        return text[0].upper() + text[1:]

    def sentence(self) -> str:
        if not self.deck:  # deal templates like cards so a story rarely repeats one
            self.deck = self.rng.sample(SENTENCES, len(SENTENCES))
        text = self.fill(self.deck.pop())
        first = text.split(" ", 1)[0]
        if self.rng.random() < 0.15 and first in ("The", "It", "Officials", "Critics", "Costs"):
            text = self.rng.choice(CONNECTORS) + text[0].lower() + text[1:]
        return text

    def headline(self, lookalike: bool = False) -> str:
        return self.fill(self.rng.choice(LOOKALIKE_HEADLINES if lookalike else HEADLINES))

    def lookalike(self) -> tuple[str, str]:
        sentence, marker = self.rng.choice(LOOKALIKES)
        slots = self.slots(sentence, marker)
        return sentence.format(**slots), marker.format(**slots)

    def teaser(self) -> str:
        head = self.headline()
        if self.rng.random() < 0.25:  # Title Case teaser
            head = " ".join(w[:1].upper() + w[1:] for w in head.split(" "))
        return f"{self.rng.choice(TEASER_MARKERS)} {head}"

    def duration(self) -> str:
        r = self.rng
        kind, ss = r.random(), f"{r.randint(0, 59):02d}"
        if kind < 0.5:
            return f"{r.randint(0, 9)}:{ss}"
        if kind < 0.85:
            return f"{r.randint(10, 59)}:{ss}"
        return f"{r.randint(1, 2)}:{r.randint(0, 59):02d}:{ss}"

    def outlet(self) -> str:
        return self.fill("The {place} {paper}" if self.rng.random() < 0.2 else "{outlet}")


Inserts = dict[tuple[int, int], list[str]]


def _story(
    tx: _Text, n_teasers: int, n_durations: int, n_lookalikes: int, main: bool
) -> tuple[list[list[str]], list[str], Inserts, dict[int, list[str]]]:
    """Sentences per paragraph, look-alike markers, inline residue keyed by the (paragraph,
    sentence) it follows, and (main story only) teaser lines keyed by the paragraph they follow.
    Paragraphs get extra sentences when there are too few sentence boundaries for the residue."""
    rng = tx.rng
    paras = [[tx.sentence() for _ in range(rng.randint(2, 6))] for _ in range(rng.randint(2, 8))]
    marks: list[str] = []
    for _ in range(n_lookalikes):
        sentence, marker = tx.lookalike()
        para = rng.choice(paras)
        para.insert(rng.randint(0, len(para)), sentence)
        marks.append(marker)
    own_line = [main and rng.random() < 0.4 for _ in range(n_teasers)]
    at_end = [not main and rng.random() < 0.2 for _ in range(n_teasers)]
    at_end = [e and not any(at_end[:i]) for i, e in enumerate(at_end)]  # at most one at the end
    need = n_durations + sum(not a and not b for a, b in zip(own_line, at_end, strict=True))

    def slots() -> list[tuple[int, int]]:  # boundaries followed by a sentence on the same line
        last = len(paras) - 1
        return [
            (p, s)
            for p, para in enumerate(paras)
            for s in range(len(para))
            if s < len(para) - 1 or (not main and p < last)
        ]

    while len(slots()) < need:
        min(paras, key=len).append(tx.sentence())
    chosen = rng.sample(slots(), need)
    inserts: Inserts = {}
    for slot in chosen[:n_durations]:
        inserts.setdefault(slot, []).append(tx.duration())
    lines: dict[int, list[str]] = {}
    free = iter(chosen[n_durations:])
    for own, end in zip(own_line, at_end, strict=True):
        if own:
            lines.setdefault(rng.randrange(len(paras)), []).append(tx.teaser())
        else:
            slot = (len(paras) - 1, len(paras[-1]) - 1) if end else next(free)
            inserts.setdefault(slot, []).append(tx.teaser())
    return paras, marks, inserts, lines


def _lay_out(
    paras: list[list[str]], inserts: Inserts, own_lines: dict[int, list[str]], main: bool
) -> tuple[list[str], list[str]]:
    """File lines of a story body (one per paragraph, or one flattened line) and its residue."""
    out: list[str] = []
    residue: list[str] = []
    for p, para in enumerate(paras):
        pieces: list[str] = []
        for s, sentence in enumerate(para):
            extra = inserts.get((p, s), [])
            pieces += [sentence, *extra]
            residue += extra
        out += [" ".join(pieces), *own_lines.get(p, [])]
        residue += own_lines.get(p, [])
    return (out if main else [" ".join(out)]), residue


def _sloppy_mojibake(line: str) -> str:
    """``line`` as utf-8 bytes read back as cp1252 (undefined bytes become C1 controls)."""
    out = []
    for b in line.encode("utf-8"):
        try:
            out.append(bytes([b]).decode("cp1252"))
        except UnicodeDecodeError:
            out.append(chr(b))
    return "".join(out)


def _check(options: dict[str, object]) -> None:
    unknown = sorted(set(options) - SynthOptions.__optional_keys__)
    if unknown:
        raise TypeError(f"unknown synth option(s): {', '.join(unknown)}")
    for key in ("n_related", "teasers", "main_teasers", "durations", "lookalikes", "hashtags"):
        value = options.get(key, 0)
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise ValueError(f"{key} must be a non-negative int, got {value!r}")
    for key in ("headline", "chrome"):
        if not isinstance(options.get(key, True), bool):
            raise ValueError(f"{key} must be a bool")
    if options.get("encoding", "utf-8") not in ENCODINGS:
        raise ValueError(f"encoding must be one of {ENCODINGS}")
    if options.get("newline", "\n") not in NEWLINES:
        raise ValueError(f"newline must be one of {NEWLINES!r}")
    if options.get("chrome") is False and options.get("n_related", 0) != 0:
        raise ValueError("related stories need the aggregator chrome (chrome=True)")


def generate_dump(seed: int, **options: Unpack[SynthOptions]) -> SynthDump:
    """Build one synthetic dump and its ground truth from ``seed`` and ``options``.

    See :class:`SynthOptions`. Raises ``TypeError`` for an unknown option and ``ValueError``
    for a bad value, e.g. ``n_related > 0`` with ``chrome=False`` (``n_related > 0`` with
    ``chrome`` omitted implies the chrome). The file name is ``synth_{seed:05d}.txt``.
    """
    _check(dict(options))
    opt = _sub_rng(seed, "options")  # every draw happens whether or not the option is given
    chrome = options.get("chrome", opt.random() < 0.75 or options.get("n_related", 0) > 0)
    drawn_related = opt.choice((0, 1, 2, 3, 3, 4, 5, 6))
    n_related = options.get("n_related", drawn_related if chrome else 0)
    hashtags = options.get("hashtags", opt.choice((0, 0, 1, 2)))
    has_headline = options.get("headline", opt.random() < 0.8)
    encoding = options.get("encoding", opt.choice(ENCODINGS[:1] * 3 + ENCODINGS[1:]))
    newline = options.get("newline", opt.choice(NEWLINES[:1] * 5 + NEWLINES[1:] * 2))
    rng = _sub_rng(seed, "text")
    tx = _Text(rng, fold=encoding == "cp1252")

    def count(given: int | None, upper: int) -> int:
        drawn = rng.choice((0, 0, *range(upper + 1)))  # drawn even when given
        return drawn if given is None else given

    def story(main: bool) -> tuple[SynthStory, list[str]]:
        outlet, when = (None, None) if main else (tx.outlet(), rng.choice(tx.pools["time"]))
        n_look = count(options.get("lookalikes"), 2)
        head: str | None = tx.headline(n_look > 0 and rng.random() < 0.3)
        head = head if has_headline or not main else None
        teasers = (
            count(options.get("main_teasers"), 2) if main else count(options.get("teasers"), 3)
        )
        paras, marks, inserts, own = _story(
            tx, teasers, count(options.get("durations"), 3), n_look, main
        )
        body, residue = _lay_out(paras, inserts, own, main)
        if head and ("Comments" in head or "Related" in head):
            marks.insert(0, head)
        clean = tuple(" ".join(para) for para in paras)
        header = [head] if main and head else [] if main else [outlet, when, f"- {outlet}", head]
        truth = SynthStory(outlet, when, head, clean, tuple(residue), tuple(marks))
        return truth, [str(x) for x in header] + body

    lines: list[str] = [""] if rng.random() < 0.4 else []
    main_story, main_lines = story(main=True)
    stories, lines = [main_story], lines + main_lines
    if chrome:
        lines.append(CHROME_HEAD)
        lines += [" ".join(rng.sample(TAGS, rng.randint(1, 4))) for _ in range(hashtags)]
        lines += ["", *CHROME_TAIL] + [""] * rng.randint(1, 2) * (n_related > 0)
    for i in range(n_related):
        related, related_lines = story(main=False)
        stories.append(related)
        lines += related_lines + [""] * rng.randint(1, 2) * (i < n_related - 1)
    tail = rng.choice(("", newline, newline * 2))
    if encoding == "mojibake":
        hit = [i for i, line in enumerate(lines) if not line.isascii()]
        damaged = set(_sub_rng(seed, "mojibake").sample(hit, (len(hit) + 1) // 2))
        lines = [_sloppy_mojibake(x) if i in damaged else x for i, x in enumerate(lines)]
    text = newline.join(lines) + tail
    data = text.encode("utf-8" if encoding == "mojibake" else encoding)
    aggregator = "Daily8" if chrome else None
    return SynthDump(f"synth_{seed:05d}.txt", data, tuple(stories), aggregator, encoding, newline)


def generate_corpus(n: int, seed: int = 0, **options: Unpack[SynthOptions]) -> Iterator[SynthDump]:
    """Yield ``n`` dumps lazily; dump ``i`` uses ``corpus_seed(seed, i)``, named synth_{i:05d}."""
    for i in range(n):
        yield replace(generate_dump(corpus_seed(seed, i), **options), name=f"synth_{i:05d}.txt")


def write_corpus(folder: Path, n: int, seed: int = 0, **options: Unpack[SynthOptions]) -> int:
    """Write ``n`` dumps into ``folder`` (created if needed); return the number of bytes written."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    return sum((folder / d.name).write_bytes(d.data) for d in generate_corpus(n, seed, **options))


def main(argv: Sequence[str] | None = None) -> int:
    """CLI: ``python -m tests.support.synth OUTDIR -n 1000 --seed 0 [--encoding E]``."""
    parser = argparse.ArgumentParser(prog="python -m tests.support.synth", description=__doc__)
    parser.add_argument("outdir", type=Path)
    parser.add_argument("-n", type=int, default=100, help="number of dumps (default 100)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--encoding", choices=ENCODINGS, help="default: random per dump")
    args = parser.parse_args(argv)
    opts: SynthOptions = {"encoding": args.encoding} if args.encoding else {}
    written = write_corpus(args.outdir, args.n, args.seed, **opts)
    print(f"wrote {args.n} dumps ({written} bytes) to {args.outdir}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
