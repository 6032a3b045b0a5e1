"""The two folders a run works on, whatever they are stored on.

A :class:`SourceFolder` lists its dumps in sorted order, stats one and reads one with a
size limit; an :class:`OutputFolder` writes documents atomically, removes stale ones, is
locked for a run and keeps the tool's state (the manifest) under ``.ingest/``.
:mod:`ingest.store.local` implements both on the local file system (no-follow reads,
``flock``, temporary file then rename), :mod:`ingest.store.remote` on any fsspec file
system (one PUT per object). Nothing outside :mod:`ingest.store` asks which one it has.
"""

from __future__ import annotations

import contextlib
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import AbstractContextManager
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from ingest.store.remote import RemotePath


class FileStat(Protocol):
    """What a run needs of a dump's stat: ``os.stat_result`` and remote stats have it."""

    @property
    def st_size(self) -> int: ...
    @property
    def st_mtime_ns(self) -> int: ...
    @property
    def st_mtime(self) -> float: ...


class SourceFolder(ABC):
    """A folder of dumps (read only)."""

    #: The folder on this machine's file system, when it is one (the inspect report reads
    #: dumps from it to show documents over their text).
    local_path: Path | None = None

    @abstractmethod
    def __str__(self) -> str: ...

    @abstractmethod
    def url(self) -> str:
        """What a flow parameter carries: an absolute path, or the URL."""

    @abstractmethod
    def is_dir(self) -> bool:
        """Whether the folder exists (and is a folder)."""

    @abstractmethod
    def list_sorted(self) -> list[str]:
        """Every dump as a relative POSIX path, sorted; hidden names skipped."""

    @abstractmethod
    def stat(self, rel: str) -> FileStat:
        """A dump's size and modification time (IngestError when it vanished, ...)."""

    @abstractmethod
    def read(self, rel: str, max_bytes: int) -> bytes:
        """A dump's bytes, refusing more than ``max_bytes`` and links out of the folder."""

    def prefetch(self) -> None:
        """Get every dump's stat in one go before a run stats them one by one (an object
        store: one listing instead of a request per dump); nothing to do locally."""
        return None


# rewrite(file, data, old): put ``data`` in ``file`` (relative to the output folder)
# atomically, where ``old`` is what the file held when just read; False when they are equal.
Rewrite = Callable[[str, bytes | bytearray, bytes], bool]


class OutputFolder(ABC):
    """A folder of documents, one folder per dump, plus the run's state under ``.ingest/``."""

    #: Whether the output lives on this machine's file system (dedup needs it).
    local_path: Path | None = None
    #: How documents reach the user (``--format``): one JSON file per story here; shards
    #: (ingest.store.shards.ShardedOutput) for jsonl, jsonl.gz and parquet.
    output_format = "json"
    #: Whether ``.ingest/`` holds state under an older version's names (None: not known).
    legacy_state: bool | None = None
    #: What taking the lock found worth saying (a stale lock taken over), else None.
    lock_note: str | None = None

    @abstractmethod
    def __str__(self) -> str: ...

    @abstractmethod
    def url(self) -> str:
        """What a flow parameter carries: an absolute path, or the URL."""

    @abstractmethod
    def make(self) -> None:
        """Create the folder if it is missing."""

    @abstractmethod
    def lock(self, wait: bool = False) -> AbstractContextManager[bool]:
        """Hold the folder for one run; the context value says whether a lock is held."""

    @abstractmethod
    def sweep(self) -> int:
        """Delete temporary files a killed run left behind; return how many."""

    def document_file(self, rel: str, name: str) -> str:
        """Where document ``name`` of dump ``rel`` is kept, relative to the folder (what its
        manifest entry's ``file`` says)."""
        return f"{rel}/{name}"

    def place(
        self, load: Callable[[], Iterable[tuple[str, Mapping[str, Any]]]]
    ) -> dict[str, dict[str, Any]] | None:
        """Put the run's documents where users read them, at the end of a run (after
        dedup); return edits to the manifest's entries (path → fields to set), if any.
        ``load()`` streams the entries (path, entry) in path order.

        One file per story is in place as it is written: nothing to do, nothing loaded.
        """
        return None

    @abstractmethod
    def write_document(self, rel: str, name: str, data: bytes) -> bool:
        """Write one document of dump ``rel`` atomically; False if it held these bytes."""

    @abstractmethod
    def has_documents(self, rel: str, names: Iterable[str]) -> bool:
        """Whether every one of ``names`` is in dump ``rel``'s folder."""

    @abstractmethod
    def has_no_documents(self, rel: str) -> bool:
        """Whether dump ``rel``'s folder holds no document at all."""

    @abstractmethod
    def remove_stale(self, rel: str, keep: Iterable[str]) -> list[str]:
        """Delete the documents of dump ``rel`` not in ``keep``; name them."""

    @abstractmethod
    def list_documents(self) -> dict[str, set[str]]:
        """Every folder holding documents (a dump's relative path) and their file names, in
        one listing of the whole output; the state folder and hidden names left out.

        Until :meth:`forget_listing`, :meth:`has_documents` and :meth:`has_no_documents`
        may answer from it (an object store: no request per dump).
        """

    def forget_listing(self) -> None:
        """Answer from the folder itself again (documents are about to change)."""
        return None

    def drop_documents(self, rel: str) -> None:
        """Delete every document of dump ``rel`` (quietly: it may have none)."""
        with contextlib.suppress(ValueError, OSError):
            self.remove_stale(rel, ())

    def read_file(self, file: str) -> bytes:
        """The bytes of ``file``, a path relative to the folder (a manifest entry's
        ``file``); OSError when it cannot be read."""
        return (self.root / file).read_bytes()

    @contextlib.contextmanager
    def rewriting(self) -> Iterator[Rewrite]:
        """A :data:`Rewrite` for changing many existing files in a row (ingest.dedup)."""
        from ingest.store import write_atomic

        def rewrite(file: str, data: bytes | bytearray, old: bytes) -> bool:
            return data != old and write_atomic(self.root / file, bytes(data))

        yield rewrite

    @property
    @abstractmethod
    def root(self) -> Path | RemotePath:
        """The folder as a path-like handle, for a step that reads and writes it whole
        (ingest.dedup): a ``Path`` here, a ``RemotePath`` on an object store."""

    @abstractmethod
    def append_state(self, name: str, data: bytes) -> None:
        """Append ``data`` to the state file ``.ingest/<name>`` (created if missing), durably."""

    @abstractmethod
    def open_state(self, name: str) -> IO[bytes]:
        """Open a state file (``.ingest/<name>``) for reading (OSError if missing)."""

    @abstractmethod
    def state_temp(self, name: str) -> Path:
        """A local temporary file to write a new state file into, before :meth:`publish`."""

    @abstractmethod
    def working_path(self, name: str) -> Path:
        """Where the state file ``.ingest/<name>`` is changed in place on this machine (an
        SQLite index): that file itself here; a per-folder cache file for an object store."""

    def check_out(self, name: str) -> Path:
        """:meth:`working_path`, holding the stored ``.ingest/<name>`` (or no file when
        there is none yet), ready to be opened and changed."""
        return self.working_path(name)

    @abstractmethod
    def check_in(self, name: str) -> None:
        """Store the working copy of ``.ingest/<name>`` back (one upload on an object
        store; nothing to do on a local disk, where it was changed in place)."""

    @abstractmethod
    def publish(self, temp: Path, name: str) -> None:
        """Put ``temp`` in place as ``.ingest/<name>`` in one step (rename, or one upload).

        Idempotent: once ``temp`` is in place, publishing again does nothing.
        """
