"""The evaluation calls spoken by espeak-ng voices, as the diarization bench's generated calls are.

Each turn is rendered with `bench.diarization_calls.render_utterance` in its speaker's voice and
placed with the same pauses and occasional overlaps (`place_turns`, `mix_placed`): a stereo WAV
with the rep on the left channel and the customer side on the right, and the mono mix of both.
Each turn's start and end in the recording are kept, so the transcript path has the real times.
Results are cached in a temporary folder keyed by the call's content and voices.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile as sf

from bench.brief_data import EvalCall, load_calls
from bench.diarization_calls import SAMPLE_RATE, Voice, mix_placed, place_turns, render_utterance

RENDER_VERSION = 1
# Voices (rep, customer, a second customer person, a second rep person) by split; the held-out
# calls have voices of their own. Call i of a split takes entry i modulo the list.
VOICES: dict[str, list[tuple[Voice, Voice, Voice, Voice]]] = {
    "dev": [
        (("en-us+m1", 40, 160), ("en-us+f3", 60, 150), ("en-gb+m4", 45, 150), ("en-gb-x-rp+m3", 45, 155)),
        (("en-gb+m4", 45, 150), ("en-us+f1", 65, 160), ("en-us+m2", 35, 155), ("en-us-nyc+m6", 40, 160)),
        (("en-us+m2", 35, 155), ("en-gb-scotland+m5", 60, 165), ("en-us+f2", 60, 160), ("en-gb+m7", 55, 150)),
        (("en-gb-x-rp+m3", 45, 155), ("en-us+f2", 60, 160), ("en-us-nyc+m6", 40, 160), ("en-us+m1", 40, 160)),
        (("en-us-nyc+m6", 40, 160), ("en-gb+m7", 55, 150), ("en-029+f4", 65, 150), ("en-gb+m4", 45, 150)),
        (("en-029+f4", 65, 150), ("en-gb-x-gbclan+m1", 45, 160), ("en-us+m2", 40, 150), ("en-us+f1", 65, 160)),
    ],
    "heldout": [
        (("en-us+Alex", 40, 160), ("en-gb+belinda", 65, 160), ("en-us+rob", 50, 155), ("en-gb-x-rp+gustave", 50, 160)),
        (("en-gb-x-rp+max", 45, 155), ("en-us+Alicia", 60, 160), ("en-gb+john", 50, 150), ("en-us+Denis", 45, 155)),
        (("en-us+edward", 50, 150), ("en-gb+Andrea", 65, 150), ("en-us+paul", 40, 165), ("en-gb+Marco", 40, 155)),
        (("en-us+f5", 60, 155), ("en-gb+benjamin", 45, 160), ("en-gb-x-rp+shelby", 55, 150), ("en-us+pedro", 45, 170)),
        (("en-gb-x-gbcwmd+michel", 45, 160), ("en-us+grandma", 55, 155), ("en-us+victor", 40, 145),
         ("en-us+Lee", 50, 160)),
    ],
}


@dataclass(frozen=True)
class RenderedCall:
    call_id: str
    stereo: Path  # rep left, customer side right
    mono: Path
    spans: list[tuple[float, float]]  # each turn's (start, end) in the recording, seconds
    duration_s: float


def voices_of(call: EvalCall, index: int) -> dict[str, Voice]:
    """Speaker id -> voice: each side's first and second person have voices of their own."""
    v = VOICES[call.split][index % len(VOICES[call.split])]
    sides = {"rep": (v[0], v[3]), "customer": (v[1], v[2])}
    out, seen = {}, {"rep": 0, "customer": 0}
    for s in call.speakers:
        side = "rep" if s.role == "rep" else "customer"
        out[s.id] = sides[side][min(seen[side], 1)]
        seen[side] += 1
    return out


def cache_key(call: EvalCall, voices: dict[str, Voice]) -> str:
    content = repr((RENDER_VERSION, call.id, call.turns, sorted(voices.items()), [s.role for s in call.speakers]))
    return hashlib.sha1(content.encode()).hexdigest()[:12]


def render_call(call: EvalCall, index: int, cache_dir: Path | None = None) -> RenderedCall:
    """Render (or reuse) `call`, the `index`-th of its split (which picks its voices)."""
    voices = voices_of(call, index)
    root = (cache_dir or Path(tempfile.gettempdir()) / "talktrack-brief-calls") / f"{call.id}-{cache_key(call, voices)}"
    stereo, mono, meta = root / "stereo.wav", root / "mono.wav", root / "spans.json"
    if not (stereo.exists() and mono.exists() and meta.exists()):
        if shutil.which("espeak-ng") is None or shutil.which("sox") is None:
            raise RuntimeError("rendering the calls needs espeak-ng and sox (apt-get install espeak-ng sox)")
        root.mkdir(parents=True, exist_ok=True)
        seed = int(hashlib.sha1(call.id.encode()).hexdigest()[:8], 16)
        rng = np.random.default_rng(seed)
        with tempfile.TemporaryDirectory() as tmp:
            pieces = [render_utterance(text, voices[speaker], Path(tmp)) for speaker, text in call.turns]
        channel = [0 if call.role_of(speaker) == "rep" else 1 for speaker, _ in call.turns]
        # A voice never overlaps its own channel: only a turn on the other side may start early.
        can_overlap = [i > 0 and channel[i] != channel[i - 1] for i in range(len(pieces))]
        starts, end = place_turns(pieces, rng, can_overlap)
        placed = list(zip(starts, pieces, strict=True))
        left = mix_placed([p for p, c in zip(placed, channel, strict=True) if c == 0], end, rng)
        right = mix_placed([p for p, c in zip(placed, channel, strict=True) if c == 1], end, rng)
        sf.write(stereo, np.stack([left, right], axis=1), SAMPLE_RATE, subtype="PCM_16")
        sf.write(mono, mix_placed(placed, end, rng), SAMPLE_RATE, subtype="PCM_16")
        spans = [(round(s, 3), round(s + len(a) / SAMPLE_RATE, 3)) for s, a in placed]
        meta.write_text(json.dumps({"spans": spans}))
    spans = [(float(s), float(e)) for s, e in json.loads(meta.read_text())["spans"]]
    return RenderedCall(call.id, stereo, mono, spans, sf.info(mono).duration)


def render_calls(calls: list[EvalCall], cache_dir: Path | None = None) -> dict[str, RenderedCall]:
    """Every call rendered (or reused), by id; a call's voices follow its place among all the calls
    of its split (by id), whichever calls are asked for."""
    order = {split: sorted(c.id for c in load_calls(split)) for split in {c.split for c in calls}}
    return {call.id: render_call(call, order[call.split].index(call.id), cache_dir) for call in calls}
