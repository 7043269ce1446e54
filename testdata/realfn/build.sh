#!/usr/bin/env bash
# Rebuilds testdata/realfn/orders-api.zip from src/ (package.json,
# package-lock.json, index.js): npm ci installs exactly the locked tree from
# the npm registry, then zipempty.py zips it corpus-style (metadata
# byte-identical, third-party code emptied).
#   testdata/realfn/build.sh [WORKDIR]
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
WORK=${1:-$(mktemp -d)}
mkdir -p "$WORK"
WORK=$(cd "$WORK" && pwd)
export npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false
rm -rf "$WORK/app" && mkdir -p "$WORK/app"
cp "$HERE/src/index.js" "$HERE/src/package.json" "$HERE/src/package-lock.json" "$WORK/app/"
cd "$WORK/app"
npm ci --ignore-scripts
# npm ci must not have touched the lockfile: the zip ships the committed one.
cmp package-lock.json "$HERE/src/package-lock.json"
rm -f "$HERE/orders-api.zip"
python3 "$HERE/zipempty.py" "$WORK/app" "$HERE/orders-api.zip"
ls -l "$HERE/orders-api.zip"
