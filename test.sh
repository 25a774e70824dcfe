#!/usr/bin/env bash
# Set everything up and run the whole test suite.
# With CA_REQUIRE_SERVICES=1 (as .ci/run sets it) a test that would skip because PostgreSQL,
# chromium or the local model is missing fails instead.
set -euo pipefail
cd "$(dirname "$0")"
scripts/setup.sh test
scripts/browser.sh
scripts/services.sh
exec .venv/bin/python -m pytest -n auto "$@"
