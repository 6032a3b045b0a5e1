"""Choosing the task runner at run time (no Prefect server, no cluster started)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.cli import build_parser
from ingest.prefect.runners import (
    RunnerChoice,
    choice_from_env,
    choose_runner,
    env_for_runner,
    shared_location_problem,
    task_runner,
)
from ingest.store import RemotePath


@pytest.mark.parametrize(
    ("workers", "address", "message"),
    [
        (0, None, "--workers must be 1 or more"),
        (2, "tcp://h:8786", "not both"),
        (None, "http://h:8786", "not a scheduler address"),
        (None, "h:8786", "not a scheduler address"),
    ],
)
def test_bad_choices_say_why(workers: int | None, address: str | None, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        choose_runner(workers, address)


def test_runner_kinds_and_environment_round_trip() -> None:
    from prefect_dask.task_runners import DaskTaskRunner

    assert task_runner(RunnerChoice("local")) is None
    for choice in (choose_runner(workers=3), choose_runner(dask_address="tcp://10.0.0.5:8786")):
        assert choice_from_env(env_for_runner(choice)) == choice
        runner = task_runner(choice)
        assert isinstance(runner, DaskTaskRunner)
    local = task_runner(choose_runner(workers=3))
    assert local.cluster_kwargs["n_workers"] == 3 and local.cluster_kwargs["processes"]
    assert local.cluster_kwargs["host"] == "127.0.0.1"


def test_cli_takes_urls_and_scale_options() -> None:
    args = build_parser().parse_args(
        ["run", "s3://bucket/dumps/", "--out", "file:///tmp/out", "--workers", "2"]
    )
    assert isinstance(args.src, RemotePath) and str(args.src) == "s3://bucket/dumps"
    assert str(args.out) == "/tmp/out" and args.workers == 2
    with pytest.raises(SystemExit):
        build_parser().parse_args(["run", "seeds", "--workers", "2", "--dask-address", "tcp://h:1"])


def test_remote_scheduler_with_local_paths_is_warned_about() -> None:
    remote = choose_runner(dask_address="tcp://10.0.0.5:8786")
    warning = shared_location_problem(remote, Path("dumps"), "s3://bucket/out/")
    assert warning and warning.startswith("dumps is a local path")
    assert shared_location_problem(remote, "s3://b/in", "s3://b/out") is None
    assert shared_location_problem(choose_runner(workers=2), Path("dumps")) is None


def test_the_flow_pickles_as_served_runs_ship_it() -> None:
    """`ingest serve`'s runner cloudpickles the flow (its function by value) into each run's
    subprocess: a module-level object with a lock among the function's globals made every
    scheduled run crash before it started ("cannot pickle '_thread.RLock' object")."""
    import cloudpickle

    from ingest.prefect.api import load_flow

    flow = load_flow()
    again = cloudpickle.loads(cloudpickle.dumps(flow))
    assert again.name == flow.name
    assert again.fn.__name__ == flow.fn.__name__
