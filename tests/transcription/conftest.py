"""Shared fixtures of the transcription tests: the vendored recordings and one Whisper model per session."""

from __future__ import annotations

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
