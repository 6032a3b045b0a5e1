"""The ``ingest inspect`` subcommand: its arguments and what it does with them."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TextIO

from ingest.rules import Rules

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def add_parser(
    sub: argparse._SubParsersAction[argparse.ArgumentParser],
) -> argparse.ArgumentParser:
    """Register ``inspect`` on the ``ingest`` command's subparsers (``--rules`` and
    ``--scraped-at`` are added by the caller, as for ``clean``)."""
    p = sub.add_parser(
        "inspect",
        help="show what cleaning removed from dumps: in the terminal, or as an HTML page",
        description="Show each dump's text with every removed span in place, labelled with "
        "the rule that removed it. TARGET is a dump (cleaned here, as a run would), a "
        "document JSON, a dump's document folder, or a whole output folder.",
    )
    p.add_argument(
        "targets",
        type=Path,
        nargs="+",
        metavar="TARGET",
        help="a dump, a document JSON, a dump's document folder, or an output folder",
    )
    p.add_argument(
        "--html",
        type=Path,
        metavar="OUT.html",
        help="write a self-contained HTML page instead of printing (no network needed)",
    )
    p.add_argument(
        "--src",
        type=Path,
        metavar="DIR",
        help="the folder the documents' source.path is relative to (default: the current one)",
    )
    p.add_argument(
        "--color",
        choices=("auto", "always", "never"),
        default="auto",
        help="colour removed spans (default auto: on a terminal, unless NO_COLOR is set)",
    )
    return p


def use_colour(choice: str, stream: TextIO) -> bool:
    """Colour on ``always``; on ``auto`` only on a terminal without NO_COLOR set."""
    if choice != "auto":
        return choice == "always"
    return stream.isatty() and not os.environ.get("NO_COLOR")


def write_out(text: str) -> None:
    """Print, and stop quietly when the reader has gone (``ingest inspect ... | head``)."""
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except BrokenPipeError:
        # Point stdout at nothing so the interpreter's final flush does not fail again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        raise SystemExit(EXIT_OK) from None


def cmd_inspect(args: argparse.Namespace, rules: Rules) -> int:
    """Render every target; exit 1 when one could not be read or gave no documents."""
    from ingest.report.load import iter_views
    from ingest.report.terminal import format_view

    status = EXIT_OK
    views = []
    colour = use_colour(args.color, sys.stdout)
    for target in args.targets:
        if not target.exists():
            print(f"ingest: {target}: no such file or folder", file=sys.stderr)
            status = EXIT_FAILED
            continue
        try:
            for view in iter_views(target, rules, src=args.src, scraped_at=args.scraped_at):
                if view.failure:
                    print(f"ingest: {view.path}: {view.failure}", file=sys.stderr)
                    status = EXIT_FAILED
                if args.html:
                    views.append(view)
                else:
                    write_out(format_view(view, colour=colour))
        except (OSError, ValueError) as exc:
            print(f"ingest: {target}: cannot inspect: {exc}", file=sys.stderr)
            status = EXIT_FAILED
    if args.html:
        from ingest.report.page import write_page

        write_page(args.html, views, title="ingest inspect")
        print(f"ingest: wrote {args.html} ({len(views)} dumps)", file=sys.stderr)
    return status
