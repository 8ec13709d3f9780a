#!/usr/bin/env bash
# MedTwin: the same set-up as run.sh, then the whole test suite.
set -euo pipefail
cd "$(dirname "$0")"
./run.sh --setup-only

export GSETTINGS_BACKEND=memory
status=0
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  xvfb-run -a -s "-screen 0 1600x1200x24" meson test -C build --print-errorlogs "$@" || status=$?
else
  meson test -C build --print-errorlogs "$@" || status=$?
fi

# One plain closing line that any CI can read.
log=build/meson-logs/testlog.json
if [ -f "$log" ]; then
  passed=$(grep -c '"result": "OK"' "$log" || true)
  failed=$(grep -cE '"result": "(FAIL|TIMEOUT|ERROR|UNEXPECTEDPASS)"' "$log" || true)
  skipped=$(grep -c '"result": "SKIP"' "$log" || true)
  echo "$passed passed, $failed failed, $skipped skipped"
fi
exit $status
