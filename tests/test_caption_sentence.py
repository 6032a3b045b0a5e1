"""A paragraph closed by a sentence in brackets that names a picture is text, not a caption;
a caption closed by its credit in brackets still goes."""

from __future__ import annotations

import pytest

from ingest.furniture import is_caption_line
from ingest.rules import Rules


@pytest.mark.parametrize(
    "line",
    [
        '"They opened his passport and photographed the visa," she said, referring to the '
        "reporter who had visited him. (The paper has viewed the firm's photo of the visa.)",
        "The council kept the plans secret for a year. (Our reporters have seen an image of "
        "the draft, dated March.)",
    ],
)
def test_a_sentence_in_brackets_naming_a_picture_is_text(line: str, rules: Rules) -> None:
    assert not is_caption_line(line, rules.furniture, rules.settings.max_headline_words * 3)


@pytest.mark.parametrize(
    "line",
    [
        "Ann Lee at her home in Leeds in 1990. (Photo courtesy of the Lee family.)",
        "Firefighters at the scene on Monday. (Staff photo by Ann Lee.)",
        "Guns for sale at a shop in Palm Springs. (Photo: Kristen Hwang/The Desert Sun)",
        "Protesters outside the court on Monday. (AP Photo/Ann Lee, File)",
    ],
)
def test_a_caption_closed_by_its_credit_still_goes(line: str, rules: Rules) -> None:
    assert is_caption_line(line, rules.furniture, rules.settings.max_headline_words * 3)
