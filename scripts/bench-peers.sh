#!/usr/bin/env bash
# Side-by-side timing of fnaudit against the peer tools on the same input, in
# one run. Peers are installed outside the repository (see DEVELOPERS.md);
# a missing peer is reported and skipped. Prints wall time and peak RSS, the
# median of RUNS runs, and the ratio.
#
#   scripts/bench-peers.sh            # sbom vs syft CLI, scan vs osv-scanner
#   PEERS=/path/to/peers RUNS=5 scripts/bench-peers.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export GOTOOLCHAIN=local GOFLAGS=-buildvcs=false
PEERS=${PEERS:-$(cd .. && pwd)/peers}
RUNS=${RUNS:-3}
SYFT=${SYFT:-$PEERS/syft}
OSV_SCANNER=${OSV_SCANNER:-$PEERS/osv-scanner}
TIME=/usr/bin/time

go build -o bin/fnaudit ./cmd/fnaudit
big=$(go run ./internal/benchgen/cmd/benchgen)
export_dir=$(go run ./internal/benchgen/cmd/benchgen -export testdata/osv)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# measure CMD...: prints "median_seconds peak_kib" over RUNS runs.
measure() {
	local i out
	for i in $(seq "$RUNS"); do
		# a failing gate (exit 1) is a normal outcome here
		out=$($TIME -f '%e %M' "$@" 2>&1 >/dev/null | tail -1) || true
		echo "$out"
	done | sort -n | awk -v n="$RUNS" '{t[NR]=$1; m[NR]=$2} END {mid=int((n+1)/2); print t[mid], m[mid]}'
}

printf '%-34s %-28s %10s %12s\n' input tool seconds peak_MiB
for zip in testdata/functions/go-bootstrap.zip testdata/functions/node-app.zip "$big"; do
	name=$(basename "$zip")
	dir="$work/${name%.zip}"
	mkdir -p "$dir"
	read -r ut um < <(measure unzip -q -o "$zip" -d "$dir")
	read -r ft fm < <(measure bin/fnaudit sbom "$zip" -o cyclonedx-json)
	printf '%-34s %-28s %10s %12.0f\n' "$name" "fnaudit sbom ZIP" "$ft" "$((fm / 1024))"
	printf '%-34s %-28s %10s %12.0f\n' "$name" "unzip" "$ut" "$((um / 1024))"
	if [ -x "$SYFT" ]; then
		read -r st sm < <(measure "$SYFT" -q "dir:$dir" --select-catalogers +javascript-package-cataloger -o cyclonedx-json)
		printf '%-34s %-28s %10s %12.0f\n' "$name" "syft dir:UNZIPPED" "$st" "$((sm / 1024))"
		awk -v f="$ft" -v s="$st" -v u="$ut" -v n="$name" 'BEGIN {printf "%-34s ratio syft/fnaudit %.2fx, (unzip+syft)/fnaudit %.2fx\n", n, s/f, (u+s)/f}'
	else
		echo "syft not found at $SYFT (GOBIN=$PEERS go install github.com/anchore/syft/cmd/syft@v1.57.0)"
	fi
done

# scan: fnaudit against its database of the 250,000-record export (imported
# once, as a deployment keeps it), osv-scanner offline against the same zips
# (which it loads on every run: its design).
db="$export_dir/fnaudit.db"
if [ ! -f "$db" ]; then
	bin/fnaudit -q --db "$db" db import "$export_dir"/osv-scalibr/*/all.zip
fi
printf '\n%-34s %-28s %10s %12s\n' input tool seconds peak_MiB
for zip in testdata/functions/go-bootstrap.zip "$big"; do
	name=$(basename "$zip")
	dir="$work/${name%.zip}"
	[ -d "$dir" ] || { mkdir -p "$dir"; unzip -q -o "$zip" -d "$dir"; }
	read -r ft fm < <(measure bin/fnaudit --db "$db" scan --db-validate-age=false -o json "$zip")
	printf '%-34s %-28s %10s %12.0f\n' "$name" "fnaudit scan ZIP" "$ft" "$((fm / 1024))"
	if [ -x "$OSV_SCANNER" ]; then
		plugin=javascript/packagejson
		case "$name" in go-*) plugin=artifact ;; esac
		read -r ot om < <(OSV_SCALIBR_LOCAL_DB_CACHE_DIRECTORY="$export_dir" measure "$OSV_SCANNER" scan source --offline --offline-vulnerabilities --experimental-plugins "$plugin" --format json -r "$dir")
		printf '%-34s %-28s %10s %12.0f\n' "$name" "osv-scanner ($plugin)" "$ot" "$((om / 1024))"
		awk -v f="$ft" -v o="$ot" -v n="$name" 'BEGIN {printf "%-34s ratio osv-scanner/fnaudit %.1fx\n", n, o/f}'
	else
		echo "osv-scanner not found at $OSV_SCANNER (GOBIN=$PEERS go install github.com/google/osv-scanner/v2/cmd/osv-scanner@v2.5.0)"
	fi
done
