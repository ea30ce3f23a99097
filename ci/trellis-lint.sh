#!/usr/bin/env bash
# The lint gate every CI integration calls: trellis lint on one definitions directory.
#
#   ci/trellis-lint.sh DEFS_DIR [trellis lint options...]
#
# - Paths in the report are relative to the Git repository's root (--path-prefix), so that code
#   scanning, annotations and editors find the files when DEFS_DIR is a subdirectory.
# - A baseline is used when DEFS_DIR/.trellis-baseline.json exists (or $TRELLIS_BASELINE names one):
#   only findings it does not list fail.
# - $TRELLIS_FAIL_ON (error or warning, default error) sets the threshold.
# - When an `envoy` binary is on PATH (and no --envoy is given), each Envoy group's config is also
#   checked by `envoy --mode validate` (--envoy; TRL215).
# Exit status is trellis lint's: 0 clean or below the threshold, 1 findings at or above it, 2 usage
# or internal error.
set -euo pipefail
if [[ $# -lt 1 || "$1" == -* ]]; then
  echo "usage: $0 DEFS_DIR [trellis lint options...]" >&2
  exit 2
fi
defs="$1"
shift
if [[ ! -d "$defs" ]]; then
  echo "$0: $defs is not a directory" >&2
  exit 2
fi
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
args=(lint --defs "$defs" --fail-on "${TRELLIS_FAIL_ON:-error}")
if prefix="$(git -C "$defs" rev-parse --show-prefix 2> /dev/null)"; then
  args+=(--path-prefix "${prefix:-.}")
fi
baseline="${TRELLIS_BASELINE:-$defs/.trellis-baseline.json}"
if [[ -f "$baseline" ]]; then
  args+=(--baseline "$baseline")
fi
if [[ " $* " != *" --envoy "* && " $* " != *" --envoy="* ]] && envoy="$(command -v envoy)"; then
  args+=(--envoy "$envoy")
fi
exec "$here/trellis.sh" "${args[@]}" "$@"
