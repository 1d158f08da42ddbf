#!/usr/bin/env bash
# Sets up and analyses the bundled sample call, printing its scorecard.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/talktrack analyze samples/discovery_call.wav --format text "$@"
