"""One run per object-store output prefix: a lease taken with a conditional create.

``flock`` needs a local file, so an output folder on an object store is held with an
object instead: ``DST/.ingest/lock``, created with ``If-None-Match: *`` (S3 refuses the PUT
with 412 when the object exists; MinIO, Ceph, R2 and moto's server do the same). The body
says who holds it and until when::

    {"holder": "host-a pid 4242", "host": "host-a", "pid": 4242, "token": "...",
     "expires": "2026-12-01T16:02:00Z"}

The holder renews the lease every third of its length (a PUT with ``If-Match`` on its own
ETag, so it never overwrites a lock someone else took over) and deletes the object when
the run ends. A lock is stale, and the next run takes it over (again with ``If-Match``, so
two runs racing for a stale lock cannot both win), when its lease has expired (the holder
was killed, or lost its machine) or its holder was a process on this host that is gone.
The lease is :data:`DEFAULT_LEASE_S` seconds, or ``INGEST_LOCK_LEASE_SECONDS``.

File systems other than S3 get ``mode="create"`` as fsspec implements it (for most, check
then write: not atomic) and take a stale lock over by delete then create.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import socket
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from ingest.engine.lifeline import alive
from ingest.store.layout import STATE_DIR
from ingest.store.local import OutputBusyError

if TYPE_CHECKING:
    from ingest.store.remote import RemotePath

LOCK_NAME = "lock"
LEASE_ENV = "INGEST_LOCK_LEASE_SECONDS"
DEFAULT_LEASE_S = 120.0

# Output URL -> the lease this process holds on it: the manifest is not published by a run
# whose lease was lost (another run took the prefix over), see :func:`check_lease`.
_HELD: dict[str, ObjectLock] = {}


def lease_seconds() -> float:
    """The lease length: ``INGEST_LOCK_LEASE_SECONDS`` when set to a positive number.

    >>> lease_seconds() > 0
    True
    """
    raw = os.environ.get(LEASE_ENV, "").strip()
    try:
        value = float(raw) if raw else DEFAULT_LEASE_S
    except ValueError:
        value = DEFAULT_LEASE_S
    return value if value > 0 else DEFAULT_LEASE_S


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _etag(data: bytes) -> str:
    """The ETag S3 gives an object written in one PUT: the MD5 of its bytes."""
    return hashlib.md5(data, usedforsecurity=False).hexdigest()


def stale_reason(body: dict[str, Any], now: datetime, host: str) -> str | None:
    """Why the lock ``body`` no longer holds anything, or None while its holder may run.

    >>> t = datetime(2026, 12, 1, 16, 0, tzinfo=UTC)
    >>> stale_reason({"expires": "2026-12-01T15:59:00Z", "host": "b"}, t, "a")
    'its lease expired at 2026-12-01T15:59:00Z'
    >>> stale_reason({"expires": "2026-12-01T16:01:00Z", "host": "b", "pid": 1}, t, "a") is None
    True
    """
    expires = body.get("expires")
    try:
        until = datetime.fromisoformat(str(expires).replace("Z", "+00:00"))
    except ValueError:
        return "it holds no valid expiry"
    if until.tzinfo is None or until <= now:
        return f"its lease expired at {expires}"
    pid = body.get("pid")
    if body.get("host") == host and isinstance(pid, int) and pid > 0 and not alive(pid):
        return f"its holder (pid {pid} on this host) is gone"
    return None


class ObjectLock:
    """An exclusive, renewed lease on an object-store output folder (module docstring)."""

    def __init__(self, root: RemotePath, wait: bool = False, lease_s: float | None = None) -> None:
        self.root = root
        self.path = root / STATE_DIR / LOCK_NAME
        self.wait = wait
        self.lease_s = lease_s or lease_seconds()
        self.host = socket.gethostname()
        self.token = uuid.uuid4().hex
        self.took_over: str | None = None  # why a stale lock was taken over, if one was
        self.lost: str | None = None  # why the lease was lost while held
        self._etag: str | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def _body(self) -> bytes:
        expires = datetime.now(UTC) + timedelta(seconds=self.lease_s)
        body = {
            "holder": f"{self.host} pid {os.getpid()}",
            "host": self.host,
            "pid": os.getpid(),
            "token": self.token,
            "expires": _utc(expires),
        }
        return (json.dumps(body) + "\n").encode("utf-8")

    def _is_s3(self) -> bool:
        protocol = self.root.fs.protocol
        return "s3" in (protocol if isinstance(protocol, tuple | list) else (protocol,))

    def _create(self, data: bytes) -> None:
        self.root.fs.pipe_file(self.path.path, data, mode="create")
        self._etag = _etag(data)

    def _replace(self, data: bytes, etag: str) -> None:
        """Overwrite the lock only if it still has ``etag`` (OSError when it changed)."""
        fs = self.root.fs
        if self._is_s3():
            fs.pipe_file(self.path.path, data, IfMatch=f'"{etag}"')
        else:
            current = self._read()
            if current is None or _etag(current[1]) != etag:
                raise FileExistsError(str(self.path))
            fs.rm_file(self.path.path)
            fs.pipe_file(self.path.path, data, mode="create")
        self._etag = _etag(data)

    def _read(self) -> tuple[dict[str, Any], bytes] | None:
        try:
            raw = bytes(self.root.fs.cat_file(self.path.path))
        except FileNotFoundError:
            return None
        try:
            body = json.loads(raw)
        except ValueError:
            body = {}
        return (body if isinstance(body, dict) else {}), raw

    def __enter__(self) -> ObjectLock:
        self.path.parent.mkdir()
        while True:
            data = self._body()
            try:
                self._create(data)
                break
            except FileExistsError:
                pass
            current = self._read()
            if current is None:
                continue  # released between the two requests: try again
            body, raw = current
            why = stale_reason(body, datetime.now(UTC), self.host)
            if why is not None:
                try:
                    self._replace(data, _etag(raw))
                except OSError:
                    continue  # another run took it over first: look again
                self.took_over = f"took over a stale lock of {body.get('holder', '?')}: {why}"
                break
            if not self.wait:
                raise OutputBusyError(
                    f"output folder {self.root} is in use by a run ({body.get('holder', '?')}, "
                    f"lease until {body.get('expires', '?')}, in {self.path}); wait for it to "
                    "finish, or write to another folder. A killed run's lock frees itself when "
                    "its lease expires"
                )
            time.sleep(min(5.0, self.lease_s / 4))
        _HELD[str(self.root)] = self
        self._thread = threading.Thread(target=self._renew, name="ingest-lease", daemon=True)
        self._thread.start()
        return self

    def _renew(self) -> None:
        while not self._stop.wait(self.lease_s / 3):
            etag = self._etag
            assert etag is not None
            try:
                self._replace(self._body(), etag)
            except FileNotFoundError:
                self.lost = f"the lock {self.path} was deleted by someone else"
                return
            except OSError as exc:
                current = self._read()
                if current is None or current[0].get("token") != self.token:
                    holder = "?" if current is None else current[0].get("holder", "?")
                    self.lost = f"the lease on {self.root} was taken over by {holder}"
                    return
                # A passing error (the store did not answer): the next renewal tries again.
                del exc

    def check(self) -> None:
        """Raise :class:`OutputBusyError` when the lease was lost to another run."""
        if self.lost:
            raise OutputBusyError(
                f"{self.lost}: this run's manifest is not written (its documents are whole); "
                "run again when the other run is done"
            )

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        _HELD.pop(str(self.root), None)
        if self.lost:
            return
        current = self._read()
        if current is not None and current[0].get("token") == self.token:
            with contextlib.suppress(FileNotFoundError):
                self.root.fs.rm_file(self.path.path)


def check_lease(root: RemotePath) -> None:
    """Refuse to go on (OutputBusyError) when this process's lease on ``root`` was lost."""
    held = _HELD.get(str(root))
    if held is not None:
        held.check()
