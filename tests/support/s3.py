"""Fixtures for the object-store tests (tests/store, tests/prefect): a real S3 API on loopback.

Registered for the whole suite by ``pytest_plugins`` in tests/conftest.py, so the session's
one S3 server serves every folder that asks for it.

- ``s3``: moto's server mode (``moto.server.ThreadedMotoServer``) on a free 127.0.0.1
  port, one per session, with dummy credentials. fsspec gets the endpoint from its own
  configuration (``FSSPEC_S3_ENDPOINT_URL``, read by every process, Dask workers
  included), exactly as a user points ingest at MinIO or another S3 API. Nothing can reach
  AWS: the endpoint is loopback and the instance-metadata lookup is off.
- ``corpus``: 15 dumps in two folders and a bad one, to clean from and into a bucket.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]

BUCKET = "ingest-scale-tests"
S3_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_EC2_METADATA_DISABLED": "true",  # never ask 169.254.169.254 for credentials
    "AWS_CONFIG_FILE": os.devnull,  # no profile of the developer's
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class S3:
    endpoint: str
    bucket: str
    fs: Any  # s3fs.S3FileSystem talking to the endpoint

    def url(self, key: str) -> str:
        return f"s3://{self.bucket}/{key}"

    def upload(self, folder: Path, key: str) -> str:
        """Copy a local folder of dumps to ``s3://bucket/key/``; return that URL."""
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                rel = path.relative_to(folder).as_posix()
                self.fs.pipe_file(f"{self.bucket}/{key}/{rel}", path.read_bytes())
        return self.url(key)

    def tree(self, key: str) -> dict[str, bytes]:
        """Every document object under ``key`` (the state folder left out)."""
        self.fs.invalidate_cache()
        prefix = f"{self.bucket}/{key}/"
        return {
            p[len(prefix) :]: bytes(self.fs.cat_file(p))
            for p in sorted(self.fs.find(prefix))
            if p.endswith(".json") and "/.ingest/" not in f"/{p[len(prefix) :]}"
        }


@pytest.fixture(scope="session")
def s3() -> Iterator[S3]:
    from moto.server import ThreadedMotoServer

    saved = {k: os.environ.get(k) for k in [*S3_ENV, "FSSPEC_S3_ENDPOINT_URL"]}
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    os.environ.update(S3_ENV)
    os.environ["FSSPEC_S3_ENDPOINT_URL"] = endpoint  # for processes started from here on
    import fsspec.config
    import s3fs

    saved_conf = fsspec.config.conf.get("s3")
    fsspec.config.conf["s3"] = {"endpoint_url": endpoint}  # this process read it at import
    fs = s3fs.S3FileSystem(endpoint_url=endpoint, skip_instance_cache=True)
    try:
        fs.mkdir(BUCKET)
        yield S3(endpoint, BUCKET, fs)
    finally:
        server.stop()
        if saved_conf is None:
            fsspec.config.conf.pop("s3", None)
        else:
            fsspec.config.conf["s3"] = saved_conf
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def local_tree(folder: Path) -> dict[str, bytes]:
    """Every document under ``folder`` (the state folder left out)."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*.json"))
        if ".ingest" not in p.relative_to(folder).parts
    }


@pytest.fixture(scope="session")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """15 dumps in two folders (seeds, golden cases, hand-written ones) and a bad one."""
    base = tmp_path_factory.mktemp("corpus") / "dumps"
    (base / "feeds").mkdir(parents=True)
    for path in sorted((ROOT / "seeds").glob("*.txt")):
        (base / path.name).write_bytes(path.read_bytes())
    for path in sorted((ROOT / "tests" / "golden").glob("*.txt")):
        (base / f"golden_{path.name}").write_bytes(path.read_bytes())
    for path in sorted((ROOT / "tests" / "realistic").glob("*.txt"))[:8]:
        (base / "feeds" / path.name).write_bytes(path.read_bytes())
    (base / "feeds" / "zz_broken.txt").write_bytes(b"\x00\x01\x02binary\x00" * 50)
    return base
