"""Shapes the held-out probe rounds 35+ showed (bench/README.md, "Rounds 35+"): each goes,
and the look-alikes a story must keep stay. Snippets are written for the tests, not copied
from the rounds' articles."""

from __future__ import annotations

import pytest

from ingest.furniture import find_furniture
from ingest.residue import apply_cuts, find_cuts
from ingest.rules import Rules

BEFORE = "The council met on Tuesday to vote on the plan for the new bridge."
AFTER = "It passed by one vote, and work on the bridge starts in the spring."


def furniture(texts: list[str], rules: Rules) -> dict[int, str]:
    return find_furniture(texts, rules.furniture, rules.settings)


def clean(line: str, rules: Rules) -> tuple[str, list[tuple[str, str]]]:
    cuts = find_cuts(line, rules.inline, rules.cues, rules.settings)
    return apply_cuts(line, cuts), [(c.rule, line[c.start : c.end]) for c in cuts]


@pytest.mark.parametrize(
    "note",
    [
        "To contact the reporter on this story: Ann Lee in Denver at alee@example.com",
        "To contact the editors responsible for this story: Bo Chen at bchen@example.com"
        " Cy Dow, Di Eng",
        "Correspondent Ann Lee may be reached at alee@example.net.",
        "Ann Lee can be reached at alee@example.com. Follow her on Twitter @annlee. Find"
        " Example News on Facebook.",
    ],
)
def test_a_contact_note_under_a_story_goes(note: str, rules: Rules) -> None:
    assert furniture([BEFORE, AFTER, note], rules) == {2: "link_line"}
    assert furniture([BEFORE, AFTER, note, "Loading Photo Gallery"], rules).get(2) == "link_line"


@pytest.mark.parametrize(
    "line",
    [
        "Ann Lee may be reached at alee@example.com, the court filing said.",
        "Crime Stoppers can be reached at 555-0100 at any hour of the day or night.",
        "Residents may be reached at home by the census takers until the end of May.",
        "To contact the reporter, the family said, they had to ask a neighbour for help.",
    ],
)
def test_contact_look_alikes_stay(line: str, rules: Rules) -> None:
    assert furniture([BEFORE, AFTER, line], rules) == {}


def test_a_contact_shape_between_paragraphs_stays(rules: Rules) -> None:
    note = "Ann Lee may be reached at alee@example.com."
    assert furniture([BEFORE, note, AFTER], rules) == {}


def test_a_bracketed_via_source_goes(rules: Rules) -> None:
    assert furniture([BEFORE, AFTER, "[via Example Feed]"], rules) == {2: "credit_line"}
    assert furniture([BEFORE, AFTER, "(h/t The Example)"], rules) == {2: "credit_line"}
    for line in ("(via satellite link)", "[Via the Met Office, a warning.]"):
        assert furniture([BEFORE, AFTER, line], rules) == {}


def test_a_more_from_heading_over_glued_headlines_goes(rules: Rules) -> None:
    glued = (
        "The Gift of a Bright Idea Be Ready for a Bumpy Ride: 5 Key Predictions for 2015"
        " Growth: One Thing Your Startup Must Do"
    )
    found = furniture([BEFORE, AFTER, "More from Example.com:", glued], rules)
    assert found == {2: "teaser_line", 3: "teaser_line"}
    # Sentences under the heading, or the heading between paragraphs, stay.
    said = "We asked her why she left. She laughed and said it was time."
    assert furniture([BEFORE, AFTER, "More from the interview:", said], rules) == {}
    assert furniture([BEFORE, "More on Business:", glued, AFTER, AFTER + " Again."], rules) == {}


def test_a_quoted_pull_quote_without_its_stop_goes(rules: Rules) -> None:
    para = (
        "She said she was not afraid of the case. “My only wish is to prove to the public"
        " that … in my case your tax money has not been wasted.” Then she left."
    )
    pull = "“My only wish is to prove to the public that in my case your tax money has not been wasted”"
    texts = [BEFORE, pull, AFTER, BEFORE + " Again.", para, AFTER + " Again."]
    assert furniture(texts, rules) == {1: "pull_quote"}
    # Right over the paragraph it heads, a quote with no stop is a subheading, a byline
    # between them or not.
    assert furniture([BEFORE, AFTER, pull, para], rules) == {}
    assert furniture([BEFORE, AFTER, "***", pull, "By Ann Lee, an editor.", para], rules) == {
        2: "separator_line"
    }
    # A short quoted subheading stays wherever it stands.
    head = "‘The focus of her work was how nuns live’"
    nuns = "The focus of her work was how nuns live, work and pray, from prayer to service."
    assert furniture([BEFORE, nuns, AFTER, head, AFTER + " Again."], rules) == {}


def test_a_read_more_pointer_in_title_case_is_cut_from_a_paragraph(rules: Rules) -> None:
    line = "Offer a discount on larger carts. Read more in Proven Ways to Sell More Online."
    assert clean(line, rules) == (
        "Offer a discount on larger carts.",
        [("read_more_title_tail", "Read more in Proven Ways to Sell More Online.")],
    )


@pytest.mark.parametrize(
    "line",
    [
        "The report runs to 300 pages. Read more in the full report.",
        "The show is next week. Read more in Time.",
        "He wrote it down. Read more in The Times, he told the class on Monday.",
        "Read more in Proven Ways to Sell More Online.",  # no sentence before it
    ],
)
def test_read_more_look_alikes_stay(line: str, rules: Rules) -> None:
    assert clean(line, rules) == (line, [])


@pytest.mark.parametrize(
    "line", ["Animation by Ann Lee", "Map by Ann Lee", "Maps: Ann Lee/Example"]
)
def test_an_animation_or_map_credit_goes(line: str, rules: Rules) -> None:
    assert furniture([BEFORE, line, AFTER], rules) == {1: "credit_line"}


@pytest.mark.parametrize(
    "line",
    [
        "Map by map, the plan grew over the years and the city followed it.",
        "Artwork by the children hangs in the hall until the end of June.",
        "The map shows where the fires burned last summer.",
    ],
)
def test_animation_and_map_look_alikes_stay(line: str, rules: Rules) -> None:
    assert furniture([BEFORE, line, AFTER], rules) == {}


def test_a_caption_labelled_in_english_after_a_credit_in_another_language_goes(
    rules: Rules,
) -> None:
    line = "ဓာတ်ပုံ မူပိုင် Ann Lee (Example) Image caption ရုံးတွင် သတင်းထောက်များ"
    assert furniture([BEFORE, line, AFTER], rules) == {1: "caption_line"}
    prose = "The museum's new Image caption rules were praised by critics on Monday."
    assert furniture([BEFORE, prose, AFTER], rules) == {}


def test_a_caption_closed_by_a_via_source_goes(rules: Rules) -> None:
    line = "Maps of the city: the 1948 plan (via Ann Lee/Flickr) and 2014 (via Example)"
    assert furniture([BEFORE, line, AFTER], rules) == {1: "caption_line"}
    for prose in ("The hearing was held on Monday. (via Zoom)", "It was held (via satellite link)"):
        assert furniture([BEFORE, prose, AFTER], rules) == {}


def test_a_call_for_readers_pictures_goes(rules: Rules) -> None:
    line = "Are you in the storm? Please share your videos and stories at Example Report."
    assert furniture([line, BEFORE, AFTER], rules) == {0: "promo_line"}
    for prose in (
        "“Please share your photos with the police,” the sheriff told reporters.",
        "Residents were asked to share their videos with investigators on Monday.",
    ):
        assert furniture([prose, BEFORE, AFTER], rules) == {}


def test_a_related_heading_in_another_language_over_titles_closes_a_story(rules: Rules) -> None:
    titles = ["市議会が新しい橋の計画を承認", "工事は春に始まる見通し"]
    found = furniture([BEFORE, AFTER, "関連記事", *titles], rules)
    assert found == {2: "related_run", 3: "related_run", 4: "related_run"}
    thai = ["เรื่องที่เกี่ยวข้อง", "สภาเมืองอนุมัติสะพานใหม่", "เริ่มก่อสร้างในฤดูใบไม้ผลิ"]
    assert set(furniture([BEFORE, AFTER, *thai], rules)) == {2, 3, 4}
    # Over a sentence it stays (a lone heading is other rules' to weigh).
    said = "It was the third vote on the bridge this year."
    assert furniture([BEFORE, AFTER, "関連記事", said], rules).get(3) is None


def test_an_agency_copyright_glued_after_the_last_sentence_is_cut(rules: Rules) -> None:
    line = "アナリストは攻撃が続くと指摘している。(c)AFP/Ann LEE"
    assert clean(line, rules) == (
        "アナリストは攻撃が続くと指摘している。",
        [("agency_copyright_tail", "(c)AFP/Ann LEE")],
    )
    for kept in ("The study is free. (c) 2014 the authors", "The logo (c)AFP is on the wall."):
        assert clean(kept, rules) == (kept, [])


def test_a_newsletter_s_line_about_itself_goes_at_the_top(rules: Rules) -> None:
    line = "Money Notes is a daily newsletter from Example News that delivers the top news."
    assert furniture([line, BEFORE, AFTER], rules) == {0: "promo_line"}
    said = "Her company is a small newsletter publisher in Ohio, she said on Monday."
    assert furniture([said, BEFORE, AFTER], rules) == {}


def test_a_gallery_pointer_goes(rules: Rules) -> None:
    line = "See more photos in the gallery, images by Ann Lee"
    assert furniture([BEFORE, AFTER, line], rules) == {2: "promo_line"}
    sentence = "See more photos of the flood and how it began on the coast last year."
    assert furniture([BEFORE, AFTER, sentence], rules) == {}


def test_a_byline_in_lower_case_goes_over_the_story_only(rules: Rules) -> None:
    assert furniture(["by Ann Lee Chen", BEFORE, AFTER], rules) == {0: "byline_line"}
    assert furniture(["by the river, a crowd gathered", BEFORE, AFTER], rules) == {}
    assert furniture([BEFORE, AFTER, "by Ann Lee Chen", AFTER + " Again."], rules) == {}


def test_a_related_box_flattened_into_a_line_goes(rules: Rules) -> None:
    line = (
        "Related articles 'I knew it' Ann Lee opens up on her year 'They kept it' Ann Lee on"
        " the pair who treat a teddy as a child A day in the life of: the club with Ann Lee"
    )
    assert furniture([BEFORE, line, AFTER], rules) == {1: "related_run"}
    for prose in (
        "Related charges were filed against the two other men in the case",
        "Related stories show the same pattern in every town we visited.",
    ):
        assert furniture([BEFORE, prose, AFTER], rules) == {}


def test_a_copyright_line_with_an_east_asian_rights_phrase_goes(rules: Rules) -> None:
    for line in (
        "Copyright ⓒ Example.co.kr. 무단전재 및 재배포 금지",
        "저작권자 ⓒ 예시미디어(www.example.co.kr), 무단전재 및 재배포금지",
    ):
        assert furniture([BEFORE, AFTER, line], rules) == {2: "copyright_trailer"}
    said = "이 기사는 무단전재 문제를 다룬다."  # a sentence about unlicensed copies
    assert furniture([BEFORE, said, AFTER], rules) == {}


def test_a_bracketed_credit_with_its_label_glued_goes(rules: Rules) -> None:
    assert furniture([BEFORE, "[사진=JTBC, 예시아시아]", AFTER], rules) == {1: "credit_line"}
    note = "[Editor's note: the photo was taken in 2019]"
    assert furniture([BEFORE, note, AFTER], rules).get(1) != "credit_line"


def test_a_bracketed_outlet_and_writer_opening_a_paragraph_are_cut(rules: Rules) -> None:
    line = "[예시미디어=홍길동의 이슈공감] 시작은 사진 공개로부터 비롯됐다."
    assert clean(line, rules) == (
        "시작은 사진 공개로부터 비롯됐다.",
        [("bracketed_dateline", "[예시미디어=홍길동의 이슈공감] ")],
    )
    for kept in ("[x=5] is the answer to the first question.", "The value [a=b] holds."):
        assert clean(kept, rules) == (kept, [])


def test_a_newsletter_box_s_messages_go_with_the_box(rules: Rules) -> None:
    box = [
        "Daily Briefing Newsletter",
        "Get the day's top stories in your inbox every morning.",
        "Thanks for signing up!",
        "Keep an eye on your inbox for the latest news.",
        "Sorry!",
        "There was an error processing your subscription.",
    ]
    found = furniture([BEFORE, AFTER, *box, BEFORE + " Again.", AFTER + " Again."], rules)
    assert set(found) == set(range(2, 8))
    said = "“Thanks for signing up!” the clerk told each voter at the door."
    assert furniture([BEFORE, said, AFTER], rules) == {}


def test_link_cards_between_rules_close_a_story(rules: Rules) -> None:
    cards = ["-", "Mayor joins the band", "She may have found her calling", "-"]
    cards += ["Week 12 picks", "-", "Coach tells an old story", "The owner might have hired him"]
    found = furniture([BEFORE, AFTER, *cards], rules)
    assert set(found) == set(range(2, 10))
    essay = ["* * *", "The rain came at noon and did not stop.", "* * *"]
    essay += ["We left the next day, and nobody spoke."]
    assert set(furniture([BEFORE, AFTER, *essay], rules)) == {2, 4}  # the rules only


@pytest.mark.parametrize(
    "line",
    [
        "Be sure to visit Example Water on Facebook, Twitter, and Instagram.",
        "* Clique no link para ver o Calendário completo da temporada",
        "ATENÇÃO: Comentários ofensivos não serão aprovados pelo moderador.",
    ],
)
def test_a_page_s_notes_to_the_reader_go(line: str, rules: Rules) -> None:
    assert furniture([BEFORE, AFTER, line], rules) == {2: "promo_line"}


@pytest.mark.parametrize(
    "line",
    [
        "Be sure to visit the museum on Sunday, when the entry is free for all.",
        "Comments on the plan will be approved by the council, she said on Monday.",
        "Click beetles were found on the link road near the river this spring.",
    ],
)
def test_notes_to_the_reader_look_alikes_stay(line: str, rules: Rules) -> None:
    assert furniture([BEFORE, AFTER, line], rules) == {}


def test_readers_comments_under_a_story_go_to_its_end(rules: Rules) -> None:
    talk = ["Top Rated Comments", "Great idea, finally.", "No surprise here at all."]
    assert set(furniture([BEFORE, AFTER, *talk], rules)) == {2, 3, 4}
    closed = ["Comments", "Great idea.", "[ Read All Comments ]"]
    assert set(furniture([BEFORE, AFTER, *closed], rules)) == {2, 3, 4}
    report = ["Comments", "The agency received 300 comments on the rule by Friday."]
    assert furniture([BEFORE, AFTER, *report], rules) == {}
    letters = ["Readers' Comments", "The meeting starts at 3:10pm on Friday."]
    assert furniture([BEFORE, AFTER, *letters], rules) == {}


@pytest.mark.parametrize(
    "line",
    [
        "The views and opinions expressed in the article do not necessarily reflect those of"
        " Example News.",
        "Ann Lee curates deals.If you buy something through this post, Example may get a share"
        " of the sale.",
        "Deixe suas dúvidas e opiniões aqui embaixo! Obrigado por compartilhar nosso conteúdo!",
        "Let us know your thoughts in the comments below.",
    ],
)
def test_a_disclaimer_or_a_call_for_comments_closing_a_story_goes(line: str, rules: Rules) -> None:
    assert furniture([BEFORE, AFTER, line], rules) == {2: "promo_line"}


@pytest.mark.parametrize(
    "line",
    [
        "The views expressed in the article angered the minister, he said on Monday.",
        "Leave the dog at home and bring the children to the park below the bridge.",
        "Shops may earn a commission on each sale, the regulator found last year.",
    ],
)
def test_disclaimer_and_comment_call_look_alikes_stay(line: str, rules: Rules) -> None:
    assert furniture([BEFORE, AFTER, line], rules) == {}


def test_a_reading_time_over_a_story_goes(rules: Rules) -> None:
    for line in ("Tempo de leitura: 1 minuto", "Reading time: 3 minutes", "Lesezeit: 4 Min."):
        assert furniture([line, BEFORE, AFTER], rules) == {0: "time_stamp"}
    said = "Reading time: 3 minutes was all the judge allowed each side."
    assert furniture([said, BEFORE, AFTER], rules) == {}


def test_an_item_of_the_story_s_own_list_stays_though_it_reads_like_a_pitch(
    rules: Rules,
) -> None:
    steps = ["- Sign up for a streaming account for $11.99 a month"]
    steps += ["- If you already have an account, visit your account page"]
    steps += ["- Add the bundle using the same email as your account"]
    assert furniture([BEFORE, *steps, AFTER], rules) == {}


def test_a_caption_under_its_picture_s_role_goes(rules: Rules) -> None:
    line = (
        "Cover image: an artist's impression of the lighting installation by a design studio"
        " from Budapest at the seventh edition of the city's winter light festival"
    )  # longer than a credit: the credit rules leave it
    assert furniture([BEFORE, line, AFTER], rules) == {1: "caption_line"}
    story = "Cover story: how the festival began in 2012 and grew every winter since."
    assert furniture([BEFORE, story, AFTER], rules) == {}


def test_an_unrendered_shortcode_goes(rules: Rules) -> None:
    line = "[button link='http://example.com/submit/' type='big'] Send us YOUR review[/button]"
    assert furniture([BEFORE, AFTER, line], rules) == {2: "promo_line"}
    note = "[Editor's note: the photo was taken in 2019 and first ran in the spring.]"
    assert furniture([BEFORE, AFTER, note], rules).get(2) != "promo_line"
