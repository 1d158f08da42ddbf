"""Chaos run of the scaled-out service: two nodes, one worker and one API killed mid-run, nothing lost.

Starts on this machine two nodes, each a `talktrack serve` API process and a `talktrack worker`
Celery process, sharing a fresh PostgreSQL database (`talktrack_chaos_<pid>_<run>`, dropped
afterwards), a fresh Celery queue on Redis and the audio store: an S3-compatible server (moto's,
`--storage s3`, the default) or a local directory (`--storage local`). A webhook receiver in this
process counts `call.analyzed` events.

It uploads `--calls` calls at `--rate` per second, alternating between the two APIs: a mix of real
transcripts (the first cues of samples/discovery_call.vtt) and real stereo audio (the first 12 s of
samples/discovery_call.wav), each with its own `Idempotency-Key`. After 30% of the uploads it
SIGKILLs node 1's worker (once that worker is running a job); after 50%, node 2's API. A request
that fails mid-flight is retried on the other API with the same key. Then it waits for the queue
to drain and checks, from the client's side and in the database:

- lost: an upload the client got a 202 for whose call is missing or has no stored audio;
- not done: accepted calls still queued or processing after `--drain-timeout`;
- duplicated: a second call for one key, a second job for one call, or a second `call.analyzed`
  (each is written in the transaction that finishes a job, so two mean a job completed twice);
- failed: calls that ended `failed`;
- webhooks: done calls whose `call.analyzed` arrived (each must).

A baseline run of the same size with no kills comes first (`--no-baseline` skips it) and the chaos
run's times are printed as ratios against it. Exits 1 when anything is lost, duplicated, failed,
not done or not notified.

    .venv/bin/python -m bench.chaos [--calls 100] [--storage s3|local] [--rate 2] [--no-baseline]
"""

from __future__ import annotations

import argparse
import asyncio
import io
import math
import os
import re
import shutil
import sys
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from bench.chaos_cluster import (
    Cluster,
    Kill,
    Storage,
    WebhookReceiver,
    audio_storage,
    cluster,
    kill_api_mid_upload,
    kill_worker_mid_job,
)

REPO = Path(__file__).resolve().parents[1]

AUDIO_SECONDS = 12.0  # of samples/discovery_call.wav: the rep's opening and the customer's answer
TRANSCRIPT_CUES = 8  # of samples/discovery_call.vtt: about 35 s of the same call
KILL_WORKER_AT = 0.3  # fraction of the uploads sent when node 1's worker is killed
KILL_API_AT = 0.5  # ... and node 2's API
MAX_ATTEMPTS = 8  # per upload, alternating APIs


# ---- inputs ------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Upload:
    index: int
    key: str  # Idempotency-Key, also the call's title
    filename: str
    content_type: str
    body: bytes

    @property
    def kind(self) -> str:
        return "audio" if self.content_type.startswith("audio/") else "transcript"


def sample_audio() -> bytes:
    """The first AUDIO_SECONDS of the bundled stereo sample call (rep left, customer right), as WAV."""
    import soundfile as sf

    path = REPO / "samples" / "discovery_call.wav"
    rate = sf.info(str(path)).samplerate
    data, _ = sf.read(str(path), frames=int(AUDIO_SECONDS * rate), dtype="int16")
    out = io.BytesIO()
    sf.write(out, data, rate, format="WAV", subtype="PCM_16")
    return out.getvalue()


def sample_transcript() -> str:
    """The first TRANSCRIPT_CUES cues of the bundled sample call's WebVTT."""
    blocks = re.split(r"\n\s*\n", (REPO / "samples" / "discovery_call.vtt").read_text().strip())
    return "\n\n".join(blocks[: 1 + TRANSCRIPT_CUES]) + "\n"


def make_uploads(n: int, audio_every: int, run: str) -> list[Upload]:
    """`n` uploads; every `audio_every`-th is audio (0: none). Transcripts differ by a NOTE line."""
    audio, vtt = sample_audio(), sample_transcript()
    out = []
    for i in range(n):
        key = f"chaos-{run}-{i:03d}"
        if audio_every and i % audio_every == audio_every - 1:
            out.append(Upload(i, key, f"call-{i}.wav", "audio/wav", audio))
        else:
            out.append(Upload(i, key, f"call-{i}.vtt", "text/vtt", f"{vtt}\nNOTE {key}\n".encode()))
    return out


# ---- the upload client -----------------------------------------------------------------------------

@dataclass
class Outcome:
    upload: Upload
    call_id: str | None = None
    status_code: int | None = None
    attempts: int = 0
    replayed: bool = False
    errors: list[str] = field(default_factory=list)
    accepted_at: float = 0.0


async def send(client: httpx.AsyncClient, urls: list[str], u: Upload, key: str, t0: float,
               in_flight: Counter[str]) -> Outcome:
    """POST one upload, retrying on the other API (same Idempotency-Key) when a request fails."""
    out = Outcome(u)
    for attempt in range(MAX_ATTEMPTS):
        url = urls[(u.index + attempt) % len(urls)]
        out.attempts += 1
        in_flight[url] += 1
        try:
            r = await client.post(f"{url}/v1/calls", files={"file": (u.filename, u.body, u.content_type)},
                                  data={"title": u.key}, headers={"Authorization": f"Bearer {key}",
                                                                  "Idempotency-Key": u.key})
        except httpx.TransportError as exc:
            in_flight[url] -= 1
            out.errors.append(f"{url}: {type(exc).__name__}")
        else:
            in_flight[url] -= 1
            out.status_code = r.status_code
            if r.status_code == 202:
                out.call_id = r.json()["id"]
                out.replayed = r.headers.get("Idempotent-Replayed") == "true"
                out.accepted_at = time.monotonic() - t0
                return out
            if r.status_code < 500 and r.status_code != 429:
                out.errors.append(f"{url}: {r.status_code} {r.text[:200]}")
                return out  # the request itself is wrong: retrying cannot help
            out.errors.append(f"{url}: {r.status_code}")
        await asyncio.sleep(min(2.0, 0.2 * 2 ** attempt))
    return out


async def drive(c: Cluster, uploads: list[Upload], rate: float, concurrency: int,
                chaos: bool) -> tuple[list[Outcome], list[Kill], float]:
    """Send the uploads on a fixed schedule (`rate` per second, at most `concurrency` at once); with
    `chaos`, kill node 1's worker and node 2's API on the way. Returns outcomes, kills and t0."""
    urls = [n.url for n in c.nodes]
    gate = asyncio.Semaphore(concurrency)
    in_flight: Counter[str] = Counter()  # requests on the wire, by API
    kills: list[asyncio.Task[Kill]] = []
    worker_at = math.ceil(KILL_WORKER_AT * len(uploads)) if chaos else -1
    api_at = math.ceil(KILL_API_AT * len(uploads)) if chaos else -1
    t0 = time.monotonic()

    async with httpx.AsyncClient(timeout=120, limits=httpx.Limits(max_connections=2 * concurrency)) as client:
        async def one(u: Upload) -> Outcome:
            async with gate:
                return await send(client, urls, u, c.key, t0, in_flight)

        pending = []
        for u in uploads:
            await asyncio.sleep(max(0.0, t0 + u.index / rate - time.monotonic()))
            pending.append(asyncio.create_task(one(u)))
            if u.index == worker_at:
                kills.append(asyncio.create_task(asyncio.to_thread(kill_worker_mid_job, c, c.nodes[0], t0, u.index)))
            if u.index == api_at:
                kills.append(asyncio.create_task(asyncio.to_thread(kill_api_mid_upload, c.nodes[1], t0, u.index,
                                                                   in_flight)))
        outcomes = await asyncio.gather(*pending)
        killed = await asyncio.gather(*kills)
    return list(outcomes), sorted(killed, key=lambda k: k.at_s), t0


# ---- checks ----------------------------------------------------------------------------------------

@dataclass
class RunResult:
    label: str
    uploaded: int
    accepted: int
    lost: int
    duplicated: int
    failed: int
    not_done: int
    retried_uploads: int
    replayed: int
    rerun_jobs: int
    webhooks: int
    audio_in_store: int
    audio_left_local: int
    upload_s: float
    drain_s: float
    total_s: float
    kills: list[Kill]
    problems: list[str]
    startup_s: float = 0.0  # until both APIs answer (the workers start alongside)

    @property
    def ok(self) -> bool:
        return (not (self.lost or self.duplicated or self.failed or self.not_done)
                and self.uploaded == self.accepted == self.webhooks)


def wait_drained(c: Cluster, call_ids: set[str], hooks: WebhookReceiver, timeout: float) -> bool:
    """Until every accepted call is done or failed and each done one's webhook arrived."""
    from sqlmodel import Session, col, select

    from models import Call
    from service.core.db import get_engine

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with Session(get_engine(c.settings)) as s:
            rows = s.exec(select(Call.id, Call.status).where(col(Call.id).in_(call_ids))).all()
        finished = {cid for cid, status in rows if status in ("done", "failed")}
        done = {cid for cid, status in rows if status == "done"}
        if finished == call_ids and done <= set(hooks.calls()):
            return True
        time.sleep(0.25)
    return False


def stored_audio(c: Cluster, storage: Storage, keys: list[str]) -> tuple[int, int]:
    """(calls whose file is in the store, files left in the local audio directory)."""
    local_dir = c.settings.resolved_audio_dir()
    local = [p for p in (local_dir / "calls").rglob("*") if p.is_file()] if (local_dir / "calls").is_dir() else []
    if storage.kind == "local":
        return sum(1 for k in keys if (local_dir / k).is_file()), 0
    assert storage.server is not None
    objects = storage.server.keys(storage.bucket)
    return sum(1 for k in keys if any(o.endswith(k) for o in objects)), len(local)


def check(label: str, c: Cluster, storage: Storage, outcomes: list[Outcome], hooks: WebhookReceiver,
          kills: list[Kill], t0: float, drain_timeout: float) -> RunResult:
    from sqlmodel import Session, select

    from models import Call, Job, WebhookDelivery
    from service.core.db import get_engine

    accepted = [o for o in outcomes if o.call_id]
    ids = {o.call_id for o in accepted if o.call_id}
    last_accept = max((o.accepted_at for o in accepted), default=0.0)
    wait_drained(c, ids, hooks, drain_timeout)
    drained = time.monotonic() - t0
    problems = [f"upload {o.upload.key} not accepted: {o.errors}" for o in outcomes if not o.call_id]

    with Session(get_engine(c.settings)) as s:
        calls = {row.id: row for row in s.exec(select(Call)).all()}
        jobs = s.exec(select(Job)).all()
        completions = Counter(d.call_id for d in s.exec(select(WebhookDelivery)).all() if d.event == "call.analyzed")
    by_key = Counter(row.idempotency_key for row in calls.values())
    jobs_per_call = Counter(j.call_id for j in jobs)
    received = hooks.calls()

    lost = 0
    for o in accepted:
        row = calls.get(o.call_id or "")
        if row is None or row.idempotency_key != o.upload.key:
            lost += 1
            problems.append(f"lost: {o.upload.key} -> {o.call_id} ({row.idempotency_key if row else 'no row'})")
    # A key stored twice, a call with two jobs, or a job that completed twice (two call.analyzed).
    twice = [n - 1 for n in by_key.values() if n > 1] + [n - 1 for n in jobs_per_call.values() if n > 1]
    twice += [max(completions[cid], received[cid]) - 1 for cid in calls
              if max(completions[cid], received[cid]) > 1]
    duplicated = sum(twice)
    if duplicated:
        problems.append(f"duplicated: keys {dict(by_key)}, jobs {dict(jobs_per_call)}, "
                        f"completions {dict(completions)}")
    accepted_keys = {o.upload.key for o in accepted}
    problems += [f"stored without a 2xx: {row.idempotency_key} -> {row.id}" for row in calls.values()
                 if row.idempotency_key not in accepted_keys]
    failed = [row for row in calls.values() if row.status == "failed"]
    problems += [f"failed: {row.title}: {row.error}" for row in failed]
    not_done = sum(1 for cid in ids if cid in calls and calls[cid].status not in ("done", "failed"))
    if not_done:
        problems.append(f"{not_done} calls not finished after --drain-timeout {drain_timeout:g} s")
    unnotified = sum(1 for cid in ids if cid in calls and calls[cid].status == "done" and not received.get(cid))
    if unnotified:
        problems.append(f"{unnotified} done calls without a call.analyzed webhook")
    in_store, left_local = stored_audio(c, storage, [calls[cid].storage_key or "" for cid in ids if cid in calls])
    missing_audio = len(ids) - in_store
    if missing_audio:
        problems.append(f"{missing_audio} accepted calls have no file in the {storage.kind} store")
    if left_local:
        problems.append(f"{left_local} audio files left in the local data directory with S3 configured")
    return RunResult(
        label=label, uploaded=len(outcomes), accepted=len(accepted), lost=lost + missing_audio, duplicated=duplicated,
        failed=len(failed), not_done=not_done, retried_uploads=sum(1 for o in outcomes if o.attempts > 1),
        replayed=sum(1 for o in outcomes if o.replayed), rerun_jobs=sum(1 for j in jobs if j.attempts > 1),
        webhooks=sum(1 for cid in ids if received.get(cid)), audio_in_store=in_store, audio_left_local=left_local,
        upload_s=last_accept, drain_s=drained - last_accept, total_s=drained, kills=kills, problems=problems)


# ---- one run, the report, main ---------------------------------------------------------------------

@dataclass(frozen=True)
class Options:
    calls: int = 100
    storage: str = "s3"
    rate: float = 2.0
    concurrency: int = 8
    audio_every: int = 4
    drain_timeout: float = 1200.0


def run_once(label: str, opts: Options, chaos: bool, tmp: Path) -> RunResult:
    """One run on fresh servers, database, queue and store: upload, (kill,) drain, check."""
    run = f"{label}_{uuid.uuid4().hex[:6]}"
    tmp.mkdir(parents=True)
    uploads = make_uploads(opts.calls, opts.audio_every, run)
    hooks = WebhookReceiver()
    try:
        started = time.monotonic()
        with audio_storage(opts.storage, tmp) as storage, cluster(label, tmp, storage) as c:
            startup_s = time.monotonic() - started
            r = httpx.post(f"{c.nodes[0].url}/v1/webhooks", json={"url": hooks.url, "events": ["call.analyzed"]},
                           headers={"Authorization": f"Bearer {c.key}"}, timeout=30)
            r.raise_for_status()
            outcomes, kills, t0 = asyncio.run(drive(c, uploads, opts.rate, opts.concurrency, chaos))
            result = check(label, c, storage, outcomes, hooks, kills, t0, opts.drain_timeout)
            result.startup_s = startup_s
            return result
    finally:
        hooks.close()


def print_report(results: list[RunResult], opts: Options) -> None:
    audio = sum(1 for i in range(opts.calls) if opts.audio_every and i % opts.audio_every == opts.audio_every - 1)
    print(f"cores: {os.cpu_count()}, load average at end: {os.getloadavg()[0]:.1f}; {opts.calls} calls "
          f"({opts.calls - audio} transcripts of {TRANSCRIPT_CUES} cues, {audio} stereo recordings of "
          f"{AUDIO_SECONDS:.0f} s) at {opts.rate:g}/s over 2 APIs, 2 Celery workers; storage: {opts.storage}\n")
    print("| run | uploaded | accepted (2xx) | lost | duplicated | failed | not done | uploads retried | "
          "replayed by key | jobs re-run | webhooks | audio in store | start-up s | upload s | drain s | total s |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in results:
        print(f"| {r.label} | {r.uploaded} | {r.accepted} | {r.lost} | {r.duplicated} | {r.failed} | {r.not_done} | "
              f"{r.retried_uploads} | {r.replayed} | {r.rerun_jobs} | {r.webhooks} | {r.audio_in_store} | "
              f"{r.startup_s:.1f} | {r.upload_s:.1f} | {r.drain_s:.1f} | {r.total_s:.1f} |")
    kills = [(r.label, k) for r in results for k in r.kills]
    if kills:
        print("\n| run | killed (SIGKILL) | pid | at s | after upload | it was |")
        print("|---|---|---:|---:|---:|---|")
        for label, k in kills:
            print(f"| {label} | {k.process} | {k.pid} | {k.at_s:.1f} | {k.after_uploads} | {k.doing} |")
    if len(results) == 2:
        base, chaos = results
        print(f"\nchaos / baseline: drain time {chaos.drain_s / max(base.drain_s, 0.1):.2f}, "
              f"total time {chaos.total_s / max(base.total_s, 0.1):.2f}")
    for r in results:
        for p in r.problems[:20]:
            print(f"{r.label}: {p}")
    print("\nzero lost, duplicated, failed: " + ("met" if all(r.ok for r in results) else "MISSED"))


def parse_args(argv: list[str] | None) -> tuple[Options, bool, bool]:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--calls", type=int, default=Options.calls, help="calls to upload per run")
    ap.add_argument("--storage", choices=("s3", "local"), default=Options.storage,
                    help="audio store: moto's S3 server (default) or a shared local directory")
    ap.add_argument("--rate", type=float, default=Options.rate, help="uploads started per second")
    ap.add_argument("--concurrency", type=int, default=Options.concurrency, help="uploads in flight at most")
    ap.add_argument("--audio-every", type=int, default=Options.audio_every,
                    help="every Nth call is a recording, the others transcripts (0: transcripts only)")
    ap.add_argument("--drain-timeout", type=float, default=Options.drain_timeout, help="seconds to wait for the queue")
    ap.add_argument("--no-baseline", action="store_true", help="skip the run without kills")
    ap.add_argument("--keep", action="store_true", help="keep the logs' temporary directory")
    a = ap.parse_args(argv)
    if a.calls < 4:
        ap.error("--calls must be at least 4 (kills happen at 30%% and 50%% of the uploads)")
    opts = Options(a.calls, a.storage, a.rate, a.concurrency, a.audio_every, a.drain_timeout)
    return opts, not a.no_baseline, a.keep


def main(argv: list[str] | None = None) -> int:
    opts, baseline, keep = parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    tmp = Path(tempfile.mkdtemp(prefix="talktrack-chaos-"))
    results = []
    try:
        if baseline:
            results.append(run_once("baseline", opts, chaos=False, tmp=tmp / "baseline"))
        results.append(run_once("chaos", opts, chaos=True, tmp=tmp / "chaos"))
    finally:
        if keep:
            print(f"logs in {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    print_report(results, opts)
    return 0 if all(r.ok for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
