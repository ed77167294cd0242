#!/usr/bin/env bash
# Re-vendors the dashboard's JavaScript libraries from the npm registry at the pinned versions
# below, with their licences, into lambda_emulator/dashboard/static/vendor/. No build step: the
# files are the packages' own ES module / minified builds, copied as released.
# To update a library: change its version here, run this script, check the dashboard tests, and
# commit the vendor folder together with this file.
set -euo pipefail
PREACT=10.29.8
HTM=3.1.1
UPLOT=1.6.32

root="$(cd "$(dirname "$0")/.." && pwd)"
dest="$root/lambda_emulator/dashboard/static/vendor"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"
for spec in "preact@$PREACT" "htm@$HTM" "uplot@$UPLOT"; do
  npm pack --silent "$spec" >/dev/null
done
for tgz in *.tgz; do mkdir -p "${tgz%.tgz}" && tar xzf "$tgz" -C "${tgz%.tgz}"; done
rm -rf "$dest" && mkdir -p "$dest/preact" "$dest/htm" "$dest/uplot"
cp "preact-$PREACT/package/dist/preact.module.js" "$dest/preact/preact.module.js"
cp "preact-$PREACT/package/hooks/dist/hooks.module.js" "$dest/preact/hooks.module.js"
cp "preact-$PREACT/package/LICENSE" "$dest/preact/LICENSE"
cp "htm-$HTM/package/dist/htm.module.js" "$dest/htm/htm.module.js"
cp "htm-$HTM/package/LICENSE" "$dest/htm/LICENSE"
cp "uplot-$UPLOT/package/dist/uPlot.iife.min.js" "$dest/uplot/uPlot.iife.min.js"
cp "uplot-$UPLOT/package/dist/uPlot.min.css" "$dest/uplot/uPlot.min.css"
cp "uplot-$UPLOT/package/LICENSE" "$dest/uplot/LICENSE"
# Source-map comments point at files we do not ship; drop them so a browser never asks for them.
sed -i '/^\/\/# sourceMappingURL=/d; s#//\# sourceMappingURL=[^ ]*$##' "$dest"/*/*.js
cat > "$dest/VERSIONS" <<VERSIONS
preact $PREACT (MIT)
htm $HTM (Apache-2.0)
uplot $UPLOT (MIT)
VERSIONS
echo "vendored into $dest:"; cat "$dest/VERSIONS"
