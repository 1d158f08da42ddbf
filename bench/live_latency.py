"""Live calls over loopback: per-event latency with several calls at once, live vs offline word
error rate, and memory over a long stream.

A private Talktrack server (the real FastAPI app with the live router, uvicorn, one Whisper worker
thread) runs on a loopback port inside this process; clients stream real recordings through the
WebSocket at real-time speed, as `talktrack live` does.

Latency of an event = the time it arrives at the client minus the time the client had sent the
audio up to the end of the utterance it is about (a suggestion counts from the end of the
utterance that triggered it; a clock-driven nudge from its `at`). It includes the endpointing
silence, queueing behind the other calls' utterances, Whisper, spaCy and the rules.

Recordings: the bundled stereo discovery call (espeak-ng voices, script as reference) and a mono
"call" made of the real recordings in ../shared/data with human references (pyannote phone sample
from 6.6 s, the AMI headset clip, LibriSpeech 2412-153948-0000, jfk, two LJSpeech clips), 1 s of
silence between them. WER: `normalize_text` on both sides, fillers dropped (the references do
not write them); stereo is scored per channel against that speaker's script lines.

Mandarin next to English (same run, same server, one call at a time, real time): a mono Mandarin
"call" of the 13 read AISHELL-1 sentences in bench/data/zh (1.5 s of silence between), started
with `"language": "zh"` (the multilingual Whisper base, Simplified output, the Chinese language stage),
against a mono English call of the real English clips (jfk, LibriSpeech 2412-153948-0000, the AMI
headset clip, two LJ Speech clips, 1.5 s apart) on the default language (tiny.en). Mandarin is scored
by character error rate (Simplified, punctuation and spaces removed).

    .venv/bin/python -m bench.live_latency            # about 15 minutes on 2 busy cores
    .venv/bin/python -m bench.live_latency --quick    # 1 and 2 streams, 5-minute memory stream
    .venv/bin/python -m bench.live_latency --languages-only   # Mandarin next to English only (~3 minutes)
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from bench.zh_speech import REPO_ZH, folder_items  # noqa: E402
from service.commands.live import StreamResult, embedded_server, read_recording, stream_recording  # noqa: E402 (after HF_HUB_OFFLINE is set)
from transcription.textnorm import normalize_text  # noqa: E402

DATA = ROOT / ".." / "shared" / "data"
SAMPLE = ROOT / "samples" / "discovery_call.wav"
SCRIPT = ROOT / "samples" / "discovery_call.script.json"


def mono_playlist() -> tuple[np.ndarray, str]:
    """The real recordings with references, joined with 1 s silences; returns (1, n) and the reference."""
    from transcription.audio import load_audio

    asr = DATA / "asr"
    refs: dict[str, str] = {}
    for table in sorted(asr.glob("references-*.tsv")):  # the columns differ: find reference_text by name
        header, *rows = [r.split("\t") for r in table.read_text().splitlines() if "\t" in r]
        column = header.index("reference_text")
        refs.update({row[0]: row[column] for row in rows})
    stm = [line.split() for line in (DATA / "diarization" / "pyannote-sample" / "sample.stm").read_text().splitlines()]
    parts: list[np.ndarray] = []
    texts: list[str] = []
    phone = load_audio(DATA / "diarization" / "pyannote-sample" / "sample.wav").mean(axis=0)
    parts.append(phone[int(6.6 * 16000):])  # its references start at 6.6 s
    texts.append(" ".join(" ".join(r[5:]) for r in stm))
    for name in ("ES2011a.Headset-0-40s-46s.wav", "2412-153948-0000.flac", "jfk.flac", "LJ002-0020.wav",
                 "LJ002-0035.wav"):
        parts.append(load_audio(asr / name).mean(axis=0))
        texts.append(refs[name])
    silence = np.zeros(16000, dtype=np.float32)
    joined = np.concatenate([x for p in parts for x in (p.astype(np.float32), silence)])
    return joined[None, :], " ".join(texts)


def wer(ref: str, hyp: str) -> tuple[float, int]:
    import jiwer

    r, h = normalize_text(ref, drop_fillers=True), normalize_text(hyp, drop_fillers=True)
    return float(jiwer.wer(r, h)), len(r.split())


def live_text(result: StreamResult, speaker: str | None = None) -> str:
    utts = [u for u in result.of_type("utterance") if speaker is None or u["speaker"] == speaker]
    return " ".join(u["text"] for u in sorted(utts, key=lambda u: u["start"]))


def offline_words(path_or_samples: Path | np.ndarray, tmp: Path) -> dict[str, Any]:
    import soundfile as sf

    from service.analysis.files import AnalyzeOptions, analyze_path

    path = path_or_samples
    if isinstance(path_or_samples, np.ndarray):
        path = tmp / "playlist.wav"
        sf.write(path, path_or_samples.T, 16000, subtype="PCM_16")
    assert isinstance(path, Path)
    return analyze_path(path, AnalyzeOptions()).to_dict()


def latencies(result: StreamResult) -> tuple[list[float], list[float]]:
    """(utterance latencies, suggestion latencies) in seconds."""
    ends = {}
    utt: list[float] = []
    sug: list[float] = []
    for event, got in zip(result.events, result.received_at, strict=True):
        if event["type"] == "utterance":
            ends[event["index"]] = event["end"]
            utt.append(got - result.sent_at(event["end"]))
        elif event["type"] == "suggestion":
            at = ends.get(event["utterance"], event["at"]) if event.get("utterance") is not None else event["at"]
            sug.append(got - result.sent_at(at))
    return utt, sug


def pct(values: list[float]) -> str:
    if not values:
        return "     -      -      -"
    a = np.array(values)
    return f"{np.percentile(a, 50):6.2f} {np.percentile(a, 95):6.2f} {a.max():6.2f}"


async def run_streams(url: str, key: str, calls: list[tuple[str, np.ndarray]], stagger_s: float,
                      speed: float = 1.0) -> list[StreamResult]:
    async def one(i: int, samples: np.ndarray) -> StreamResult:
        await asyncio.sleep(i * stagger_s)
        return await stream_recording(url, key, samples, speed=speed, chunk_s=0.1)

    return list(await asyncio.gather(*(one(i, s) for i, (_, s) in enumerate(calls))))


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def memory_stream(url: str, key: str, samples: np.ndarray, minutes: float) -> list[tuple[float, float]]:
    """Stream `minutes` of the call looped, as fast as the server takes it; RSS every 5 minutes of audio."""
    reps = int(np.ceil(minutes * 60 * 16000 / samples.shape[1]))
    long = np.tile(samples, (1, reps))[:, : int(minutes * 60 * 16000)]
    marks: list[tuple[float, float]] = [(0.0, rss_mb())]
    step = 5 * 60

    def on_event(event: dict[str, Any]) -> None:
        if event["type"] == "utterance" and event["end"] >= marks[-1][0] + step:
            marks.append((event["end"], rss_mb()))

    result = await stream_recording(url, key, long, speed=0, chunk_s=0.5, on_event=on_event)
    marks.append((result.events[-1]["duration_s"], rss_mb()))
    return marks


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="1 and 2 streams, a 5-minute memory stream")
    ap.add_argument("--streams", type=int, default=4)
    ap.add_argument("--minutes", type=float, default=30.0, help="length of the memory stream (0: skip it)")
    ap.add_argument("--no-wer", action="store_true", help="skip the offline analyses (latency and memory only)")
    ap.add_argument("--no-mandarin", action="store_true", help="skip the Mandarin / English comparison")
    ap.add_argument("--languages-only", action="store_true",
                    help="only the Mandarin / English comparison (no multi-call, WER or memory runs)")
    ap.add_argument("--no-insights", action="store_true",
                    help="no stored team insights (by default the organization's insights say two open questions "
                         "in the first 90 s win, so insight cards fire too)")
    args = ap.parse_args()
    n_streams = 2 if args.quick else args.streams
    minutes = min(5.0, args.minutes) if args.quick else args.minutes

    stereo = read_recording(SAMPLE)
    playlist, playlist_ref = mono_playlist()
    script = json.loads(SCRIPT.read_text())
    calls = [("discovery (stereo)", stereo), ("real recordings (mono)", playlist)]
    calls = [calls[i % 2] for i in range(n_streams)]
    print(f"load average at start: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores", flush=True)

    with tempfile.TemporaryDirectory(prefix="talktrack-bench-") as tmp, embedded_server(Path(tmp)) as (url, key):
        if not args.no_insights:
            store_team_insights(Path(tmp))
        by_language = [] if args.no_mandarin else language_runs(url, key)
        if args.languages_only:
            print_languages(by_language)
            print(f"load average at end: {os.getloadavg()[0]:.1f}")
            return 0
        t = time.monotonic()
        asyncio.run(run_streams(url, key, [("warm-up", playlist[:, : 16000 * 12])], 0, speed=0))
        cpu0, load0 = time.process_time(), os.getloadavg()[0]
        base = asyncio.run(run_streams(url, key, calls[:1], 0))  # baseline: one call alone
        cpu_per_audio_s = (time.process_time() - cpu0) / base[0].events[-1]["duration_s"]
        print(f"baseline stream done in {time.monotonic() - t:.0f} s (load average {load0:.1f})", flush=True)
        t, load0 = time.monotonic(), os.getloadavg()[0]
        many = asyncio.run(run_streams(url, key, calls, stagger_s=7.0))
        print(f"{n_streams} concurrent streams done in {time.monotonic() - t:.0f} s (load average {load0:.1f})",
              flush=True)
        t = time.monotonic()
        marks = asyncio.run(memory_stream(url, key, stereo, minutes)) if minutes > 0 else []
        print(f"memory stream done in {time.monotonic() - t:.0f} s", flush=True)

    rows = []
    for label, results in (("1 call (baseline)", base), (f"{n_streams} calls at once", many)):
        u: list[float] = []
        s: list[float] = []
        for r in results:
            a, b = latencies(r)
            u += a
            s += b
        rows.append((label, u, s, results))
    print("\n## Latency: end of utterance in the audio -> event at the client (seconds)\n")
    print("| streams | utterance events n | p50 | p95 | max | suggestion events n | p50 | p95 | max | audio dropped |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for label, u, s, results in rows:
        sent = sum(r.bytes_sent for r in results)
        got = sum(r.events[-1]["bytes_received"] for r in results)
        pu, ps = pct(u).split(), pct(s).split()
        print(f"| {label} | {len(u)} | {' | '.join(pu)} | {len(s)} | {' | '.join(ps)} | {sent - got} bytes |")
    p95_base = np.percentile(rows[0][1], 95)
    p95_many = np.percentile(rows[1][1], 95)
    print(f"\nutterance p95 ratio {n_streams} calls / 1 call: {p95_many / p95_base:.2f}")
    print("\nwhere the time went (per utterance, seconds; the rest is endpointing silence and the network):\n")
    print("| streams | closing silence p50 | queued p50 | queued p95 | processing p50 | processing p95 |")
    print("|---|---|---|---|---|---|")
    for label, _, _, results in rows:
        utts = [e for r in results for e in r.of_type("utterance")]
        close = [e["timing"]["closed_at"] - e["end"] for e in utts]
        queued = [e["timing"]["queued_s"] for e in utts]
        work = [e["timing"]["processing_s"] for e in utts]
        print(f"| {label} | {np.percentile(close, 50):.2f} | {np.percentile(queued, 50):.2f} | "
              f"{np.percentile(queued, 95):.2f} | {np.percentile(work, 50):.2f} | {np.percentile(work, 95):.2f} |")
    mono = [e["timing"] for r in many for e in r.of_type("utterance") if e["channel"] is None]
    if mono:
        spk = [t.get("speaker_s", 0.0) for t in mono]
        share = sum(spk) / max(sum(t["processing_s"] for t in mono), 1e-9)
        print(f"speaker tracking on mono utterances (CAM++, part of processing; {len(mono)} utterances): "
              f"p50 {np.percentile(spk, 50):.3f} s, p95 {np.percentile(spk, 95):.3f} s, {share:.0%} of their processing")
    print(f"CPU time of this process (server + clients) per second of call audio, one stereo call: "
          f"{cpu_per_audio_s:.3f} s, i.e. {n_streams} calls need {n_streams * cpu_per_audio_s:.2f} of "
          f"{os.cpu_count()} cores when the machine is otherwise idle")

    if by_language:
        print_languages(by_language)
    if not args.no_wer:
        print_wer(many, playlist, playlist_ref, script)
    if marks:
        print_memory(marks, minutes)
    print(f"load average at end: {os.getloadavg()[0]:.1f}")
    return 0


ENGLISH_CLIPS = ("jfk.flac", "2412-153948-0000.flac", "ES2011a.Headset-0-40s-46s.wav", "LJ002-0020.wav",
                 "LJ002-0035.wav")


def language_calls() -> list[tuple[str, str, np.ndarray, str]]:
    """(label, language, (1, n) samples, reference) of the English and the Mandarin mono calls."""
    from transcription.audio import load_audio

    gap = np.zeros(int(1.5 * 16000), dtype=np.float32)

    def joined(parts: list[np.ndarray]) -> np.ndarray:
        return np.concatenate([x for p in parts for x in (gap, p.astype(np.float32))] + [gap])[None, :]

    refs = {}
    for tsv in (DATA / "asr").glob("references-*.tsv"):  # the column is named: its place differs per file
        head, *lines = tsv.read_text().splitlines()
        k = head.split("\t").index("reference_text")
        refs.update({r.split("\t")[0]: r.split("\t")[k] for r in lines if "\t" in r})
    english = [load_audio(DATA / "asr" / name).mean(axis=0) for name in ENGLISH_CLIPS]
    mandarin = folder_items(REPO_ZH)  # the 13 read AISHELL-1 sentences of bench/data/zh, in order
    return [("English (tiny.en)", "en", joined(english), " ".join(refs[n] for n in ENGLISH_CLIPS)),
            ("Mandarin (Whisper base, zh)", "zh", joined([load_audio(u.path).mean(axis=0) for u in mandarin]),
             "".join(u.reference for u in mandarin))]


def language_runs(url: str, key: str) -> list[tuple[str, str, StreamResult, str]]:
    """Each language's call streamed alone at real time after a warm-up of each (models loaded)."""
    calls = language_calls()
    for _, language, samples, _ in calls:  # loads tiny.en, Whisper base, spaCy, jieba
        asyncio.run(stream_recording(url, key, samples[:, : 16000 * 8], speed=0, chunk_s=0.1,
                                     start_extra={"language": language}))
    out = []
    for label, language, samples, ref in calls:
        t, load0 = time.monotonic(), os.getloadavg()[0]
        # English on the default language, as every English call before this was; Mandarin chosen.
        extra = {"language": language} if language != "en" else {}
        result = asyncio.run(stream_recording(url, key, samples, speed=1.0, chunk_s=0.1, start_extra=extra))
        print(f"{label} call streamed in {time.monotonic() - t:.0f} s (load average {load0:.1f})", flush=True)
        out.append((label, language, result, ref))
    return out


def cer(ref: str, hyp: str) -> float:
    import jiwer

    from transcription.chinese import to_simplified

    def bare(text: str) -> str:
        return "".join(c for c in to_simplified(text) if c.isalnum())

    return float(jiwer.cer(bare(ref), bare(hyp)))


def print_languages(rows: list[tuple[str, str, StreamResult, str]]) -> None:
    print("\n## Mandarin next to English: one mono call each, alone, real time (seconds)\n")
    print("| call | audio s | utterances | latency p50 | p95 | max | processing p50 | p95 | decoded as | error rate |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for label, language, result, ref in rows:
        utts = result.of_type("utterance")
        u, _ = latencies(result)
        work = [e["timing"]["processing_s"] for e in utts]
        decoded = ", ".join(sorted({str(e.get("language")) for e in utts}))
        hyp = live_text(result)
        error = f"CER {cer(ref, hyp):.3f}" if language == "zh" else f"WER {wer(ref, hyp)[0]:.3f}"
        print(f"| {label} | {result.events[-1]['duration_s']:.1f} | {len(utts)} | {' | '.join(pct(u).split())} | "
              f"{np.percentile(work, 50):.2f} | {np.percentile(work, 95):.2f} | {decoded} | {error} |")
    zh = next((r for r in rows if r[1] == "zh"), None)
    if zh is not None:
        texts = sorted({e["text"] for e in zh[2].of_type("utterance")})
        print(f"\nMandarin utterances as published: {texts}")


def store_team_insights(data_dir: Path) -> None:
    """Give the embedded server's organization stored insights in which early open questions win."""
    from sqlmodel import select

    from coaching.synthetic import early_open_questions_report
    from models import InsightSnapshot, Organization
    from service.core.config import Settings
    from service.core.db import session_scope

    report = early_open_questions_report(split=2.0)
    with session_scope(Settings(data_dir=data_dir)) as s:
        for org in s.exec(select(Organization)).all():
            s.add(InsightSnapshot(org_id=org.id, n_calls=report.n_calls, report_json=json.dumps(report.to_dict())))
        s.commit()


def print_wer(many: list[StreamResult], playlist: np.ndarray, playlist_ref: str, script: dict[str, Any]) -> None:
    print("\n## Word error rate: live transcript vs offline analysis of the same audio\n")
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        off_stereo = offline_words(SAMPLE, Path(tmp))
        off_mono = offline_words(playlist, Path(tmp))
    stereo_live = next(r for r in many if r.events[0]["channels"] == 2)
    mono_live = next((r for r in many if r.events[0]["channels"] == 1), None)
    print("| recording | reference words | live WER | offline WER | live - offline |")
    print("|---|---|---|---|---|")
    for role, spk in (("rep", "S1"), ("customer", "S2")):
        ref = " ".join(u["text"] for u in script["utterances"] if u["role"] == role)
        off = " ".join(w["word"] for w in off_stereo["words"] if w["speaker"] == spk)
        lw, n = wer(ref, live_text(stereo_live, spk))
        ow, _ = wer(ref, off)
        print(f"| discovery call, {role} channel (espeak) | {n} | {lw:.3f} | {ow:.3f} | {100 * (lw - ow):+.1f} pts |")
    if mono_live is not None:
        off = " ".join(w["word"] for w in off_mono["words"])
        lw, n = wer(playlist_ref, live_text(mono_live))
        ow, _ = wer(playlist_ref, off)
        print(f"| real recordings, mono (phone, AMI, LibriSpeech, jfk, LJ) | {n} | {lw:.3f} | {ow:.3f} | "
              f"{100 * (lw - ow):+.1f} pts |")


def print_memory(marks: list[tuple[float, float]], minutes: float) -> None:
    print(f"\n## Memory over a {minutes:g}-minute stream (stereo call looped, streamed as fast as served)\n")
    print("| stream audio (min) | process RSS (MB) |")
    print("|---|---|")
    for at, mb in marks:
        print(f"| {at / 60:.1f} | {mb:.0f} |")
    print(f"\nRSS growth from the first 5 minutes to the end: {marks[-1][1] - marks[min(1, len(marks) - 1)][1]:+.0f} MB")


if __name__ == "__main__":
    sys.exit(main())
