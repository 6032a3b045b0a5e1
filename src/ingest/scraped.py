"""When a dump was scraped, and how we know: every document records it.

A relative time ("2 hours ago") is made absolute against the scrape time, so where that
time comes from decides every ``published``. It is taken, first found first, from:

1. what the dump says of itself: a JSON record's ``scraped_at`` field (``record``), an HTML
   page's save stamp (``html``: SingleFile's ``saved date:`` comment), or a date and time
   in the file's name (``file_name``: :data:`NAME_TIME`, e.g. ``2025-08-15T12-00-00_x.txt``
   or ``20250815_120000.html``; UTC unless it ends in ``Z`` or an offset);
2. ``--scraped-at TIME`` (``flag``);
3. the nearest ``.scraped_at`` file in the dump's folder or a folder above it, up to SRC
   (``folder``): one ISO-8601 time, UTC unless it names an offset;
4. the file's modification time (``mtime``): a local file's mtime, an object's
   ``LastModified``. ``git clone``, ``cp`` and sync tools reset these, so a run that resolves
   relative times against them says so once.

Steps 2-4 are a run's :class:`ScrapeClock`, the same on a local folder and on an object
store: with a ``--scraped-at`` or a ``.scraped_at`` file the same dumps give the same
documents wherever they sit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import NamedTuple

from ingest.published import format_utc, parse_utc

# Where a document's source.scraped_at came from (source.scraped_at_from).
FROM_FLAG = "flag"
FROM_RECORD = "record"
FROM_HTML = "html"
FROM_FILE_NAME = "file_name"
FROM_FOLDER = "folder"
FROM_MTIME = "mtime"
ORIGINS = (FROM_RECORD, FROM_HTML, FROM_FILE_NAME, FROM_FLAG, FROM_FOLDER, FROM_MTIME)

# The per-folder default: a hidden file (never taken for a dump) holding one time.
FOLDER_FILE = ".scraped_at"

# A date and time in a file name: year 1990-2099, month, day, then T, _, - or a space, then
# hours, minutes and seconds (separated by :, -, . or nothing), then Z or an offset.
NAME_TIME = re.compile(
    r"(?<![0-9])(?P<y>19[9]\d|20\d\d)(?P<ds>-?)(?P<mo>[01]\d)(?P=ds)(?P<d>[0-3]\d)"
    r"[T_ \-](?P<h>[0-2]\d)(?P<ts>[:\-.]?)(?P<mi>[0-5]\d)(?P=ts)(?P<s>[0-5]\d)"
    r"(?P<tz>Z|[+\-][01]\d:?[0-5]\d)?(?![0-9])"
)


class ScrapeTime(NamedTuple):
    """A scrape time and where it came from (one of :data:`ORIGINS`)."""

    when: datetime
    origin: str

    def stamp(self) -> str:
        """What a dump's cache key depends on: the time, to the second, and its origin.

        >>> ScrapeTime(datetime(2025, 8, 15, 12, tzinfo=UTC), "flag").stamp()
        '2025-08-15T12:00:00Z flag'
        """
        return f"{format_utc(self.when)} {self.origin}"


def time_in_name(name: str) -> datetime | None:
    """The date and time a file name carries (:data:`NAME_TIME`), or None.

    >>> time_in_name("2025-08-15T12-00-00_dailymail.txt")
    datetime.datetime(2025, 8, 15, 12, 0, tzinfo=datetime.timezone.utc)
    >>> time_in_name("feed_20250815_093000+0100.html")
    datetime.datetime(2025, 8, 15, 8, 30, tzinfo=datetime.timezone.utc)
    >>> time_in_name("004_5cc9e0325e006e26.txt"), time_in_name("20251340_120000.txt")
    (None, None)
    """
    found = NAME_TIME.search(name)
    if found is None:
        return None
    tz = UTC
    if found["tz"] and found["tz"] != "Z":
        sign = -1 if found["tz"][0] == "-" else 1
        digits = found["tz"][1:].replace(":", "")
        tz = timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))
    try:
        moment = datetime(
            int(found["y"]), int(found["mo"]), int(found["d"]),
            int(found["h"]), int(found["mi"]), int(found["s"]), tzinfo=tz,
        )  # fmt: skip
    except ValueError:  # month 13, hour 25: not a time
        return None
    return moment.astimezone(UTC)


_MONTHS = {
    m: i
    for i, m in enumerate(
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1
    )
}
# SingleFile's header comment: "saved date: Tue Oct 17 2023 13:55:34 GMT+0300 (...)".
_SAVED = re.compile(
    r"saved date: *[A-Za-z]{3} (?P<mon>[A-Za-z]{3}) (?P<d>\d{1,2}) (?P<y>\d{4}) "
    r"(?P<h>\d\d):(?P<mi>\d\d):(?P<s>\d\d) GMT(?P<tz>[+\-]\d{4})"
)


def saved_time(head: str) -> datetime | None:
    """When a saved HTML page was saved, from the stamp its saver wrote at the top.

    SingleFile (the browser extension most scrapers of whole pages use) writes
    ``<!-- Page saved with SingleFile url: ... saved date: ... -->`` before ``<head>``.

    >>> saved_time("<!--\\n Page saved with SingleFile \\n saved date: Fri Aug 15 2025 "
    ...            "13:00:00 GMT+0100 (British Summer Time)\\n-->")
    datetime.datetime(2025, 8, 15, 12, 0, tzinfo=datetime.timezone.utc)
    >>> saved_time("<p>saved date: tomorrow</p>") is None
    True
    """
    if "saved date:" not in head:
        return None
    found = _SAVED.search(head)
    if found is None or found["mon"].lower() not in _MONTHS:
        return None
    sign = -1 if found["tz"][0] == "-" else 1
    offset = timedelta(hours=int(found["tz"][1:3]), minutes=int(found["tz"][3:5]))
    try:
        moment = datetime(
            int(found["y"]), _MONTHS[found["mon"].lower()], int(found["d"]),
            int(found["h"]), int(found["mi"]), int(found["s"]), tzinfo=timezone(sign * offset),
        )  # fmt: skip
    except ValueError:
        return None
    return moment.astimezone(UTC)


def parse_folder_file(data: bytes, where: str) -> datetime:
    """The time a ``.scraped_at`` file holds (ValueError naming ``where`` if it holds none).

    >>> parse_folder_file(b"2025-08-15T12:00:00Z\\n", "x")
    datetime.datetime(2025, 8, 15, 12, 0, tzinfo=datetime.timezone.utc)
    >>> parse_folder_file(b"yesterday", "d/.scraped_at")
    Traceback (most recent call last):
    ...
    ValueError: d/.scraped_at holds 'yesterday', not an ISO-8601 time such as 2025-08-15T12:00:00Z
    """
    text = data.decode("utf-8-sig", "replace").strip()
    moment = parse_utc(text) if text and "\n" not in text else None
    if moment is None:
        raise ValueError(
            f"{where} holds {text[:40]!r}, not an ISO-8601 time such as 2025-08-15T12:00:00Z"
        )
    return moment


def split_folder_files(listed: list[str]) -> tuple[list[str], list[str]]:
    """The dumps, and the ``.scraped_at`` files among what discovery listed.

    >>> split_folder_files(["a.txt", ".scraped_at", "sub/.scraped_at", "sub/b.txt"])
    (['a.txt', 'sub/b.txt'], ['.scraped_at', 'sub/.scraped_at'])
    """
    if not any(r.rpartition("/")[2] == FOLDER_FILE for r in listed):
        return listed, []
    files = [r for r in listed if r.rpartition("/")[2] == FOLDER_FILE]
    return [r for r in listed if r.rpartition("/")[2] != FOLDER_FILE], files


@dataclass(frozen=True)
class ScrapeClock:
    """A run's scrape time for a dump that says nothing of its own (module docstring).

    ``flag``: ``--scraped-at``; ``folders``: (folder as ``""`` or ``"sub/"``, time) from
    ``.scraped_at`` files. A plain value: it travels to worker processes and Dask workers.
    """

    flag: datetime | None = None
    folders: tuple[tuple[str, datetime], ...] = ()

    def fallback(self, rel: str, mtime: float) -> ScrapeTime:
        """The scrape time of dump ``rel`` (modification time ``mtime``) before its bytes
        are read: its file name's, the flag's, its folder's, else its modification time.

        >>> clock = ScrapeClock(folders=(("", datetime(2025, 1, 1, tzinfo=UTC)),))
        >>> clock.fallback("sub/a.txt", 0.0).stamp()
        '2025-01-01T00:00:00Z folder'
        >>> clock.fallback("a_20250815_120000.txt", 0.0).stamp()
        '2025-08-15T12:00:00Z file_name'
        >>> ScrapeClock().fallback("a.txt", 0.0).stamp()
        '1970-01-01T00:00:00Z mtime'
        """
        named = time_in_name(rel.rpartition("/")[2])
        if named is not None:
            return ScrapeTime(named, FROM_FILE_NAME)
        if self.flag is not None:
            return ScrapeTime(self.flag, FROM_FLAG)
        best: tuple[str, datetime] | None = None
        for folder, moment in self.folders:
            if rel.startswith(folder) and (best is None or len(folder) > len(best[0])):
                best = (folder, moment)
        if best is not None:
            return ScrapeTime(best[1], FROM_FOLDER)
        return ScrapeTime(datetime.fromtimestamp(mtime, tz=UTC), FROM_MTIME)


def as_clock(value: datetime | ScrapeClock | None) -> ScrapeClock:
    """A clock from what callers pass as ``scraped_at``: a clock, a time (the flag), or None."""
    if isinstance(value, ScrapeClock):
        return value
    return ScrapeClock(flag=value)
