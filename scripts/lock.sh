#!/usr/bin/env bash
# Regenerates requirements.lock (every runtime and dev dependency, pinned, with SHA-256 hashes) from
# pyproject.toml. Versions already in the lock are kept unless you pass --upgrade (or
# --upgrade-package NAME). torch comes from the local CPU wheel in /opt/wheels (a PyPI torch is the
# CUDA build). Needs uv (`pip install uv`); set UV to its path if it is not on PATH.
set -euo pipefail
cd "$(dirname "$0")/.."
UV="${UV:-uv}"
"$UV" pip compile pyproject.toml --extra dev --generate-hashes --python-version 3.11 \
  --python-platform x86_64-manylinux_2_28 --find-links /opt/wheels --emit-find-links \
  --no-header -o requirements.lock "$@"
