"""Learned boilerplate: a made-up site's furniture is learned from 50 distinct stories; a
sentence three stories share is not; reposts teach nothing; the worker split does not matter."""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

import pytest

from ingest.clean import clean_dump
from ingest.engine import run_folder
from ingest.learn import Learned, StoryFeatures, collect_stats, derive, learn_from
from ingest.rules import Settings, load_rules

WORDS = [
    "council",
    "river",
    "budget",
    "school",
    "harbour",
    "bridge",
    "station",
    "festival",
    "library",
    "market",
    "tram",
    "museum",
    "clinic",
    "garden",
    "stadium",
    "ferry",
    "tunnel",
    "airport",
    "orchard",
    "quarry",
    "factory",
    "college",
]
NAMES = ["Ann Lee", "Bo Chen", "Cy Diaz", "Di Evans", "Ed Fox", "Flo Grant", "Gus Hill"]
SHARED = "The regional weather service expects heavy rain across the valley this week."


def story(i: int, rng: random.Random) -> str:
    """One distinct story of the made-up site, with its furniture and templated lines."""
    topic = rng.sample(WORDS, 3)
    body = [
        f"The {topic[0]} plan number {i} was approved after a long debate about the {topic[1]}.",
        f"Officials said the {topic[2]} and {topic[0]} would open in {2020 + i % 5}.",
        f"Residents near the {topic[1]} asked about the {topic[2]} in story {i * 7 + 3}.",
    ]
    if i < 3:
        body.insert(1, SHARED)  # a real sentence in 3 distinct stories: must stay
    name = f"{NAMES[i % len(NAMES)]} {chr(65 + i // len(NAMES))}."  # one byline per story
    return "\n".join(
        [
            f"Plan {i} for the {topic[0]} moves ahead",
            f"Posted by {name} on May {i % 28 + 1}, 2024 | Share",
            "Valley Gazette Plus members read this first",
            *body,
            f"Gazette desk: {topic[2]} and {topic[0]} team",
            "From the Gazette archive, est. 1887",
            "",
        ]
    )


@pytest.fixture(scope="module")
def site() -> list[tuple[str, bytes]]:
    rng = random.Random(13)
    return [(f"gazette/{i:03d}.txt", story(i, rng).encode()) for i in range(50)]


def learn_stories(stories: list[StoryFeatures], settings: Settings) -> dict[str, Learned]:
    """What is learned from stories, each as a dump of its own."""
    return learn_from({f"{i:06d}": (s,) for i, s in enumerate(stories)}, settings)


def learn_site(dumps: list[tuple[str, bytes]]) -> dict[str, object]:
    rules = load_rules()
    stories = [
        s
        for path, data in dumps
        for s in clean_dump(data, path=path, rules=rules, learn=True).stories
    ]
    return learn_stories(stories, rules.settings)  # type: ignore[return-value]


def test_furniture_and_templates_are_learned_a_shared_sentence_is_not(
    site: list[tuple[str, bytes]],
) -> None:
    rules = load_rules()
    stories = [
        s
        for path, data in site
        for s in clean_dump(data, path=path, rules=rules, learn=True).stories
    ]
    stats = collect_stats(stories)
    assert list(stats) == ["folder:gazette"] and len(stats["folder:gazette"].stories) == 50
    learned = derive("folder:gazette", stats["folder:gazette"], rules.settings)
    # Lines the generic rules leave to learning: a site's own furniture and templates.
    assert learned.get("line\tvalley gazette plus members read this first") == 50
    assert learned.get("line\tfrom the gazette archive, est. 0") == 50
    assert learned.get("suffix\t| share") == 50  # "Posted by X on Y | Share"
    assert learned.get("prefix\tgazette desk:") == 50
    assert learned.get(f"line\t{SHARED.lower()}") is None
    assert learned_from_stories_is_the_same(stories, learned)

    path, data = site[1]
    doc = clean_dump(data, path=path, rules=rules, learned={"folder:gazette": learned})
    main = doc.documents[0]
    assert SHARED in main.text
    assert main.text.startswith("The ") and "Officials said" in main.text
    for gone in ("Posted by", "Plus members", "Gazette desk", "archive"):
        assert gone not in main.text
    rules_used = {r.rule for r in main.removed}
    assert rules_used == {"learned.line", "learned.suffix", "learned.prefix"}
    share = next(r for r in main.removed if r.rule == "learned.suffix")
    assert share.evidence is not None
    assert (share.evidence.source, share.evidence.pattern) == ("folder:gazette", "| share")
    assert share.to_json()["evidence"] == {"source": "folder:gazette", "pattern": "| share"}


def learned_from_stories_is_the_same(stories: list[StoryFeatures], learned: Learned) -> bool:
    """learn_from (the run's, vectorised) and derive (propose's) agree."""
    return learn_stories(stories, Settings())["folder:gazette"] == learned


def test_reposts_teach_nothing(site: list[tuple[str, bytes]]) -> None:
    """One story reposted 200 times is one story: its lines are not learned."""
    rules = load_rules()
    repost = site[0][1]
    copies = [(f"gazette/copy{i:03d}.txt", repost) for i in range(200)]
    stories = [
        s
        for path, data in copies + site[:3]
        for s in clean_dump(data, path=path, rules=rules, learn=True).stories
    ]
    assert learn_stories(stories, rules.settings) == {}  # 3 distinct stories: too few


def test_only_body_line_is_never_removed() -> None:
    rules = load_rules()
    learned = learn_stories(
        [
            s
            for i in range(10)
            for s in clean_dump(
                f"Headline {i}\nGazette Plus members first\nThe {WORDS[i]} says something new.\n".encode(),
                path=f"{i}.txt",
                rules=rules,
                learn=True,
            ).stories
        ],
        rules.settings,
    )
    assert learned["folder:."].get("line\tgazette plus members first") == 10
    alone = b"Headline\nGazette Plus members first\n"
    kept = clean_dump(alone, path="x.txt", rules=rules, learned=learned)
    assert kept.documents[0].text == "Gazette Plus members first"


def write_site(folder: Path, dumps: list[tuple[str, bytes]]) -> Path:
    for rel, data in dumps:
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return folder


def read_output(out: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(out)): p.read_bytes()
        for p in sorted(out.rglob("*"))
        if p.is_file()
        and (".ingest" not in p.parts or p.name in ("manifest.state", "learned.state"))
    }


def test_run_learns_and_output_does_not_depend_on_the_split(
    tmp_path: Path, site: list[tuple[str, bytes]]
) -> None:
    src = write_site(tmp_path / "src", site)
    rules = load_rules()
    runs = {}
    for name, workers, batch in (("one", 1, 200), ("two", 2, 7)):
        out = tmp_path / name
        summary = run_folder(
            src, out, rules, workers=workers, batch_size=batch, learn=True, scraped_at=None
        )
        assert summary.ok and summary.learned >= 4
        learned = {k: v for k, v in summary.removed_by_rule.items() if k.startswith("learned.")}
        assert sum(learned.values()) == 200  # 4 furniture lines in each of the 50 stories
        runs[name] = read_output(out)
    assert runs["one"] == runs["two"]
    for rel, _data in site:  # every story keeps its 3 (or 4) sentences, and only those
        doc = json.loads(runs["one"][f"{rel}/000.json"])
        assert len(doc["text"].split("\n\n")) == (4 if SHARED in doc["text"] else 3)
        assert all(p.endswith(".") and "Gazette" not in p for p in doc["text"].split("\n\n"))
    state = json.loads(runs["one"][".ingest/learned.state"])
    assert len(state["dumps"]) == 50

    # A small later run into the same folder benefits from what was learned, and cleans
    # only the new dump: the learned set did not change, so no other dump is touched.
    write_site(src, [("gazette/new.txt", story(99, random.Random(1)).encode())])
    later = run_folder(src, tmp_path / "one", rules, learn=True)
    assert (later.processed, later.unchanged) == (1, 50)
    new = json.loads((tmp_path / "one" / "gazette/new.txt/000.json").read_text())
    assert "Posted by" not in new["text"] and "Gazette desk" not in new["text"]
    run_folder(src, tmp_path / "fresh", rules, learn=True)
    assert read_output(tmp_path / "one") == read_output(tmp_path / "fresh")

    # --no-learn: nothing learned, nothing removed by it.
    off = run_folder(src, tmp_path / "off", rules, learn=False)
    assert off.learned == 0 and not any(r.startswith("learned.") for r in off.removed_by_rule)


def test_seeds_learn_nothing(tmp_path: Path, seeds: Path) -> None:
    """Two dumps are not evidence: the seeds' documents are as without learning."""
    rules = load_rules()
    on = run_folder(seeds, tmp_path / "on", rules, learn=True)
    run_folder(seeds, tmp_path / "off", rules, learn=False)
    assert on.learned == 0
    docs_on = {k: v for k, v in read_output(tmp_path / "on").items() if not k.startswith(".")}
    docs_off = {k: v for k, v in read_output(tmp_path / "off").items() if not k.startswith(".")}
    assert docs_on == docs_off


def test_ingest_learn_proposes_a_profile_that_check_rules_accepts(
    tmp_path: Path, site: list[tuple[str, bytes]], capsys: pytest.CaptureFixture[str]
) -> None:
    from ingest.cli import main

    src = write_site(tmp_path / "src", site)
    proposed = tmp_path / "gazette.toml"
    assert main(["learn", str(src / "gazette"), "--out", str(proposed)]) == 0
    text = proposed.read_text()
    assert "[profiles.gazette]" in text and "in 50 of 50 distinct stories" in text
    assert "weather service" not in text  # 3 stories are not evidence
    rules = load_rules(proposed)
    path, data = site[4]
    doc = clean_dump(data, path=path, rules=rules).documents[0]
    for gone in ("Posted by", "Plus members", "Gazette desk", "archive"):
        assert gone not in doc.text
    assert len(doc.text.split("\n\n")) == 3
    capsys.readouterr()
    assert main(["check-rules", str(proposed), "--sample", str(src / path)]) == 0
    assert "profiles detected: gazette" in capsys.readouterr().out


QUIZ = "Take the Gazette weekly quiz"


def quiz_site(n: int, with_quiz: int) -> list[tuple[str, bytes]]:
    """N stories of the made-up site, the first ``with_quiz`` closed by a quiz line."""
    rng = random.Random(5)
    return [
        (f"gazette/{i:03d}.txt", (story(i, rng) + (QUIZ + "\n" if i < with_quiz else "")).encode())
        for i in range(n)
    ]


def test_incremental_runs_equal_a_fresh_run_as_learning_changes(tmp_path: Path) -> None:
    """The quiz line is learned from 10 stories (4 hold it), unlearned at 100 (4 of 100 is
    under 5%): the 4 dumps kept from the first run are cleaned again, their line back. A gone
    dump takes its stories with it. Every step's output is a fresh run's, byte for byte."""
    rules = load_rules()
    everything = quiz_site(100, 4)
    src, out = tmp_path / "src", tmp_path / "out"
    write_site(src, everything[:10])
    first = run_folder(src, out, rules, learn=True)
    assert first.removed_by_rule["learned.line"] >= 4
    quiz_doc = out / "gazette/000.txt/000.json"
    assert QUIZ not in json.loads(quiz_doc.read_text())["text"]

    steps = [("grown", lambda: write_site(src, everything[10:]))]
    steps.append(("shrunk", lambda: [p.unlink() for p in sorted(src.rglob("*.txt"))[20:]]))
    for name, change in steps:
        change()
        run_folder(src, out, rules, learn=True)
        run_folder(src, tmp_path / name, rules, learn=True)
        assert read_output(out) == read_output(tmp_path / name), name
        if name == "grown":
            assert QUIZ in json.loads(quiz_doc.read_text())["text"]  # not learned at 100
        else:
            assert QUIZ not in json.loads(quiz_doc.read_text())["text"]  # 4 of 20 again
    again = run_folder(src, out, rules, learn=True)
    assert again.processed == 0  # nothing changed: nothing cleaned, nothing learned anew


@pytest.mark.parametrize("dedup", [False, True])
def test_a_folder_cleaned_without_learning_state_is_learned_whole(
    tmp_path: Path, site: list[tuple[str, bytes]], dedup: bool
) -> None:
    """Dumps kept from a run whose learning state is missing are cleaned again, so the
    output is a fresh run's (a byte-identical copy is still a duplicate dump)."""
    src = write_site(tmp_path / "src", [*site, ("gazette/zz-copy.txt", site[0][1])])
    rules = load_rules()
    run_folder(src, tmp_path / "out", rules, learn=True, dedup=dedup)
    (tmp_path / "out" / ".ingest" / "learned.state").unlink()
    again = run_folder(src, tmp_path / "out", rules, learn=True, dedup=dedup)
    assert again.processed == (50 if dedup else 51)
    assert again.duplicate_dumps == (1 if dedup else 0)
    run_folder(src, tmp_path / "fresh", rules, learn=True, dedup=dedup)
    assert read_output(tmp_path / "out") == read_output(tmp_path / "fresh")


def test_a_sample_first_saves_cleaning_twice_and_changes_nothing(
    tmp_path: Path, site: list[tuple[str, bytes]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A first run learns from a sample before cleaning, so it cleans again only dumps the
    sample taught it wrong; its output is the same as without a sample."""
    from ingest.engine import run as run_module
    from ingest.engine.run import LocalDispatch

    class Logged(LocalDispatch):
        def __init__(self) -> None:
            super().__init__(workers=1)
            self.lines: list[str] = []

        def log(self, message: str) -> None:
            self.lines.append(message)

    src = write_site(tmp_path / "src", site)
    rules = load_rules()
    logs = {}
    for name, sample_from in (("sampled", 20), ("whole", 10_000)):
        monkeypatch.setattr(run_module, "SAMPLE_FROM", sample_from)
        monkeypatch.setattr(run_module, "SAMPLE_MIN", 10)
        dispatch = Logged()
        run_folder(src, tmp_path / name, rules, dispatch=dispatch, learn=True)
        logs[name] = dispatch.lines
    assert read_output(tmp_path / "sampled") == read_output(tmp_path / "whole")
    assert any("from a sample of the dumps" in line for line in logs["sampled"])
    assert any("; 50 dumps to clean again" in line for line in logs["whole"])
    assert any("; 0 dumps to clean again" in line for line in logs["sampled"]), logs["sampled"]


def test_the_sample_is_cleaned_once_where_what_it_taught_does_not_touch_it(
    tmp_path: Path, site: list[tuple[str, bytes]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The sample's outcomes are the run's where the guess learned nothing they hold: those
    dumps are not handed out again; sampled dumps the guess touches are. Same output as a
    run without a sample, with and without dedup: byte copies of a sampled dump sort after
    it, in its chunk (cleaned while its outcome waits) and in a later one."""
    from ingest.engine import run as run_module
    from ingest.engine.run import LocalDispatch

    class Recorded(LocalDispatch):
        def __init__(self) -> None:
            super().__init__(workers=1, batch_size=7)
            self.sent: list[str] = []

        def submit(self, rels: list[str]) -> object:
            self.sent += rels
            return super().submit(rels)

    rng = random.Random(5)
    notes = [
        (
            f"notes/{i:03d}.txt",
            "\n".join(
                [f"Note {i} on the {rng.choice(WORDS)}"]
                + [f"The {' '.join(rng.sample(WORDS, 4))} came up {i + j} times." for j in range(3)]
            ).encode(),
        )
        for i in range(30)
    ]
    copies = [("notes/006c.txt", notes[6][1]), ("zcopy/006.txt", notes[6][1])]
    src = write_site(tmp_path / "src", [*site, *notes, *copies])
    rels = sorted(rel for rel, _ in [*site, *notes, *copies])
    sample = rels[:: len(rels) // 10]  # run.presample's step, with SAMPLE_MIN 10
    ready = [rel for rel in sample if not rel.startswith("gazette/")]
    assert ready == ["notes/006.txt", "notes/013.txt", "notes/021.txt", "notes/029.txt"]
    rules = load_rules()
    monkeypatch.setattr(run_module, "SAMPLE_MIN", 10)
    for dedup in (False, True):
        runs = {}
        for name, sample_from in (("sampled", 20), ("whole", 10_000)):
            monkeypatch.setattr(run_module, "SAMPLE_FROM", sample_from)
            runs[name] = dispatch = Recorded()
            out = tmp_path / f"{name}-{dedup}"
            summary = run_folder(src, out, rules, dispatch=dispatch, learn=True, dedup=dedup)
            assert summary.learned and summary.duplicate_dumps == (2 if dedup else 0)
        assert read_output(tmp_path / f"sampled-{dedup}") == read_output(
            tmp_path / f"whole-{dedup}"
        )
        sent = runs["sampled"].sent
        first_pass = sent[: len(rels) - len(ready)]
        assert sorted(first_pass) == sorted(set(rels) - set(ready))  # the others, once each
        assert not set(ready) & set(sent)
        assert set(sample) - set(ready) <= set(first_pass)  # the guess touched these


def test_html_pages_and_json_records_are_learned_from(tmp_path: Path) -> None:
    """The text an HTML page or a JSON record gives takes part like a dump's: its furniture
    is learned per folder and removed, with the same rule names and evidence."""
    from html import escape

    rng = random.Random(3)
    src = tmp_path / "src"
    (src / "site").mkdir(parents=True)
    (src / "feed").mkdir()
    for i in range(30):
        head, *body = story(i, rng).strip().split("\n")
        paras = "".join(f"<p>{escape(line)}</p>" for line in body)
        (src / "site" / f"{i:03d}.html").write_text(
            f"<html><head><title>{escape(head)}</title></head><body><article>"
            f"<h1>{escape(head)}</h1>{paras}</article></body></html>"
        )
    records = [json.dumps({"text": story(100 + i, rng)}) for i in range(30)]
    (src / "feed" / "a.jsonl").write_text("\n".join(records) + "\n")
    summary = run_folder(src, tmp_path / "out", load_rules(), learn=True)
    assert summary.ok
    for doc_path, source in (("site/005.html/000.json", "site"), ("feed/a.jsonl/003.json", "feed")):
        doc = json.loads((tmp_path / "out" / doc_path).read_text())
        assert len(doc["text"].split("\n\n")) == 3, doc["text"]
        learned = [r for r in doc["removed"] if r["rule"].startswith("learned.")]
        assert {r["text"] for r in learned} >= {"Valley Gazette Plus members read this first"}
        assert len(learned) == 4
        assert {r["evidence"]["source"] for r in learned} == {f"folder:{source}"}
    off = run_folder(src, tmp_path / "off", load_rules(), learn=False)
    assert not any(r.startswith("learned.") for r in off.removed_by_rule)


def test_dumps_cleaned_without_learning_are_cleaned_again_by_the_next_learning_run(
    tmp_path: Path, site: list[tuple[str, bytes]]
) -> None:
    src = write_site(tmp_path / "src", site)
    rules = load_rules()
    run_folder(src, tmp_path / "out", rules, learn=True)
    changed = src / site[7][0]
    changed.write_bytes(changed.read_bytes() + b"One more line of the story.\n")
    run_folder(src, tmp_path / "out", rules, learn=False)
    again = run_folder(src, tmp_path / "out", rules, learn=True)
    assert again.processed == 1
    run_folder(src, tmp_path / "fresh", rules, learn=True)
    assert read_output(tmp_path / "out") == read_output(tmp_path / "fresh")


LONG_WORDS = " ".join(f"w{i}" + "x" * (i % 7) for i in range(60))


def normalised(text: str) -> str:
    """A line as learning counts it: whitespace collapsed, case folded, digit runs as 0.

    >>> normalised("  Copyright ©  2019 The Times ")
    'copyright © 0 the times'
    """
    return re.sub(r"\d+", "0", " ".join(text.split()).casefold())


@pytest.mark.parametrize(
    "text",
    [
        LONG_WORDS,  # long: read at its ends only
        LONG_WORDS + " | Share",
        "Read more: " + LONG_WORDS,
        "a\tb  c\u00a0d " + LONG_WORDS + "\u2009| Share",  # odd whitespace: collapsed first
        " ".join(["y" * 120] * 20),  # words longer than the span read at each end
        " ".join(f"W{i}" for i in range(41)),  # one more word than a short line holds
        " ".join(f"W{i}" for i in range(40)),
        "Copyright © 2019 The Times",
        "",
    ],
)
@pytest.mark.parametrize("max_words", [40, 5, 16])
def test_a_line_read_at_its_ends_has_the_features_of_the_whole_line(
    text: str, max_words: int
) -> None:
    """The fast path (a long line's ends, whitespace checked once) gives what normalising
    the whole line gives."""
    from ingest.learn import _features, story_features

    words = normalised(text).split()
    expected = _features(text, words, len(words) <= max_words)
    assert story_features([text], max_words) == [expected]


def test_a_player_s_lead_words_before_a_changing_title_are_learned() -> None:
    """ "NOW SHOWING <title> Rewind Other Clips ... <title> 2:31": no colon, a title that
    changes at both ends, so only the lead words repeat; a sentence opening with them stays."""
    rules = load_rules()
    stories = [
        ("Budget talks stall again", "Ministers left the room without a deal.", "Unions"),
        ("Flood defences tested in the north", "Rivers rose overnight near the coast.", "Farmers"),
        ("Mayor answers questions on housing", "Rents climbed for a third year.", "Tenants"),
        ("Teachers weigh a new strike ballot", "Classes were merged in four schools.", "Parents"),
        ("Airport expansion wins final vote", "The runway will open in two years.", "Pilots"),
        ("Hospital waiting lists grow longer", "Clinics cut evening hours last month.", "Nurses"),
    ]
    dumps = []
    for i, (title, lead, who) in enumerate(stories):
        # the player shows another story's clip (one showing this story's own title goes as
        # title_repeat before anything is learned)
        clip = stories[(i + 1) % len(stories)][0]
        text = "\n".join(
            [
                title,
                lead,
                f"NOW SHOWING {clip} Rewind Other Clips ... {clip} 0{i}:1{i}",
                f"{who} said they expected a decision soon.",
                f"Now showing at the {who.lower()} hall is an exhibition about {title.lower()}.",
                "",
            ]
        )
        dumps.append((f"site/{i}.txt", text.encode()))
    found = [
        s
        for path, data in dumps
        for s in clean_dump(data, path=path, rules=rules, learn=True).stories
    ]
    learned = learn_stories(found, rules.settings)["folder:site"]
    assert learned.get("lead\tnow showing …") == 6
    path, data = dumps[2]
    doc = clean_dump(data, path=path, rules=rules, learned={"folder:site": learned}).documents[0]
    assert "Rewind Other Clips" not in doc.text
    assert "Now showing at the tenants hall is an exhibition" in doc.text  # a sentence stays
    removed = [r for r in doc.removed if r.rule == "learned.lead"]
    assert len(removed) == 1 and removed[0].evidence is not None
    assert removed[0].evidence.pattern == "now showing …"


def test_lead_words_of_filler_only_are_no_feature() -> None:
    from ingest.learn import line_features

    features = line_features("In the plan for the district is here and there and everywhere", 40)
    assert not any(f.startswith("lead\t") for f in features)
    features = line_features("JUST WATCHED Budget talks stall again Replay More Videos 2:31", 40)
    assert "lead\tjust watched …" in features


def test_counting_in_python_and_in_numpy_agree() -> None:
    """learn_from counts small sources without importing numpy: the same counts, in the same
    order, as numpy's sort."""
    from ingest.learn import count_ids, pack_ids

    rng = random.Random(5)
    blob = b"".join(
        pack_ids(rng.choice([1, 2, 3, 2**63 + 5, 2**64 - 1, rng.getrandbits(64)]) for _ in range(6))
        for _ in range(400)
    )
    for need in (1, 2, 50):
        python = count_ids(blob, need)
        assert python == count_ids(blob, need, numpy_from=0)
        assert list(python) == sorted(python)
