#!/usr/bin/env bash
# Prints how long `trellis lint` takes on a generated definitions repo, in-process and with JVM
# start-up (TrellisCli lint in a JVM of its own): bench scenario 6 on its own.
# Usage: bench/lint.sh [services (default 1000)] [rounds (default 3)]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
cp_file="bench/target/bench.classpath"
build=(-q -B -DskipTests -Dspotless.check.skip=true package dependency:build-classpath
  -Dmdep.outputFile=target/bench.classpath -pl bench -am)
echo "bench: building..." >&2
mvn -o "${build[@]}" >&2 || mvn "${build[@]}" >&2
exec java ${BENCH_JAVA_OPTS:-} -cp "bench/target/classes:$(cat "$cp_file")" \
  dev.trellis.bench.lint.LintBench "${1:-1000}" "${2:-3}"
