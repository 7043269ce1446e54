#!/usr/bin/env bash
# The common CI case, interleaved in one run: fnaudit (this build, and
# optionally an earlier one as BEFORE=path/to/fnaudit) against osv-scanner
# v2.5.0 offline on the same small functions, with the corpus advisory
# records (testdata/osv) as both tools' database. Prints every run's wall
# time and peak RSS, then the median per tool and input.
#
#   scripts/bench-small.sh                    # RUNS=5
#   BEFORE=/tmp/fnaudit-old RUNS=7 scripts/bench-small.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export GOTOOLCHAIN=local GOFLAGS=-buildvcs=false
PEERS=${PEERS:-$(cd .. && pwd)/peers}
RUNS=${RUNS:-5}
OSV_SCANNER=${OSV_SCANNER:-$PEERS/osv-scanner}
TIME=/usr/bin/time
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

go build -o bin/fnaudit ./cmd/fnaudit
bin/fnaudit -q --db "$work/fnaudit.db" db import testdata/osv
# osv-scanner's offline database: one all.zip per ecosystem, as osv.dev exports.
python3 - "$work/osv" <<'PY'
import os, sys, zipfile
out = sys.argv[1]
for eco in sorted(os.listdir("testdata/osv")):
    d = os.path.join(out, "osv-scalibr", eco); os.makedirs(d)
    with zipfile.ZipFile(os.path.join(d, "all.zip"), "w") as z:
        for f in sorted(os.listdir(os.path.join("testdata/osv", eco))):
            z.write(os.path.join("testdata/osv", eco, f), f)
PY

run() { # label input cmd...: one timed run, appended to $work/times
	local label=$1 input=$2; shift 2
	local out
	out=$($TIME -f '%e %M' "$@" 2>&1 >/dev/null | tail -1) || true
	echo "$input $label $out" | tee -a "$work/times"
}

for i in $(seq "$RUNS"); do
	for zip in testdata/functions/event-stream-reconstruction.zip testdata/functions/go-bootstrap.zip; do
		name=$(basename "$zip" .zip)
		dir="$work/$name"
		[ -d "$dir" ] || { mkdir -p "$dir"; unzip -q -o "$zip" -d "$dir"; }
		if [ -n "${BEFORE:-}" ]; then
			run fnaudit-before "$name" "$BEFORE" --db "$work/fnaudit.db" scan --db-validate-age=false -o json "$zip"
		fi
		run fnaudit "$name" bin/fnaudit --db "$work/fnaudit.db" scan --db-validate-age=false -o json "$zip"
		if [ -x "$OSV_SCANNER" ]; then
			plugin=artifact,javascript/packagejson
			OSV_SCALIBR_LOCAL_DB_CACHE_DIRECTORY="$work/osv" run osv-scanner "$name" "$OSV_SCANNER" scan source --offline --offline-vulnerabilities --experimental-plugins "$plugin" --format json -r "$dir"
		fi
	done
done
echo
printf '%-30s %-16s %12s %14s\n' input tool median_s median_MiB
sort -k1,1 -k2,2 "$work/times" | awk '
	{ k = $1 " " $2; t[k] = t[k] " " $3; m[k] = m[k] " " $4; keys[k] = 1 }
	END { for (k in keys) { n = split(t[k], a, " "); asort(a); split(m[k], b, " "); asort(b);
		mid = int((n + 1) / 2); split(k, kk, " "); printf "%-30s %-16s %12.2f %14.0f\n", kk[1], kk[2], a[mid], b[mid] / 1024 } }' | sort
