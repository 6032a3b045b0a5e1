"""Errors that name what went wrong, where, and what the user can do."""

from __future__ import annotations

from collections.abc import Iterable


class IngestError(Exception):
    """A dump that cannot become documents.

    ``reason`` is a short snake_case code (counted in summaries); the message is a sentence
    for the user.
    """

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


class RulesError(ValueError):
    """A rules file that cannot be used: raised before any dump is touched."""


def too_large(size: int, limit: int) -> IngestError:
    """The refusal of a file over ``settings.max_file_bytes``, naming the setting to raise."""
    return IngestError(
        "too_large",
        f"the file is {size:,} bytes, over the limit of {limit:,}; raise "
        "settings.max_file_bytes in a rules file (--rules) to accept it",
    )


def check_size(size: int, limit: int) -> None:
    """Refuse a file over ``settings.max_file_bytes`` (:func:`too_large`), whatever its kind.

    >>> check_size(10, 10)
    """
    if size > limit:
        raise too_large(size, limit)


def no_story(rules: Iterable[str], spans: int | None = None, where: str = "") -> IngestError:
    """The refusal of a file (or record, ``where``) of which only chrome and residue were left;
    ``rules`` removed it all (``spans`` spans, when counted).

    >>> no_story(["byline", "hashtags_heading", "byline"], 3).message[-54:]
    'removed (3 spans removed by: byline, hashtags_heading)'
    """
    names = ", ".join(sorted(set(rules))) or "none"
    removed = "spans removed by" if spans is None else f"{spans} spans removed by"
    return IngestError(
        "no_story",
        f"{where}no story text is left once page chrome and residue are removed "
        f"({removed}: {names})",
    )
