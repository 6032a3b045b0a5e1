"""Relative times: one vocabulary finds header times and resolves them (ingest.published)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from ingest.published import parse_relative, relative_patterns
from ingest.rules import Rules

PATTERNS = [re.compile(p) for p in relative_patterns()]


def is_header_time(text: str, rules: Rules) -> bool:
    return any(p.match(text) for p in rules.published)


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("3 hours ago", 3 * 3600),
        ("3h", 3 * 3600),
        ("Updated 2 hrs ago", 2 * 3600),
        ("an hour ago", 3600),
        ("il y a 2 heures", 2 * 3600),
        ("vor einem Tag", 86400),
        ("hace 3 días", 3 * 86400),
        ("2 ore fa", 2 * 3600),
        ("3 uur geleden", 3 * 3600),
        ("2 godziny temu", 2 * 3600),
        ("godzinę temu", 3600),
        ("3 часа назад", 3 * 3600),
        ("5 saat önce", 5 * 3600),
        ("för 3 timmar sedan", 3 * 3600),
        ("3 timer siden", 3 * 3600),
        ("2 jam yang lalu", 2 * 3600),
        ("před 3 hodinami", 3 * 3600),
        ("3時間前", 3 * 3600),
        ("5分前", 300),
        ("3小时前", 3 * 3600),
        ("3시간 전", 3 * 3600),
        ("yesterday", 86400),
        ("1h 20m ago", 4800),
        ("2 hours 15 minutes ago", 8100),
        ("πριν από 3 ώρες", 3 * 3600),
        ("3 giờ trước", 3 * 3600),
        ("منذ 3 ساعات", 3 * 3600),
        ("לפני 3 שעות", 3 * 3600),
        ("3 tuntia sitten", 3 * 3600),
        ("acum 3 ore", 3 * 3600),
        ("3 години тому", 3 * 3600),
        ("3 órája", 3 * 3600),
        ("5 perce", 300),
        ("three hours ago", 3 * 3600),
        ("3 hours, 20 minutes ago", 12000),
        ("3 ชั่วโมงที่แล้ว", 3 * 3600),
        ("۳ ساعت پیش", 3 * 3600),
    ],
)
def test_every_header_time_resolves(text: str, seconds: int, rules: Rules) -> None:
    """What the header patterns find, parse_relative resolves: the two cannot drift apart."""
    assert is_header_time(text, rules)
    assert parse_relative(text) == timedelta(seconds=seconds)


@pytest.mark.parametrize(
    "text",
    ["3 hours", "for 3 days", "3 miles ago", "at 3:10pm", "John 3:16", "14:32", "min", "hours"],
)
def test_look_alikes_are_no_header_time(text: str, rules: Rules) -> None:
    assert not is_header_time(text, rules)


def test_parse_relative_reads_every_built_in_pattern_s_units() -> None:
    """Each unit word of the vocabulary, with a number and 'ago', is found and resolved."""
    from ingest.published import UNIT_WORDS

    for seconds, words in UNIT_WORDS.items():
        for word in words:
            text = f"2 {word} ago"
            assert any(p.match(text) for p in PATTERNS), text
            assert parse_relative(text) == timedelta(seconds=2 * seconds), text
