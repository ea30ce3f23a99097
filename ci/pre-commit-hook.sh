#!/usr/bin/env bash
# A Git pre-commit hook: lints the definitions as they are staged for the commit (not as they are
# in the working tree), and refuses the commit on findings at or above the threshold.
#
#   ln -s ../../ci/pre-commit-hook.sh .git/hooks/pre-commit      # in the definitions repo
#
# $TRELLIS_DEFS: the definitions directory, relative to the repository root (default: .).
# Skip once with `git commit --no-verify`.
set -euo pipefail
here="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)"
top="$(git rev-parse --show-toplevel)"
defs="${TRELLIS_DEFS:-.}"
staged="$(mktemp -d)"
trap 'rm -rf "$staged"' EXIT
# The index, exactly as it would be committed.
(cd "$top" && git checkout-index --all --prefix="$staged/")
mkdir -p "$staged/$defs"
status=0
TRELLIS_BASELINE="${TRELLIS_BASELINE:-$top/$defs/.trellis-baseline.json}" \
  "$here/trellis-lint.sh" "$staged/$defs" --path-prefix "$defs" "$@" || status=$?
if [[ $status -ne 0 ]]; then
  echo "trellis lint: commit refused (exit $status); fix the findings above, or commit with --no-verify" >&2
fi
exit $status
