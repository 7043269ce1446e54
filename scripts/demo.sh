#!/usr/bin/env bash
# The README's first command: build fnaudit, print the SBOM of the bundled
# event-stream function, import the bundled advisory records into a
# throwaway database, and scan the function. No network, no server. The gate must fail (exit 1): the function
# carries the malicious flatmap-stream 0.1.1.
set -uo pipefail
cd "$(dirname "$0")/.."
export GOTOOLCHAIN=local GOFLAGS=-buildvcs=false
go build -o bin/fnaudit ./cmd/fnaudit || exit 2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
db="$tmp/advisories.db"
set -x
bin/fnaudit sbom testdata/functions/event-stream-reconstruction.zip || exit 2
bin/fnaudit --db "$db" db import testdata/osv || exit 2
bin/fnaudit --db "$db" scan -o table testdata/functions/event-stream-reconstruction.zip
code=$?
{ set +x; } 2>/dev/null
echo "fnaudit scan exited $code (1: the gate failed, as it must for this function)"
[ "$code" -eq 1 ]
