"""Errors that name what went wrong, where, and what the user can do."""

from __future__ import annotations


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
