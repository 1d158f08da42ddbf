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
    subprocess.run(["sox", "-V1", str(raw), "-r", str(SAMPLE_RATE), "-c", "1", "-b", "16", str(out)], check=True)
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


# Generated sales calls (`bench/sales_calls.py`) spoken by two espeak-ng voices, for the speaker
# count (issue 24). Two disjoint sets of voice pairs, neither sharing a variant with the pairs above:
# `DIALOGUE_TUNING_PAIRS` chose the count rule (`transcription/diarization/count.py`);
# `HELDOUT_PAIRS` (`--sets heldout-pairs`) was read only to report it. Mostly same-gender pairs:
# two similar voices are what the clustering merges. Each call's script is its own seed.
Voice = tuple[str, int, int]
DIALOGUE_TUNING_PAIRS: dict[str, tuple[Voice, Voice]] = {
    "dtune-us-andy-gb-adam": (("en-us+Andy", 45, 155), ("en-gb+adam", 50, 160)),
    "dtune-rp-caleb-us-david": (("en-gb-x-rp+caleb", 40, 150), ("en-us+david", 50, 165)),
    "dtune-nyc-iven-gb-norbert": (("en-us-nyc+iven", 45, 160), ("en-gb+norbert", 50, 150)),
    "dtune-us-robert-029-travis": (("en-us+robert", 40, 155), ("en-029+travis", 45, 160)),
    "dtune-gb-zac-us-klatt": (("en-gb+zac", 50, 165), ("en-us+klatt", 45, 150)),
    "dtune-us-annie-gb-linda": (("en-us+Annie", 60, 155), ("en-gb+linda", 65, 160)),
    "dtune-scot-anika-us-steph": (("en-gb-scotland+anika", 60, 150), ("en-us+steph", 55, 165)),
    "dtune-us-andy-rp-robert": (("en-us+Andy", 35, 150), ("en-gb-x-rp+robert", 45, 155)),
    "dtune-gb-david-us-adam": (("en-gb+david", 40, 160), ("en-us+adam", 45, 160)),
    "dtune-clan-norbert-us-caleb": (("en-gb-x-gbclan+norbert", 45, 155), ("en-us+caleb", 50, 150)),
    "dtune-us-travis-f-aunty": (("en-us+travis", 40, 160), ("en-gb+aunty", 60, 155)),
    "dtune-us-zac-us-iven": (("en-us+zac", 45, 150), ("en-us+iven", 50, 160)),
}
HELDOUT_PAIRS: dict[str, tuple[Voice, Voice]] = {
    "held-us-alex-gb-john": (("en-us+Alex", 40, 160), ("en-gb+john", 50, 150)),
    "held-rp-max-us-paul": (("en-gb-x-rp+max", 45, 155), ("en-us+paul", 40, 165)),
    "held-us-edward-gb-benjamin": (("en-us+edward", 50, 150), ("en-gb+benjamin", 45, 160)),
    "held-cwmd-michel-us-rob": (("en-gb-x-gbcwmd+michel", 45, 160), ("en-us+rob", 50, 155)),
    "held-us-victor-scot-quincy": (("en-us+victor", 40, 145), ("en-gb-scotland+quincy", 50, 165)),
    "held-nyc-mike-gb-michael": (("en-us-nyc+Mike", 45, 155), ("en-gb+Michael", 40, 150)),
    "held-us-lee-029-hugo": (("en-us+Lee", 50, 160), ("en-029+Hugo", 45, 150)),
    "held-gb-marco-us-pedro": (("en-gb+Marco", 40, 155), ("en-us+pedro", 45, 170)),
    "held-us-m8-clan-boris": (("en-us+m8", 45, 150), ("en-gb-x-gbclan+boris", 40, 160)),
    "held-rp-gustave-us-denis": (("en-gb-x-rp+gustave", 50, 160), ("en-us+Denis", 45, 155)),
    "held-us-ed-gb-grandpa": (("en-us+ed", 40, 165), ("en-gb+grandpa", 35, 145)),
    "held-us-miguel-cwmd-antonio": (("en-us+miguel", 45, 155), ("en-gb-x-gbcwmd+antonio", 50, 150)),
    "held-us-f5-gb-belinda": (("en-us+f5", 60, 155), ("en-gb+belinda", 65, 160)),
    "held-us-alicia-rp-shelby": (("en-us+Alicia", 60, 160), ("en-gb-x-rp+shelby", 55, 150)),
    "held-gb-andrea-us-grandma": (("en-gb+Andrea", 65, 150), ("en-us+grandma", 55, 155)),
    "held-us-john-f-andrea": (("en-us+john", 40, 160), ("en-us+Andrea", 60, 150)),
    "held-gb-paul-f-f5": (("en-gb+paul", 45, 155), ("en-gb+f5", 65, 165)),
    "held-029-max-f-alicia": (("en-029+max", 40, 150), ("en-029+Alicia", 60, 160)),
    "held-us-benjamin-us-edward": (("en-us+benjamin", 40, 155), ("en-us+edward", 45, 160)),
    "held-gb-rob-gb-victor": (("en-gb+rob", 45, 160), ("en-gb+victor", 50, 150)),
    "held-us-michael-us-mike": (("en-us+Michael", 40, 150), ("en-us+Mike", 50, 165)),
    "held-us-hugo-gb-lee": (("en-us+Hugo", 45, 160), ("en-gb+Lee", 40, 155)),
    "held-scot-pedro-us-marco": (("en-gb-scotland+pedro", 50, 155), ("en-us+Marco", 45, 150)),
    "held-us-quincy-us-m8": (("en-us+quincy", 45, 150), ("en-us+m8", 40, 160)),
}
DIALOGUE_TUNING_SEED = 96_000  # scripts of `DIALOGUE_TUNING_PAIRS`: seeds 96000 + i
HELDOUT_SEED = 97_000  # scripts of `HELDOUT_PAIRS`: seeds 97000 + i (roles eval uses 90000 + i)


def render_sales_calls(
    pairs: dict[str, tuple[Voice, Voice]], seed_base: int, cache_dir: Path | None = None
) -> list[GeneratedCall]:
    """Render (or reuse) the generated sales call of seed `seed_base + i` with the i-th voice pair
    of `pairs`: S1's turns in the first voice, S2's in the second; pauses 0.15-1.0 s between turns
    and, on one turn in ten, a start 0.3 s before the other voice ends (a brief overlap)."""
    from bench.sales_calls import generate_sales_call

    _require_tools()
    key = hashlib.sha1(repr((sorted(pairs.items()), seed_base, 2)).encode()).hexdigest()[:10]
    root = cache_dir or Path(tempfile.gettempdir()) / f"talktrack-sales-calls-{key}"
    root.mkdir(parents=True, exist_ok=True)
    calls = []
    for i, (name, voices) in enumerate(pairs.items()):
        seed = seed_base + i
        wav, rttm = root / f"{name}.wav", root / f"{name}.rttm"
        if not (wav.exists() and rttm.exists()):
            rng = np.random.default_rng(seed)
            turns = [(t.speaker, t.text) for t in generate_sales_call(seed).transcript.turns]
            with tempfile.TemporaryDirectory() as tmp:
                pieces = [(spk, render_utterance(text, voices[0 if spk == "S1" else 1], Path(tmp)))
                          for spk, text in turns]
            t, placed = 0.3, list[tuple[float, str, np.ndarray]]()
            for spk, audio in pieces:
                pause = -0.3 if placed and rng.random() < 0.1 else float(rng.uniform(0.15, 1.0))
                start = max(0.0, t + pause)
                placed.append((start, spk, audio))
                t = max(t, start + len(audio) / SAMPLE_RATE)
            total = np.zeros(int((t + 0.8) * SAMPLE_RATE), np.float32)
            lines = []
            for start, spk, audio in placed:
                j = int(start * SAMPLE_RATE)
                total[j : j + len(audio)] += audio
                end = start + len(audio) / SAMPLE_RATE
                lines.append(f"SPEAKER {name} 1 {start:.3f} {end - start:.3f} <NA> <NA> {spk} <NA> <NA>")
            total += rng.normal(0, 0.0007, len(total)).astype(np.float32)
            sf.write(wav, total, SAMPLE_RATE, subtype="PCM_16")
            rttm.write_text("\n".join(lines) + "\n")
        ref = [(float(f[3]), float(f[3]) + float(f[4]), f[7]) for f in (ln.split() for ln in rttm.read_text().splitlines())]
        calls.append(GeneratedCall(name, wav, ref, sf.info(wav).duration))
    return calls
