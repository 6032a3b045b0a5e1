"""Relative publication times ("2 hours ago", "yesterday") made absolute."""

from __future__ import annotations

import functools
import re
from datetime import UTC, datetime, timedelta

_RELATIVE = re.compile(
    r"(?i)^(?:(?:updated|published|posted|edited) +)?(?:about |over |almost )?"
    r"(?:il y a |hace |há |vor )?"
    r"(?:(?P<n>\d{1,3}) *|(?:an?|one|une?|una?|uno|uma?|eine[rm]?|een) +)"
    r"(?P<unit>[^\W\d_]+)\.?(?: +(?:ago|fa|geleden))?$"
)
# Units in the languages the [header] published patterns know, by their stem: the unit word
# is cut to its first letters until one of these matches ("hours" -> "hour", "Stunden" ->
# "stunde", "horas" -> "hora").
_UNIT_SECONDS = {
    "s": 1,
    "sec": 1,
    "second": 1,
    "seconde": 1,
    "segundo": 1,
    "sekunde": 1,
    "secondo": 1,
    "m": 60,
    "min": 60,
    "minute": 60,
    "minuto": 60,
    "minuti": 60,
    "h": 3600,
    "hr": 3600,
    "hour": 3600,
    "heure": 3600,
    "hora": 3600,
    "stunde": 3600,
    "std": 3600,
    "ora": 3600,
    "ore": 3600,
    "uur": 3600,
    "d": 86400,
    "day": 86400,
    "jour": 86400,
    "día": 86400,
    "dia": 86400,
    "tag": 86400,
    "giorn": 86400,
    "dag": 86400,
    "w": 7 * 86400,
    "wk": 7 * 86400,
    "week": 7 * 86400,
    "semaine": 7 * 86400,
    "semana": 7 * 86400,
    "woche": 7 * 86400,
    "settiman": 7 * 86400,
    "weke": 7 * 86400,
    "mo": 30 * 86400,
    "month": 30 * 86400,
    "mois": 30 * 86400,
    "mes": 30 * 86400,
    "monat": 30 * 86400,
    "maand": 30 * 86400,
    "y": 365 * 86400,
    "yr": 365 * 86400,
    "year": 365 * 86400,
    "an": 365 * 86400,
    "año": 365 * 86400,
    "ano": 365 * 86400,
    "jahr": 365 * 86400,
    "ann": 365 * 86400,
    "jaar": 365 * 86400,
}
_NAMED = {
    "just now": 0,
    "moments ago": 0,
    "today": 0,
    "yesterday": 86400,
    "last night": 86400,
    "last week": 7 * 86400,
    "last month": 30 * 86400,
    "last year": 365 * 86400,
}


def parse_relative(text: str) -> timedelta | None:
    """How long ago a relative time says, or None if it is not one.

    >>> parse_relative("an hour ago")
    datetime.timedelta(seconds=3600)
    >>> parse_relative("3 days ago")
    datetime.timedelta(days=3)
    >>> parse_relative("yesterday")
    datetime.timedelta(days=1)
    >>> parse_relative("at noon") is None
    True
    >>> parse_relative("3h"), parse_relative("Updated 2 hrs ago")
    (datetime.timedelta(seconds=10800), datetime.timedelta(seconds=7200))
    >>> parse_relative("il y a 2 heures"), parse_relative("vor einem Tag")
    (datetime.timedelta(seconds=7200), datetime.timedelta(days=1))
    >>> parse_relative("3 miles") is None, parse_relative("Apr 19, 2024") is None
    (True, True)
    """
    s = text.strip().lower()
    if s in _NAMED:
        return timedelta(seconds=_NAMED[s])
    m = _RELATIVE.match(s)
    if not m:
        return None
    unit = _unit_seconds(m["unit"])
    if unit is None:
        return None
    n = int(m["n"]) if m["n"] else 1
    return timedelta(seconds=n * unit)


def _unit_seconds(word: str) -> int | None:
    """Seconds in a time unit word of any length or known language, or None.

    >>> _unit_seconds("hours"), _unit_seconds("Stunden"), _unit_seconds("h")
    (3600, 3600, 3600)
    >>> _unit_seconds("miles") is None
    True
    """
    word = word.lower()
    for end in range(len(word), 0, -1):
        seconds = _UNIT_SECONDS.get(word[:end])
        if seconds is not None:
            return seconds if end >= len(word) - 3 else None
    return None


# Every story of a dump shares the scrape time, and a handful of relative times ("2 hours
# ago") cover most stories: parsing and strftime once per distinct pair, not per story.
@functools.lru_cache(maxsize=1024)
def resolve_published(text: str | None, scraped_at: datetime | None) -> str | None:
    """Absolute ISO-8601 UTC time for a relative time, measured back from the scrape time.

    >>> resolve_published("2 hours ago", datetime(2025, 8, 15, 12, 0, tzinfo=UTC))
    '2025-08-15T10:00:00Z'
    >>> resolve_published("2 hours ago", None) is None
    True
    """
    if text is None or scraped_at is None:
        return None
    delta = parse_relative(text)
    if delta is None:
        return None
    try:
        return format_utc(scraped_at - delta)
    except OverflowError:  # before year 1: no such time
        return None


def format_utc(moment: datetime) -> str:
    """ISO-8601 in UTC with a Z, to the second.

    >>> format_utc(datetime(2025, 1, 2, 3, 4, 5, 678, tzinfo=UTC))
    '2025-01-02T03:04:05Z'
    """
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_iso(text: str) -> datetime | None:
    """An ISO-8601 time as written (``Z`` for UTC accepted; naive when it names no offset),
    or None when it is not one. The one parser of absolute times: callers decide what a
    naive time means.

    >>> parse_iso("2025-08-15T12:00:00Z")
    datetime.datetime(2025, 8, 15, 12, 0, tzinfo=datetime.timezone.utc)
    >>> parse_iso("2025-08-15"), parse_iso("2 hours ago")
    (datetime.datetime(2025, 8, 15, 0, 0), None)
    """
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        if moment.tzinfo is not None:
            moment.astimezone(UTC)  # 9999-12-31T23:59:59-14:00 is past year 9999 in UTC
    except (ValueError, OverflowError):
        return None
    return moment


def parse_utc(text: str) -> datetime | None:
    """:func:`parse_iso`, a naive time taken as UTC (scrape times from users and records).

    >>> parse_utc("2025-08-15T12:00:00")
    datetime.datetime(2025, 8, 15, 12, 0, tzinfo=datetime.timezone.utc)
    """
    moment = parse_iso(text)
    if moment is None:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
