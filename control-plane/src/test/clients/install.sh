#!/bin/sh
# Installs the conformance clients of ConformanceMatrixTest; idempotent and quiet.
#   grpc-node: npm ci from package-lock.json into ./node_modules (skipped when it is up to date)
#   C-core:    Debian's python3-grpcio under /usr/bin/python3 (apt-get when it is missing)
# Prints one line "node: ok|failed ..." and one "ccore: ok|failed ...".
cd "$(dirname "$0")" || exit 2
status=0
if [ -f node_modules/.package-lock.json ] && cmp -s package-lock.json .installed-lock 2>/dev/null; then
  echo "node: ok (up to date)"
elif npm ci --silent --no-audit --no-fund >npm-ci.log 2>&1 && cp package-lock.json .installed-lock; then
  echo "node: ok"
else
  echo "node: failed npm ci: $(tail -n 3 npm-ci.log | tr '\n' ' ')"
  status=1
fi
if /usr/bin/python3 -c 'import grpc' >/dev/null 2>&1; then
  echo "ccore: ok"
elif command -v apt-get >/dev/null 2>&1 \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-grpcio >apt.log 2>&1 \
    && /usr/bin/python3 -c 'import grpc' >/dev/null 2>&1; then
  echo "ccore: ok (installed)"
else
  echo "ccore: failed python3-grpcio: $(tail -n 3 apt.log 2>/dev/null | tr '\n' ' ')"
  status=1
fi
exit $status
