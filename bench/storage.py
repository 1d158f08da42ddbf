"""Audio store throughput and memory: the local directory against S3 (a moto server on loopback).

Writes one file of `--mib` MiB through each store's streaming interface in 64 KiB chunks (as an
upload arrives), commits it, reads it back for the analysis (`local_copy`) and ranges as the
player asks for them (`open_range`, 64 KiB at a time). Memory is the peak of Python allocations
(tracemalloc) while writing: bounded by the part size for S3, never the file's size. Prints a
markdown table with S3/local ratios. moto keeps objects in memory and runs on this machine, so
the S3 column shows Talktrack's and boto3's own cost, not a network's.

    .venv/bin/python -m bench.storage [--mib 64]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

from devstack.stack import start_s3_server
from service.storage import AudioStore, LocalAudioStore
from service.storage.s3 import S3AudioStore

REPO = Path(__file__).resolve().parents[1]

CHUNK = 64 * 1024
MIB = 1024 * 1024


def measure(store: AudioStore, data: bytes) -> dict[str, float]:
    tracemalloc.start()
    started = time.perf_counter()
    sink, temp_key = store.open_temp()
    for i in range(0, len(data), CHUNK):
        sink.write(data[i:i + CHUNK])
    sink.close()
    store.commit(temp_key, "calls/bench/original.wav")
    write_s = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    started = time.perf_counter()
    with store.local_copy("calls/bench/original.wav") as path:
        assert path.stat().st_size == len(data)
    copy_s = time.perf_counter() - started
    started = time.perf_counter()
    for start in (i * (len(data) - CHUNK) // 49 for i in range(50)):  # a player seeking 50 times
        assert len(b"".join(store.open_range("calls/bench/original.wav", start, start + CHUNK - 1))) == CHUNK
    range_ms = (time.perf_counter() - started) / 50 * 1000
    store.delete_prefix("calls/bench")
    mib = len(data) / MIB
    return {"write MiB/s": mib / write_s, "write peak MiB (tracemalloc)": peak / MIB,
            "file for the analysis s (a download for S3)": copy_s, "64 KiB range ms": range_ms}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mib", type=int, default=64)
    args = parser.parse_args()
    data = os.urandom(args.mib * MIB)
    with tempfile.TemporaryDirectory() as logs:
        moto = start_s3_server(Path(logs) / "moto.log")
        try:
            client: Any = moto.client()
            client.create_bucket(Bucket="bench")
            with tempfile.TemporaryDirectory() as folder:
                local = measure(LocalAudioStore(Path(folder)), data)
            s3 = measure(S3AudioStore("bench", "audio", client=client), data)
        finally:
            moto.proc.stop()
    print(f"{args.mib} MiB file, 64 KiB writes; S3 = moto server on loopback\n")
    print("| measure | local dir | S3 | S3 / local |")
    print("|---|---:|---:|---:|")
    for name in local:
        ratio = f"{s3[name] / local[name]:.2f}" if local[name] >= 0.01 else "-"
        print(f"| {name} | {local[name]:.2f} | {s3[name]:.2f} | {ratio} |")


if __name__ == "__main__":
    main()
