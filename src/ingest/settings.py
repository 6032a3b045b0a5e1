"""Every setting of a run, in one frozen object with documented defaults.

The defaults live in one file, ``ingest/data/default_rules.toml`` (each with a comment that
says what it does); a user's rules file (``--rules``) overrides only what it sets, table by
table, as trafilatura's ``settings.cfg`` and ftfy's ``TextFixerConfig`` do:

- ``[settings]``: the cleaner's thresholds (:class:`ingest.rules.Settings`);
- ``[dedup]``: how duplicate stories are found (:class:`DedupSettings`);
- ``[extract]``: trafilatura's switches for HTML pages (:class:`ExtractSettings`);
- ``[language]``: the function-word fast path of language detection
  (:class:`LanguageSettings`);
- the residue rules themselves (``[header]``, ``[generic]``, ``[profiles]``).

:func:`load_settings` reads that file once, with the ``INGEST_*`` environment variables
(:class:`Environment`), into a :class:`Settings`. Its ``fingerprint`` covers every table of
the file: a run whose settings changed re-cleans every dump. The environment is not in it:
it says where and how a run executes (worker processes, a Dask cluster, the UI's home),
and the documents are byte-identical whatever it says. CLI flags and flow parameters only
choose among these (a rules file, ``--workers``); they never change a default here.

This module holds plain data only (no cleaning code imports it back), so every layer can
use it.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
import os
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from ingest.errors import RulesError

if TYPE_CHECKING:
    from ingest.rules import Rules


@dataclass(frozen=True)
class DedupSettings:
    """How duplicates are found. Defaults chosen by measurement (docs/dedup.md).

    ``shingle_words``: words per shingle. ``num_perm``: MinHash values per signature.
    ``bands`` × ``rows``: LSH bands of ``rows`` values each (37 × 3 proposes pairs from
    Jaccard ≈ 0.3, below ``jaccard``, so truncated copies are still proposed). ``jaccard``:
    estimated Jaccard at or above which a candidate is a near duplicate. ``containment``:
    share of the shorter text's shingles found in the longer one at or above which a
    candidate is a near duplicate, when the shorter one is ``truncated`` (cut short: it does
    not end a sentence) and has at least ``min_shingles``.
    """

    shingle_words: int = 5
    num_perm: int = 128
    bands: int = 37
    rows: int = 3
    jaccard: float = 0.45
    containment: float = 0.85
    min_shingles: int = 40
    seed: int = 1

    @property
    def fingerprint(self) -> str:
        """Changes whenever a setting does: an index built with other settings is rebuilt."""
        blob = json.dumps(asdict(self), sort_keys=True).encode()
        return hashlib.sha256(blob).hexdigest()[:16]


@dataclass(frozen=True)
class ExtractSettings:
    """trafilatura's switches for the main story: its defaults, with comments left out.

    ``favor_precision`` is off: on real pages (``bench/html_bench.py``) it dropped most of
    a story now and then, and its mean F1 was below the default reading's.

    ``max_elements``: a page with more elements than this is refused (``too_many_elements``)
    before extraction. trafilatura's time grows faster than the page past a few tens of
    thousands of elements (20,000 paragraphs about 2 s, 40,000 about 7 s), so a single
    machine-made page could hold a run for hours; the largest real news page measured
    (``bench/html_bench.py``) has under 3,000.
    """

    favor_precision: bool = False
    favor_recall: bool = False
    include_tables: bool = True
    no_fallback: bool = False
    include_comments: bool = False
    max_elements: int = 50_000

    def as_kwargs(self) -> dict[str, bool]:
        """The switches as keyword arguments for ``trafilatura.extract``."""
        return {k: v for k, v in dataclasses.asdict(self).items() if isinstance(v, bool)}


@dataclass(frozen=True)
class LanguageSettings:
    """The function-word fast path of language detection (:mod:`ingest.language`).

    ``window``: characters of a story that decide its language, the same for both paths
    (600 decide as well as the whole story, at a fraction of the cost). ``min_tokens``:
    fewer words than this in the window and the fast path leaves it to py3langid.
    ``min_share``: the leading language's function words must be at least this share of the
    window's words (running news prose in a listed language measures 0.3-0.6; lists of
    names, captions and text in other languages stay below). ``min_own`` and ``min_ratio``:
    against every other language, the leader needs ``min_own`` words that language's list
    lacks, plus ``min_ratio`` for each word of that language the leader's list lacks (so
    Spanish wins over Catalan on "el", "los", "y" only while "els", "amb", "i" stay away).
    ``min_part_share``: each half of the window is judged by the same rule with this lower
    share and no ``min_own``: the leader must lead all the way through.
    """

    window: int = 600
    min_tokens: int = 15
    min_share: float = 0.27
    min_own: int = 2
    min_ratio: int = 3
    min_part_share: float = 0.2


# Bounds that keep the packed per-language counts of ingest.language inside their 16-bit
# fields (at most window // 2 words, margins of min_ratio times that).
MAX_LANGUAGE_WINDOW = 2000
MAX_LANGUAGE_RATIO = 8

_Section = TypeVar("_Section", DedupSettings, ExtractSettings, LanguageSettings)


def compile_section(cls: type[_Section], table: Mapping[str, Any], where: str) -> _Section:
    """The settings ``table`` (a ``[dedup]``, ``[extract]`` or ``[language]`` table) sets,
    over ``cls``'s defaults; an unknown key, a wrong type or an impossible value is refused
    by name.

    >>> compile_section(DedupSettings, {"jaccard": 0.5}, "x.toml").jaccard
    0.5
    >>> try:
    ...     compile_section(ExtractSettings, {"favor_precison": True}, "x.toml")
    ... except RulesError as exc:
    ...     print(str(exc)[:62])
    rules x.toml: unknown setting 'favor_precison' in [extract]; k
    """
    section = SECTIONS[cls]
    types = {f.name: f.type for f in fields(cls)}
    values: dict[str, Any] = {}
    for key, value in table.items():
        if key not in types:
            raise RulesError(
                f"rules {where}: unknown setting {key!r} in [{section}]; "
                f"known settings: {', '.join(sorted(types))}"
            )
        values[key] = _checked(value, str(types[key]), f"{section}.{key}", where)
    made = cls(**values)
    _check_bounds(made, where)
    return made


def _checked(value: object, kind: str, name: str, where: str) -> Any:
    if kind == "bool":
        if not isinstance(value, bool):
            raise RulesError(f"rules {where}: {name} must be true or false, not {value!r}")
        return value
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise RulesError(f"rules {where}: {name} must be a number, not {value!r}")
    if kind == "int":
        if not isinstance(value, int) or not 0 <= value <= 2**53:
            raise RulesError(f"rules {where}: {name} must be a whole number, not {value}")
        return value
    if not 0 <= value <= 1:
        raise RulesError(f"rules {where}: {name} must be between 0 and 1, not {value}")
    return float(value)


# Settings that 0 would break (no shingles, no signature, an empty window, no page read).
_AT_LEAST_ONE = ("shingle_words", "num_perm", "bands", "rows", "window", "max_elements")


def _check_bounds(made: object, where: str) -> None:
    section = SECTIONS[type(made)]
    for name in _AT_LEAST_ONE:
        if getattr(made, name, 1) < 1:
            raise RulesError(f"rules {where}: {section}.{name} must be 1 or more")
    if isinstance(made, DedupSettings) and made.bands * made.rows > made.num_perm:
        raise RulesError(
            f"rules {where}: dedup.bands × dedup.rows ({made.bands * made.rows}) is more "
            f"than dedup.num_perm ({made.num_perm})"
        )
    if isinstance(made, LanguageSettings) and (
        made.window > MAX_LANGUAGE_WINDOW or made.min_ratio > MAX_LANGUAGE_RATIO
    ):
        raise RulesError(
            f"rules {where}: language.window is at most {MAX_LANGUAGE_WINDOW} and "
            f"language.min_ratio at most {MAX_LANGUAGE_RATIO}"
        )


SECTIONS: dict[type, str] = {
    DedupSettings: "dedup",
    ExtractSettings: "extract",
    LanguageSettings: "language",
}

# The environment variables ingest reads (docs/architecture.md lists them).
ENV_HOME = "INGEST_HOME"
ENV_WORKERS = "INGEST_WORKERS"
ENV_DASK_ADDRESS = "INGEST_DASK_ADDRESS"
ENV_PROCESSES = "INGEST_PROCESSES"
ENV_ZOMBIE_AFTER = "INGEST_ZOMBIE_AFTER"
ENV_PENDING_AFTER = "INGEST_PENDING_AFTER"
ENV_NO_WORKERS_TIMEOUT = "INGEST_NO_WORKERS_TIMEOUT"
ENV_API_SILENT_AFTER = "INGEST_API_SILENT_AFTER"
HEARTBEAT_SECONDS = 30  # Prefect's least flow-run heartbeat; ingest's runs send one this often
MIN_ZOMBIE_AFTER = HEARTBEAT_SECONDS + 5  # a run between two heartbeats is not dead
MIN_PENDING_AFTER = 10  # Prefect's least window for a proactive trigger
MIN_API_SILENT_AFTER = 5  # one health check's timeout (ingest.prefect.watch.CHECK_TIMEOUT)


@dataclass(frozen=True)
class Environment:
    """What the ``INGEST_*`` environment variables say (None: not set, the default).

    ``home`` (``INGEST_HOME``): where ``ingest ui`` keeps its Prefect server's data
    (default: ``.prefect/`` in a source checkout, else ``~/.ingest``). ``workers``
    (``INGEST_WORKERS``) and ``dask_address`` (``INGEST_DASK_ADDRESS``): the task runner of
    a process that loads the flow itself (a served or work-pool run), as ``--workers`` and
    ``--dask-address`` choose it for ``ingest run``. ``processes`` (``INGEST_PROCESSES``):
    worker processes of the flow's own pool (default: one per CPU). Seconds:
    ``zombie_after`` (``INGEST_ZOMBIE_AFTER``) and ``pending_after``
    (``INGEST_PENDING_AFTER``), the windows of the automations that mark dead flow runs
    Crashed (ingest.prefect.zombies); ``no_workers_timeout`` (``INGEST_NO_WORKERS_TIMEOUT``),
    how long a Dask run waits with no worker (ingest.prefect.cluster);
    ``api_silent_after`` (``INGEST_API_SILENT_AFTER``), how long ``ingest run`` waits on a
    Prefect API that does not answer before it finishes without it (ingest.prefect.watch).

    >>> Environment.from_environ({"INGEST_WORKERS": " 2 ", "INGEST_DASK_ADDRESS": ""}).workers
    2
    """

    home: Path | None = None
    workers: int | None = None
    dask_address: str | None = None
    processes: int | None = None
    zombie_after: float | None = None
    pending_after: float | None = None
    no_workers_timeout: float | None = None
    api_silent_after: float | None = None

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] | None = None) -> Environment:
        """Read the variables from ``environ`` (default: this process's environment).

        A value of the wrong kind or out of range is refused (ValueError) naming the
        variable, its value and what it may be: ``ingest`` reads this once at start-up and
        exits 2 with that message before any work starts.
        """
        env = os.environ if environ is None else environ
        return cls(
            home=home_from_environ(env),
            workers=_whole(env, ENV_WORKERS),
            dask_address=env.get(ENV_DASK_ADDRESS, "").strip() or None,
            processes=_whole(env, ENV_PROCESSES),
            zombie_after=seconds_from_environ(
                ENV_ZOMBIE_AFTER,
                env,
                minimum=MIN_ZOMBIE_AFTER,
                why=f" (flow runs send a heartbeat every {HEARTBEAT_SECONDS} s)",
            ),
            pending_after=seconds_from_environ(
                ENV_PENDING_AFTER,
                env,
                minimum=MIN_PENDING_AFTER,
                why=" (Prefect's shortest window for an automation)",
            ),
            no_workers_timeout=seconds_from_environ(ENV_NO_WORKERS_TIMEOUT, env, above=0),
            api_silent_after=seconds_from_environ(
                ENV_API_SILENT_AFTER,
                env,
                minimum=MIN_API_SILENT_AFTER,
                why=" (one health check of the API may take that long)",
            ),
        )


def home_from_environ(environ: Mapping[str, str] | None = None) -> Path | None:
    """``INGEST_HOME`` as an absolute path, or None (read alone: ``ingest ui`` needs no
    other variable to be right)."""
    home = (os.environ if environ is None else environ).get(ENV_HOME, "")
    return Path(home).expanduser().resolve() if home else None


def _whole(env: Mapping[str, str], name: str) -> int | None:
    value = env.get(name, "").strip()
    if not value:
        return None
    try:
        return int(value)
    except ValueError:
        raise ValueError(f"{name} must be a whole number, not {value!r}") from None


def seconds_from_environ(
    name: str,
    environ: Mapping[str, str] | None = None,
    minimum: float | None = None,
    why: str = "",
    above: float | None = None,
) -> float | None:
    """The variable ``name`` as a number of seconds, or None when it is not set.

    A value that is not a finite number, below ``minimum`` or not above ``above`` is
    refused (ValueError) naming the variable, its value and what it may be (``why`` follows
    the minimum).

    >>> seconds_from_environ("T", {"T": " 45 "}), seconds_from_environ("T", {})
    (45.0, None)
    >>> seconds_from_environ("T", {"T": "20"}, minimum=35)
    Traceback (most recent call last):
    ValueError: T must be at least 35 seconds, not '20'
    """
    raw = (os.environ if environ is None else environ).get(name, "").strip()
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise ValueError(f"{name} must be a number of seconds, not {raw!r}")
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be at least {minimum:g} seconds{why}, not {raw!r}")
    if above is not None and not value > above:
        raise ValueError(f"{name} must be above {above:g} seconds, not {raw!r}")
    return value


@dataclass(frozen=True)
class Settings:
    """A run's settings: the settings file compiled (``rules``, which carries its
    ``dedup``, ``extract`` and ``language`` tables and the residue rules) and the
    environment. Built once by :func:`load_settings`.
    """

    rules: Rules
    environment: Environment = Environment()

    @property
    def dedup(self) -> DedupSettings:
        return self.rules.dedup

    @property
    def extract(self) -> ExtractSettings:
        return self.rules.extract

    @property
    def language(self) -> LanguageSettings:
        return self.rules.language

    @property
    def fingerprint(self) -> str:
        """What decides whether a dump is cleaned again: every table of the settings file
        (the environment changes how a run executes, never its documents)."""
        return self.rules.fingerprint


def load_settings(
    rules_file: str | Path | None = None, environ: Mapping[str, str] | None = None
) -> Settings:
    """The built-in settings, with the user's rules file and the environment over them.

    >>> s = load_settings(environ={})
    >>> s.dedup.jaccard, s.extract.favor_precision, s.language.window, s.environment.workers
    (0.45, False, 600, None)
    """
    # rules imports this module's settings classes, so it is imported here, when used.
    from ingest.rules import load_rules

    return Settings(load_rules(rules_file), Environment.from_environ(environ))
