"""The ``ingest`` command: run a folder, clean single files, check a rules file."""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import json
import logging
import os
import sys
import threading
from datetime import datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from ingest import __version__
from ingest.errors import (
    IngestError,
    OutputError,
    RulesError,
    UsageError,
    output_error,
    shown_path,
    store_problem,
)
from ingest.prefect.runners import (
    RunnerChoice,
    choose_runner,
    distributed_api_problem,
    env_for_runner,
    prestart_fork_server,
    process_count,
    shared_location_problem,
)
from ingest.published import parse_utc
from ingest.report.command import add_parser as add_inspect_parser
from ingest.rules import Rules
from ingest.settings import Environment, load_settings
from ingest.store import STATE_DIR, RemotePath, location

if TYPE_CHECKING:
    from ingest.engine.outcomes import FileOutcome, RunSummary

EXIT_OK, EXIT_FAILED_FILES, EXIT_USAGE = 0, 1, 2
# The run could not finish: the output folder is locked by another run, full, read-only.
EXIT_BUSY = 3
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE: what a shell reports for `cat` in the same place
DEFAULT_OUT = "cleaned"  # `run` / `serve` without --out write ./cleaned


class Parser(argparse.ArgumentParser):
    """An argument parser that takes no abbreviations: `--ful` is refused, not read as
    `--full`. Subcommand parsers are made with the parent's class, so they inherit it."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["allow_abbrev"] = False
        super().__init__(*args, **kwargs)


def parse_time(value: str) -> datetime:
    """Parse an ISO-8601 time for --scraped-at; naive times are taken as UTC."""
    moment = parse_utc(value)
    if moment is None:
        raise argparse.ArgumentTypeError(
            f"{value!r} is not an ISO-8601 time (e.g. 2025-08-15T12:00:00Z)"
        )
    if not 1900 <= moment.year <= 9000:  # relative dates are subtracted from it
        raise argparse.ArgumentTypeError(f"{value!r} is not a plausible scrape time")
    return moment


def positive_int(value: str) -> int:
    """A count that must be at least 1 (--workers, --batch-size).

    >>> positive_int("4")
    4
    """
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {number}")
    return number


def src_and_out(p: argparse.ArgumentParser) -> None:
    """SRC and ``--out DST``: folders, or fsspec URLs such as s3://bucket/dumps/ (ingest.store)."""
    p.add_argument(
        "src",
        type=location,
        metavar="SRC",
        help="the folder of dumps (text, HTML, JSON Lines), or a URL such as s3://bucket/dumps/",
    )
    p.add_argument(
        "--out",
        type=location,
        default=Path(DEFAULT_OUT),
        metavar="DST",
        help=f"the output folder or URL (default: ./{DEFAULT_OUT}, in the current folder)",
    )


def positive_seconds(text: str) -> float:
    """A number of seconds above 0 (--no-workers-timeout)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be above 0 seconds, not {text}")
    return value


def scale_options(p: argparse.ArgumentParser, *, local: bool = True) -> None:
    """``--workers`` / ``--dask-address`` (docs/scale-out.md); ``local``: the command has
    ``--local`` (``run`` has, ``serve`` has not)."""
    where = p.add_mutually_exclusive_group()
    where.add_argument(
        "--workers",
        type=positive_int,
        metavar="N",
        help="clean batches on N local worker processes (a local Dask cluster; with --local, "
        "a process pool); needs a Prefect server unless --local"
        if local
        else "clean batches on N local worker processes (a local Dask cluster)",
    )
    where.add_argument(
        "--dask-address",
        metavar="tcp://HOST:PORT",
        help="clean batches on an existing Dask scheduler's workers (needs a Prefect server)",
    )
    p.add_argument(
        "--no-workers-timeout",
        type=positive_seconds,
        metavar="SECONDS",
        help="with --workers/--dask-address: end the run (exit 3) when the cluster has had no "
        "worker for this long (default: $INGEST_NO_WORKERS_TIMEOUT, else 120)",
    )


def output_options(p: argparse.ArgumentParser) -> None:
    """``--format`` / ``--shard-rows``: how documents are written (ingest.store.shards)."""
    p.add_argument(
        "--format",
        choices=("json", "jsonl", "jsonl.gz", "parquet"),
        help="json: one pretty-printed file per story (default for a new DST); jsonl, "
        "jsonl.gz, parquet: shards DST/part-*.<format> for DuckDB, pandas, Spark (default: "
        "the format DST was written in)",
    )
    p.add_argument(
        "--shard-rows",
        type=positive_int,
        metavar="N",
        help="documents per shard on average, for jsonl/parquet (default 50000)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="ingest", description="Turn scraped news-aggregator dumps into clean story documents."
    )
    parser.add_argument("--version", action="version", version=f"ingest {__version__}")
    sub: argparse._SubParsersAction[Any] = parser.add_subparsers(dest="command", required=True)

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "--rules", type=Path, help="a TOML rules file merged over the built-in rules"
        )
        p.add_argument(
            "--scraped-at",
            type=parse_time,
            help="scrape time for relative dates, for dumps that state none of their own (a "
            "record's scraped_at, a saved page's stamp, a time in the file name); default: "
            "the nearest .scraped_at file in SRC, else each file's modification time",
        )

    run = sub.add_parser("run", help="clean every dump under SRC into DST")
    src_and_out(run)
    run.add_argument(
        "--full", action="store_true", help="reprocess every dump, not only changed ones"
    )
    run.add_argument(
        "--batch-size", type=positive_int, default=200, help="dumps per batch (default 200)"
    )
    run.add_argument(
        "--local",
        action="store_true",
        help="run with the library alone, without Prefect (no flow run is recorded)",
    )
    run.add_argument("--quiet", action="store_true", help="print only the summary line")
    run.add_argument(
        "--no-dedup",
        action="store_true",
        help="do not link duplicate stories across the output folder (docs/dedup.md)",
    )
    run.add_argument(
        "--no-learn",
        action="store_true",
        help="do not learn boilerplate from the run's dumps (lines a source repeats across "
        "many distinct stories; docs/rules.md)",
    )
    run.add_argument(
        "--canonical-only",
        action="store_true",
        help="keep only each story's canonical document; duplicates are not written",
    )
    run.add_argument(
        "--allow-empty",
        action="store_true",
        help="a SRC with no dumps at all deletes the documents of earlier runs (by default "
        "they are kept: an unmounted share looks empty)",
    )
    output_options(run)
    run.add_argument(
        "--verify",
        action="store_true",
        help="read back every document of the dumps the manifest says are unchanged, and "
        "clean again those whose documents were damaged or edited (reads every document)",
    )
    scale_options(run)
    common(run)

    serve = sub.add_parser(
        "serve", help="serve a scheduled Prefect deployment that runs SRC into DST"
    )
    src_and_out(serve)
    output_options(serve)
    scale_options(serve, local=False)
    when = serve.add_mutually_exclusive_group(required=True)
    when.add_argument("--cron", help='a cron schedule, e.g. "0 * * * *" (hourly)')
    when.add_argument("--interval", type=float, metavar="SECONDS", help="run every SECONDS")
    serve.add_argument(
        "--name",
        help="deployment name (default: the source folder's name and a hash of SRC and DST, "
        "so that two serves of different folders never share a deployment)",
    )
    serve.add_argument("--full", action="store_true", help="every run reprocesses every dump")
    serve.add_argument(
        "--batch-size", type=positive_int, default=200, help="dumps per batch (default 200)"
    )
    serve.add_argument(
        "--rules", type=Path, help="a TOML rules file merged over the built-in rules"
    )

    ui = sub.add_parser("ui", help="start the local Prefect server and UI (127.0.0.1:4200)")
    ui.add_argument("--host", default="127.0.0.1", help="address to listen on (default loopback)")
    ui.add_argument("--port", type=int, default=4200, help="port (default 4200; 0: any free)")
    action = ui.add_mutually_exclusive_group()
    action.add_argument("--detach", action="store_true", help="start it in the background")
    action.add_argument("--stop", action="store_true", help="stop a server started with --detach")
    action.add_argument("--status", action="store_true", help="say whether it is running")

    clean = sub.add_parser("clean", help="print the documents of FILE... as JSON lines")
    clean.add_argument(
        "files", type=Path, nargs="+", metavar="FILE", help="dump files (text, HTML, JSON Lines)"
    )
    common(clean)

    common(add_inspect_parser(sub))

    learn = sub.add_parser(
        "learn",
        help="propose a rules profile for a folder of one site's dumps (a TOML file to edit)",
        description="Propose a rules profile for a folder of one site's dumps: the lines, "
        "prefixes and suffixes it repeats across distinct stories, its header and date "
        "shapes, each with counts and examples, as a TOML file to edit and check with "
        "`ingest check-rules FILE --sample DUMP` (docs/rules.md).",
    )
    learn.add_argument("src", type=Path, metavar="SRC", help="a folder of one site's dumps")
    learn.add_argument("--name", help="the profile's name (default: the folder's name)")
    learn.add_argument(
        "--out", type=Path, metavar="FILE", help="write the rules file here (default: stdout)"
    )
    learn.add_argument(
        "--rules", type=Path, help="a TOML rules file merged over the built-in rules"
    )

    check = sub.add_parser(
        "check-rules",
        help="validate a rules file, list its profiles; --sample shows what it removes",
    )
    check.add_argument(
        "rules",
        type=Path,
        nargs="?",
        metavar="RULES",
        help="the TOML rules file to check (default: the built-in rules alone)",
    )
    check.add_argument(
        "--sample",
        type=Path,
        action="append",
        metavar="FILE",
        help="show what the rules remove from FILE (each removed span, its rule, in context); "
        "may be given more than once",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    try:
        status = _main(argv)
        sys.stdout.flush()  # here, not at exit: a closed pipe is then caught below
    except BrokenPipeError:
        # The reader went away (`ingest clean ... | head -1`): stop quietly, as cat does.
        # Point stdout at devnull, so the interpreter's flush at exit cannot fail again.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_BROKEN_PIPE
    except KeyboardInterrupt:  # Ctrl-C: a line, not a traceback (written files are whole)
        print(
            "ingest: interrupted; run again to finish (what was written is kept)", file=sys.stderr
        )
        return 130
    except Exception as exc:  # the object store cannot be reached or used: one line naming the host
        stop = store_problem(exc)
        if stop is None:
            raise
        print(f"ingest: {stop}", file=sys.stderr)
        return EXIT_BUSY
    return status


def _main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        # Every setting, once: the settings file (with --rules over it) and INGEST_*.
        settings = load_settings(getattr(args, "rules", None))
    except (RulesError, ValueError) as exc:
        print(f"ingest: {exc}", file=sys.stderr)
        return EXIT_USAGE
    rules = settings.rules
    if args.command == "ui":
        from ingest.prefect.server import cmd_ui

        return cmd_ui(
            host=args.host, port=args.port, detach=args.detach, stop=args.stop, status=args.status
        )
    problem = source_problem(args.src) if args.command in ("run", "serve") else None
    if problem:
        print(f"ingest: {problem}", file=sys.stderr)
        return EXIT_USAGE
    if args.command in ("run", "serve"):
        from ingest.store import output_folder, overlap_problem, source_folder

        try:
            out = output_folder(args.out, args.format, args.shard_rows)
        except UsageError as exc:  # DST was written in another format
            print(f"ingest: {exc}", file=sys.stderr)
            return EXIT_USAGE
        problem = overlap_problem(source_folder(args.src), out)
        if problem:
            print(f"ingest: {problem}", file=sys.stderr)
            return EXIT_USAGE
    if args.command == "run":
        from ingest.store.local import OutputBusyError

        try:
            return cmd_run(args, rules) if args.local else cmd_run_flow(args, settings.environment)
        except (OutputBusyError, OutputError) as exc:  # DST is held, full, read-only
            print(f"ingest: {exc}", file=sys.stderr)
            return EXIT_BUSY
        except UsageError as exc:  # found once the run looked (a bad .scraped_at file)
            print(f"ingest: {exc}", file=sys.stderr)
            return EXIT_USAGE
        except OSError as exc:  # DST cannot be made or written (names a file, say)
            print(f"ingest: {output_error(exc, args.out)}", file=sys.stderr)
            return EXIT_BUSY
    if args.command == "serve":
        return cmd_serve(args, settings.environment)
    if args.command == "clean":
        return cmd_clean(args, rules)
    if args.command == "learn":
        return cmd_learn(args, rules)
    if args.command == "inspect":
        from ingest.report.command import cmd_inspect

        return cmd_inspect(args, rules)
    return cmd_check_rules(rules, args.sample or [])


def source_problem(src: Path | RemotePath) -> str | None:
    """Why SRC cannot be read as a folder of dumps, or None if it can."""
    if src.is_dir():
        return None
    if src.is_file():
        return (
            f"source {src} is a file, not a folder: SRC is a folder of dumps "
            f"(to clean one file, use: ingest clean {src})"
        )
    if src.exists():
        return f"source {src} is not a folder"
    return f"source folder {src} does not exist"


def _say_dedup_progress(stage: str, done: int, total: int) -> None:
    from ingest.dedup import describe_progress

    print(f"ingest: {describe_progress(stage, done, total)}", file=sys.stderr, flush=True)


def cmd_run(args: argparse.Namespace, rules: Rules) -> int:
    from ingest.engine import run_folder

    if args.dask_address:
        print("ingest: --dask-address needs the Prefect flow: drop --local", file=sys.stderr)
        return EXIT_USAGE
    from ingest.progress import TerminalProgress

    bar = None if args.quiet else TerminalProgress()
    summary = run_folder(
        args.src,
        args.out,
        rules,
        full=args.full,
        scraped_at=args.scraped_at,
        batch_size=args.batch_size,
        workers=args.workers,  # --local: a process pool of N (default: one per CPU)
        dedup=not args.no_dedup,
        canonical_only=args.canonical_only,
        allow_empty=args.allow_empty,
        verify=args.verify,
        dedup_progress=_say_dedup_progress,
        learn=not args.no_learn,
        output_format=args.format,
        shard_rows=args.shard_rows,
        progress=bar,
        on_plan=bar.plan if bar is not None else None,
    )
    report_run(summary, args.quiet)
    return EXIT_OK if summary.ok else EXIT_FAILED_FILES


def print_notes(notes: list[str]) -> None:
    for note in notes:
        print(f"ingest: note: {note}", file=sys.stderr)


def print_failures(failed: list[FileOutcome]) -> None:
    for f in failed:
        print(f"ingest: {shown_path(f.path)}: {f.message} [{f.reason}]", file=sys.stderr)


def cmd_run_flow(args: argparse.Namespace, environment: Environment) -> int:
    """``ingest run`` through the Prefect flow (:mod:`ingest.prefect.flow`)."""
    from ingest.prefect.api import quiet_prefect_env
    from ingest.progress import TerminalProgress, listen

    quiet_prefect_env()  # before Prefect is imported: no telemetry, nothing beyond loopback
    bar = None if args.quiet else TerminalProgress()
    listen(bar)  # the flow runs in this process: the bar hears its outcomes
    if args.quiet or (bar is not None and bar.tty):
        # On a terminal the bar says what the per-batch log lines said (they stay in the UI)
        os.environ.setdefault("PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL", "WARNING")
        os.environ.setdefault("PREFECT_LOGGING_HANDLERS_CONSOLE_FLOW_RUNS_LEVEL", "WARNING")
        os.environ.setdefault("PREFECT_LOGGING_HANDLERS_CONSOLE_TASK_RUNS_LEVEL", "WARNING")
    runner = _runner_or_none(args)
    if runner is None:
        return EXIT_USAGE
    if not runner.distributed and process_count() > 1:
        prestart_fork_server()  # imports the cleaning stack while we import Prefect
    from ingest.prefect.api import EXIT_FLOW_ERROR, choose_api, flow_run_url, run_flow

    api = choose_api()
    problem = distributed_api_problem(runner, api.url)
    if problem:
        print(f"ingest: {problem}", file=sys.stderr)
        return EXIT_USAGE
    if api_down(api.url, api.origin):
        return EXIT_FLOW_ERROR
    from ingest.prefect.zombies import set_up_zombie_detection

    # a run whose process dies is marked Crashed
    set_up_zombie_detection(api.url, _warn, environment)
    if not args.quiet:
        print(f"ingest: {api.describe()}", file=sys.stderr, flush=True)
        if runner.distributed:
            print(f"ingest: {runner.describe()}", file=sys.stderr, flush=True)
    shared = shared_location_problem(runner, args.src, args.out)
    if shared:
        print(f"ingest: warning: {shared}", file=sys.stderr, flush=True)
    result = run_flow(
        args.src,
        args.out,
        rules=args.rules,
        batch_size=args.batch_size,
        full=args.full,
        scraped_at=args.scraped_at,
        api=api,
        runner=runner,
        dedup=not args.no_dedup,
        canonical_only=args.canonical_only,
        allow_empty=args.allow_empty,
        verify=args.verify,
        learn=not args.no_learn,
        output_format=args.format,
        shard_rows=args.shard_rows,
        no_workers_timeout=args.no_workers_timeout,
        on_api_lost=lambda reason: _api_lost(reason, args.quiet),
        api_silent_after=environment.api_silent_after,
    )
    # Not while the API watch reports (it then ends the process); released for the next
    # in-process caller (tests, a library user calling main twice).
    with _REPORTING:
        link = flow_run_url(api, result.flow_run_id)
        if not args.quiet:
            name = result.flow_run_name or result.flow_run_id
            print(
                f"ingest: flow run {name}: {result.state_name}" + (f" ({link})" if link else ""),
                file=sys.stderr,
            )
        summary = result.summary
        if summary is None:
            print(f"ingest: the flow did not finish: {result.message}", file=sys.stderr)
            return EXIT_FLOW_ERROR
        report_run(summary, args.quiet, result.recorded)
        return EXIT_OK if result.ok else EXIT_FAILED_FILES


def report_run(summary: RunSummary, quiet: bool, recorded: str | None = None) -> None:
    """A finished run's failures and inspect report (stderr), and its summary line (stdout),
    with where Prefect recorded it."""
    print_failures(summary.failed)
    print_notes(summary.notes)
    if summary.report and not quiet:
        print(f"ingest: inspect report: {summary.report}", file=sys.stderr)
    print(summary.line() + (f"; {recorded}" if recorded else ""), flush=True)


def api_down(url: str | None, origin: str) -> bool:
    """Say so, and True, when the Prefect API ``url`` does not answer (before any run)."""
    from ingest.prefect.watch import check_health

    problem = check_health(url) if url else None
    if problem:
        print(
            f"ingest: the Prefect API at {url} ({origin}) does not answer ({problem}): start "
            "its server (`ingest ui` starts the local one), point PREFECT_API_URL at one that "
            "runs, unset it to use a temporary server, or run with --local; nothing was done",
            file=sys.stderr,
        )
    return problem is not None


# Held by whoever reports the run's end: the main thread, or the API watch's thread.
_REPORTING = threading.Lock()


def _api_lost(reason: str, quiet: bool) -> None:
    """The Prefect API went away mid-run (ingest.prefect.watch): say so at once, let our own
    work finish (it does not need the API), print its summary and exit 3, instead of
    waiting minutes for Prefect's retries to fail in a traceback."""
    from ingest.prefect.api import EXIT_FLOW_ERROR
    from ingest.prefect.watch import BODY

    if not _REPORTING.acquire(blocking=False):
        return  # the run ended and is being reported
    for noisy in ("prefect.events.clients", "prefect._internal.concurrency"):
        logging.getLogger(noisy).setLevel(logging.CRITICAL)  # "cannot connect", once a second
    print(
        f"ingest: {reason}; the run goes on without it (what it writes does not need the "
        "server), then stops: its record in Prefect stays incomplete",
        file=sys.stderr,
        flush=True,
    )
    state, result = BODY.wait_settled()
    if state == "finished":
        report_run(result, quiet, "flow run not fully recorded: the Prefect API went away")
        print(
            "ingest: every dump above was processed and its documents and the manifest are "
            "written; exit 3 because the run's record in Prefect is incomplete",
            file=sys.stderr,
        )
    elif state == "failed":
        print(f"ingest: the run failed: {type(result).__name__}: {result}", file=sys.stderr)
    else:
        print("ingest: the run had not started: nothing was written", file=sys.stderr)
    with contextlib.suppress(OSError, ValueError):
        sys.stdout.flush()
        sys.stderr.flush()
    # Not sys.exit: Prefect would first retry every buffered event and log at exit.
    os._exit(EXIT_FLOW_ERROR)


def cmd_serve(args: argparse.Namespace, environment: Environment) -> int:
    """``ingest serve``: a deployment with a schedule, served by this process (flow.serve)."""
    from ingest.prefect.api import (
        choose_api,
        cron_problem,
        deployment_owner_problem,
        load_flow,
        pause_deployment,
        quiet_prefect_env,
    )

    quiet_prefect_env()
    problem = cron_problem(args.cron) if args.cron is not None else None
    if problem:  # before any server is contacted (it was a pydantic traceback from serve)
        print(
            f"ingest: --cron {args.cron!r} is refused: {problem}; a cron schedule has five "
            'fields, minute hour day-of-month month day-of-week, e.g. "0 * * * *" (hourly)',
            file=sys.stderr,
        )
        return EXIT_USAGE
    runner = _runner_or_none(args)
    if runner is None:
        return EXIT_USAGE
    api = choose_api()
    if api.url is None:
        print(
            "ingest: serve needs a running Prefect server: start one with `ingest ui` "
            "(or set PREFECT_API_URL)",
            file=sys.stderr,
        )
        return EXIT_USAGE
    if api_down(api.url, api.origin):
        return EXIT_BUSY
    busy = claim_serving(args.src, args.out)
    if busy:
        print(f"ingest: {busy}", file=sys.stderr)
        return EXIT_BUSY
    print(f"ingest: {api.describe()}", file=sys.stderr, flush=True)
    os.environ["PREFECT_API_URL"] = api.url  # the runner's flow-run subprocesses inherit it
    from ingest.prefect.zombies import set_up_zombie_detection

    # Served runs send heartbeats; one whose process dies is marked Crashed, so it does not
    # hold the deployment's one slot (limit=1) forever.
    set_up_zombie_detection(api.url, _warn, environment)
    if runner.distributed:
        # Served runs load the flow afresh in a subprocess, which picks its
        # task runner from these (ingest.prefect.runners.choice_from_env).
        os.environ.update(env_for_runner(runner))
        print(f"ingest: {runner.describe()}", file=sys.stderr, flush=True)
    from prefect.settings import PREFECT_API_URL, temporary_settings
    from prefect.types.entrypoint import EntrypointType

    from ingest.prefect.artifacts import deployment_name

    flow = load_flow()
    schedule = {"cron": args.cron} if args.cron else {"interval": args.interval}
    name = args.name or deployment_name(args.src, args.out)
    with temporary_settings(updates={PREFECT_API_URL: api.url}):
        owned = deployment_owner_problem(f"{flow.name}/{name}")
        if owned:
            print(f"ingest: {owned}", file=sys.stderr)
            return EXIT_USAGE
        try:
            flow.serve(
                name=name,
                parameters={
                    "source": str(args.src.resolve()),
                    "output": str(args.out.resolve()),
                    "rules": str(args.rules.resolve()) if args.rules else None,
                    "batch_size": args.batch_size,
                    "full": args.full,
                    "output_format": args.format,
                    "shard_rows": args.shard_rows,
                    "no_workers_timeout": args.no_workers_timeout,
                },
                tags=["ingest"],
                # One run at a time: runs that fall due together (a late start, a slow run)
                # queue up instead of failing on the output folder's lock.
                limit=1,
                # Served runs import ingest.prefect.flow by name, not its file by path (a
                # module loaded by path gets a name Dask workers cannot import).
                entrypoint_type=EntrypointType.MODULE_PATH,
                **schedule,
            )
        finally:
            # Prefect 3.8.8's SIGTERM handler exits before its own pause call finishes:
            # pause here, so a stopped `ingest serve` leaves no schedule firing into the void.
            pause_deployment(f"{flow.name}/{name}")
    return EXIT_OK


SERVE_LOCK = "serve.lock"
_SERVING: list[IO[str]] = []  # held open (and flock-ed) for as long as this process serves


def claim_serving(src: Path | RemotePath, out: Path | RemotePath) -> str | None:
    """Hold ``DST/.ingest/serve.lock`` while this process serves; why not, if another does.

    Two serves into one output folder run into each other's run lock, and stopping either
    pauses the deployment the other serves: the second is refused instead. ``flock``, so
    the kernel frees it when the serve dies however it dies. Object stores have no lock.
    """
    if not isinstance(out, Path):
        return None
    path = out / STATE_DIR / SERVE_LOCK
    path.parent.mkdir(parents=True, exist_ok=True)
    fh = open(path, "a+", encoding="utf-8")  # noqa: SIM115 - held until this process ends
    try:
        fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        fh.seek(0)
        holder = fh.read().strip() or "another process"
        fh.close()
        return (
            f"the output folder {out} is already served by {holder}: two serves into one "
            "folder would block each other's runs, and stopping either would pause the "
            "other's schedule; stop that one first (or serve into another --out)"
        )
    fh.seek(0)
    fh.truncate()
    fh.write(f"pid {os.getpid()} (ingest serve {src})")
    fh.flush()
    _SERVING.append(fh)
    return None


def _warn(message: str) -> None:
    print(f"ingest: warning: {message}", file=sys.stderr, flush=True)


def _runner_or_none(args: argparse.Namespace) -> RunnerChoice | None:
    """The task runner that --workers / --dask-address ask for; None (said why) if invalid."""
    try:
        return choose_runner(args.workers, args.dask_address)
    except ValueError as exc:
        print(f"ingest: {exc}", file=sys.stderr)
        return None


def cmd_clean(args: argparse.Namespace, rules: Rules) -> int:
    from ingest.engine.process import cleaner_error
    from ingest.scraped import ScrapeClock
    from ingest.sources import clean_source  # the cleaning stack: only the commands that clean
    from ingest.store.local import read_file

    status = EXIT_OK
    for path in args.files:
        shown = shown_path(str(path))
        try:
            data = read_file(path, rules.settings.max_file_bytes)
            when = ScrapeClock(args.scraped_at).fallback(path.name, path.stat().st_mtime)
            result = clean_source(
                data, path=str(path), rules=rules, scraped_at=when.when, scraped_from=when.origin
            )
        except IngestError as exc:
            print(f"ingest: {shown}: {exc.message} [{exc.reason}]", file=sys.stderr)
            status = EXIT_FAILED_FILES
            continue
        except OSError as exc:
            print(f"ingest: {shown}: cannot read: {exc.strerror}", file=sys.stderr)
            status = EXIT_FAILED_FILES
            continue
        except Exception as exc:  # a bug of ours: that file fails, the next is cleaned
            print(f"ingest: {shown}: {cleaner_error(exc)} [cleaner_error]", file=sys.stderr)
            status = EXIT_FAILED_FILES
            continue
        for doc in result.documents:
            sys.stdout.write(json.dumps(doc.to_json(), ensure_ascii=False) + "\n")
        for bad in result.failures:
            print(f"ingest: {path}:{bad.record}: {bad.message} [{bad.reason}]", file=sys.stderr)
            status = EXIT_FAILED_FILES
    return status


def cmd_learn(args: argparse.Namespace, rules: Rules) -> int:
    """``ingest learn SRC``: a proposed profile, with its evidence, as a rules file."""
    import re

    from ingest.propose import propose, render_toml

    problem = source_problem(args.src)
    if problem:
        print(f"ingest: {problem}", file=sys.stderr)
        return EXIT_USAGE
    files = (
        (p.relative_to(args.src).as_posix(), p.read_bytes())
        for p in sorted(args.src.rglob("*"))
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(args.src).parts)
    )
    name = args.name or re.sub(r"[^a-z0-9_]+", "_", args.src.resolve().name.lower()).strip("_")
    text = render_toml(propose(files, rules), name or "site", str(args.src))
    if args.out is None:
        sys.stdout.write(text)
    else:
        args.out.write_text(text, "utf-8")
        print(
            f"ingest: wrote {args.out}; check it with: ingest check-rules {args.out} "
            f"--sample <a dump>",
            file=sys.stderr,
        )
    return EXIT_OK


def cmd_check_rules(rules: Rules, samples: list[Path]) -> int:
    print(f"rules OK: {' + '.join(rules.files)} (fingerprint {rules.fingerprint})")
    print(f"generic inline rules: {', '.join(r.name for r in rules.inline)}")
    for p in rules.profiles:
        chrome = ", ".join(r.name for r in p.chrome_lines)
        print(f"profile {p.name} (aggregator {p.aggregator}): chrome {chrome}")
    status = EXIT_OK
    for path in samples:
        from ingest.sample import describe_sample

        try:
            print(describe_sample(path.read_bytes(), path=str(path), rules=rules))
        except IngestError as exc:
            print(f"ingest: {path}: {exc.message} [{exc.reason}]", file=sys.stderr)
            status = EXIT_FAILED_FILES
        except OSError as exc:
            print(f"ingest: {path}: cannot read: {exc.strerror}", file=sys.stderr)
            status = EXIT_FAILED_FILES
    return status


if __name__ == "__main__":
    sys.exit(main())
