"""Nothing is lost: kept and removed pieces put back together give the input.

Property-tested with hypothesis over the seeds, generated dumps in every variation, and
arbitrary text (including near-misses of every rule).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ingest.clean import clean_dump
from ingest.errors import IngestError
from ingest.rules import Rules
from tests.dumps import DAILY8_CHROME, check_reassembly
from tests.support.synth import generate_dump

SLOW_OK = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

FRAGMENTS = [
    "READ MORE: ",
    "Read more: ",
    "WATCH: ",
    "3:10 ",
    "23:24",
    "1:02:03 ",
    "at 3:10pm ",
    "John 3:16 ",
    "10:30 GMT ",
    "2-1 ",
    "3:1 ",
    "Comments",
    "Related Articles",
    "Hashtags",
    "#Tag ",
    "- Sky News",
    "2 hours ago",
    "an hour ago",
    "yesterday",
    "Sky News",
    " · ",
    " | ",
    "3h",
    "By Jane Doe",
    "Apr 19, 2024",
    "il y a 2 heures",
    ". ",
    "? ",
    "“",
    "”",
    "’",
    "Â£",
    "â€™",
    "And ",
    "The ",
    "Meanwhile, ",
    "U.S. ",
    "\n",
    "\n\n",
    "\r\n",
    " ",
    "word ",
    "Word ",
    *DAILY8_CHROME,
]


def test_seeds_reassemble(seeds: Path, rules: Rules, scraped_at: datetime) -> None:
    for path in sorted(seeds.glob("*.txt")):
        data = path.read_bytes()
        check_reassembly(data, clean_dump(data, path=path.name, rules=rules, scraped_at=scraped_at))


@SLOW_OK
@given(seed=st.integers(min_value=0, max_value=2**32 - 1))
def test_generated_dumps_reassemble(seed: int, rules: Rules, scraped_at: datetime) -> None:
    dump = generate_dump(seed)
    result = clean_dump(dump.data, path=dump.name, rules=rules, scraped_at=scraped_at)
    check_reassembly(dump.data, result)


@SLOW_OK
@given(parts=st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=30)), max_size=60))
def test_arbitrary_text_reassembles_or_is_refused(parts: list[str], rules: Rules) -> None:
    data = "".join(parts).encode("utf-8", errors="surrogatepass")
    try:
        result = clean_dump(data, path="fuzz.txt", rules=rules)
    except IngestError as exc:
        assert exc.reason in {
            "empty_file",
            "whitespace_only",
            "binary_file",
            "no_story",
            "invalid_encoding",
        }
        return
    check_reassembly(data, result)
