"""Rounds 30-34's left-over shapes (``furniture._extend_edge_shapes``, and two inline
rules of ``default_rules.toml``): each goes in the position and beside the neighbours it
was found in, and its look-alikes stay.

The rounds are other extraction libraries' test texts (newspaper, newspaper4k, goose3) of
sites no rule was written for; bench/README.md ("leaks7") gives the figures. The snippets
here are written after their shapes, not copied.
"""

from __future__ import annotations

from ingest.furniture import find_furniture
from ingest.residue import apply_cuts, find_cuts
from ingest.rules import Rules

STORY = [f"The council met for the {n} time on Tuesday to vote on the new plan." for n in "abcd"]


def found(rules: Rules, body: list[str]) -> dict[int, str]:
    return find_furniture(body, rules.furniture, rules.settings)


def test_a_wire_caption_its_picture_number_and_a_kicker_over_it_go(rules: Rules) -> None:
    caption = (
        "Dec 27, 2014; Louisville, KY, USA; A forward posts up against a guard during the "
        "first half at the arena. Mandatory Credit: Ann Lee-USA TODAY Sports - RTR4JDW4"
    )
    body = ["Sports", caption, "4419915", *STORY]
    assert found(rules, body) == {0: "tag_line", 1: "caption_line", 2: "caption_line"}
    # A sentence about the credit, a number in the text, and one word over a paragraph (a
    # subheading: "Introduction") stay.
    rule = "The league dropped its mandatory credit rule for photographers in 2014."
    assert found(rules, [STORY[0], rule, STORY[1]]) == {}
    assert found(rules, [STORY[0], "4419915", STORY[1]]) == {}
    assert found(rules, ["Introduction", *STORY]) == {}
    assert found(rules, ["WASHINGTON", caption, *STORY]) == {1: "caption_line"}


def test_a_label_over_the_lead_picture_goes_with_its_caption(rules: Rules) -> None:
    body = [
        "Reference:",
        "The telescope snapped this shot of Mars on Aug. 26, 2003, from 34.7 million miles.",
        "Credit: NASA/ESA View full size image",
        *STORY,
    ]
    assert found(rules, body) == {0: "tag_line", 1: "caption_line", 2: "credit_line"}
    # Without the picture's credit under it, a label over the first paragraph stays.
    assert found(rules, ["Reference:", *STORY]) == {}


def test_a_pager_count_and_a_glued_share_bar_go(rules: Rules) -> None:
    byline = "By Ann Lee Staff 1.7Mshares Share on Facebook × Want More Stories? Like Us!"
    body = [byline, *STORY, "Next › Page 1 of 2"]
    assert found(rules, body) == {0: "share_buttons", 5: "teaser_line"}
    # A share count in a sentence, a page number in the text, a label with its text stay.
    shares = "Its 1.7M shares were sold on Friday, the company said."
    page = "Page 3 of the report says the plan will cost more than expected"
    watch = "WATCH: the council debates the plan live at noon on Tuesday."
    assert found(rules, [STORY[0], shares, page, watch, STORY[1]]) == {}


def test_stopless_captions_that_retell_a_paragraph_above_go(rules: Rules) -> None:
    body = [
        "Kat Moon will discover that her late uncle Harry is a serial sex offender.",
        "Kat Slater will discover her uncle was a serial sex offender",
        "Alfie Moon's wife was groomed by the relative from a young age of only ten.",
        "Royal Navy ship KD Lekir is show here retrieving the body of a victim of the crash",
        *STORY,
    ]
    assert found(rules, body) == {1: "caption_line", 3: "caption_line"}
    # A subheading retells the text under it; one in Title Case; a story's own sentence
    # with no stop that no paragraph above holds: all stay.
    sub = "Trump thanks a French family for leading American soldiers on D-Day"
    below = "Trump thanked the French family for leading the American soldiers on D-Day in 1944."
    assert found(rules, [STORY[0], sub, below, STORY[1]]) == {}
    title = "Kat Slater Will Discover Her Uncle Was A Serial Sex Offender"
    assert found(rules, [body[0], title, *STORY]).get(1) != "caption_line"  # a link's shape
    own = "The same official told reporters earlier that one body had been wearing a life jacket"
    assert found(rules, [STORY[0], own, *STORY[1:]]) == {}


def test_a_handle_that_a_product_line_credits_goes(rules: Rules) -> None:
    body = [
        "NailSpin",
        *STORY[:2],
        "Jane's Tiny Things/Forever 21",
        "For your high school reunion...",
        '"Saved by the Bell" nail decals at Forever 21, $9',
        STORY[2],
        "fingerprintsdecals",
        '"Harry Potter" decals by fingerprintsdecals on Etsy, $5.50',
        '"The Godfather" by NailSpin at Etsy, $5',
        STORY[3],
    ]
    assert found(rules, body) == {0: "credit_line", 3: "credit_line", 7: "credit_line"}
    # A product's name alone that no line credits, and a plain word, stay.
    alone = ["MarsEdit", *STORY[:2], "MarsEdit is a blog editor by Red Sweater.", STORY[2]]
    assert found(rules, alone) == {}
    word = [STORY[0], "Response", "A letter from Response to the council, sent Monday.", *STORY]
    assert found(rules, word) == {}


def test_links_a_live_blog_or_a_section_sets_between_paragraphs_go(rules: Rules) -> None:
    body = [
        STORY[0],
        "11.23 Our picture desk have compiled a gallery of the most powerful images.",
        "Plane found in Java Sea, in pictures",
        STORY[1],
        "You can read more about Mr Fernandes - Asia's answer to Richard Branson - here.",
        "Plane missing: profile of airline boss Tony Fernandes",
        STORY[2],
        "More Real estate transactions, awards, mergers and acquisitions, tech notes and grants",
        STORY[3],
    ]
    assert found(rules, body) == {2: "teaser_line", 4: "teaser_line", 5: "teaser_line"} | {
        7: "teaser_line"
    }
    # A sentence seen in pictures, a pointer with a paragraph under it, "More" in a sentence.
    seen = "The storm, seen in pictures, was larger than the forecast had said it would be."
    here = "You can read the full report here."
    more = "More Americans are moving south, the census shows, and fewer north"
    assert found(rules, [STORY[0], seen, here, STORY[1], more, STORY[2]]) == {}


def test_pointers_under_a_short_heading_close_a_story(rules: Rules) -> None:
    foot = [
        "Additional resources",
        "Read about and see pictures of more than 40 missions to Mars.",
        "Follow the rover Curiosity as it makes its way across the Martian terrain.",
        "Learn more about Mars at the agency's Solar System Exploration website.",
        "Related:",
        "Also see:",
    ]
    assert found(rules, [*STORY, *foot]) == {i: "teaser_line" for i in range(4, 10)}
    # A recipe's closing advice under a heading stays.
    tips = ["Tips", "Check the oven after 20 minutes.", "Try adding nuts, then bake it.", "Enjoy."]
    assert found(rules, [*STORY, *tips]) == {}


def test_a_story_s_foot_notes_from_the_site_go(rules: Rules) -> None:
    archive = (
        "The article you requested has been archived All coverage from the last 14 days "
        "remains free of charge. » Click here to search for this article within the archive."
    )
    policy = (
        "ترحب شبكة CNN بالنقاش الحيوي والمفيد، وكي لا نضطر إلى مراجعة التعليقات قبل نشرها. "
        "ننصحك بمراجعة إرشادات الاستخدام، استنادا إلى سياسة الخصوصية."
    )
    for last, family in [
        (archive, "promo_line"),
        ("その判断は…", "promo_line"),
        ("Kommentare", "share_buttons"),
        ("Comments (12)", "share_buttons"),
        (policy, "copyright_trailer"),
    ]:
        assert found(rules, [*STORY, last]) == {4: family}, last
    # A writer's ending with an ellipsis, a word that is the text's, news about archives or
    # about a site's comment rules stay.
    for last in [
        "And then...",
        "Comment",
        "The tapes have been archived at the library, officials said.",
        "Facebook said its community guidelines ban such comments from its pages.",
    ]:
        assert found(rules, [*STORY, last]) == {}, last


def cut(line: str, rules: Rules) -> tuple[str, list[tuple[str, str]]]:
    cuts = find_cuts(line, rules.inline, rules.cues, rules.settings)
    return apply_cuts(line, cuts), [(c.rule, line[c.start : c.end]) for c in cuts]


def test_a_share_pitch_closing_a_paragraph_goes_with_its_source(rules: Rules) -> None:
    line = (
        "Her single makes a statement about beauty ideals. Like on Facebook Share this with "
        "all of your girlfriends by clicking the Share button below. Source: AnnLeeVEVO"
    )
    kept, cuts = cut(line, rules)
    assert kept == "Her single makes a statement about beauty ideals."
    assert [rule for rule, _ in cuts] == ["share_pitch_tail"]
    # A request to share with no button, or a sentence about a button, stays.
    for line in (
        "The campaign went viral. Share this with a friend who needs it.",
        "The site tested it. Share this with friends, the button below the story says.",
    ):
        assert cut(line, rules) == (line, []), line


def test_a_caption_glued_before_a_paragraph_by_its_label_goes(rules: Rules) -> None:
    line = (
        "Linde hat in den USA einen Umsatz von zwei Milliarden Dollar. Bild: Um die "
        "Genehmigung der Behörden zu erhalten, wird Linde Teile verkaufen müssen."
    )
    kept, cuts = cut(line, rules)
    assert kept.startswith("Um die Genehmigung")
    assert [rule for rule, _ in cuts] == ["caption_label_glued"]
    # A label inside a sentence, or after the paragraph's second sentence, stays.
    for line in (
        "The sign on the door read Photo: keep out, and nobody went in.",
        "The museum reopened. It was busy. Photo: A visitor looks at the mural.",
        "The museum reopened. Photo: the mural, as a visitor saw it.",
    ):
        assert cut(line, rules) == (line, []), line
