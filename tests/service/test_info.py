"""`talktrack info` and the one default data directory shared by the server, the CLI and voice profiles."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from service.analysis.files import local_voice_profiles
from service.core.config import Settings

REPO = Path(__file__).resolve().parents[2]


def info(cwd: Path, **env: str) -> dict[str, Any]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("TALKTRACK_")}
    out = subprocess.run([sys.executable, "-m", "service.cli", "info", "--json"], cwd=cwd, check=True,
                         capture_output=True, text=True, env={**base, "PYTHONPATH": str(REPO), **env})
    return dict(json.loads(out.stdout))


def test_data_dir_from_environment(tmp_path: Path) -> None:
    got = info(tmp_path, TALKTRACK_DATA_DIR=str(tmp_path / "tt"))
    assert got["data_dir"] == {"path": str(tmp_path / "tt"), "source": "TALKTRACK_DATA_DIR", "exists": False}
    assert got["database"] == f"sqlite:///{tmp_path / 'tt' / 'talktrack.db'}"
    assert got["audio_store"]["path"] == str(tmp_path / "tt" / "audio")
    assert got["voice_profiles"] == {"path": str(tmp_path / "tt" / "profiles"), "profiles": 0}
    assert got["models"]["speech"]["languages"] == "English only"
    assert Path(got["models"]["speech"]["path"], "model.bin").is_file()
    assert got["versions"]["faster-whisper"][0].isdigit()
    assert not (tmp_path / "tt").exists()  # info creates nothing


def test_the_arithmetic_of_each_speech_model_is_shown(tmp_path: Path) -> None:
    models = info(tmp_path, TALKTRACK_DATA_DIR=str(tmp_path / "tt"))["models"]
    assert models["speech"]["name"] == "Whisper tiny.en (CTranslate2, int8)"
    assert models["speech_multilingual"]["name"] == "Whisper base (CTranslate2, float32)"
    chosen = info(tmp_path, TALKTRACK_DATA_DIR=str(tmp_path / "tt"), TALKTRACK_ASR_COMPUTE_TYPE="int8")["models"]
    assert chosen["speech_multilingual"]["name"] == "Whisper base (CTranslate2, int8)"


def test_platform_default_does_not_depend_on_the_working_directory(tmp_path: Path) -> None:
    """Without TALKTRACK_DATA_DIR every command uses the user data dir (XDG on Linux), never ./talktrack-data."""
    (tmp_path / "a").mkdir()
    got = info(tmp_path / "a", XDG_DATA_HOME=str(tmp_path / "xdg"))
    assert got["data_dir"]["path"] == str(tmp_path / "xdg" / "talktrack")
    assert got["data_dir"]["source"] == "platform default"
    assert got["voice_profiles"]["path"] == str(tmp_path / "xdg" / "talktrack" / "profiles")


def test_an_existing_legacy_folder_is_still_used(tmp_path: Path) -> None:
    (tmp_path / "talktrack-data").mkdir()
    (tmp_path / "talktrack-data" / "talktrack.db").write_bytes(b"")
    got = info(tmp_path, XDG_DATA_HOME=str(tmp_path / "xdg"))
    assert got["data_dir"]["path"] == str(tmp_path / "talktrack-data")
    assert got["data_dir"]["source"].startswith("legacy")


def test_database_password_is_not_printed(tmp_path: Path) -> None:
    got = info(tmp_path, TALKTRACK_DATA_DIR=str(tmp_path),
               TALKTRACK_DATABASE_URL="postgresql://talktrack:s3cret@db:5432/talktrack",
               TALKTRACK_BROKER_URL="redis://:hunter2@redis:6379/0")
    assert "s3cret" not in json.dumps(got) and "hunter2" not in json.dumps(got)
    assert got["database"] == "postgresql://talktrack:***@db:5432/talktrack"
    assert (got["executor"], got["broker"]) == ("celery", "redis://:***@redis:6379/0")


def test_text_output_names_every_location(tmp_path: Path) -> None:
    out = subprocess.run([sys.executable, "-m", "service.cli", "info"], cwd=tmp_path, check=True, text=True,
                         capture_output=True, env={**os.environ, "PYTHONPATH": str(REPO),
                                                   "TALKTRACK_DATA_DIR": str(tmp_path)}).stdout
    for label in ("data dir", "database", "audio store", "voice profiles", "models", "versions"):
        assert label in out
    assert str(tmp_path / "profiles") in out


def test_voice_profiles_follow_the_data_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("TALKTRACK_DATA_DIR", str(tmp_path))
    assert Settings().profiles_dir == tmp_path / "profiles"
    (tmp_path / "profiles").mkdir()
    (tmp_path / "profiles" / "dana.json").write_text(json.dumps(
        {"name": "Dana", "embedding": [0.0] * 255 + [1.0], "n_seconds": 12.0, "encoder": "resemblyzer"}))
    assert [p.name for p in local_voice_profiles()] == ["Dana"]


def test_a_bad_setting_is_one_line_naming_the_variable(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    from service.cli import main

    monkeypatch.setenv("TALKTRACK_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("TALKTRACK_STORAGE_URL", "/srv/audio")
    assert main(["info"]) == 2
    assert capsys.readouterr().err == ("talktrack: error: TALKTRACK_STORAGE_URL: should look like s3://bucket or "
                                       "s3://bucket/prefix, not '/srv/audio' (leave it unset to keep audio in "
                                       "TALKTRACK_AUDIO_DIR)\n")
