"""`talktrack backup` and `talktrack restore` at size: a SQLite data directory of N analysed calls.

Builds a throwaway data directory (migrated schema, one organization, N calls each with a stored
file of `--kib` KiB and a real analysis: the sample call's, `samples/discovery_call.vtt`, stored once
per call with a scorecard and an outcome), then backs it up, wipes it and restores it with the
commands' own functions, and prints the time, the size and the throughput of each. The baseline is a
plain recursive copy (`shutil.copytree`) of the same data directory, in the same run.

    .venv/bin/python -m bench.backup [--calls 1000] [--kib 256]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def build(data: Path, calls: int, kib: int) -> int:
    """The data directory: returns the bytes of stored files."""
    from sqlmodel import Session

    from models import Call, CallResult, Organization, Outcome, ScorecardRecord
    from service.core.config import Settings
    from service.core.db import get_engine, run_migrations

    analysis = subprocess.run([sys.executable, "-m", "service.cli", "analyze", str(REPO / "samples/discovery_call.vtt"),
                               "--format", "json"], capture_output=True, text=True, check=True).stdout
    card = json.dumps({"comments": [{"text": "Good open question", "call_time_s": 12.0, "by": None}], "items": []})
    settings = Settings(data_dir=data)
    run_migrations(settings)
    size = 0
    with Session(get_engine(settings)) as s:
        org = Organization(name="Bench")
        s.add(org)
        s.flush()
        for i in range(calls):
            call = Call(org_id=org.id, media_kind="audio", status="done")
            call.storage_key = f"calls/{call.id}/original.wav"
            path = settings.resolved_audio_dir() / call.storage_key
            path.parent.mkdir(parents=True, exist_ok=True)
            body = os.urandom(kib * 1024)
            path.write_bytes(body)
            size += len(body)
            s.add(call)
            s.flush()
            s.add(CallResult(call_id=call.id, analysis_json=analysis))
            s.add(ScorecardRecord(org_id=org.id, call_id=call.id, rubric_id="default", card_json=card))
            s.add(Outcome(org_id=org.id, call_id=call.id, outcome="won" if i % 2 else "lost"))
        s.commit()
    get_engine(settings).dispose()
    return size


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--calls", type=int, default=1000)
    ap.add_argument("--kib", type=int, default=256, help="size of each call's stored file")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="tt-bench-backup-") as tmp:
        root = Path(tmp)
        data = root / "data"
        os.environ["TALKTRACK_DATA_DIR"] = str(data)
        os.environ.pop("TALKTRACK_DATABASE_URL", None)
        os.environ.pop("TALKTRACK_STORAGE_URL", None)
        stored = build(data, args.calls, args.kib)
        db_bytes = (data / "talktrack.db").stat().st_size
        from service.commands.backup import make_backup
        from service.commands.restore import restore_backup

        t0 = time.perf_counter()
        shutil.copytree(data, root / "plain-copy")
        plain = time.perf_counter() - t0
        t0 = time.perf_counter()
        manifest = make_backup(root / "backup")
        backup_s = time.perf_counter() - t0
        total = sum(f["bytes"] for f in manifest.files.values())
        shutil.rmtree(data)
        t0 = time.perf_counter()
        restored, _ = restore_backup(root / "backup")
        restore_s = time.perf_counter() - t0
        assert restored.counts["calls"] == args.calls
    mib = total / 1024 / 1024
    print(f"{args.calls} calls, {args.kib} KiB file each; database {db_bytes / 1024 / 1024:.1f} MiB; "
          f"backup {mib:.1f} MiB in {len(manifest.files)} files (stored files {stored / 1024 / 1024:.1f} MiB)\n")
    print("| step | seconds | MiB/s | x plain copy |")
    print("|---|---:|---:|---:|")
    print(f"| plain copy of the data directory (baseline) | {plain:.2f} | {mib / plain:.0f} | 1.0 |")
    print(f"| `talktrack backup` (online backup, copy, SHA-256, manifest) | {backup_s:.2f} | {mib / backup_s:.0f} | "
          f"{backup_s / plain:.1f} |")
    print(f"| `talktrack restore` (verify every file, write, switch) | {restore_s:.2f} | {mib / restore_s:.0f} | "
          f"{restore_s / plain:.1f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
