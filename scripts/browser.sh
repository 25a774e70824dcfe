#!/usr/bin/env bash
# Make sure Debian's chromium is installed for the end-to-end UI tests (Playwright drives /usr/bin/chromium;
# Playwright's own browser download is never used). Idempotent and quiet when chromium is already there.
# Installs with apt-get when we are root or have passwordless sudo; otherwise says so and carries on
# (the browser tests then skip, or fail under CA_REQUIRE_SERVICES=1).
set -uo pipefail
CHROMIUM="${CA_CHROMIUM:-/usr/bin/chromium}"
[ -x "$CHROMIUM" ] && exit 0

if [ "$(id -u)" = 0 ]; then
  SUDO=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  SUDO=(sudo -n)
else
  echo "browser: $CHROMIUM is missing and apt-get needs root; install it with: sudo apt-get install -y chromium"
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "browser: $CHROMIUM is missing and there is no apt-get here; install chromium and set CA_CHROMIUM to its path"
  exit 0
fi

echo "browser: installing Debian's chromium with apt-get"
log="$(mktemp)"
export DEBIAN_FRONTEND=noninteractive
if ! "${SUDO[@]}" apt-get install -y -q chromium >"$log" 2>&1; then
  # The package lists may be missing or stale on a fresh machine: refresh them once and retry.
  "${SUDO[@]}" apt-get update -q >>"$log" 2>&1
  "${SUDO[@]}" apt-get install -y -q chromium >>"$log" 2>&1
fi
if [ -x "$CHROMIUM" ]; then
  echo "browser: $("$CHROMIUM" --version 2>/dev/null | head -n1)"
else
  echo "browser: installing chromium failed; the apt-get output follows"
  tail -n 30 "$log"
fi
rm -f "$log"
exit 0
