"""Shared fixtures of the transcription tests: the vendored recordings and one Whisper model per session."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.datafiles import ASR, PHONE


@pytest.fixture(scope="session")
def asr_dir() -> Path:
    return ASR


@pytest.fixture(scope="session")
def phone_dir() -> Path:
    """pyannote's two-person telephone sample (test data only, see tests/data/NOTICE.md)."""
    return PHONE


@pytest.fixture(scope="session")
def whisper_loaded() -> None:
    """Load the bundled model once; later `load_whisper` calls hit the cache."""
    from transcription.asr import AsrOptions, load_whisper

    load_whisper(AsrOptions())


@pytest.fixture(scope="session")
def espeak() -> None:
    """Generated speech needs espeak-ng and sox: skipped without them, failed under CI=true."""
    if shutil.which("espeak-ng") is None or shutil.which("sox") is None:
        reason = "needs espeak-ng and sox (apt-get install espeak-ng sox; scripts/setup.sh does it as root)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI=true but it {reason}", pytrace=False)
        pytest.skip(reason)
