"""``ingest inspect`` in a terminal: the dump's text with every removed span shown in place.

Kept text is plain; a removed span is struck through and coloured, its rule after it, when
colour is on (a TTY, no ``NO_COLOR``), and reads ``[-rule: text-]`` otherwise, so a pipe or
a log keeps every piece. Each story opens with a ruled title; header lines are labelled
in the gutter (``outlet``, ``time``, ``headline``).
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable

from ingest.report.model import DumpView, Piece, StoryView, ViewLine

_RESET = "\x1b[0m"
_BOLD = "\x1b[1m"
_DIM = "\x1b[2m"
# Foreground colours that read on dark and light backgrounds (no black, white or blue).
_PALETTE = (31, 32, 33, 35, 36, 91, 92, 93, 95, 96)
_GUTTER = 15


def rule_colour(rule: str) -> int:
    """The ANSI colour of a rule: stable across runs and machines (a CRC of its name).

    >>> rule_colour("video_duration") == rule_colour("video_duration")
    True
    """
    return _PALETTE[zlib.crc32(rule.encode("utf-8")) % len(_PALETTE)]


def format_piece(piece: Piece, *, colour: bool) -> str:
    """One piece: kept text as is, a removed span marked with its rule.

    >>> format_piece(Piece("3:10", "video_duration"), colour=False)
    '[-video_duration: 3:10-]'
    >>> format_piece(Piece("kept"), colour=False)
    'kept'
    """
    if piece.rule is None:
        return piece.text
    if not colour:
        return f"[-{piece.rule}: {piece.text}-]"
    code = rule_colour(piece.rule)
    return f"\x1b[9;{code}m{piece.text}{_RESET}\x1b[{code};2m‹{piece.rule}›{_RESET}"


def format_line(line: ViewLine, *, colour: bool) -> str:
    """A line with its number and header role in the gutter."""
    role = line.role or ""
    if line.repairs:
        role = (role + " ~").strip()
    number = f"{line.number:>5}" if line.number else "     "  # 0: not a line of the dump
    gutter = f"{number} {role:<{_GUTTER - 6}}│ "
    if colour:
        gutter = f"{_DIM}{gutter}{_RESET}"
    text = "".join(format_piece(p, colour=colour) for p in line.pieces)
    if colour and line.role:
        text = f"{_BOLD}{text}{_RESET}"
    return gutter + text


def format_story(story: StoryView, *, colour: bool) -> Iterable[str]:
    title = f"── {story.title()} "
    title += "─" * max(3, 78 - len(title))
    yield f"{_BOLD}{title}{_RESET}" if colour else title
    for line in story.lines:
        yield format_line(line, colour=colour)


def format_view(view: DumpView, *, colour: bool) -> str:
    """The whole terminal rendering of one dump, ending in a newline."""
    head = f"══ {view.path}"
    if view.counts:
        head += "  (removed: " + ", ".join(f"{r} {n}" for r, n in sorted(view.counts.items()))
        head += ")"
    out = [f"{_BOLD}{head}{_RESET}" if colour else head]
    if view.failure:
        out.append(f"   no documents: {view.failure}")
    if view.note:
        out.append(f"   note: {view.note}")
    for story in view.stories:
        out.extend(format_story(story, colour=colour))
    if any(line.repairs for s in view.stories for line in s.lines):
        out.append("   (~ : characters on this line were repaired; shown after repair)")
    return "\n".join(out) + "\n"
