"""ingest learn's proposal: date and time lines are found in every language the header
finder reads, by its own vocabulary (ingest.published), and a duration is not one."""

from __future__ import annotations

import random

from ingest.clean import clean_dump
from ingest.propose import date_shape, propose, render_toml
from ingest.rules import load_rules

TOPICS = ["Rathaus", "Brücke", "Bahnhof", "Schule", "Hafen", "Museum", "Markt", "Klinik"]


def german_story(i: int, rng: random.Random) -> bytes:
    """A made-up German site's story: a stamp line 'Aktualisiert vor N Stunden' under the
    headline, and a short real sentence that names a duration."""
    a, b = rng.sample(TOPICS, 2)
    lines = [
        f"Neuer Plan {i} für {a} und {b}",
        f"Aktualisiert vor {i % 9 + 2} Stunden",
        f"Der Stadtrat hat den Plan Nummer {i} für {a} nach langer Debatte angenommen.",
        f"Die Sitzung dauerte {i % 4 + 2} Stunden.",
        f"Anwohner fragten nach {b} und den Kosten von {i * 1000 + 500} Euro.",
        "",
    ]
    return "\n".join(lines).encode()


def test_a_relative_time_in_another_language_is_read_already_a_duration_stays() -> None:
    """The built-in rules read a stamp line in any language the header reads ("Aktualisiert
    vor 3 Stunden" goes as ``time_stamp``), so the proposal has no date shape left to teach;
    the sentence naming a duration stays in every story and is never a date shape."""
    rng = random.Random(3)
    site = [(f"zeitung/{i:03d}.txt", german_story(i, rng)) for i in range(20)]
    rules = load_rules()
    for path, data in site:
        (doc,) = clean_dump(data, path=path, rules=rules).documents
        assert "Aktualisiert" not in doc.text and "Stunden." in doc.text, doc.text
        assert "time_stamp" in {r.rule for r in doc.removed}, doc.removed
    proposal = propose(site, rules)
    assert not any("Stunden" in shape for shape, _, _ in proposal.dates), proposal.dates
    assert "Aktualisiert" not in render_toml(proposal, "zeitung", "zeitung")


def test_date_shapes_in_several_languages_and_look_alikes_that_are_none() -> None:
    rules = load_rules()
    for line in (
        "Mis à jour il y a 3 heures",
        "Actualizado hace 2 horas",
        "2 godziny temu",
        "Обновлено 3 часа назад",
        "NHK 3時間前",
        "19 avr. 2024",
        "Updated 3:45 PM ET",
    ):
        assert date_shape(line, rules.published) is not None, line
    for line in (
        "Die Sitzung dauerte 3 Stunden.",
        "La réunion a duré 3 heures.",
        "He scored 3 goals in the second half.",
        "Er wartete 2 Tage auf den Zug.",
    ):
        assert date_shape(line, rules.published) is None, line
