#!/usr/bin/env bash
# Runs the Trellis CLI with the given arguments. Which Trellis: $TRELLIS if set (a path to an
# executable), else `trellis` on the PATH, else the launcher of the Trellis checkout this script is
# part of (which builds Trellis with Maven on first use).
set -euo pipefail
if [[ -n "${TRELLIS:-}" ]]; then
  exec "$TRELLIS" "$@"
elif command -v trellis > /dev/null 2>&1; then
  exec trellis "$@"
else
  exec "$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/trellis" "$@"
fi
