"""Patterns from a user's rules file, run with a time budget.

Python's ``re`` has no timeout: one user pattern that backtracks catastrophically on one
line (``(\\w+\\s?)+$`` on a long line that ends in punctuation took 53 s in ``re``, and
doubles with every character) hangs the whole run with no output. The ``regex`` module
takes a ``timeout`` on every call and, on that pattern, answers in under a millisecond.
So a pattern a rules file adds is checked by ``re`` (the same messages for a bad pattern,
the same syntax everywhere) and then run by ``regex`` with :data:`BUDGET_S` seconds per
call; a call past its budget makes that dump fail with reason ``rule_timeout``, naming the
rule, and the run goes on. Built-in patterns stay on ``re``: they are ours, tested on
hostile text, and ``re`` ran them faster (``bench/regex_bench.py``).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterator
from typing import Any, cast

import regex  # type: ignore[import-untyped]  # no stubs in the lock

from ingest.errors import IngestError

BUDGET_S = 1.0  # seconds one search of one line may take; then the dump fails


class BudgetedPattern:
    """A compiled user pattern with ``re.Pattern``'s interface (the parts the cleaner uses)
    whose every call has a time budget. ``pattern``, ``flags``, ``groups`` and
    ``groupindex`` are ``re``'s, so code that inspects a pattern sees what it expects."""

    def __init__(self, checked: re.Pattern[str], rule: str, budget: float = BUDGET_S) -> None:
        self.checked = checked
        self.rule = rule
        self.budget = budget
        self.pattern = checked.pattern
        self.flags = checked.flags
        self.groups = checked.groups
        self.groupindex = checked.groupindex
        self._compiled = regex.compile(checked.pattern, flags=checked.flags | regex.VERSION0)

    def __repr__(self) -> str:
        return f"BudgetedPattern({self.pattern!r}, rule={self.rule!r})"

    def _over(self) -> IngestError:
        return IngestError(
            "rule_timeout",
            f"rule {self.rule} took more than {self.budget:g} s on one line of this file "
            f"(its pattern {self.pattern!r} backtracks on this text); rewrite the pattern "
            "without nested repetition such as (\\w+\\s?)+, or remove the rule",
        )

    def _call(self, method: Callable[..., Any], *args: Any) -> Any:
        try:
            return method(*args, timeout=self.budget)
        except TimeoutError:
            raise self._over() from None

    def search(self, string: str, pos: int = 0, endpos: int = sys.maxsize) -> Any:
        return self._call(self._compiled.search, string, pos, endpos)

    def match(self, string: str, pos: int = 0, endpos: int = sys.maxsize) -> Any:
        return self._call(self._compiled.match, string, pos, endpos)

    def fullmatch(self, string: str, pos: int = 0, endpos: int = sys.maxsize) -> Any:
        return self._call(self._compiled.fullmatch, string, pos, endpos)

    def findall(self, string: str, pos: int = 0, endpos: int = sys.maxsize) -> Any:
        return self._call(self._compiled.findall, string, pos, endpos)

    def sub(self, repl: Any, string: str, count: int = 0) -> Any:
        return self._call(self._compiled.sub, repl, string, count)

    def subn(self, repl: Any, string: str, count: int = 0) -> Any:
        return self._call(self._compiled.subn, repl, string, count)

    def split(self, string: str, maxsplit: int = 0) -> Any:
        return self._call(self._compiled.split, string, maxsplit)

    def finditer(self, string: str, pos: int = 0, endpos: int = sys.maxsize) -> Iterator[Any]:
        matches = self._call(self._compiled.finditer, string, pos, endpos)
        try:
            yield from matches
        except TimeoutError:
            raise self._over() from None


def budgeted(checked: re.Pattern[str], rule: str) -> re.Pattern[str]:
    """``checked`` (a user's pattern, compiled by ``re``) run with a time budget.

    Typed as ``re.Pattern`` for the code that takes rules' patterns: it has that interface.

    >>> p = budgeted(re.compile(r"(a|aa)+$"), "profiles.x.chrome_lines.bad")
    >>> p.search("aaa").group(), p.pattern
    ('aaa', '(a|aa)+$')
    """
    return cast(re.Pattern[str], BudgetedPattern(checked, rule))


def is_budgeted(pattern: object) -> bool:
    """True for a user's pattern (which must not be merged into a plain ``re`` pattern)."""
    return isinstance(pattern, BudgetedPattern)
