"""An unchanged re-run on object storage: requests and wall time (docs/scale-out.md).

Starts moto's S3 server on a free loopback port, uploads N generated dumps spread over F
folders, cleans them bucket to bucket once, then times an unchanged re-run and counts the
S3 requests it sends by kind (at s3fs's one door to the API). Run it against another
checkout's code with ``PYTHONPATH=that/src`` to compare.

    python bench/s3_rerun_bench.py -n 2000 --folders 200
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import sys
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

os.environ.update(
    AWS_ACCESS_KEY_ID="bench", AWS_SECRET_ACCESS_KEY="bench", AWS_DEFAULT_REGION="us-east-1",
    AWS_EC2_METADATA_DISABLED="true", AWS_CONFIG_FILE=os.devnull,
    AWS_SHARED_CREDENTIALS_FILE=os.devnull,
)  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=2000, help="dumps (default 2000)")
    parser.add_argument("--folders", type=int, default=200, help="folders (default 200)")
    args = parser.parse_args()

    from moto.server import ThreadedMotoServer

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    os.environ["FSSPEC_S3_ENDPOINT_URL"] = endpoint
    import logging

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    import fsspec.config
    import s3fs

    fsspec.config.conf["s3"] = {"endpoint_url": endpoint}
    from tests.support.synth import corpus_seed, generate_dump

    from ingest.engine import run_folder
    from ingest.rules import load_rules
    from ingest.store import location

    fs = s3fs.S3FileSystem(endpoint_url=endpoint, skip_instance_cache=True)
    fs.mkdir("bench")
    for i in range(args.n):
        data = generate_dump(corpus_seed(0, i)).data
        fs.pipe_file(f"bench/dumps/f{i % args.folders:04d}/d{i:06d}.txt", data)
    rules = load_rules()
    when = datetime(2025, 8, 15, 12, tzinfo=UTC)
    src, out = location("s3://bench/dumps"), location("s3://bench/out")
    first = run_folder(src, out, rules, scraped_at=when, workers=1)

    calls: Counter[str] = Counter()
    original = s3fs.S3FileSystem._call_s3

    async def counting(self: Any, method: str, *a: Any, **k: Any) -> Any:
        calls[method] += 1
        return await original(self, method, *a, **k)

    s3fs.S3FileSystem._call_s3 = counting  # type: ignore[method-assign]
    started = time.perf_counter()
    again = run_folder(
        location("s3://bench/dumps"), location("s3://bench/out"), rules, scraped_at=when,
        workers=1,
    )  # fmt: skip
    wall = time.perf_counter() - started
    server.stop()
    print(
        json.dumps(
            {
                "dumps": args.n,
                "folders": args.folders,
                "first_processed": first.processed,
                "rerun_unchanged": again.unchanged,
                "rerun_wall_s": round(wall, 2),
                "rerun_requests": dict(sorted(calls.items())),
            },
            indent=1,
        )
    )


if __name__ == "__main__":
    main()
