#!/usr/bin/env bash
# Runs every test: the Rust tests natively, the core's wasm32 build, then the browser tests in
# headless Chromium against the served release build. Installs what is missing first.
set -euo pipefail
cd "$(dirname "$0")/.."
# One target dir for every checkout on this machine (the work tree and CI's fresh clone): burn is
# compiled once per machine, not once per clone.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/vae-lab/target}"
export CARGO_BUILD_JOBS="${CARGO_BUILD_JOBS:-2}"
bash scripts/tools.sh
if [ ! -x /usr/bin/chromium ]; then
  echo "installing Debian's chromium"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
if [ ! -d tests/node_modules/playwright-core ]; then
  (cd tests && npm ci --no-audit --no-fund --silent)
fi

echo "== Rust tests (native)"
cargo test --workspace

echo "== vae-core builds for wasm32"
cargo build -p vae-core --target wasm32-unknown-unknown --profile wasm-release --quiet

echo "== page: release build"
trunk build --release

echo "== browser tests (headless Chromium)"
(cd tests && node --test --test-concurrency=1 ./*.test.mjs)
