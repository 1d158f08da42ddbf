"""Who is the rep without a voice profile: accuracy and coverage of role assignment.

Sets (no voice profiles, no `--rep`, no names: roles come from what is said):
  generated   unlabelled generated sales calls (bench/sales_calls.py, evaluation seeds, never tuned on),
              through the language stage (transcripts, no audio)
  audio       the full mono pipeline (ASR + diarization + language stage) on the bundled sample's mono mix
              (samples/discovery_call_mono.wav) and the generated two-voice calls of bench/diarization_calls.py;
              each diarized speaker's true role is the role of the reference speaker under most of its words
  rendered    the same full pipeline on generated sales calls of the evaluation seeds spoken by two espeak-ng
              voices (needs espeak-ng and sox)
  persuasion  PersuasionForGood chats (../shared/data/outcomes/persuasionforgood, Apache-2.0): the persuader
              asking for a donation stands for the rep; real people, but text chat and a charity, not a sale

A call is right when every speaker given a role has its true role (both roles right on a two-person
call). Coverage: the share of calls where a rep was assigned. Accuracy: right among assigned calls.

Run: .venv/bin/python -m bench.roles_eval [--sets generated,audio,rendered,persuasion] [--n 200] [--rendered 4]
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from bench.sales_calls import EVAL_SEED_BASE, generate_sales_call
from nlp.analysis import CallAnalysis, analyze_transcript
from transcription.types import Speaker, Transcript, Word

ROOT = Path(__file__).resolve().parents[1]

SHARED = ROOT.parent / "shared" / "data"


@dataclass
class Result:
    call: str
    assigned: bool
    right: bool
    confidence: float | None


def judge(name: str, analysis: CallAnalysis, truth: dict[str, str]) -> Result:
    """`truth`: speaker id -> true role ("rep"/"customer") for the speakers that have words."""
    speakers = [s for s in analysis.transcript.speakers if s.id in truth]
    assigned = any(s.role == "rep" for s in speakers)
    right = assigned and all(s.role == truth[s.id] for s in speakers if s.role != "unknown")
    conf = max((s.role_confidence or 0.0 for s in speakers), default=None) if assigned else None
    return Result(name, assigned, right, conf)


def generated(n: int) -> list[Result]:
    out = []
    for i in range(n):
        call = generate_sales_call(EVAL_SEED_BASE + i)
        words = {w.speaker for w in call.transcript.words}
        truth = {sid: ("rep" if sid == call.rep_id else "customer") for sid in words}
        out.append(judge(f"gen-{call.seed}-{call.kind}", analyze_transcript(call.transcript), truth))
    return out


def _truth_by_overlap(analysis: CallAnalysis, ref: list[tuple[float, float, str]]) -> dict[str, str]:
    votes: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for w in analysis.transcript.words:
        mid = (w.start + w.end) / 2
        for start, end, role in ref:
            if start - 0.2 <= mid <= end + 0.2:
                votes[w.speaker][role] += 1
                break
    return {sid: max(v, key=lambda r: v[r]) for sid, v in votes.items()}


def render_sales_call(seed: int, folder: Path) -> tuple[Path, list[tuple[float, float, str]]]:
    """The generated sales call of `seed` spoken by two espeak-ng voices into a mono wav, with its
    reference turns (start, end, role); the rep's voice alternates between the two by seed."""
    import numpy as np
    import soundfile as sf

    from bench.diarization_calls import SAMPLE_RATE, VOICE_PAIRS, render_utterance

    call = generate_sales_call(seed)
    voices = list(VOICE_PAIRS.values())[seed % len(VOICE_PAIRS)]
    wav = folder / f"sales-{seed}.wav"
    turns = [(t.speaker, t.text) for t in call.transcript.turns]
    pieces, ref, t0 = [], [], 0.3
    for speaker, text in turns:
        audio = render_utterance(text, voices[0] if speaker == "S1" else voices[1], folder)
        pieces.append((t0, audio))
        end = t0 + len(audio) / SAMPLE_RATE
        ref.append((t0, end, "rep" if speaker == call.rep_id else "customer"))
        t0 = end + 0.5
    total = np.zeros(int((t0 + 0.5) * SAMPLE_RATE), np.float32)
    for start, audio in pieces:
        i = int(start * SAMPLE_RATE)
        total[i : i + len(audio)] += audio
    total += np.random.default_rng(seed).normal(0, 0.0007, len(total)).astype(np.float32)
    sf.write(wav, total, SAMPLE_RATE, subtype="PCM_16")
    return wav, ref


def audio_items(n_rendered: int, skip: int = 0) -> list[tuple[str, Path, list[tuple[float, float, str]]]]:
    """The bundled sample's mono mix and the diarization bench's generated calls, or (n_rendered > 0)
    that many generated sales calls spoken by espeak-ng."""
    import tempfile

    from bench.diarization_calls import generate_calls

    items = []
    if n_rendered:
        folder = Path(tempfile.mkdtemp(prefix="talktrack-roles-"))
        for i in range(skip, skip + n_rendered):
            wav, ref = render_sales_call(EVAL_SEED_BASE + i, folder)
            items.append((wav.stem, wav, ref))
        return items
    script = json.loads((ROOT / "samples" / "discovery_call.script.json").read_text())
    items.append(("discovery_call_mono", ROOT / "samples" / "discovery_call_mono.wav",
                  [(u["start"], u["end"], u["role"]) for u in script["utterances"] if not u["backchannel"]]))
    for call in generate_calls():  # speaker A opens as "Sam from Northwind": the rep
        items.append((call.name, call.wav, [(s, e, "rep" if spk == "A" else "customer") for s, e, spk in call.turns]))
    return items


def audio(n_rendered: int = 0, skip: int = 0) -> list[Result]:
    from service.analysis.files import AnalyzeOptions, analyze_path

    items = audio_items(n_rendered, skip)
    out = []
    for name, wav, ref in items:
        t0 = time.perf_counter()
        analysis = analyze_path(wav, AnalyzeOptions())
        res = judge(name, analysis, _truth_by_overlap(analysis, ref))
        roles = ", ".join(f"{s.id}={s.role}({s.role_source},{s.role_confidence})" for s in analysis.transcript.speakers)
        print(f"  {name}: {roles} right={res.right} [{time.perf_counter() - t0:.0f} s]", file=sys.stderr)
        out.append(res)
    return out


def persuasion(n: int) -> list[Result]:
    path = SHARED / "outcomes" / "persuasionforgood" / "FullData" / "full_dialog.csv"
    dialogs: dict[str, list[tuple[int, str]]] = defaultdict(list)
    with path.open(newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            dialogs[row["B2"]].append((int(row["B4"]), row["Unit"]))
    out = []
    for did in sorted(dialogs)[:n]:
        words: list[Word] = []
        t = 0.0
        for role, unit in dialogs[did]:
            for tok in unit.split():
                words.append(Word(t, t + 0.3, tok, f"S{role + 1}"))
                t += 0.35
            t += 1.0
        transcript = Transcript(duration_s=t, speakers=[Speaker("S1"), Speaker("S2")], words=words,
                                source="chat", has_timing=False)
        truth = {sid: ("rep" if sid == "S1" else "customer") for sid in {w.speaker for w in words}}
        out.append(judge(did, analyze_transcript(transcript), truth))
    return out


def row(label: str, results: list[Result]) -> str:
    n = len(results)
    assigned = [r for r in results if r.assigned]
    right = sum(r.right for r in assigned)
    acc = f"{right / len(assigned):.3f}" if assigned else "-"
    return f"| {label} | {n} | {len(assigned) / n:.3f} | {acc} | {right / n:.3f} |"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sets", default="generated,audio,rendered,persuasion")
    ap.add_argument("--n", type=int, default=200, help="generated calls and persuasion chats to read")
    ap.add_argument("--rendered", type=int, default=4,
                    help="generated sales calls (eval seeds) to speak with espeak-ng for the rendered set")
    ap.add_argument("--skip", type=int, default=0, help="start the rendered set at this eval seed (0 = the first)")
    args = ap.parse_args()
    sets = args.sets.split(",")
    lines = ["| set | calls | coverage (rep assigned) | accuracy (both roles right, of assigned) | right of all |",
             "|---|---|---|---|---|"]
    if "generated" in sets:
        results = generated(args.n)
        lines.append(row("generated sales calls (transcripts, eval seeds)", results))
        by_kind: dict[str, list[Result]] = defaultdict(list)
        for r in results:
            by_kind[r.call.split("-", 2)[2]].append(r)
        lines += [row(f"  of which {k}", v) for k, v in sorted(by_kind.items())]
    if "audio" in sets:
        results = audio()
        lines.append(row("bundled sample, mono mix (full pipeline)", results[:1]))
        lines.append(row("generated two-voice calls of bench/diarization_calls.py (full pipeline)", results[1:]))
    if "rendered" in sets:
        lines.append(row("generated sales calls, eval seeds, spoken by espeak-ng (full pipeline)",
                         audio(args.rendered, args.skip)))
    if "persuasion" in sets:
        if (SHARED / "outcomes" / "persuasionforgood").is_dir():
            lines.append(row("PersuasionForGood chats (persuader = rep)", persuasion(args.n)))
        else:
            print(f"skipped persuasion: {SHARED} not found", file=sys.stderr)
    print("\n".join(lines))


if __name__ == "__main__":
    main()
