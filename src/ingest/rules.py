"""Residue rules as data: the built-in TOML file, merged with an optional user file.

A user file overrides only what it sets: a setting, one rule of a profile, or a whole new
profile. Every regular expression is compiled, and every name checked, before any dump is
read, so a broken rules file stops the run at once with the rule's name and position.
"""

from __future__ import annotations

import hashlib
import json
import re
import tomllib
from dataclasses import dataclass, fields
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from ingest.errors import RulesError

DEFAULT_RULES = "default_rules.toml"
InlineKind = Literal["teaser", "regex", "card"]


@dataclass(frozen=True)
class Settings:
    """Thresholds, with the defaults documented in ``rules/default.toml``."""

    max_headline_words: int = 40
    max_outlet_chars: int = 60
    max_teaser_words: int = 30
    min_teaser_words: int = 2
    min_chrome_run: int = 2
    min_language_words: int = 8
    max_file_bytes: int = 64 * 1024 * 1024


@dataclass(frozen=True)
class TeaserCues:
    """Word lists that tell where a teaser's headline ends and the next sentence starts."""

    starters: frozenset[str] = frozenset()
    after_names: frozenset[str] = frozenset()
    reporting_verbs: frozenset[str] = frozenset()
    role_words: frozenset[str] = frozenset()


@dataclass(frozen=True)
class InlineRule:
    """A rule that cuts a span out of running text."""

    name: str
    kind: InlineKind
    pattern: re.Pattern[str]


@dataclass(frozen=True)
class LineRule:
    """A rule that removes a whole line of page chrome."""

    name: str
    pattern: re.Pattern[str]


@dataclass(frozen=True)
class Profile:
    """An aggregator's page furniture, detected from the dump's own lines."""

    name: str
    aggregator: str | None
    detect: tuple[re.Pattern[str], ...]
    detect_min: int
    chrome_lines: tuple[LineRule, ...]
    inline: tuple[InlineRule, ...]

    def matches(self, lines: list[str]) -> bool:
        """Say whether enough of the profile's signature lines occur in the dump.

        Each pattern is run over the lines in C (``any(map(...))``), stopping at its first
        hit, and the profile stops at ``detect_min`` patterns found; it used to run every
        pattern on every line from a Python loop, once per dump.
        """
        if self.detect_min <= 0:
            return True
        found = 0
        for pattern in self.detect:
            if any(map(pattern.search, lines)):
                found += 1
                if found >= self.detect_min:
                    return True
        return False


@dataclass(frozen=True)
class Rules:
    """Everything the cleaner needs, compiled."""

    settings: Settings
    published: tuple[re.Pattern[str], ...]
    byline: re.Pattern[str]
    inline: tuple[InlineRule, ...]
    cues: TeaserCues
    profiles: tuple[Profile, ...]
    files: tuple[str, ...]
    fingerprint: str = ""


def merge_tables(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """Merge ``override`` into ``base``: tables merge key by key, anything else replaces.

    >>> merge_tables({"a": {"x": 1, "y": 2}, "b": [1]}, {"a": {"y": 3}, "b": [2]})
    {'a': {'x': 1, 'y': 3}, 'b': [2]}
    """
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = merge_tables(merged[key], value)
        else:
            merged[key] = value
    return merged


def load_rules(path: str | Path | None = None) -> Rules:
    """Load the built-in rules, merged with the user's file at ``path`` if given."""
    default_text = (
        resources.files("ingest").joinpath("data").joinpath(DEFAULT_RULES).read_text("utf-8")
    )
    data = _parse_toml(default_text, DEFAULT_RULES)
    files = [DEFAULT_RULES]
    if path is not None:
        p = Path(path)
        try:
            user_text = p.read_text("utf-8")
        except OSError as exc:
            raise RulesError(f"cannot read rules file {p}: {exc.strerror}") from None
        data = merge_tables(data, _parse_toml(user_text, str(p)))
        files.append(str(p))
    return compile_rules(data, tuple(files))


def compile_rules(data: dict[str, Any], files: tuple[str, ...] = ("<dict>",)) -> Rules:
    """Check and compile a merged rules table."""
    where = " + ".join(files)
    known = {"settings", "header", "generic", "profiles"}
    unknown = sorted(set(data) - known)
    if unknown:
        raise RulesError(f"rules {where}: unknown table(s) {unknown}; expected {sorted(known)}")
    settings = _compile_settings(data.get("settings", {}), where)
    header = data.get("header", {})
    published = tuple(
        _compile(p, f"header.published[{i}]", where)
        for i, p in enumerate(_as_list(header.get("published", []), "header.published", where))
    )
    byline = _compile(header.get("byline", r"^[-–—] ?(?P<outlet>\S.*)$"), "header.byline", where)
    if "outlet" not in byline.groupindex:
        raise RulesError(f"rules {where}: header.byline needs a named group (?P<outlet>...)")
    generic = data.get("generic", {})
    inline = _compile_inline(generic.get("inline", {}), "generic.inline", "", where)
    cue_table = generic.get("sentence_starters", {})
    cues = TeaserCues(
        starters=frozenset(
            _as_list(cue_table.get("words", []), "generic.sentence_starters", where)
        ),
        after_names=frozenset(
            _as_list(cue_table.get("after_names", []), "generic.sentence_starters", where)
        ),
        role_words=frozenset(
            w.lower()
            for w in _as_list(
                generic.get("role_words", {}).get("words", []), "generic.role_words", where
            )
        ),
        reporting_verbs=frozenset(
            _as_list(
                generic.get("reporting_verbs", {}).get("words", []),
                "generic.reporting_verbs",
                where,
            )
        ),
    )
    profiles = tuple(
        _compile_profile(name, table, where)
        for name, table in sorted(data.get("profiles", {}).items())
    )
    blob = json.dumps(data, sort_keys=True, ensure_ascii=False).encode()
    return Rules(
        fingerprint=hashlib.sha256(blob).hexdigest()[:16],
        settings=settings,
        published=published,
        byline=byline,
        inline=inline,
        cues=cues,
        profiles=profiles,
        files=files,
    )


def _parse_toml(text: str, name: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RulesError(f"rules file {name} is not valid TOML: {exc}") from None


def _compile(pattern: object, rule: str, where: str) -> re.Pattern[str]:
    if not isinstance(pattern, str):
        raise RulesError(f"rules {where}: rule {rule}: pattern must be a string")
    try:
        return re.compile(pattern)
    except re.error as exc:
        raise RulesError(
            f"rules {where}: rule {rule}: invalid regular expression at position {exc.pos}: "
            f"{exc.msg} in {pattern!r}"
        ) from None


def _as_list(value: object, rule: str, where: str) -> list[Any]:
    if not isinstance(value, list):
        raise RulesError(f"rules {where}: {rule} must be a list")
    return value


def _compile_settings(table: dict[str, Any], where: str) -> Settings:
    allowed = {f.name: f for f in fields(Settings)}
    values: dict[str, int] = {}
    for key, value in table.items():
        if key not in allowed:
            raise RulesError(
                f"rules {where}: unknown setting {key!r}; known settings: {sorted(allowed)}"
            )
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise RulesError(f"rules {where}: setting {key} must be a whole number >= 0")
        values[key] = value
    return Settings(**values)


def _compile_inline(
    table: dict[str, Any], section: str, prefix: str, where: str
) -> tuple[InlineRule, ...]:
    rules = []
    for name, spec in table.items():
        rule = f"{section}.{name}"
        if not isinstance(spec, dict):
            raise RulesError(f"rules {where}: rule {rule} must be a table with kind and pattern")
        kind = spec.get("kind", "regex")
        if kind not in ("teaser", "regex", "card"):
            raise RulesError(
                f"rules {where}: rule {rule}: kind must be 'teaser', 'regex' or 'card'"
            )
        rules.append(InlineRule(prefix + name, kind, _compile(spec.get("pattern"), rule, where)))
    return tuple(rules)


def _compile_profile(name: str, table: dict[str, Any], where: str) -> Profile:
    section = f"profiles.{name}"
    detect = tuple(
        _compile(p, f"{section}.detect[{i}]", where)
        for i, p in enumerate(_as_list(table.get("detect", []), f"{section}.detect", where))
    )
    if not detect:
        raise RulesError(f"rules {where}: {section} needs at least one detect pattern")
    chrome = tuple(
        LineRule(f"{name}.{rule}", _compile(p, f"{section}.chrome_lines.{rule}", where))
        for rule, p in table.get("chrome_lines", {}).items()
    )
    return Profile(
        name=name,
        aggregator=table.get("aggregator"),
        detect=detect,
        detect_min=int(table.get("detect_min", 1)),
        chrome_lines=chrome,
        inline=_compile_inline(table.get("inline", {}), f"{section}.inline", f"{name}.", where),
    )
