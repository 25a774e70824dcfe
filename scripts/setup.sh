#!/usr/bin/env bash
# Set up everything causal-assistant needs in ./.venv (idempotent; fast when nothing changed).
#   scripts/setup.sh          runtime dependencies
#   scripts/setup.sh test     plus the test dependencies
set -euo pipefail
cd "$(dirname "$0")/.."
extras="${1:-}"
PY="${PYTHON:-python3.11}"
command -v "$PY" >/dev/null 2>&1 || PY=python3
"$PY" -c 'import sys; assert sys.version_info[:2] == (3, 11), f"Python 3.11 is required, found {sys.version.split()[0]}"'

if [ ! -x .venv/bin/python ]; then
  echo "setup: creating .venv with $("$PY" --version)"
  "$PY" -m venv .venv
fi
# llama-cpp-python (test extra: the real local model) compiles llama.cpp when installed, by default for the
# build machine's own CPU (GGML_NATIVE).  On an Intel Xeon with AVX-512 and AMX (seen 2026-11-27) that native
# build dies with a general-protection fault in libggml-cpu on the first token, so every local-model test
# failed.  Build it for portable x86-64 with AVX2 instead, and never take pip's cached wheel: that may be
# a native build from an earlier install.  The stamp makes this a one-time step per venv.
if [ "$extras" = test ] && [ "$(uname -m)" = x86_64 ]; then
  llama_req="$(grep -o '"llama-cpp-python\[server\]==[^"]*"' pyproject.toml | tr -d '"')"
  llama_stamp=".venv/.llama-portable-$(echo "$llama_req" | sha256sum | cut -c1-12)"
  if [ -n "$llama_req" ] && [ ! -f "$llama_stamp" ]; then
    echo "setup: building $llama_req for portable x86-64 (AVX2; a few minutes)"
    .venv/bin/python -m pip uninstall --quiet -y llama-cpp-python >/dev/null 2>&1 || true
    CMAKE_ARGS="-DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_AVX512=OFF -DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF" \
      .venv/bin/python -m pip install --quiet --no-cache-dir "$llama_req"
    touch "$llama_stamp"
  fi
fi
spec="."
[ -n "$extras" ] && spec=".[$extras]"
stamp=".venv/.installed-$(cat pyproject.toml | sha256sum | cut -c1-16)-${extras:-runtime}"
if [ ! -f "$stamp" ]; then
  echo "setup: installing causal-assistant ($spec) into .venv"
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet -e "$spec"
  touch "$stamp"
fi
