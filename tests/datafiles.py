"""Where the tests find recordings: vendored clips under tests/data, evaluation sets in ../shared/data.

tests/data (see its NOTICE.md) travels with every clone. ../shared/data (or TALKTRACK_SHARED_DATA) exists
only next to CI's clone; tests that read it carry `@pytest.mark.needs_shared_data` and are skipped with
the reason when it is absent (failed when CI=true, see tests/conftest.py).
"""

from __future__ import annotations

import os
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TEST_DATA = REPO / "tests" / "data"
ASR = TEST_DATA / "asr"  # jfk.flac, LibriSpeech, AMI headset, LJSpeech, stereo_diarization.wav
PHONE = TEST_DATA / "phone"  # pyannote's two-person telephone sample (sample.wav, .rttm, .stm)
SAMPLES = REPO / "samples"  # the project's own sample sales call
# One read Mandarin sentence, "甚至出现交易几乎停滞的情况" (AISHELL-1, Apache-2.0; bench/data/zh/SOURCES.md)
AISHELL = REPO / "bench" / "data" / "zh" / "BAC009S0764W0121.flac"
SHARED_DATA = Path(os.environ.get("TALKTRACK_SHARED_DATA", REPO.parent / "shared" / "data"))
