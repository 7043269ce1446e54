#!/usr/bin/env bash
# Builds the bundled-JavaScript fixtures (testdata/bundles/*.zip) with the real
# bundlers from the npm registry. Run from anywhere:
#   testdata/bundles/build.sh [WORKDIR]
# WORKDIR (default: a new temp dir) receives node_modules and build output;
# nothing but the zips is written into the repository.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
WORK=${1:-$(mktemp -d)}
mkdir -p "$WORK"
WORK=$(cd "$WORK" && pwd)
export npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false

# 1. Bundlers, exact versions.
mkdir -p "$WORK/tools"
cd "$WORK/tools"
[ -f package.json ] || echo '{"name":"fixture-tools","private":true}' > package.json
npm install --save-exact esbuild@0.25.9 webpack@5.113.0 webpack-cli@7.3.1 rollup@4.68.8 \
  @rollup/plugin-node-resolve@16.0.3 @rollup/plugin-commonjs@29.0.3 @rollup/plugin-json@6.1.0 @rollup/plugin-terser@1.0.2
BIN=$WORK/tools/node_modules/.bin

# 2. event-stream 3.3.6 and flatmap-stream 0.1.1 were unpublished from npm.
# Their package.json files come from the corpus reconstruction
# (testdata/functions/event-stream-reconstruction.zip). event-stream's code is
# 3.3.5's index.js plus the one line 3.3.6 added; flatmap-stream's is a
# harmless placeholder written here (the real one carried the payload).
rm -rf "$WORK/recon" && mkdir -p "$WORK/recon" && cd "$WORK/recon"
unzip -q "$HERE/../functions/event-stream-reconstruction.zip" \
  node_modules/event-stream/package.json node_modules/flatmap-stream/package.json -d corpus
npm pack --silent event-stream@3.3.5 >/dev/null
tar -xzf event-stream-3.3.5.tgz package/index.js
mkdir -p es/ fm/
cp corpus/node_modules/event-stream/package.json es/
{ cat package/index.js; printf '\n// added in 3.3.6\nes.flatmapSync = require(%s)\n' "'flatmap-stream'"; } > es/index.js
cp corpus/node_modules/flatmap-stream/package.json fm/
cat > fm/index.js <<'JS'
// RECONSTRUCTED placeholder for the unpublished flatmap-stream 0.1.1: the
// same API (a flat-mapping through stream), none of the malicious payload.
var Stream = require('stream').Stream
module.exports = function (fn) {
  var s = new Stream()
  s.readable = s.writable = true
  s.write = function (d) { fn(d).forEach(function (x) { s.emit('data', x) }); return true }
  s.end = function () { s.emit('end') }
  return s
}
JS
(cd es && npm pack --silent >/dev/null && mv event-stream-3.3.6.tgz ..)
(cd fm && npm pack --silent >/dev/null && mv flatmap-stream-0.1.1.tgz ..)

# 3. The function's own dependencies (lockfile written by npm; the two
# reconstructed entries are then made to look as they did on the registry).
rm -rf "$WORK/app" && mkdir -p "$WORK/app"
cp "$HERE/src/index.js" "$HERE/src/package.json" "$HERE/src/webpack.config.js" "$WORK/app/"
cp "$HERE/src/rollup.config.mjs" "$WORK/tools/"
cd "$WORK/app"
npm install --no-package-lock=false
node -e '
const fs = require("fs");
const l = JSON.parse(fs.readFileSync("package-lock.json"));
for (const k of ["node_modules/event-stream", "node_modules/flatmap-stream"]) {
  delete l.packages[k].resolved; delete l.packages[k].integrity;
}
l.packages[""].dependencies["event-stream"] = "3.3.6";
fs.writeFileSync("package-lock.json", JSON.stringify(l, null, 2) + "\n");'

# 4. Bundles: bundler x minified or not x source map shipped, inline or none.
for bundler in esbuild webpack rollup; do
  for min in plain min; do
    for map in map inline none; do
      out=$WORK/out/$bundler-$min-$map
      rm -rf "$out" && mkdir -p "$out"
      m=0; [ $min = min ] && m=1
      case $bundler in
      esbuild)
        flags=(--bundle --platform=node --target=node20 --sources-content=false --log-level=warning)
        [ $m = 1 ] && flags+=(--minify)
        [ $map = map ] && flags+=(--sourcemap)
        [ $map = inline ] && flags+=(--sourcemap=inline)
        "$BIN/esbuild" index.js "${flags[@]}" --outfile="$out/index.js" ;;
      webpack)
        FNAUDIT_MIN=$m FNAUDIT_MAP=$map FNAUDIT_OUT=$out "$BIN/webpack" --config webpack.config.js --no-stats ;;
      rollup)
        FNAUDIT_MIN=$m FNAUDIT_MAP=$map FNAUDIT_OUT=$out FNAUDIT_IN=$WORK/app/index.js "$BIN/rollup" -c "$WORK/tools/rollup.config.mjs" --silent ;;
      esac
      # 5. Lambda-style zips, with and without the lockfile, fixed timestamps.
      for lock in lock nolock; do
        stage=$WORK/stage/$bundler-$min-$map-$lock
        rm -rf "$stage" && mkdir -p "$stage"
        cp "$out"/index.js* "$stage/"
        [ $lock = lock ] && cp package-lock.json "$stage/"
        find "$stage" -exec touch -d '2026-01-01 00:00:00 UTC' {} +
        rm -f "$HERE/$bundler-$min-$map-$lock.zip"
        (cd "$stage" && zip -q -X -9 -D "$HERE/$bundler-$min-$map-$lock.zip" $(ls | sort))
      done
    done
  done
done
ls -l "$HERE"/*.zip | awk '{s+=$5} END {print NR " zips, " s " bytes"}'
