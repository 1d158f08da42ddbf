"""Render the bundled sample sales discovery call from its script.

The script below (who says what, and the pause before it) is the source of truth. Each utterance is
spoken by espeak-ng, resampled to 16 kHz by sox, trimmed to its speech and placed on its speaker's
channel: the rep (Alex Rivera, Acme) on the LEFT, the customer (Jordan Lee) on the RIGHT. Short
backchannels ("mm-hmm", "right") are laid on the listener's channel while the other side talks.

Outputs, all in this folder and committed so the demo needs neither espeak-ng nor sox:

- ``discovery_call.wav``: 16 kHz, 16-bit, stereo (rep left, customer right);
- ``discovery_call_mono.wav``: the two channels summed to mono, 16 kHz, 16-bit;
- ``discovery_call.vtt``: WebVTT with ``<v Name>`` voice tags and the rendered cue times;
- ``discovery_call.script.json``: one record per utterance (speaker, role, channel, start, end, text,
  what it exercises) so tests can compare the pipeline's output against the script.

Run from the repository root: ``.venv/bin/python samples/make_discovery_call.py``. Needs the Debian
packages espeak-ng and sox. The rendering is deterministic for a given espeak-ng version.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import soundfile as sf

SAMPLE_RATE = 16_000
OUT_DIR = Path(__file__).resolve().parent
STEM = "discovery_call"

# Peak level of each utterance; two overlapping utterances summed for the mono mix stay below full scale.
UTTERANCE_PEAK = 0.45
# A faint, independent hiss on each channel, like a phone line: keeps the channels from being digitally
# identical in silence and gives voice-activity detection a realistic floor (about -66 dBFS RMS).
NOISE_RMS = 0.0005
NOISE_SEED = 20260
LEAD_IN_S = 0.6
TAIL_S = 0.8


@dataclass(frozen=True)
class Voice:
    """One participant: how espeak-ng speaks for them and where they sit in the recording."""

    speaker_id: str
    role: str
    name: str
    channel: str  # "left" or "right"
    espeak_voice: str
    espeak_speed: int  # espeak-ng's -s; it speaks ~10% faster than this, so 150-155 gives ~160-170 wpm
    pitch: int


REP = Voice("rep", "rep", "Alex Rivera (Acme)", "left", "en-us+klatt4", 155, 40)
CUSTOMER = Voice("customer", "customer", "Jordan Lee", "right", "en-gb+f4", 150, 70)


@dataclass(frozen=True)
class Line:
    """One utterance of the script.

    A main line starts ``pause_before`` seconds after the previous main line ends. A backchannel
    (``backchannel_at`` set) instead starts at that fraction of the previous main line, on the
    listener's channel, and does not move the timeline. ``say`` overrides what espeak-ng is given
    (phonemes for sounds it would otherwise spell out); ``text`` is the transcript.
    """

    voice: Voice
    text: str
    pause_before: float = 0.6
    backchannel_at: float | None = None
    say: str | None = None
    question_types: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()


MM_HMM = "[[@m'hVm]]"  # espeak-ng spells "mm-hmm" letter by letter; these phonemes sound like the real thing

SCRIPT: tuple[Line, ...] = (
    Line(REP, "Hi Jordan, this is Alex Rivera from Acme. Thanks for making time today.",
         topics=("greeting",)),
    Line(CUSTOMER, "Hi Alex, happy to chat.", pause_before=0.4),
    Line(REP, "What prompted you to look at call recording tools now?", pause_before=0.5,
         question_types=("open",)),
    Line(CUSTOMER,
         "Well, um, last quarter we hired six new reps, and our win rate dropped from thirty percent to "
         "about twenty. My managers tried to listen in, but they could cover maybe one call in ten. When we "
         "finally reviewed a few lost deals, the reps were pitching features for twenty minutes and never "
         "asked what the customer needed. Nobody caught it for weeks. So, you know, I want to see that on "
         "every call, not just the ones a manager happens to hear.",
         pause_before=0.9, topics=("customer_story", "filler")),
    # The rep's backchannels are words: Whisper glued a phoneme "mm-hmm" to the question before it.
    Line(REP, "right", backchannel_at=0.33, topics=("backchannel",)),
    Line(REP, "I see", backchannel_at=0.72, topics=("backchannel",)),
    Line(REP, "That makes sense. Do you record your calls today?", pause_before=0.7,
         question_types=("yes_no",)),
    Line(CUSTOMER, "Yes, the dialer records everything, but nobody listens to them.", pause_before=0.5),
    Line(REP, "So you're on Salesforce today?", pause_before=0.6, question_types=("declarative",)),
    Line(CUSTOMER, "We are, for about two years now.", pause_before=0.4),
    Line(REP, "Is the bigger priority coaching the new reps, or forecasting the pipeline?", pause_before=0.8,
         question_types=("choice",)),
    Line(CUSTOMER, "Coaching, definitely.", pause_before=0.6),
    Line(REP, "And those are mostly outbound calls, right?", pause_before=0.5, question_types=("tag",)),
    Line(CUSTOMER, "Right, about eighty percent.", pause_before=0.3),
    Line(REP,
         "Okay, so let me show you how we handle exactly that. Talktrack records every call from your "
         "dialer and transcribes it on your own servers, so nothing leaves your network. For each call it "
         "measures the things you just described: the rep's share of the talking, their longest "
         "monologue, the number of questions they ask, and the time of their first open question. "
         "Your managers get a scorecard for every rep each week, and they can jump straight to the "
         "moments that matter, like pricing or a competitor coming up. Then it shows which of those habits "
         "actually go with the deals you won, on your own data, so, um, the coaching is based on evidence "
         "and not on gut feeling.",
         pause_before=1.0, topics=("monologue", "pitch", "filler")),
    Line(CUSTOMER, "mm-hmm", backchannel_at=0.45, say=MM_HMM, topics=("backchannel",)),
    Line(CUSTOMER, "Okay. How much does it cost per seat?", pause_before=0.8,
         question_types=("open",), topics=("pricing",)),
    Line(REP, "It's sixty dollars per seat per month, billed annually, with onboarding included.",
         pause_before=0.5, topics=("pricing",)),
    Line(CUSTOMER,
         "Hmm. We looked at Gong and at Chorus last year, and both were over our budget. And "
         "honestly, we can't do anything before next quarter.",
         pause_before=1.2, topics=("competitor", "objection_timing")),
    Line(REP, "Understood. Could we get everything ready now, so your team can start in April?",
         pause_before=0.9, question_types=("yes_no",)),
    Line(CUSTOMER, "Maybe. Can you do a discount if we sign for two years?", pause_before=0.6,
         question_types=("yes_no",), topics=("discount",)),
    Line(REP,
         "I can ask my manager. Um, I'll send the proposal by Friday, with a two year option. And let's "
         "book a follow-up next Thursday at two with your sales managers, you know, to walk them through "
         "it. Does that work for you?",
         pause_before=1.0, question_types=("yes_no",), topics=("next_step", "filler")),
    Line(CUSTOMER, "Thursday works for me. Talk to you then.", pause_before=0.5, topics=("next_step",)),
    Line(REP, "Great, thanks Jordan. Bye for now.", pause_before=0.4, topics=("closing",)),
)


@dataclass
class Placed:
    """An utterance rendered and placed: its samples and where they start on the timeline."""

    line: Line
    start_sample: int
    audio: np.ndarray = field(repr=False)

    @property
    def start_s(self) -> float:
        return self.start_sample / SAMPLE_RATE

    @property
    def end_s(self) -> float:
        return (self.start_sample + len(self.audio)) / SAMPLE_RATE


def _require_tools() -> None:
    missing = [tool for tool in ("espeak-ng", "sox") if shutil.which(tool) is None]
    if missing:
        sys.exit(f"missing {', '.join(missing)}: install the Debian packages espeak-ng and sox")


def render(line: Line, workdir: Path) -> np.ndarray:
    """Speak one line with espeak-ng, resample to 16 kHz, trim silence and normalise its peak."""
    raw = workdir / "raw.wav"
    resampled = workdir / "16k.wav"
    voice = line.voice
    subprocess.run(
        ["espeak-ng", "-v", voice.espeak_voice, "-s", str(voice.espeak_speed), "-p", str(voice.pitch),
         "-w", str(raw), line.say or line.text],
        check=True,
    )
    # -D: no dither, so the rendering is repeatable bit for bit. espeak-ng's loud peaks overshoot full scale
    # when resampled: 6 dB of headroom first (the level is normalised below anyway).
    subprocess.run(
        ["sox", "-D", str(raw), "-e", "floating-point", "-b", "32", str(resampled),
         "gain", "-6", "rate", str(SAMPLE_RATE)],
        check=True,
    )
    data, rate = sf.read(resampled, dtype="float64")
    assert rate == SAMPLE_RATE
    audio = np.asarray(data, dtype=np.float64)
    # espeak-ng pads with silence; cue times must be where the voice is, so cut to the first/last loud sample.
    loud = np.flatnonzero(np.abs(audio) > 0.01 * np.abs(audio).max())
    audio = audio[loud[0]: loud[-1] + 1]
    scaled: np.ndarray = audio * (UTTERANCE_PEAK / np.abs(audio).max())
    return scaled


def place(script: tuple[Line, ...], workdir: Path) -> list[Placed]:
    """Lay the script out on one timeline: main lines in sequence, backchannels inside the line before."""
    placed: list[Placed] = []
    cursor = int(LEAD_IN_S * SAMPLE_RATE)
    last_main: Placed | None = None
    for line in script:
        audio = render(line, workdir)
        if line.backchannel_at is not None:
            if last_main is None or last_main.line.voice == line.voice:
                raise ValueError(f"backchannel {line.text!r} must follow the other speaker's line")
            start = last_main.start_sample + int(line.backchannel_at * len(last_main.audio))
            placed.append(Placed(line, start, audio))
            continue
        start = cursor + int(round(line.pause_before * SAMPLE_RATE)) if last_main else cursor
        last_main = Placed(line, start, audio)
        placed.append(last_main)
        cursor = start + len(audio)
    return placed


def mix(placed: list[Placed]) -> np.ndarray:
    """Stereo mix, shape (samples, 2): rep on the left, customer on the right, a faint hiss on both."""
    total = max(p.start_sample + len(p.audio) for p in placed) + int(TAIL_S * SAMPLE_RATE)
    rng = np.random.default_rng(NOISE_SEED)
    stereo = rng.normal(0.0, NOISE_RMS, size=(total, 2))
    for p in placed:
        column = 0 if p.line.voice.channel == "left" else 1
        stereo[p.start_sample: p.start_sample + len(p.audio), column] += p.audio
    return stereo


def _tool_versions() -> str:
    """espeak-ng's and sox's versions: another version may render slightly different audio."""
    found = []
    for tool in ("espeak-ng", "sox"):
        banner = subprocess.run([tool, "--version"], check=True, capture_output=True, text=True).stdout
        version = re.search(r"\d+(?:\.\d+)+", banner)
        found.append(f"{tool} {version.group(0) if version else 'unknown'}")
    return ", ".join(found)


def _timestamp(seconds: float) -> str:
    millis = int(round(seconds * 1000))
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    secs, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}.{millis:03d}"


def to_vtt(placed: list[Placed]) -> str:
    """WebVTT with one cue per utterance, in start order, speakers as ``<v Name>`` voice tags."""
    lines = ["WEBVTT", ""]
    for index, p in enumerate(sorted(placed, key=lambda p: p.start_sample), start=1):
        lines += [str(index), f"{_timestamp(p.start_s)} --> {_timestamp(p.end_s)}",
                  f"<v {p.line.voice.name}>{p.line.text}", ""]
    return "\n".join(lines)


def to_script_json(placed: list[Placed], duration_s: float) -> dict[str, object]:
    """The machine-readable script: participants, utterances with rendered times, scripted talk shares."""
    ordered = sorted(placed, key=lambda p: p.start_sample)
    talk = {voice.speaker_id: 0.0 for voice in (REP, CUSTOMER)}
    words = {voice.speaker_id: 0 for voice in (REP, CUSTOMER)}
    for p in ordered:
        talk[p.line.voice.speaker_id] += p.end_s - p.start_s
        words[p.line.voice.speaker_id] += len(p.line.text.split())
    return {
        "audio": f"{STEM}.wav",
        "mono_audio": f"{STEM}_mono.wav",
        "vtt": f"{STEM}.vtt",
        "rendered_with": _tool_versions(),
        "sample_rate": SAMPLE_RATE,
        "duration_s": round(duration_s, 3),
        "speakers": [
            {"id": v.speaker_id, "role": v.role, "name": v.name, "channel": v.channel,
             "espeak_voice": v.espeak_voice, "espeak_speed": v.espeak_speed,
             "talk_time_s": round(talk[v.speaker_id], 3), "words": words[v.speaker_id],
             "words_per_minute": round(60 * words[v.speaker_id] / talk[v.speaker_id], 1)}
            for v in (REP, CUSTOMER)
        ],
        "rep_talk_share": round(talk["rep"] / sum(talk.values()), 4),
        "utterances": [
            {"speaker": p.line.voice.speaker_id, "role": p.line.voice.role, "name": p.line.voice.name,
             "channel": p.line.voice.channel, "start": round(p.start_s, 4), "end": round(p.end_s, 4),
             "text": p.line.text, "backchannel": p.line.backchannel_at is not None,
             "question_types": list(p.line.question_types), "topics": list(p.line.topics)}
            for p in ordered
        ],
    }


def main() -> int:
    _require_tools()
    with tempfile.TemporaryDirectory() as tmp:
        placed = place(SCRIPT, Path(tmp))
    stereo = mix(placed)
    duration_s = len(stereo) / SAMPLE_RATE
    sf.write(OUT_DIR / f"{STEM}.wav", stereo, SAMPLE_RATE, subtype="PCM_16")
    sf.write(OUT_DIR / f"{STEM}_mono.wav", stereo.sum(axis=1), SAMPLE_RATE, subtype="PCM_16")
    (OUT_DIR / f"{STEM}.vtt").write_text(to_vtt(placed), encoding="utf-8")
    script = to_script_json(placed, duration_s)
    (OUT_DIR / f"{STEM}.script.json").write_text(json.dumps(script, indent=2) + "\n", encoding="utf-8")
    share = script["rep_talk_share"]
    print(f"{STEM}: {duration_s:.1f} s, {len(placed)} utterances, rep talk share {share:.1%}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
