"""Live mono speaker tracking: which voice said each utterance, and which voice is the rep.

Each call is cut into utterances by the live endpointer (`LiveTranscriber.feed`, as a live call is)
and every utterance goes through `SpeakerTracker` (CAM++) and `RepVoice` in stream order, exactly as
`LiveTranscriber` does (no speech recognition: it plays no part in who is speaking). Scored:

- tracking: share of utterance time whose track is the reference speaker under the best one-to-one
  map of tracks to speakers (a reference speaker: the one overlapping the utterance most);
- role: share of utterance time whose role, as the live event said at that moment, is right, (a)
  with no profile (first voice = rep), (b) with the rep's profile (enrolled from other sentences in
  the rep's voice, `diarization_calls.ENROL_TEXT`), each on the call as it is (the rep speaks first)
  and from the customer's first answer on ("customer first": the first-voice rule gets it wrong);
- cost: CAM++ time per embedded utterance (what tracking adds to an utterance's latency).

Calls: the generated two-voice calls (`diarization_calls.VOICE_PAIRS`) and the bundled sample call's
mono mix, for reporting; `--tune` runs the tuning pairs (`TUNING_PAIRS`, other voices) over a grid of
`join_similarity` and profile thresholds. The defaults were chosen on the tuning pairs only.

    .venv/bin/python -m bench.live_speakers            # report (about 3 minutes on 2 busy cores)
    .venv/bin/python -m bench.live_speakers --tune     # sweep on the tuning pairs
"""

from __future__ import annotations

import argparse
import json
import os
import time
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from scipy.optimize import linear_sum_assignment

from bench.diarization_calls import TUNING_PAIRS, VOICE_PAIRS, enrolment_speech, generate_calls
from transcription.audio import load_audio
from transcription.live_speakers import MIN_EMBED_S, RepVoice, SpeakerTracker, TrackerOptions
from transcription.streaming import LiveTranscriber
from transcription.voiceprint import VoiceProfile, embed_speech, speech_of

ROOT = Path(__file__).resolve().parents[1]

SAMPLE_RATE = 16000
DISCOVERY_REP_VOICE = ("en-us+klatt4", 40, 155)  # samples/make_discovery_call.py: REP


@dataclass
class Utt:
    start: float
    end: float
    ref: str  # reference speaker
    emb: np.ndarray | None
    embed_s: float  # CAM++ wall time
    embed_cpu_s: float  # CAM++ CPU time (all threads of this process)


@dataclass
class Call:
    name: str
    utts: list[Utt]
    rep: str  # the reference speaker who is the rep
    profile: VoiceProfile


def _reference(start: float, end: float, turns: list[tuple[float, float, str]]) -> str:
    best, most = turns[0][2], -1.0
    for s, e, spk in turns:
        ov = min(e, end) - max(s, start)
        if ov > most:
            best, most = spk, ov
    return best


def prepare(name: str, wav: Path, turns: list[tuple[float, float, str]], rep: str,
            rep_voice: tuple[str, int, int], tracker: SpeakerTracker) -> Call:
    audio = load_audio(wav).mean(axis=0).astype(np.float32)
    lt = LiveTranscriber(None, channels=1)  # type: ignore[arg-type]  # feed() needs no recogniser
    segs = []
    for i in range(0, len(audio), 1600):  # 100 ms frames, as a live client sends
        segs += lt.feed(audio[i : i + 1600])
    segs += lt.finish()
    utts = []
    for seg in segs:
        t0, c0 = time.perf_counter(), time.process_time()
        seconds = len(seg.samples) / SAMPLE_RATE
        emb = tracker.embed(seg.samples) if seconds >= MIN_EMBED_S else None
        utts.append(Utt(seg.start_s, seg.end_s, _reference(seg.start_s, seg.end_s, turns), emb,
                        time.perf_counter() - t0, time.process_time() - c0))
    speech = speech_of(enrolment_speech(rep_voice))
    created = datetime.now(UTC).isoformat()
    profile = VoiceProfile(f"{name}-rep", embed_speech(speech), created, len(speech) / SAMPLE_RATE)
    return Call(name, utts, rep, profile)


def run(call: Call, options: TrackerOptions, with_profile: bool, customer_first: bool) -> tuple[float, float, int]:
    """(tracking accuracy, role accuracy, tracks) over utterance time."""
    utts = call.utts
    if customer_first:
        first_customer = next(i for i, u in enumerate(utts) if u.ref != call.rep)
        utts = utts[first_customer:]
    tracker = SpeakerTracker.__new__(SpeakerTracker)  # no encoder: the embeddings are precomputed
    tracker.options, tracker._sums, tracker.speech_s = options, [], []
    rep_voice = RepVoice([call.profile] if with_profile else [], "uploader", options)
    tracks, roles_ok = [], 0.0
    for u in utts:
        k = tracker.assign_embedding(u.emb, (u.end - u.start) + 0.4)  # + the endpointer's padding
        tracks.append(k)
        decision = rep_voice.decide(tracker.centroids, tracker.speech_s)[k]
        truth = "rep" if u.ref == call.rep else "customer"
        roles_ok += (u.end - u.start) * (decision.role == truth)
    refs = sorted({u.ref for u in utts})
    overlap = np.zeros((max(tracks) + 1, len(refs)))
    for u, k in zip(utts, tracks, strict=True):
        overlap[k, refs.index(u.ref)] += u.end - u.start
    rows, cols = linear_sum_assignment(-overlap)
    total = sum(u.end - u.start for u in utts)
    return float(overlap[rows, cols].sum() / total), roles_ok / total, max(tracks) + 1


def calls(pairs: dict[str, tuple[tuple[str, int, int], tuple[str, int, int]]], with_sample: bool) -> list[Call]:
    tracker = SpeakerTracker()
    out = [prepare(c.name, c.wav, c.turns, "A", pairs[c.name][0], tracker) for c in generate_calls(pairs=pairs)]
    if with_sample:
        script = json.loads((ROOT / "samples" / "discovery_call.script.json").read_text())
        turns = [(float(u["start"]), float(u["end"]), u["speaker"]) for u in script["utterances"]]
        out.append(prepare("discovery_call_mono", ROOT / "samples" / "discovery_call_mono.wav", turns, "rep",
                           DISCOVERY_REP_VOICE, tracker))
    return out


def report(options: TrackerOptions) -> None:
    rows = calls(VOICE_PAIRS, with_sample=True)
    print(f"{'call':22} {'utts':>4} {'tracks':>6} {'tracking':>8} | {'role: first voice':>17} {'profile':>7} | "
          f"{'cust. first: first voice':>24} {'profile':>7}")
    sums = np.zeros(5)
    for c in rows:
        track, role_fv, k = run(c, options, with_profile=False, customer_first=False)
        _, role_p, _ = run(c, options, with_profile=True, customer_first=False)
        _, role_cf_fv, _ = run(c, options, with_profile=False, customer_first=True)
        _, role_cf_p, _ = run(c, options, with_profile=True, customer_first=True)
        vals = np.array([track, role_fv, role_p, role_cf_fv, role_cf_p])
        sums += vals
        print(f"{c.name:22} {len(c.utts):4d} {k:6d} {track:8.1%} | {role_fv:17.1%} {role_p:7.1%} | "
              f"{role_cf_fv:24.1%} {role_cf_p:7.1%}")
    m = sums / len(rows)
    print(f"{'mean':22} {'':4} {'':6} {m[0]:8.1%} | {m[1]:17.1%} {m[2]:7.1%} | {m[3]:24.1%} {m[4]:7.1%}")
    embedded = [u for c in rows for u in c.utts if u.emb is not None]
    lengths = np.array([u.end - u.start for u in embedded])
    print(f"CAM++ per utterance ({len(embedded)} utterances, {lengths.mean():.1f} s mean; load average "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores):")
    for label, costs in (("wall", np.array([u.embed_s for u in embedded])),
                         ("CPU", np.array([u.embed_cpu_s for u in embedded]))):
        print(f"  {label}: mean {1000 * costs.mean():.0f} ms, p95 {1000 * np.percentile(costs, 95):.0f} ms, "
              f"max {1000 * costs.max():.0f} ms")
    print(f"options: {options}")


def tune(base: TrackerOptions) -> None:
    rows = calls(TUNING_PAIRS, with_sample=False)
    print(f"{'join':>5} {'accept':>6} {'reject':>6} {'tracking':>8} {'role, profile':>13} {'cust. first, profile':>20}")
    for join in (0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7):
        for accept in (0.65, 0.7, 0.75, 0.8):
            for reject in (0.4, 0.5, 0.6):
                o = replace(base, join_similarity=join, profile_accept=accept, profile_reject=reject)
                res = np.array([[*run(c, o, True, False)[:2], run(c, o, True, True)[1]] for c in rows]).mean(axis=0)
                print(f"{join:5.2f} {accept:6.2f} {reject:6.2f} {res[0]:8.1%} {res[1]:13.1%} {res[2]:20.1%}")
    for c in rows:  # what the thresholds separate: the profile against each voice's utterances
        emb = [(u.ref, float(u.emb @ c.profile.embedding)) for u in c.utts if u.emb is not None]
        rep = [s for r, s in emb if r == c.rep]
        other = [s for r, s in emb if r != c.rep]
        print(f"{c.name}: profile vs rep utterances {np.min(rep):.2f}-{np.max(rep):.2f} (mean {np.mean(rep):.2f}), "
              f"vs the other voice {np.min(other):.2f}-{np.max(other):.2f} (mean {np.mean(other):.2f})")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tune", action="store_true", help="sweep the thresholds on the tuning pairs")
    args = ap.parse_args()
    if args.tune:
        tune(TrackerOptions())
    else:
        report(TrackerOptions())


if __name__ == "__main__":
    main()
