"""Relative publication times ("2 hours ago", "yesterday") made absolute."""

from __future__ import annotations

import functools
import re
from datetime import UTC, datetime, timedelta

_RELATIVE = re.compile(
    r"(?i)^(?:about |over |almost )?(?P<n>an?|one|\d{1,3}) +"
    r"(?P<unit>second|sec|minute|min|hour|hr|day|week|month|year)s? +ago$"
)
_UNIT_SECONDS = {
    "second": 1,
    "sec": 1,
    "minute": 60,
    "min": 60,
    "hour": 3600,
    "hr": 3600,
    "day": 86400,
    "week": 7 * 86400,
    "month": 30 * 86400,
    "year": 365 * 86400,
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
    """
    s = text.strip().lower()
    if s in _NAMED:
        return timedelta(seconds=_NAMED[s])
    m = _RELATIVE.match(s)
    if not m:
        return None
    n = 1 if m["n"] in ("a", "an", "one") else int(m["n"])
    return timedelta(seconds=n * _UNIT_SECONDS[m["unit"]])


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
