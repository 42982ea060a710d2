#!/usr/bin/env bash
# Fetches the reference workload: npm package vega-datasets@3.2.1, extracting
# data/flights-3m.parquet and data/airports.csv into data/full/ (git-ignored).
# Needs only npm. Safe to re-run: does nothing when the files are already there.
set -euo pipefail

VERSION="3.2.1"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEST="${PARITY_DATA_DIR:-$ROOT/data/full}"
FILES=(flights-3m.parquet airports.csv)

have_all=1
for f in "${FILES[@]}"; do [[ -s "$DEST/$f" ]] || have_all=0; done
if [[ $have_all == 1 ]]; then
  echo "fetch-data: $DEST already has ${FILES[*]}"
  exit 0
fi

command -v npm >/dev/null || { echo "fetch-data: npm is required (install Node.js/npm)" >&2; exit 1; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
echo "fetch-data: downloading vega-datasets@$VERSION with npm ..."
(cd "$work" && npm pack --silent "vega-datasets@$VERSION" >/dev/null)
tarball="$(ls "$work"/vega-datasets-*.tgz)"
mkdir -p "$DEST"
for f in "${FILES[@]}"; do
  tar -xzf "$tarball" -C "$work" "package/data/$f"
  mv "$work/package/data/$f" "$DEST/$f"
done
echo "fetch-data: wrote $(cd "$DEST" && ls -l "${FILES[@]}" | awk '{print $9" ("$5" bytes)"}' | paste -sd, -) to $DEST"
