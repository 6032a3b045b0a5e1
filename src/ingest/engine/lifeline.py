"""Processes a run starts die with it, however it dies.

A run's worker processes hold the output folder's lock (inherited across ``fork``) and the
caller's stdout; a temporary Prefect server holds a port and ~220 MB. If only the main
process is killed (an out-of-memory kill, a supervisor's SIGKILL), none of them may
outlive it. Two mechanisms, because each covers a gap of the other:

- :func:`die_with_parent`: the kernel sends SIGKILL to a child when its parent dies
  (Linux ``PR_SET_PDEATHSIG``), set in the child before it runs anything else;
- :func:`watch_owner`: a thread that ends the process when the run's main process is gone
  (a worker forked from multiprocessing's fork server has the fork server, not the run, as
  its parent).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import signal
import sys
import threading
import time

_PR_SET_PDEATHSIG = 1


def die_with_parent(sig: int = signal.SIGKILL) -> bool:
    """Ask the kernel to send ``sig`` to this process when its parent dies; False where
    that cannot be asked (not Linux). Call in the child (a ``preexec_fn``, an initializer).

    Linux sends it when the parent *thread* that created the child ends: start children
    from a thread that lives as long as the run (the main thread, or a fork server).
    """
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        return bool(libc.prctl(_PR_SET_PDEATHSIG, int(sig), 0, 0, 0) == 0)
    except (OSError, AttributeError):
        return False


def alive(pid: int) -> bool:
    """Whether ``pid`` is a running process (a zombie, killed but not yet reaped, is not).

    >>> alive(os.getpid()), alive(2**22 + 1)
    (True, False)
    """
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            stat = fh.read()
    except FileNotFoundError:
        return False
    except OSError:  # no /proc: ask the kernel whether the pid exists at all
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True
    return stat[stat.rindex(b")") + 2 : stat.rindex(b")") + 3] not in (b"Z", b"X")


def watch_owner(owner: int, interval: float = 0.5) -> threading.Thread:
    """End this process (exit code 1, no clean-up: the run is gone) once ``owner`` is.

    A daemon thread polls every ``interval`` seconds, a cost of one small read.
    """

    def watch() -> None:
        while alive(owner):
            time.sleep(interval)
        os._exit(1)

    thread = threading.Thread(target=watch, name=f"ingest-watch-{owner}", daemon=True)
    thread.start()
    return thread


def bind_to_run(owner: int) -> None:
    """What a worker process of run ``owner`` does first: die with its parent and with the
    run's main process. (A forked worker does not hold the output folder's lock: the lock's
    descriptor is closed in every forked child, ``ingest.store.local.OutputLock``.)"""
    die_with_parent()
    if not alive(owner):  # the run died before the line above took effect
        os._exit(1)
    watch_owner(owner)


def preexec_die_with_parent() -> None:
    """A ``subprocess.Popen`` ``preexec_fn`` for servers a run starts (SIGINT restored:
    a background shell leaves it ignored, and ignored signals survive ``exec``)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    die_with_parent()
