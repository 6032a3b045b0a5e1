"""Residue rules as data: the built-in TOML file, merged with an optional user file.

A user file overrides only what it sets: a setting, one rule of a profile, or a whole new
profile. A list it gives extends the built-in list of the same name (``[header] published``
adds to the built-in relative times) unless its table says ``replace = true``. Every regular
expression is compiled, and every key, type and value checked, before any dump is read, so
a broken rules file stops the run at once with the key's name (docs/rules.md).
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
import tomllib
from dataclasses import dataclass, field, fields, replace
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from ingest.errors import RulesError
from ingest.furniture import Furniture, compile_furniture
from ingest.published import relative_patterns
from ingest.settings import DedupSettings, ExtractSettings, LanguageSettings, compile_section
from ingest.user_regex import budgeted

DEFAULT_RULES = "default_rules.toml"
InlineKind = Literal["teaser", "teaser_after", "regex", "card"]
LineKind = Literal["line", "to_end"]
# The key a user table sets to replace the built-in lists it gives instead of extending them.
REPLACE = "replace"


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
    # Page furniture (ingest.furniture); documented in default_rules.toml.
    max_furniture_words: int = 30
    max_credit_words: int = 12
    max_caption_words: int = 120
    max_promo_words: int = 120
    min_related_run: int = 2
    min_caps_link_words: int = 5
    max_repeated_words: int = 12
    min_line_repeats: int = 3
    # Learned boilerplate (ingest.learn): a line or template is learned from a source when it
    # recurs in at least this many distinct stories ...
    learn_min_stories: int = 4
    # ... and in at least this share (per cent) of the source's distinct stories.
    learn_min_percent: int = 5
    # Lines longer than this many words are never learned (furniture is short).
    learn_max_words: int = 40


# Settings a profile may override for the dumps it is detected in (the size limit is checked
# before any profile is known, and learning is per source, not per dump).
PROFILE_SETTINGS = frozenset(
    {
        "max_headline_words",
        "max_outlet_chars",
        "max_teaser_words",
        "min_teaser_words",
        "min_chrome_run",
        "min_language_words",
        "max_furniture_words",
        "max_credit_words",
        "max_caption_words",
        "max_promo_words",
        "min_related_run",
        "min_caps_link_words",
        "max_repeated_words",
        "min_line_repeats",
    }
)
# Settings that count lines of a run: a run of no lines is not a run. A line seen once is not
# repeated, and a link needs words.
_AT_LEAST_ONE = frozenset({"min_chrome_run", "min_related_run", "min_caps_link_words"})


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
    """A rule that removes a whole line of page chrome.

    ``kind`` ``line`` removes matching lines where they form a run (``min_chrome_run``);
    ``to_end`` removes its matching line and everything after it to the end of the story
    (a "Comments" or "More from" heading that closes an article), once some body precedes it.
    """

    name: str
    pattern: re.Pattern[str]
    kind: LineKind = "line"


@dataclass(frozen=True)
class Profile:
    """An aggregator's page furniture, detected from the dump's own lines."""

    name: str
    aggregator: str | None
    detect: tuple[re.Pattern[str], ...]
    detect_min: int
    chrome_lines: tuple[LineRule, ...]
    inline: tuple[InlineRule, ...]
    # Settings this profile overrides for the dumps it is detected in, as (name, value).
    settings: tuple[tuple[str, int], ...] = ()

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
    """The settings file compiled: everything the cleaner needs, and the settings of the
    steps around it (``[dedup]``, ``[extract]``, ``[language]``; ingest.settings).
    ``fingerprint`` covers every table of the merged file."""

    settings: Settings
    published: tuple[re.Pattern[str], ...]
    byline: re.Pattern[str]
    inline: tuple[InlineRule, ...]
    cues: TeaserCues
    profiles: tuple[Profile, ...]
    files: tuple[str, ...]
    fingerprint: str = ""
    furniture: Furniture = field(default_factory=Furniture)
    dedup: DedupSettings = field(default_factory=DedupSettings)
    extract: ExtractSettings = field(default_factory=ExtractSettings)
    language: LanguageSettings = field(default_factory=LanguageSettings)


def merge_tables(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """Merge ``override`` into ``base``: tables merge key by key, lists extend, values replace.

    A list adds the items the base list lacks, after it; a table with ``replace = true``
    replaces the lists it gives instead (``replace`` itself is not kept).

    >>> merge_tables({"a": {"x": 1, "y": 2}, "b": [1]}, {"a": {"y": 3}, "b": [2, 1]})
    {'a': {'x': 1, 'y': 3}, 'b': [1, 2]}
    >>> merge_tables({"b": [1], "c": 0}, {"b": [2], "replace": True})
    {'b': [2], 'c': 0}
    """
    merged = dict(base)
    replace = override.get(REPLACE) is True
    for key, value in override.items():
        if key == REPLACE and isinstance(value, bool):
            continue
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = merge_tables(merged[key], value)
        elif isinstance(value, list) and isinstance(merged.get(key), list) and not replace:
            merged[key] = merged[key] + [v for v in value if v not in merged[key]]
        else:
            merged[key] = value
    return merged


def strip_replace(table: dict[str, Any]) -> dict[str, Any]:
    """A table without its ``replace`` flags, at every depth (a file loaded on its own).

    >>> strip_replace({"header": {"replace": True, "published": ["x"]}})
    {'header': {'published': ['x']}}
    """
    return {
        k: strip_replace(v) if isinstance(v, dict) else v
        for k, v in table.items()
        if not (k == REPLACE and isinstance(v, bool))
    }


def load_rules(path: str | Path | None = None) -> Rules:
    """Load the built-in rules, merged with the user's file at ``path`` if given."""
    default_text = (
        resources.files("ingest").joinpath("data").joinpath(DEFAULT_RULES).read_text("utf-8")
    )
    data = strip_replace(_parse_toml(default_text, DEFAULT_RULES))
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
    """Check and compile a merged rules table; any unknown key or bad value is refused.

    >>> try:
    ...     compile_rules({"profiles": {"x": {"detect": ["^a$"], "detect_min": 2}}})
    ... except RulesError as exc:
    ...     print(exc)
    rules <dict>: profiles.x.detect_min is 2, but profiles.x.detect has only 1 pattern
    """
    where = " + ".join(files)
    tables = {"settings", "header", "generic", "profiles", "dedup", "extract", "language"}
    _check_keys(data, tables, "", where)
    settings = Settings(**_compile_settings(_table(data, "settings", "", where), where))
    header = _table(data, "header", "", where)
    _check_keys(header, {"published", "byline", "relative"}, "header", where)
    published = _compile_list(header.get("published", []), "header.published", where)
    relative = header.get("relative", True)
    if not isinstance(relative, bool):
        raise RulesError(f"rules {where}: header.relative must be true or false")
    if relative:  # the relative times parse_relative resolves, built from the same tables
        published = tuple(re.compile(p) for p in relative_patterns()) + published
    byline = _compile(header.get("byline", r"^[-–—] ?(?P<outlet>\S.*)$"), "header.byline", where)
    if "outlet" not in byline.groupindex:
        raise RulesError(f"rules {where}: header.byline needs a named group (?P<outlet>...)")
    generic = _table(data, "generic", "", where)
    word_tables = ("sentence_starters", "reporting_verbs", "role_words")
    _check_keys(generic, {"inline", "lines", *word_tables}, "generic", where)
    inline = _compile_inline(
        _table(generic, "inline", "generic", where), "generic.inline", "", where
    )
    words: dict[str, dict[str, Any]] = {}
    for name in word_tables:
        words[name] = _table(generic, name, "generic", where)
        allowed = {"words", "after_names"} if name == "sentence_starters" else {"words"}
        _check_keys(words[name], allowed, f"generic.{name}", where)

    def word_list(table: str, key: str = "words") -> list[str]:
        return _strings(words[table].get(key, []), f"generic.{table}.{key}", where)

    cues = TeaserCues(
        starters=frozenset(word_list("sentence_starters")),
        after_names=frozenset(word_list("sentence_starters", "after_names")),
        role_words=frozenset(w.lower() for w in word_list("role_words")),
        reporting_verbs=frozenset(word_list("reporting_verbs")),
    )
    profiles = tuple(
        _compile_profile(name, table, where)
        for name, table in sorted(_table(data, "profiles", "", where).items())
    )
    # The built-in relative-time patterns are code, not data: they count too.
    blob = json.dumps(
        [data, [p.pattern for p in published]], sort_keys=True, ensure_ascii=False
    ).encode()
    return Rules(
        fingerprint=hashlib.sha256(blob).hexdigest()[:16],
        settings=settings,
        published=published,
        byline=byline,
        inline=inline,
        cues=cues,
        profiles=profiles,
        files=files,
        furniture=compile_furniture(_table(generic, "lines", "generic", where), where),
        dedup=compile_section(DedupSettings, _table(data, "dedup", "", where), where),
        extract=compile_section(ExtractSettings, _table(data, "extract", "", where), where),
        language=compile_section(LanguageSettings, _table(data, "language", "", where), where),
    )


def profile_settings(settings: Settings, profiles: tuple[Profile, ...]) -> Settings:
    """The settings for a dump: the run's, with what its detected profiles override.

    Profiles are tried in name order and the first to set a value wins.

    >>> import re
    >>> p = Profile("x", None, (re.compile("a"),), 1, (), (), (("min_chrome_run", 1),))
    >>> profile_settings(Settings(), (p,)).min_chrome_run, Settings().min_chrome_run
    (1, 2)
    """
    overrides: dict[str, int] = {}
    for profile in profiles:
        for key, value in profile.settings:
            overrides.setdefault(key, value)
    return replace(settings, **overrides) if overrides else settings


def _parse_toml(text: str, name: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RulesError(f"rules file {name} is not valid TOML: {exc}") from None


def _check_keys(table: dict[str, Any], known: set[str], section: str, where: str) -> None:
    """Refuse a key the section does not know: a typo would otherwise be ignored."""
    unknown = sorted(set(table) - known)
    if unknown and not section:
        raise RulesError(
            f"rules {where}: unknown table {unknown[0]!r}; expected {', '.join(sorted(known))}"
        )
    if unknown:
        raise RulesError(
            f"rules {where}: unknown key {section}.{unknown[0]}; "
            f"[{section}] knows {', '.join(sorted(known))}"
        )


def _table(parent: dict[str, Any], key: str, section: str, where: str) -> dict[str, Any]:
    """``parent[key]`` as a table (empty when absent); anything else is refused."""
    value = parent.get(key, {})
    if not isinstance(value, dict):
        name = f"{section}.{key}" if section else key
        raise RulesError(f"rules {where}: {name} must be a table ([{name}]), not {_kind(value)}")
    return value


def _kind(value: object) -> str:
    """How a TOML value reads to a user, for error messages.

    >>> _kind("x"), _kind(2), _kind([1]), _kind(True)
    ("a string ('x')", 'a number (2)', 'a list', 'a boolean (True)')
    """
    if isinstance(value, bool):
        return f"a boolean ({value})"
    if isinstance(value, str):
        return f"a string ({value!r})"
    if isinstance(value, int | float):
        return f"a number ({value})"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a table"
    return type(value).__name__


def _compile(pattern: object, rule: str, where: str) -> re.Pattern[str]:
    if not isinstance(pattern, str):
        raise RulesError(
            f"rules {where}: rule {rule}: pattern must be a string, not {_kind(pattern)}"
        )
    if not pattern:
        raise RulesError(
            f"rules {where}: rule {rule}: the pattern is empty (it would match anything)"
        )
    try:
        compiled = re.compile(pattern)
    except re.error as exc:
        raise RulesError(
            f"rules {where}: rule {rule}: invalid regular expression at position {exc.pos}: "
            f"{exc.msg} in {pattern!r}"
        ) from None
    # A pattern a rules file adds runs with a time budget (ingest.user_regex); ours on re.
    return compiled if pattern in _builtin_patterns() else budgeted(compiled, rule)


@functools.cache
def _builtin_patterns() -> frozenset[str]:
    """Every string in the built-in rules file: the patterns that stay on ``re``."""
    text = resources.files("ingest").joinpath("data").joinpath(DEFAULT_RULES).read_text("utf-8")
    found: set[str] = set()
    todo: list[Any] = [tomllib.loads(text)]
    while todo:
        item = todo.pop()
        if isinstance(item, dict):
            todo.extend(item.values())
        elif isinstance(item, list):
            todo.extend(item)
        elif isinstance(item, str):
            found.add(item)
    return frozenset(found)


def _compile_list(value: object, rule: str, where: str) -> tuple[re.Pattern[str], ...]:
    return tuple(
        _compile(p, f"{rule}[{i}]", where) for i, p in enumerate(_as_list(value, rule, where))
    )


def _as_list(value: object, rule: str, where: str) -> list[Any]:
    if not isinstance(value, list):
        raise RulesError(f"rules {where}: {rule} must be a list, not {_kind(value)}")
    return value


def _strings(value: object, rule: str, where: str) -> list[str]:
    items = _as_list(value, rule, where)
    for i, item in enumerate(items):
        if not isinstance(item, str) or not item:
            raise RulesError(f"rules {where}: {rule}[{i}] must be a word, not {_kind(item)}")
    return items


_MAX_SETTING = 2**53  # far beyond any real limit, and safe wherever a setting is used


def _whole_number(value: object, name: str, where: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise RulesError(f"rules {where}: {name} must be a whole number >= 0, not {_kind(value)}")
    if value > _MAX_SETTING:  # os.read and friends take at most 64-bit sizes
        raise RulesError(f"rules {where}: {name} must be at most {_MAX_SETTING:,}, not {value:,}")
    return value


def _compile_settings(
    table: dict[str, Any],
    where: str,
    section: str = "settings",
    allowed: frozenset[str] | None = None,
) -> dict[str, int]:
    known = {f.name for f in fields(Settings)} if allowed is None else set(allowed)
    values: dict[str, int] = {}
    for key, value in table.items():
        if key not in known:
            raise RulesError(
                f"rules {where}: unknown setting {key!r} in [{section}]; "
                f"known settings: {', '.join(sorted(known))}"
            )
        values[key] = _whole_number(value, f"{section}.{key}", where)
        if key in _AT_LEAST_ONE and values[key] < 1:
            raise RulesError(
                f"rules {where}: {section}.{key} must be at least 1 (a run of lines), not 0"
            )
    return values


def _compile_inline(
    table: dict[str, Any], section: str, prefix: str, where: str
) -> tuple[InlineRule, ...]:
    rules = []
    for name, spec in table.items():
        rule = f"{section}.{name}"
        if not isinstance(spec, dict):
            raise RulesError(
                f"rules {where}: rule {rule} must be a table with kind and pattern, "
                f"not {_kind(spec)}"
            )
        _check_keys(spec, {"kind", "pattern"}, rule, where)
        kind = spec.get("kind", "regex")
        if kind not in ("teaser", "teaser_after", "regex", "card"):
            raise RulesError(
                f"rules {where}: rule {rule}: kind must be 'teaser', 'teaser_after', 'regex' "
                "or 'card'"
            )
        rules.append(InlineRule(prefix + name, kind, _compile(spec.get("pattern"), rule, where)))
    return tuple(rules)


def _compile_line_rule(name: str, spec: object, rule: str, where: str) -> LineRule:
    """A chrome line rule: a pattern, or a table ``{pattern = '...', kind = "to_end"}``."""
    if isinstance(spec, dict):
        _check_keys(spec, {"kind", "pattern"}, rule, where)
        kind = spec.get("kind", "line")
        if kind not in ("line", "to_end"):
            raise RulesError(
                f"rules {where}: rule {rule}: kind must be 'line' or 'to_end', not {_kind(kind)}"
            )
        return LineRule(name, _compile(spec.get("pattern"), rule, where), kind)
    return LineRule(name, _compile(spec, rule, where))


def _compile_profile(name: str, table: object, where: str) -> Profile:
    section = f"profiles.{name}"
    if not isinstance(table, dict):
        raise RulesError(
            f"rules {where}: {section} must be a table ([{section}]), not {_kind(table)}"
        )
    _check_keys(
        table,
        {"aggregator", "detect", "detect_min", "chrome_lines", "inline", "settings"},
        section,
        where,
    )
    detect = _compile_list(table.get("detect", []), f"{section}.detect", where)
    if not detect:
        raise RulesError(f"rules {where}: {section} needs at least one detect pattern")
    detect_min = _whole_number(table.get("detect_min", 1), f"{section}.detect_min", where)
    if detect_min > len(detect):
        raise RulesError(
            f"rules {where}: {section}.detect_min is {detect_min}, but {section}.detect has "
            f"only {len(detect)} pattern{'s' if len(detect) != 1 else ''}"
        )
    aggregator = table.get("aggregator")
    if aggregator is not None and (not isinstance(aggregator, str) or not aggregator.strip()):
        raise RulesError(
            f"rules {where}: {section}.aggregator must be a name, not {_kind(aggregator)}"
        )
    chrome = tuple(
        _compile_line_rule(f"{name}.{rule}", p, f"{section}.chrome_lines.{rule}", where)
        for rule, p in _table(table, "chrome_lines", section, where).items()
    )
    overrides = _compile_settings(
        _table(table, "settings", section, where),
        where,
        section=f"{section}.settings",
        allowed=PROFILE_SETTINGS,
    )
    return Profile(
        name=name,
        aggregator=aggregator,
        detect=detect,
        detect_min=detect_min,
        chrome_lines=chrome,
        inline=_compile_inline(
            _table(table, "inline", section, where), f"{section}.inline", f"{name}.", where
        ),
        settings=tuple(sorted(overrides.items())),
    )
