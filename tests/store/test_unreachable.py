"""An object store that cannot be reached stops the run with one message naming the host.

A machine started without the storage endpoint (a Dask worker, or the client) meets a
connection error on every dump: instead of a traceback, or every dump recorded as a bug of
the cleaner, the run stops (exit 3) saying which host could not reach which endpoint and
what to set there.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from ingest.engine.process import process_file
from ingest.errors import OutputError
from ingest.rules import Rules
from ingest.store import RemotePath
from ingest.store.remote import RemoteOutput, RemoteSource
from tests.support.s3 import ROOT, S3, free_port

INGEST = str(Path(sys.executable).with_name("ingest"))


def test_a_worker_without_the_endpoint_names_its_host(s3: S3, rules: Rules) -> None:
    import s3fs

    dead = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    fs = s3fs.S3FileSystem(
        endpoint_url=dead, skip_instance_cache=True, config_kwargs={"retries": {"max_attempts": 1}}
    )
    src = RemoteSource(RemotePath(fs, f"{s3.bucket}/nowhere/dumps"))
    out = RemoteOutput(RemotePath(fs, f"{s3.bucket}/nowhere/out"))
    with pytest.raises(OutputError) as caught:
        process_file(src, "a.txt", out, rules)
    message = str(caught.value)
    assert f"from host {socket.gethostname()} (pid {os.getpid()}" in message
    assert "127.0.0.1" in message and "FSSPEC_S3_ENDPOINT_URL" in message


def test_a_worker_without_credentials_names_its_host_and_what_it_lacks(
    s3: S3, rules: Rules, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No keys on a machine: every dump would fail as a `cleaner_error` ("a bug in ingest");
    the step stops the run instead, naming the host and the credentials it looked for."""
    import s3fs

    s3.fs.pipe_file(f"{s3.bucket}/nokeys-unit/dumps/a.txt", b"Headline\n\nA story.\n")
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    bare = s3fs.S3FileSystem(endpoint_url=s3.endpoint, skip_instance_cache=True)
    out = RemoteOutput(RemotePath(bare, f"{s3.bucket}/nokeys-unit/out"))
    src = RemoteSource(RemotePath(bare, f"{s3.bucket}/nokeys-unit/dumps"))
    with pytest.raises(OutputError) as caught:
        process_file(src, "a.txt", out, rules)
    message = str(caught.value)
    assert message.startswith(
        f"no credentials for the object store on host {socket.gethostname()} "
        f"(pid {os.getpid()}: no AWS_ACCESS_KEY_ID, no AWS_SECRET_ACCESS_KEY, no credentials file"
    ), message
    assert "NoCredentialsError" in message and "docs/scale-out.md" in message


def test_the_cli_says_which_host_cannot_reach_the_store(tmp_path: Path, s3: S3) -> None:
    dead = f"http://127.0.0.1:{free_port()}"
    env = {**os.environ, "FSSPEC_S3_ENDPOINT_URL": dead, "AWS_MAX_ATTEMPTS": "1"}
    done = subprocess.run(
        [INGEST, "run", "--local", str(ROOT / "seeds"), "--out", s3.url("nowhere/cli")],
        env=env, capture_output=True, text=True, timeout=120, cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 3, done.stderr
    assert "Traceback" not in done.stderr
    assert f"cannot be reached from host {socket.gethostname()}" in done.stderr
    assert f"FSSPEC_S3_ENDPOINT_URL={dead}" in done.stderr


def test_keys_the_store_refuses_stop_the_run_but_one_object_denied_does_not() -> None:
    from botocore.exceptions import ClientError

    from ingest.errors import store_problem

    def translated(code: str) -> PermissionError:  # as s3fs raises a refused request
        error = PermissionError(f"{code} message")
        error.__cause__ = ClientError({"Error": {"Code": code, "Message": "m"}}, "GetObject")
        return error

    refused = store_problem(translated("InvalidAccessKeyId"))
    assert refused is not None
    assert str(refused).startswith(
        f"the object store refused the credentials of host {socket.gethostname()}"
    )
    assert store_problem(translated("AccessDenied")) is None  # one object's permissions
