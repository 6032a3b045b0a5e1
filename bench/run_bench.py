"""Performance harness: throughput, Prefect overhead, 1 vs 2 cores, memory and scaling.

    python bench/run_bench.py                         # sizes 1000,10000 (make bench)
    python bench/run_bench.py --sizes 1000,10000,100000
    python bench/run_bench.py --sizes 50 --no-prefect # a quick check

Everything is measured in one run on the same seeded corpora (``tests.support.synth``, cached under
``bench/out/corpus/``), each measurement in a fresh child process so that peak RSS is its
own. Writes ``bench/out/results.json`` and prints a table. Timings are wall-clock: note how
busy the machine was (the load averages are recorded in the JSON).

What is measured, per corpus size N:

- ``library``: :func:`ingest.engine.run_folder` with ``workers=1`` and with ``workers=2``
  (``--full``), then an incremental re-run over the unchanged dumps; the language model is
  loaded before the clock starts (its one-off load is reported as ``model_load_s``);
- ``ftfy``: bare ``ftfy.fix_text`` over the same dumps (decoded outside the clock), at the
  smallest size, and on a seeds-like corpus (``seeds/`` copied to that size) whose text is
  far less accented than the generator's;
- ``prefect``: ``ingest run`` (the CLI, through the Prefect flow) against a local
  ``prefect server start`` and in ephemeral mode, on the 10,000 corpus (or the largest
  size below it), full and then incremental, each beside ``ingest run --local`` with the
  same flags (without deduplication, then with it); and the seeds in both modes.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # tests.support.synth: the generated corpora
DEFAULT_OUT = ROOT / "bench" / "out"
SEEDS = ROOT / "seeds"
SCRAPED_AT = "2025-08-15T12:00:00Z"
PREFECT_SIZE = 10_000
QUIET_ENV = {"PREFECT_SERVER_ANALYTICS_ENABLED": "false", "DO_NOT_TRACK": "1"}
CORPUS_VERSION = 1  # bump when the corpus layout changes, so cached corpora are rebuilt

# Targets from the issue: (key in "ratios", comparison, threshold, description).
TARGETS = (
    ("library_vs_ftfy", ">=", 4.0, "library throughput / bare ftfy.fix_text (same dumps)"),
    ("prefect_server_vs_library", "<=", 1.15, "ingest run via local server / --local, 10k"),
    ("two_cores_vs_one", ">=", 1.7, "library workers=2 speed-up over workers=1"),
    ("peak_rss_mb_largest", "<=", 300.0, "peak RSS (MB) of the run at the largest size"),
    ("rss_growth_largest_vs_1k", "<=", 1.10, "peak RSS at the largest size / at 1k"),
    ("incremental_vs_full", "<=", 0.05, "incremental re-run / full run, 10k unchanged dumps"),
)


# --------------------------------------------------------------------------- corpora


def _write_range(folder: str, seed: int, lo: int, hi: int) -> int:
    from dataclasses import replace

    from tests.support.synth import corpus_seed, generate_dump

    written = 0
    for i in range(lo, hi):
        dump = replace(generate_dump(corpus_seed(seed, i)), name=f"synth_{i:06d}.txt")
        written += (Path(folder) / dump.name).write_bytes(dump.data)
    return written


def synth_corpus(root: Path, n: int, seed: int, jobs: int) -> Path:
    """N generated dumps (``tests.support.synth``, seed ``seed``), built once and cached."""
    folder = root / f"synth-v{CORPUS_VERSION}-s{seed}-n{n}"
    stamp = folder / ".complete"
    if stamp.is_file():
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    step = max(1, min(2000, -(-n // max(1, jobs))))
    ranges = [(i, min(n, i + step)) for i in range(0, n, step)]
    if jobs > 1 and len(ranges) > 1:
        with ProcessPoolExecutor(jobs) as pool:
            jobs_done = [pool.submit(_write_range, str(folder), seed, a, b) for a, b in ranges]
            for job in jobs_done:
                job.result()
    else:
        for a, b in ranges:
            _write_range(str(folder), seed, a, b)
    stamp.write_text(f"{n} dumps, seed {seed}\n")
    return folder


def seeds_corpus(root: Path, n: int) -> Path:
    """``seeds/`` copied round-robin to N files: text like the real pages, little damage."""
    folder = root / f"seeds-v{CORPUS_VERSION}-n{n}"
    stamp = folder / ".complete"
    if stamp.is_file():
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    seeds = sorted(p for p in SEEDS.iterdir() if p.is_file() and not p.name.startswith("."))
    for i in range(n):
        src = seeds[i % len(seeds)]
        shutil.copyfile(src, folder / f"seed_{i:06d}_{src.name}")
    stamp.write_text(f"{n} copies of {len(seeds)} seeds\n")
    return folder


def corpus_bytes(folder: Path) -> tuple[int, int]:
    files = [p for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")]
    return len(files), sum(p.stat().st_size for p in files)


# --------------------------------------------------------------------------- child jobs


def _rss_mb() -> dict[str, float]:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {"peak_rss_mb": round(own, 1), "peak_rss_workers_mb": round(kids, 1)}


def job_library(
    src: str, out: str, workers: int, full: bool, batch_size: int = 200
) -> dict[str, Any]:
    """run_folder over ``src`` (language model loaded before the clock)."""
    from ingest.cli import parse_time
    from ingest.engine import run_folder
    from ingest.language import detect_language
    from ingest.rules import load_rules

    t0 = time.perf_counter()
    detect_language("The talks in Brussels are due to resume later this week, officials said.")
    # English text like this may never reach the model (a fast path decides it), so load it
    # outright: every size then pays the same fixed memory, and no run pays the load.
    import py3langid

    py3langid.classify("Die Gespräche in Brüssel sollen später in dieser Woche weitergehen.")
    model_load = time.perf_counter() - t0
    rules = load_rules()
    started = time.perf_counter()
    summary = run_folder(
        Path(src),
        Path(out),
        rules,
        full=full,
        scraped_at=parse_time(SCRAPED_AT),
        workers=workers,
        batch_size=batch_size,
    )
    wall = time.perf_counter() - started
    cpu = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {
        "wall_s": round(wall, 3),
        "cpu_s": round(cpu.ru_utime + cpu.ru_stime + kids.ru_utime + kids.ru_stime, 2),
        "model_load_s": round(model_load, 3),
        "files": summary.files_seen,
        "processed": summary.processed,
        "unchanged": summary.unchanged,
        "failed": len(summary.failed),
        "documents": summary.documents_written,
        **_rss_mb(),
    }


def job_ftfy(src: str) -> dict[str, Any]:
    """Bare ftfy.fix_text over every dump (decoded first, outside the clock)."""
    import ftfy

    from ingest.decode import decode_bytes

    texts = []
    size = 0
    for path in sorted(Path(src).iterdir()):
        if path.is_file() and not path.name.startswith("."):
            data = path.read_bytes()
            size += len(data)
            texts.append(decode_bytes(data).text)
    ftfy.fix_text("warm up â€™")
    started = time.perf_counter()
    for text in texts:
        ftfy.fix_text(text)
    wall = time.perf_counter() - started
    return {"wall_s": round(wall, 3), "files": len(texts), "bytes": size, **_rss_mb()}


def job_profile(src: str, out: str, report: str, batch_size: int = 200) -> dict[str, Any]:
    """The 1-worker library run under cProfile: where the time goes, by function."""
    import cProfile
    import io
    import pstats

    from ingest.cli import parse_time
    from ingest.engine import run_folder
    from ingest.rules import load_rules

    rules = load_rules()
    profiler = cProfile.Profile()
    profiler.enable()
    run_folder(
        Path(src),
        Path(out),
        rules,
        full=True,
        scraped_at=parse_time(SCRAPED_AT),
        workers=1,
        batch_size=batch_size,
    )
    profiler.disable()
    text = io.StringIO()
    stats = pstats.Stats(profiler, stream=text)
    stats.sort_stats("cumulative").print_stats(40)
    stats.sort_stats("tottime").print_stats(25)
    Path(report).write_text(text.getvalue())
    return {"report": report}


JOBS = {"library": job_library, "ftfy": job_ftfy, "profile": job_profile}


def run_child(job: str, **kwargs: Any) -> dict[str, Any]:
    """Run one job in a fresh interpreter; return its JSON report."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", job, json.dumps(kwargs)]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"{job} {kwargs} failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


# --------------------------------------------------------------------------- Prefect


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _restore_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _bin(name: str) -> str:
    return str(Path(sys.executable).parent / name)


class PrefectServer:
    """``prefect server start`` on a free loopback port, with its own PREFECT_HOME."""

    def __init__(self, home: Path) -> None:
        self.home = home
        self.port = _free_port()
        self.api_url = f"http://127.0.0.1:{self.port}/api"
        self.proc: subprocess.Popen[bytes] | None = None
        self.startup_s = 0.0

    def __enter__(self) -> PrefectServer:
        env = {**os.environ, **QUIET_ENV, "PREFECT_HOME": str(self.home)}
        env.pop("PREFECT_API_URL", None)
        self.home.mkdir(parents=True, exist_ok=True)
        log = open(self.home / "server.log", "wb")  # closed below: the child has it
        started = time.perf_counter()
        self.proc = subprocess.Popen(
            [_bin("prefect"), "server", "start", "--host", "127.0.0.1", "--port", str(self.port)],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            preexec_fn=_restore_sigint,  # a background child must stop on SIGINT
            start_new_session=True,
        )
        log.close()
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"prefect server exited; see {self.home / 'server.log'}")
            try:
                with urllib.request.urlopen(f"{self.api_url}/health", timeout=2) as resp:
                    if resp.status == 200:
                        self.startup_s = time.perf_counter() - started
                        return self
            except OSError:
                pass
            time.sleep(0.5)
        self.__exit__()
        raise RuntimeError("prefect server did not become healthy in 180 s")

    def __exit__(self, *exc: object) -> None:
        proc, self.proc = self.proc, None
        if proc is None:
            return
        for sig, wait in ((signal.SIGTERM, 20), (signal.SIGTERM, 10), (signal.SIGKILL, 10)):
            if proc.poll() is not None:
                break
            try:
                os.killpg(proc.pid, sig)
            except ProcessLookupError:
                break
            try:
                proc.wait(wait)
            except subprocess.TimeoutExpired:
                continue
        # Anything the server started in its session (uvicorn workers, services) goes too.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)


def ingest_cli(args: Sequence[str], env: dict[str, str]) -> dict[str, Any]:
    """Run the ``ingest`` CLI; return wall time, exit code and its own peak RSS (wait4)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        proc = subprocess.Popen(
            [_bin("ingest"), *args],
            env=env,
            stdout=out,
            stderr=err,
            stdin=subprocess.DEVNULL,
            preexec_fn=_restore_sigint,
        )
        _, status, rusage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        lines = out.read().decode(errors="replace").strip().splitlines()
        tail = err.read().decode(errors="replace")[-800:]
    return {
        "wall_s": round(wall, 3),
        "exit": proc.returncode,
        "summary": lines[-1] if lines else "",
        "stderr_tail": tail if proc.returncode else "",
        "peak_rss_mb": round(rusage.ru_maxrss / 1024, 1),
    }


def prefect_runs(src: Path, scratch: Path, batch_size: int, log: Any) -> dict[str, Any]:
    """``ingest run`` through Prefect and ``ingest run --local``, like for like.

    Every pair runs the same CLI with the same flags and default workers, so the ratio is
    what Prefect adds: ``import prefect``, the flow and task runs, the artifacts. Without
    deduplication first (cleaning alone), then with it (the default of ``ingest run``).
    """
    base = {**os.environ, **QUIET_ENV, "INGEST_HOME": str(scratch / "ingest-home")}
    base.pop("PREFECT_API_URL", None)
    common = ["--scraped-at", SCRAPED_AT, "--batch-size", str(batch_size), "--quiet"]
    plain = [*common, "--no-dedup"]
    results: dict[str, Any] = {}

    def pair(name: str, env: dict[str, str], flags: list[str], rounds: int = 1) -> None:
        """The flow, then --local, each on a fresh output folder; ``rounds`` times over,
        alternating, keeping the median of each (this machine's speed drifts by a quarter
        over minutes, so one pair can land on either side of a drift)."""
        runs: dict[str, list[dict[str, Any]]] = {}
        for _ in range(rounds):
            for key, extra in ((f"server_{name}", []), (f"cli_local_{name}", ["--local"])):
                out = scratch / f"out-{key}"
                log(f"  {key}: {src.name}")
                cmd = ["run", str(src), "--out", str(out), *flags, *extra]
                runs.setdefault(key, []).append(ingest_cli(cmd, env))
                if key == "server_full" and "server_incremental" not in results:
                    log("  prefect (server): incremental re-run")
                    results["server_incremental"] = ingest_cli(cmd, env)
                shutil.rmtree(out, ignore_errors=True)
        for key, got in runs.items():
            got.sort(key=lambda r: float(r["wall_s"]))
            results[key] = {**got[(len(got) - 1) // 2], "walls_s": [r["wall_s"] for r in got]}

    with PrefectServer(scratch / "prefect-server") as server:
        results["server_startup_s"] = round(server.startup_s, 2)
        env = {**base, "PREFECT_HOME": str(server.home), "PREFECT_API_URL": server.api_url}
        pair("full", env, plain, rounds=3)
        pair("full_dedup", env, common)
        log("  prefect (server): seeds")
        results["server_seeds"] = ingest_cli(
            ["run", str(SEEDS), "--out", str(scratch / "seeds-server"), "--full", *common], env
        )
        results["cli_local_seeds"] = ingest_cli(
            ["run", str(SEEDS), "--out", str(scratch / "seeds-local"), "--local", *common], env
        )
    env = {**base, "PREFECT_HOME": str(scratch / "prefect-ephemeral")}
    log("  prefect (ephemeral): seeds, first run on a fresh PREFECT_HOME")
    results["ephemeral_seeds_cold"] = ingest_cli(
        ["run", str(SEEDS), "--out", str(scratch / "seeds-eph"), "--full", *common], env
    )
    log("  prefect (ephemeral): seeds again")
    results["ephemeral_seeds"] = ingest_cli(
        ["run", str(SEEDS), "--out", str(scratch / "seeds-eph"), "--full", *common], env
    )
    out = scratch / "out-ephemeral"
    log(f"  prefect (ephemeral): full run over {src.name}")
    results["ephemeral_full"] = ingest_cli(["run", str(src), "--out", str(out), *plain], env)
    shutil.rmtree(out, ignore_errors=True)
    return results


# --------------------------------------------------------------------------- the run


def machine() -> dict[str, Any]:
    import ftfy

    info: dict[str, Any] = {
        "platform": platform.platform(),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "ftfy": ftfy.__version__,
        "load_avg_start": [round(x, 2) for x in os.getloadavg()],
    }
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu_model"] = line.split(":", 1)[1].strip()
                break
        mem = Path("/proc/meminfo").read_text().split("\n", 1)[0].split()[1]
        info["mem_gb"] = round(int(mem) / 1024 / 1024, 1)
    except OSError:
        pass
    with contextlib.suppress(OSError):
        info["git"] = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
    return info


def _spin(n: int) -> float:
    started = time.perf_counter()
    total = 0
    for i in range(n):
        total += i * i
    return time.perf_counter() - started


def cores_free(n: int = 4_000_000) -> dict[str, float]:
    """A pure-Python loop alone, then two at once in two processes: are 2 cores free now?

    ``parallel_speedup`` near 2 means the machine can give the 2-worker run two cores; near
    1, other work is using one of them, and the 1-vs-2-cores figure says nothing.
    """
    one = _spin(n)
    with ProcessPoolExecutor(2) as pool:
        list(pool.map(_spin, [n // 10] * 2))  # start both workers before the clock
        started = time.perf_counter()
        list(pool.map(_spin, [n, n]))
        both = time.perf_counter() - started
    return {
        "one_s": round(one, 3),
        "two_at_once_s": round(both, 3),
        "parallel_speedup": round(2 * one / both, 2),
    }


def _mb(n: int) -> float:
    return n / 1_000_000


def bench(args: argparse.Namespace) -> dict[str, Any]:
    def log(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    def checkpoint(partial: dict[str, Any]) -> None:
        """Figures so far, so that a run cut short still leaves them (``complete``: false)."""
        (args.out / "results.json").write_text(
            json.dumps({**partial, "complete": False}, indent=2) + "\n"
        )

    out_dir: Path = args.out
    corpus_root = out_dir / "corpus"
    scratch = Path(tempfile.mkdtemp(prefix="ingest-bench-", dir=args.scratch))
    results: dict[str, Any] = {
        "machine": machine(),
        "sizes": {},
        "seed": args.seed,
        "workers": args.workers,
        "cores_free_start": cores_free(),
        "batch_size": args.batch_size,
    }
    results["started"] = datetime.now(UTC).isoformat(timespec="seconds")
    try:
        for n in args.sizes:
            log(f"corpus: {n} dumps (seed {args.seed})")
            t0 = time.perf_counter()
            src = synth_corpus(corpus_root, n, args.seed, args.workers)
            files, size = corpus_bytes(src)
            entry: dict[str, Any] = {
                "files": files,
                "bytes": size,
                "corpus_build_s": round(time.perf_counter() - t0, 1),
            }
            for workers in sorted({1, args.workers}):
                log(f"  library, workers={workers}: full run")
                out = scratch / f"lib-{n}-{workers}"
                run = {"workers": workers, "batch_size": args.batch_size}
                res = run_child("library", src=str(src), out=str(out), full=True, **run)
                res["mb_per_s"] = round(_mb(size) / res["wall_s"], 3)
                res["dumps_per_s"] = round(files / res["wall_s"], 1)
                entry[f"library_w{workers}"] = res
                if workers == args.workers:
                    log(f"  library, workers={workers}: incremental re-run (nothing changed)")
                    entry["library_incremental"] = run_child(
                        "library", src=str(src), out=str(out), full=False, **run
                    )
                shutil.rmtree(out, ignore_errors=True)
            results["sizes"][str(n)] = entry
            checkpoint(results)
        smallest = min(args.sizes)
        src = synth_corpus(corpus_root, smallest, args.seed, args.workers)
        log(f"ftfy.fix_text over the {smallest} generated dumps")
        ftfy_synth = run_child("ftfy", src=str(src))
        ftfy_synth["mb_per_s"] = round(_mb(ftfy_synth["bytes"]) / ftfy_synth["wall_s"], 3)
        results["ftfy_synth"] = ftfy_synth
        log(f"seeds-like corpus: seeds/ copied to {smallest} files")
        seeds_src = seeds_corpus(corpus_root, smallest)
        ftfy_seeds = run_child("ftfy", src=str(seeds_src))
        ftfy_seeds["mb_per_s"] = round(_mb(ftfy_seeds["bytes"]) / ftfy_seeds["wall_s"], 3)
        lib_seeds = run_child(
            "library",
            src=str(seeds_src),
            out=str(scratch / "lib-seeds"),
            workers=1,
            full=True,
            batch_size=args.batch_size,
        )
        lib_seeds["mb_per_s"] = round(_mb(ftfy_seeds["bytes"]) / lib_seeds["wall_s"], 3)
        results["ftfy_seeds"] = ftfy_seeds
        results["library_seeds_w1"] = lib_seeds
        shutil.rmtree(scratch / "lib-seeds", ignore_errors=True)
        if args.profile:
            report = out_dir / "profile.txt"
            log(f"profile (cProfile) of the 1-worker run over {smallest} dumps: {report}")
            run_child(
                "profile",
                src=str(src),
                out=str(scratch / "lib-profile"),
                report=str(report),
                batch_size=args.batch_size,
            )
        if args.prefect:
            eligible = [n for n in args.sizes if n <= PREFECT_SIZE] or [min(args.sizes)]
            n = max(eligible)
            results["prefect_size"] = n
            checkpoint(results)
            try:
                results["prefect"] = prefect_runs(
                    synth_corpus(corpus_root, n, args.seed, args.workers),
                    scratch,
                    args.batch_size,
                    log,
                )
            except Exception as exc:  # keep every other figure; say what went wrong
                log(f"  prefect runs failed: {exc}")
                results["prefect_error"] = f"{type(exc).__name__}: {exc}"
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    results["machine"]["load_avg_end"] = [round(x, 2) for x in os.getloadavg()]
    results["machine"]["cores_free_end"] = cores_free()
    results["ratios"] = ratios(results, args.workers)
    results["targets"] = [
        {
            "key": key,
            "what": what,
            "target": f"{op} {limit}",
            "value": results["ratios"].get(key),
            "met": _met(results["ratios"].get(key), op, limit),
        }
        for key, op, limit, what in TARGETS
    ]
    return results


def _met(value: float | None, op: str, limit: float) -> bool | None:
    if value is None:
        return None
    return value >= limit if op == ">=" else value <= limit


def ratios(r: dict[str, Any], workers: int) -> dict[str, float | None]:
    sizes = r["sizes"]
    small, large = sizes[str(min(map(int, sizes)))], sizes[str(max(map(int, sizes)))]
    out: dict[str, float | None] = {}
    lib1 = small["library_w1"]
    out["library_vs_ftfy"] = round(lib1["mb_per_s"] / r["ftfy_synth"]["mb_per_s"], 2)
    out["library_vs_ftfy_seeds"] = round(
        r["library_seeds_w1"]["mb_per_s"] / r["ftfy_seeds"]["mb_per_s"], 2
    )
    two = large.get(f"library_w{workers}")
    out["two_cores_vs_one"] = (
        round(large["library_w1"]["wall_s"] / two["wall_s"], 2) if workers > 1 and two else None
    )
    best = f"library_w{workers}"
    out["peak_rss_mb_largest"] = large[best]["peak_rss_mb"]
    base = sizes.get("1000", small)[best]["peak_rss_mb"]
    out["rss_growth_largest_vs_1k"] = round(large[best]["peak_rss_mb"] / base, 3)
    # The target is stated for 10,000 dumps; the largest size is reported beside it.
    at = sizes.get("10000", large)
    inc = at.get("library_incremental")
    out["incremental_vs_full"] = round(inc["wall_s"] / at[best]["wall_s"], 4) if inc else None
    inc = large.get("library_incremental")
    out["incremental_vs_full_largest"] = (
        round(inc["wall_s"] / large[best]["wall_s"], 4) if inc else None
    )
    p = r.get("prefect")
    if p:
        lib = sizes[str(r["prefect_size"])][best]["wall_s"]
        local = p["cli_local_full"]["wall_s"]
        out["prefect_server_vs_library"] = round(p["server_full"]["wall_s"] / local, 3)
        out["prefect_server_vs_library_dedup"] = round(
            p["server_full_dedup"]["wall_s"] / p["cli_local_full_dedup"]["wall_s"], 3
        )
        out["prefect_ephemeral_vs_library"] = round(p["ephemeral_full"]["wall_s"] / local, 3)
        out["prefect_server_vs_run_folder"] = round(p["server_full"]["wall_s"] / lib, 3)
        out["cli_local_vs_run_folder"] = round(local / lib, 3)
        out["prefect_server_incremental_vs_full"] = round(
            p["server_incremental"]["wall_s"] / p["server_full"]["wall_s"], 4
        )
    return out


def table(r: dict[str, Any], workers: int) -> str:
    m = r["machine"]
    lines = [
        f"machine: {m.get('cpu_model', '?')}, {m['cpus']} CPUs, {m.get('mem_gb', '?')} GB, "
        f"Python {m['python']}, ftfy {m['ftfy']}, git {m.get('git', '?')}",
        f"load average at start {m['load_avg_start']}, at end {m['load_avg_end']}; two "
        f"CPU loops at once ran {r['cores_free_start']['parallel_speedup']}x one at the start, "
        f"{m['cores_free_end']['parallel_speedup']}x at the end (2 = two free cores)",
        "",
        f"{'dumps':>8} {'MB':>7} {'w':>2} {'wall s':>8} {'dumps/s':>8} {'MB/s':>6} "
        f"{'peak RSS MB':>11} {'workers RSS':>11} {'re-run s':>8}",
    ]
    for n, e in sorted(r["sizes"].items(), key=lambda kv: int(kv[0])):
        for w in sorted({1, workers}):
            x = e[f"library_w{w}"]
            inc = e.get("library_incremental", {}).get("wall_s", "") if w == workers else ""
            lines.append(
                f"{int(n):>8} {_mb(e['bytes']):>7.1f} {w:>2} {x['wall_s']:>8.2f} "
                f"{x['dumps_per_s']:>8.1f} {x['mb_per_s']:>6.2f} {x['peak_rss_mb']:>11.1f} "
                f"{x['peak_rss_workers_mb'] if w > 1 else '':>11} {inc!s:>8}"
            )
    fs, ls = r["ftfy_synth"], r["sizes"][str(min(map(int, r["sizes"])))]["library_w1"]
    lines += [
        "",
        f"bare ftfy.fix_text, generated dumps: {fs['mb_per_s']:.2f} MB/s; library (1 worker) "
        f"{ls['mb_per_s']:.2f} MB/s",
        f"bare ftfy.fix_text, seeds-like dumps: {r['ftfy_seeds']['mb_per_s']:.2f} MB/s; library "
        f"(1 worker) {r['library_seeds_w1']['mb_per_s']:.2f} MB/s",
    ]
    p = r.get("prefect")
    if p:
        n = r["prefect_size"]
        lines += [
            "",
            f"ingest run over {n} dumps, wall s (CLI, default workers): --local "
            f"{p['cli_local_full']['wall_s']:.2f}, via local server "
            f"{p['server_full']['wall_s']:.2f} (re-run {p['server_incremental']['wall_s']:.2f}),"
            f" ephemeral {p['ephemeral_full']['wall_s']:.2f}; with dedup: --local "
            f"{p['cli_local_full_dedup']['wall_s']:.2f}, via local server "
            f"{p['server_full_dedup']['wall_s']:.2f}; run_folder in-process, {workers} workers "
            f"{r['sizes'][str(n)][f'library_w{workers}']['wall_s']:.2f}",
            f"seeds, wall s: --local {p['cli_local_seeds']['wall_s']:.2f}, via local server "
            f"{p['server_seeds']['wall_s']:.2f}, ephemeral {p['ephemeral_seeds']['wall_s']:.2f} "
            f"(first, fresh PREFECT_HOME: {p['ephemeral_seeds_cold']['wall_s']:.2f}); server "
            f"start-up {p['server_startup_s']:.2f}",
        ]
    lines += ["", f"{'target':<58} {'value':>8} {'goal':>8}  met"]
    for t in r["targets"]:
        met = {True: "yes", False: "NO", None: "-"}[t["met"]]
        value = "-" if t["value"] is None else t["value"]
        lines.append(f"{t['what']:<58} {value!s:>8} {t['target']:>8}  {met}")
    extra = {k: v for k, v in r["ratios"].items() if k not in {t["key"] for t in r["targets"]}}
    lines += [f"{k}: {v}" for k, v in extra.items()]
    return "\n".join(lines)


def parse_sizes(text: str) -> list[int]:
    sizes = sorted({int(x) for x in text.replace(" ", "").split(",") if x})
    if not sizes or sizes[0] < 1:
        raise argparse.ArgumentTypeError("sizes: comma-separated positive numbers of dumps")
    return sizes


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["--child"]:
        print(json.dumps(JOBS[argv[1]](**json.loads(argv[2]))))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=parse_sizes, default=parse_sizes("1000,10000"))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workers", type=int, default=2, help="the multi-core run (default 2)")
    parser.add_argument("--batch-size", type=int, default=200, help="dumps per batch")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="default bench/out")
    parser.add_argument("--scratch", type=Path, help="where outputs are written (default: tmp)")
    parser.add_argument(
        "--no-prefect", dest="prefect", action="store_false", help="skip the Prefect runs"
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="also profile the 1-worker run at the smallest size (bench/out/profile.txt)",
    )
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    results = bench(args)
    path = args.out / "results.json"
    path.write_text(json.dumps({**results, "complete": True}, indent=2) + "\n")
    print(table(results, args.workers))
    print(f"\nwritten: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
