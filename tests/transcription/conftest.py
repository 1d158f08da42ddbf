"""Shared fixtures of the transcription tests: the real data folder and one Whisper model per session."""

from __future__ import annotations

from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "data"


@pytest.fixture(scope="session")
def data_dir() -> Path:
    if not DATA.is_dir():
        pytest.fail(f"real evaluation data missing at {DATA} (CI copies shared/ next to the clone)")
    return DATA


@pytest.fixture(scope="session")
def asr_dir(data_dir: Path) -> Path:
    return data_dir / "asr"


@pytest.fixture(scope="session")
def whisper_loaded() -> None:
    """Load the bundled model once; later `load_whisper` calls hit the cache."""
    from transcription.asr import AsrOptions, load_whisper

    load_whisper(AsrOptions())
