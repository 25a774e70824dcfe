#!/usr/bin/env bash
# The main job: set everything up, then start the browser UI on the embedded defaults
# (SQLite in the per-user data directory, the offline assistant) with the record-sales demo project.
# Extra arguments go to `causal-assistant ui` (e.g. --port 8600). The command-line walkthrough
# of the same demo is `.venv/bin/causal-assistant demo`.
set -euo pipefail
cd "$(dirname "$0")"
scripts/setup.sh
exec .venv/bin/causal-assistant ui --demo "$@"
