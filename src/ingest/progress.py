"""How far a run's cleaning is, on the terminal: a bar on a TTY, plain lines otherwise.

:class:`TerminalProgress` is a run's ``progress`` hook (``engine.run_folder(progress=...,
on_plan=...)``): it hears the plan (dumps in all, dumps to clean) and every outcome as it
is recorded, and writes to stderr

* on a terminal, one line redrawn in place at most 10 times a second:
  ``ingest: [#########---------------]   340/1000 dumps  12.3 MB  2.1 MB/s  ETA 0:45``;
* otherwise (a pipe, a log file, cron), a plain line at the start, one every
  :data:`EVERY_S` seconds, and one at the end, so a log shows the rate without a wall of
  redraws.

Unchanged dumps are not counted: the bar, the rate and the ETA are about what is cleaned.
The ETA waits until it means something (:func:`eta_ready`): outcomes come a batch at a
time, several batches at once, so the first of them say little about the rate.
``ingest run --quiet`` uses none of it. The flow's own progress, for the Prefect UI, is a
progress artifact (:mod:`ingest.prefect.progress`).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import Protocol, TextIO

from ingest.engine.outcomes import FileOutcome, Status

EVERY_S = 10.0  # seconds between plain progress lines when stderr is not a terminal
REDRAW_S = 0.1  # at most this often the bar is redrawn
BAR_WIDTH = 24
# The ETA is shown once this share of the dumps to clean is done, and this many seconds
# have passed: before, the first batches' timing (worker start-up, batches finishing
# together) made it swing from hours to seconds.
ETA_MIN_SHARE = 0.1
ETA_MIN_S = 2.0


class RunListener(Protocol):
    """What hears a run's progress: the plan, then each outcome in path order."""

    def plan(self, total: int, todo: int) -> None: ...

    def __call__(self, outcome: FileOutcome) -> None: ...


def clock_text(seconds: float) -> str:
    """A duration as m:ss, or h:mm:ss past an hour.

    >>> clock_text(45.2), clock_text(605), clock_text(3725)
    ('0:45', '10:05', '1:02:05')
    """
    whole = max(0, round(seconds))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def eta_ready(done: int, todo: int, elapsed: float) -> bool:
    """Whether a rate measured over ``done`` of ``todo`` dumps in ``elapsed`` seconds is
    worth an ETA: a tenth of the work done, over two seconds at least.

    >>> eta_ready(1, 3000, 60.0), eta_ready(200, 3000, 30.0), eta_ready(400, 3000, 30.0)
    (False, False, True)
    >>> eta_ready(5, 10, 0.5), eta_ready(5, 10, 3.0)
    (False, True)
    """
    return done >= max(1, ETA_MIN_SHARE * todo) and elapsed >= ETA_MIN_S


def megabytes(count: int) -> str:
    """Bytes as MB with one decimal.

    >>> megabytes(12_345_678)
    '12.3 MB'
    """
    return f"{count / 1e6:.1f} MB"


class TerminalProgress:
    """A run's progress on ``stream`` (default stderr); see the module docstring."""

    def __init__(
        self,
        stream: TextIO | None = None,
        *,
        tty: bool | None = None,
        every: float = EVERY_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty() if tty is None else tty
        self.every, self.clock = every, clock
        self.total = self.todo = self.done = self.bytes = 0
        self.started = self.last = 0.0
        self.drawn = False

    def plan(self, total: int, todo: int) -> None:
        self.total, self.todo = total, todo
        self.started = self.last = self.clock()
        if not self.tty or not todo:
            self._say(f"{total} dumps: {total - todo} unchanged, {todo} to clean")

    def __call__(self, outcome: FileOutcome) -> None:
        if outcome.status == Status.UNCHANGED or self.done >= self.todo:
            return
        self.done += 1
        self.bytes += outcome.size or 0
        now = self.clock()
        last = self.done == self.todo
        if self.tty and (last or now - self.last >= REDRAW_S):
            self.last = now
            self.stream.write(f"\r\x1b[K{self._bar(now)}")
            self.drawn = True
            if last:
                self.stream.write("\n")
            self.stream.flush()
        elif not self.tty and (last or now - self.last >= self.every):
            self.last = now
            self._say(self._status(now))

    def _say(self, text: str) -> None:
        self.stream.write(f"ingest: {text}\n")
        self.stream.flush()

    def _rates(self, now: float) -> tuple[float, float | None]:
        """MB/s so far, and the seconds left at the rate so far (None: too early to say)."""
        elapsed = now - self.started
        if elapsed <= 0 or not self.done:
            return 0.0, None
        left = (self.todo - self.done) * elapsed / self.done
        return self.bytes / 1e6 / elapsed, left if eta_ready(
            self.done, self.todo, elapsed
        ) else None

    def _bar(self, now: float) -> str:
        filled = BAR_WIDTH * self.done // max(1, self.todo)
        speed, left = self._rates(now)
        width = len(str(self.todo))
        if self.done == self.todo:
            when = f"in {clock_text(now - self.started)}"
        else:
            when = f"ETA {clock_text(left) if left is not None else '-:--'}"
        return (
            f"ingest: [{'#' * filled}{'-' * (BAR_WIDTH - filled)}] {self.done:>{width}}/"
            f"{self.todo} dumps  {megabytes(self.bytes)}  {speed:.1f} MB/s  {when}"
        )

    def _status(self, now: float) -> str:
        speed, left = self._rates(now)
        percent = 100 * self.done // max(1, self.todo)
        if self.done == self.todo:
            return (
                f"cleaned {self.done}/{self.todo} dumps, {megabytes(self.bytes)} in "
                f"{clock_text(now - self.started)} ({speed:.1f} MB/s)"
            )
        eta = f", ETA {clock_text(left)}" if left is not None else ""
        return (
            f"cleaned {self.done}/{self.todo} dumps ({percent}%), {megabytes(self.bytes)}, "
            f"{speed:.1f} MB/s{eta}"
        )


# The listener of the flow run this process is running (ingest run through Prefect runs the
# flow in-process: its terminal progress hears the flow's outcomes through this).
_LISTENER: RunListener | None = None


def listen(listener: RunListener | None) -> None:
    """Make ``listener`` hear the progress of the flow runs this process runs."""
    global _LISTENER
    _LISTENER = listener


def listener() -> RunListener | None:
    return _LISTENER
