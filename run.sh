#!/usr/bin/env bash
# The main job: set everything up, then run causal-assistant on the embedded defaults
# (SQLite in the per-user data directory, the offline assistant) with the record-sales demo project.
set -euo pipefail
cd "$(dirname "$0")"
scripts/setup.sh
exec .venv/bin/causal-assistant demo "$@"
