#!/usr/bin/env bash
# Issue 9's measurement table: for each zip (default: the 36 bundle cells in
# testdata/bundles), what fnaudit, syft v1.57.0 and osv-scanner v2.5.0 find
# and what it costs them, one run each:
#   scripts/bundle-matrix.sh [ZIP...]          (peers in ../peers or $PEERS)
#   TOOLS="fnaudit syft osv-scanner" (default) runs only the tools named; a
#   tool not run, or not installed, shows "-".
# Prints a Markdown table. Columns:
#   pkgs (ver)   packages listed (how many with a version). fnaudit: npm
#                components not marked fnaudit:declared; "+N decl" counts the
#                lockfile entries listed as declared-not-shipped. syft:
#                artifacts. osv-scanner: packages (--all-packages).
#   unid         fnaudit names the bundle as unidentified (yes/no)
#   wall / cpu   elapsed seconds / user+system CPU seconds (GNU time). The
#                machine is shared: compare CPU, wall is inflated by load.
# fnaudit runs `sbom ZIP -o cyclonedx-json` (the job syft does) and `scan`
# (the job osv-scanner does; database imported from testdata/osv). The peers
# read the unzipped tree (syft `dir:`, osv-scanner `-r DIR`); osv-scanner
# runs offline against testdata/osv/npm zipped as its local npm database.
set -euo pipefail
cd "$(dirname "$0")/.."
export GOTOOLCHAIN=local
PEERS=${PEERS:-$(cd .. && pwd)/peers}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
FNAUDIT=${FNAUDIT:-$work/fnaudit}
if [[ " ${TOOLS:-fnaudit} " == *" fnaudit "* ]]; then
	[ -x "$FNAUDIT" ] || go build -o "$FNAUDIT" ./cmd/fnaudit
	"$FNAUDIT" --db "$work/fn.db" db import testdata/osv >/dev/null
fi
mkdir -p "$work/osvdb/osv-scalibr/npm"
zip -q -j "$work/osvdb/osv-scalibr/npm/all.zip" testdata/osv/npm/*.json
[ $# -gt 0 ] || set -- testdata/bundles/*.zip
TOOLS=${TOOLS:-fnaudit syft osv-scanner}
run() { [[ " $TOOLS " == *" $1 "* ]]; }

# timed OUT CMD...: runs CMD with stdout to OUT, prints "wall cpu exit"
# (seconds; exit 1 is a failing gate, not an error).
timed() {
	local out=$1; shift
	/usr/bin/time -f '%e %U %S %x' -o "$work/time" "$@" >"$out" 2>"$work/stderr" || true
	tail -1 "$work/time" | awk '{printf "%.2f %.2f %d\n", $1, $2 + $3, $4}'
}

echo "| cell | fnaudit pkgs (ver) | unid | fnaudit sbom wall / cpu s | fnaudit scan exit | fnaudit scan wall / cpu s | syft pkgs (ver) | syft wall / cpu s | osv-scanner pkgs (ver) | osv-scanner vulns | osv-scanner wall / cpu s |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
for z in "$@"; do
	cell=$(basename "$z" .zip)
	dir=$work/tree/$cell
	mkdir -p "$dir" && unzip -q "$z" -d "$dir"
	fpk=- un=- fw=- fc=- sw=- sc=- se=-
	if run fnaudit; then
		read -r fw fc _ < <(timed "$work/f.json" "$FNAUDIT" sbom "$z" -o cyclonedx-json)
		lib='[.components[]? | select(.purl // "" | startswith("pkg:npm/"))]'
		decl='(.properties // [] | any(.name == "fnaudit:declared" and .value == "true"))'
		fp=$(jq "$lib | map(select($decl | not)) | length" "$work/f.json")
		fv=$(jq "$lib | map(select(($decl | not) and (.version // \"\") != \"\")) | length" "$work/f.json")
		fd=$(jq "$lib | map(select($decl)) | length" "$work/f.json")
		un=$(jq '[.metadata.properties[]? | select(.name == "fnaudit:unidentifiedBundle")] | length' "$work/f.json")
		[ "$un" = 0 ] && un=no || un=yes
		fpk="$fp ($fv)"; [ "$fd" = 0 ] || fpk="$fpk +$fd decl"
		read -r sw sc se < <(timed /dev/null "$FNAUDIT" --db "$work/fn.db" scan --db-validate-age=false "$z")
	fi
	spk=- st=- opk=- ovu=- ot=-
	if run syft && [ -x "$PEERS/syft" ]; then
		read -r yw yc _ < <(timed "$work/s.json" "$PEERS/syft" scan -q "dir:$dir" -o json)
		spk="$(jq '.artifacts | length' "$work/s.json") ($(jq '[.artifacts[] | select(.version != "")] | length' "$work/s.json"))"
		st="$yw / $yc"
	fi
	if run osv-scanner && [ -x "$PEERS/osv-scanner" ]; then
		read -r ow oc oe < <(OSV_SCALIBR_LOCAL_DB_CACHE_DIRECTORY=$work/osvdb timed "$work/o.json" "$PEERS/osv-scanner" scan source \
			--offline --offline-vulnerabilities --experimental-plugins artifact,javascript/packagejson,javascript/packagelockjson \
			--all-packages --format json -r "$dir")
		if [ -s "$work/o.json" ]; then
			opk="$(jq '[.results[]?.packages[]?] | length' "$work/o.json") ($(jq '[.results[]?.packages[]? | select((.package.version // "") != "")] | length' "$work/o.json"))"
			ovu=$(jq '[.results[]?.packages[]?.vulnerabilities[]?.id] | unique | length' "$work/o.json")
		else
			opk="0 (exit $oe: $(grep -io -m1 'no package sources found' "$work/stderr" || head -c 40 "$work/stderr"))"
		fi
		ot="$ow / $oc"
	fi
	echo "| $cell | $fpk | $un | $fw / $fc | $se | $sw / $sc | $spk | $st | $opk | $ovu | $ot |"
	rm -rf "$dir"
done
