#!/usr/bin/env bash
# MedTwin: install what is missing, build, and start on PATH or the demo patient.
#   ./run.sh [PATH]          start MedTwin (on the built-in demo patient without PATH)
#   ./run.sh --setup-only    install and build only (test.sh uses this)
set -euo pipefail
cd "$(dirname "$0")"

setup_only=0
if [ "${1:-}" = "--setup-only" ]; then setup_only=1; shift; fi

missing=()
while read -r pkg; do
  case "$pkg" in ''|'#'*) continue;; esac
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$pkg")
  fi
done < debian-packages.txt

if [ ${#missing[@]} -gt 0 ]; then
  echo "MedTwin needs these Debian packages: ${missing[*]}"
  if [ "$(id -u)" -eq 0 ]; then sudo=""
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo="sudo"
  else
    echo "Cannot install them without root. Run this, then ./run.sh again:" >&2
    echo "  sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
  $sudo apt-get update
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y --no-install-recommends "${missing[@]}"
fi

if [ ! -f build/build.ninja ]; then
  meson setup build
fi
ninja -C build

[ "$setup_only" -eq 1 ] && exit 0

if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  echo "No display found. On a machine without one, try: xvfb-run -a ./run.sh" >&2
  exit 1
fi
exec build/app/medtwin "$@"
