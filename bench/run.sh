#!/usr/bin/env bash
# Runs the bench scenarios (connect, route change, endpoint change, restart) against the baseline
# and `trellis serve`; writes bench/out/report.md and figures.json (see bench/README.md).
# Usage: bench/run.sh [--quick] [--target baseline,trellis] [--xds sotw,delta] [--nodes N] ...
#        bench/run.sh --help    lists every option
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
cp_file="bench/target/bench.classpath"
build=(-q -B -DskipTests -Dspotless.check.skip=true package dependency:build-classpath
  -Dmdep.outputFile=target/bench.classpath -pl bench -am)
echo "bench: building..." >&2
mvn -o "${build[@]}" >&2 || mvn "${build[@]}" >&2
# The fleet (up to 10,000 simulated proxies) runs in this JVM; each server gets its own.
exec java ${BENCH_JAVA_OPTS:--Xmx4g} -cp "bench/target/classes:$(cat "$cp_file")" \
  dev.trellis.bench.BenchMain --out "$root/bench/out" "$@"
