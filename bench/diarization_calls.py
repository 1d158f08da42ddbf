"""Generated two-person calls with known speaker turns, for diarization tuning and evaluation.

Each call alternates two distinct espeak-ng voices through a short sales dialogue, with short
answers ("yes", "right") as their own turns, pauses of varied length and one brief overlap. The
reference turns come from where each rendered utterance was placed (trimmed to its audible part).
Needs espeak-ng and sox (Debian packages); results are cached in a temporary folder.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile as sf

SAMPLE_RATE = 16000

DIALOGUE: list[tuple[int, str, float]] = [
    # (speaker 0/1, text, pause before in seconds; negative = starts before the other ends)
    (0, "Hi, this is Sam from Northwind. Thanks for taking the time to talk with me today.", 0.5),
    (1, "Sure, happy to. I have about twenty minutes.", 0.6),
    (0, "Great. Could you walk me through how your team handles reporting right now?", 0.5),
    (1, "Right now we export everything into spreadsheets every Friday, and it takes most of the afternoon.", 0.7),
    (0, "Yes.", 0.25),
    (1, "Then my manager reviews it on Monday, so the numbers are always a few days old.", 0.3),
    (0, "What happens when the numbers are wrong?", 0.6),
    (1, "We usually find out at the end of the month, which is far too late to fix anything.", 0.5),
    (0, "Right.", 0.3),
    (0, "And how many people touch those spreadsheets before they reach your manager?", 0.4),
    (1, "Three or four, depending on the week.", 0.8),
    (0, "Okay. If you could change one thing about that process, what would it be?", 0.5),
    (1, "Honestly, I would want the data to update itself, so nobody has to copy and paste.", 0.6),
    (0, "That makes sense.", -0.3),
    (1, "Is that something your product does?", 0.4),
    (0, "It does. We connect to your systems directly, and the dashboards refresh every hour.", 0.5),
    (1, "Yes.", 0.3),
    (0, "Would it help if I showed you a short demo next week with your own data?", 0.6),
    (1, "That would be useful. Tuesday afternoon works for me.", 0.7),
    (0, "Perfect, I will send an invite for Tuesday at two.", 0.4),
    (1, "Sounds good, thank you.", 0.5),
]


@dataclass(frozen=True)
class GeneratedCall:
    name: str
    wav: Path
    turns: list[tuple[float, float, str]]  # (start, end, speaker) references
    duration_s: float


# Distinct voice pairs: (espeak voice, pitch, speed) for speaker A and B.
VOICE_PAIRS: dict[str, tuple[tuple[str, int, int], tuple[str, int, int]]] = {
    "gen-us-m1-f3": (("en-us+m1", 40, 160), ("en-us+f3", 60, 150)),
    "gen-gb-m4-us-f1": (("en-gb+m4", 45, 150), ("en-us+f1", 65, 160)),
    "gen-us-m2-scot-m5": (("en-us+m2", 35, 155), ("en-gb-scotland+m5", 60, 165)),
}
# Other voice pairs, for tuning what the calls above then measure (`bench/live_speakers.py`).
TUNING_PAIRS: dict[str, tuple[tuple[str, int, int], tuple[str, int, int]]] = {
    "tune-rp-m3-us-f2": (("en-gb-x-rp+m3", 45, 155), ("en-us+f2", 60, 160)),
    "tune-nyc-m6-gb-m7": (("en-us-nyc+m6", 40, 160), ("en-gb+m7", 55, 150)),
    "tune-029-f4-clan-m1": (("en-029+f4", 65, 150), ("en-gb-x-gbclan+m1", 45, 160)),
}
# What a rep says to enrol a voice profile: none of the dialogue's sentences.
ENROL_TEXT = (
    "Good morning, my name is on the badge, and I look after our accounts in the northern region. "
    "Before we start, let me tell you a little about how we work with customers like you, and what "
    "they usually see in the first three months."
)


def render_utterance(text: str, voice: tuple[str, int, int], workdir: Path) -> np.ndarray:
    """`text` spoken by espeak-ng with `voice` (name, pitch, speed), 16 kHz mono, trimmed to its
    audible part and scaled to a 0.4 peak; needs espeak-ng and sox."""
    raw = workdir / "raw.wav"
    out = workdir / "utt.wav"
    name, pitch, speed = voice
    subprocess.run(["espeak-ng", "-v", name, "-p", str(pitch), "-s", str(speed), "-w", str(raw), text], check=True)
    subprocess.run(["sox", str(raw), "-r", str(SAMPLE_RATE), "-c", "1", "-b", "16", str(out)], check=True)
    audio, _ = sf.read(out, dtype="float32")
    # Trim to the audible part so the reference turn starts and ends with the voice.
    loud = np.flatnonzero(np.abs(audio) > 0.02 * np.abs(audio).max())
    audio = audio[loud[0] : loud[-1] + 1]
    return np.asarray(audio / np.abs(audio).max() * 0.4, dtype=np.float32)


def enrolment_speech(voice: tuple[str, int, int]) -> np.ndarray:
    """`ENROL_TEXT` in `voice` (16 kHz mono): what the voice's owner would enrol a profile with."""
    _require_tools()
    with tempfile.TemporaryDirectory() as tmp:
        return render_utterance(ENROL_TEXT, voice, Path(tmp))


def _require_tools() -> None:
    if shutil.which("espeak-ng") is None or shutil.which("sox") is None:
        raise RuntimeError("generated calls need espeak-ng and sox (apt-get install espeak-ng sox)")


def generate_calls(
    cache_dir: Path | None = None,
    pairs: dict[str, tuple[tuple[str, int, int], tuple[str, int, int]]] | None = None,
) -> list[GeneratedCall]:
    """Render (or reuse) every call in `pairs` (default `VOICE_PAIRS`); speaker "A" opens the call
    (the rep), "B" answers."""
    _require_tools()
    pairs = VOICE_PAIRS if pairs is None else pairs
    key = hashlib.sha1(repr((DIALOGUE, VOICE_PAIRS)).encode()).hexdigest()[:10]
    root = cache_dir or Path(tempfile.gettempdir()) / f"talktrack-diar-calls-{key}"
    root.mkdir(parents=True, exist_ok=True)
    calls = []
    rng = np.random.default_rng(7)
    for name, voices in pairs.items():
        wav = root / f"{name}.wav"
        rttm = root / f"{name}.rttm"
        if not (wav.exists() and rttm.exists()):
            with tempfile.TemporaryDirectory() as tmp:
                pieces = [(spk, render_utterance(text, voices[spk], Path(tmp)), pause) for spk, text, pause in DIALOGUE]
            t = 0.0
            placed = []
            for spk, audio, pause in pieces:
                start = max(0.0, t + pause)
                placed.append((start, spk, audio))
                t = max(t, start + len(audio) / SAMPLE_RATE)
            total = np.zeros(int((t + 0.8) * SAMPLE_RATE), np.float32)
            lines = []
            for start, spk, audio in placed:
                i = int(start * SAMPLE_RATE)
                total[i : i + len(audio)] += audio
                end = start + len(audio) / SAMPLE_RATE
                lines.append(f"SPEAKER {name} 1 {start:.3f} {end - start:.3f} <NA> <NA> {'AB'[spk]} <NA> <NA>")
            total += rng.normal(0, 0.0007, len(total)).astype(np.float32)  # a phone line's hiss
            sf.write(wav, total, SAMPLE_RATE, subtype="PCM_16")
            rttm.write_text("\n".join(lines) + "\n")
        turns = []
        for line in rttm.read_text().splitlines():
            f = line.split()
            turns.append((float(f[3]), float(f[3]) + float(f[4]), f[7]))
        calls.append(GeneratedCall(name, wav, turns, sf.info(wav).duration))
    return calls
