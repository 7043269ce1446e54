#!/usr/bin/env bash
# Side-by-side of fnaudit, syft v1.57.0 and osv-scanner v2.5.0 on every
# bundle fixture: packages found, how many with a version, wall seconds.
#   testdata/bundles/compare.sh            (peers in ../peers or $PEERS)
# Prints a Markdown table. osv-scanner runs offline against an npm database
# zipped from testdata/osv/npm (OSV_SCALIBR_LOCAL_DB_CACHE_DIRECTORY).
set -euo pipefail
cd "$(dirname "$0")/../.."
export GOTOOLCHAIN=local
PEERS=${PEERS:-$(cd .. && pwd)/peers}
FNAUDIT=${FNAUDIT:-bin/fnaudit}
[ -x "$FNAUDIT" ] || go build -o "$FNAUDIT" ./cmd/fnaudit
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/db/osv-scalibr/npm"
zip -q -j "$work/db/osv-scalibr/npm/all.zip" testdata/osv/npm/*.json

# secs CMD...: wall seconds of one run (output discarded; exit 1 is normal).
secs() { { /usr/bin/time -f %e "$@" 2>&1 >/dev/null || true; } | tail -1; }

echo "| cell | fnaudit pkgs | fnaudit versioned | fnaudit s | unidentified | syft pkgs | syft versioned | syft s | osv-scanner pkgs | osv-scanner versioned | osv-scanner vulns | osv-scanner s |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
for z in testdata/bundles/*.zip; do
	cell=$(basename "$z" .zip)
	dir=$work/$cell
	mkdir -p "$dir" && unzip -q "$z" -d "$dir"
	"$FNAUDIT" sbom "$z" -o cyclonedx-json > "$work/f.json"
	fp=$(jq '[.components[]? | select(.purl // "" | startswith("pkg:npm/"))] | length' "$work/f.json")
	fv=$(jq '[.components[]? | select(.purl // "" | startswith("pkg:npm/")) | select((.version // "") != "")] | length' "$work/f.json")
	ft=$(secs "$FNAUDIT" sbom "$z" -o cyclonedx-json)
	un=$(jq "[.metadata.properties[]? | select(.name == \"fnaudit:unidentifiedBundle\")] | length" "$work/f.json")
	sp=- sv=- st=- op=- ov=- ovu=- ot=-
	if [ -x "$PEERS/syft" ]; then
		"$PEERS/syft" scan -q "dir:$dir" -o json > "$work/s.json"
		sp=$(jq '.artifacts | length' "$work/s.json")
		sv=$(jq '[.artifacts[] | select(.version != "")] | length' "$work/s.json")
		st=$(secs "$PEERS/syft" scan -q "dir:$dir" -o json)
	fi
	if [ -x "$PEERS/osv-scanner" ]; then
		osv=("$PEERS/osv-scanner" scan source --offline --offline-vulnerabilities
			--experimental-plugins artifact,javascript/packagejson,javascript/packagelockjson --all-packages --format json -r "$dir")
		OSV_SCALIBR_LOCAL_DB_CACHE_DIRECTORY=$work/db "${osv[@]}" > "$work/o.json" 2>/dev/null || true
		op=$(jq '[.results[]?.packages[]?] | length' "$work/o.json")
		ov=$(jq '[.results[]?.packages[]? | select((.package.version // "") != "")] | length' "$work/o.json")
		ovu=$(jq '[.results[]?.packages[]?.vulnerabilities[]?.id] | unique | length' "$work/o.json")
		ot=$(OSV_SCALIBR_LOCAL_DB_CACHE_DIRECTORY=$work/db secs "${osv[@]}")
	fi
	echo "| $cell | $fp | $fv | $ft | $un | $sp | $sv | $st | $op | $ov | $ovu | $ot |"
done
