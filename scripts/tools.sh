#!/usr/bin/env bash
# Installs what building the page needs, skipping whatever is already there at the right version:
# the wasm32 target, trunk (0.21.x builds on this rustc), wasm-bindgen-cli at Cargo.lock's exact
# version, and every crate (so trunk can build offline). Everything comes from crates.io.
set -euo pipefail
cd "$(dirname "$0")/.."
# One target dir for every checkout on this machine (the work tree and CI's fresh clone): burn is
# compiled once per machine, not once per clone.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/vae-lab/target}"
export CARGO_BUILD_JOBS="${CARGO_BUILD_JOBS:-2}"
TRUNK_VERSION=0.21.14
BINDGEN_VERSION=$(awk '/^name = "wasm-bindgen"$/ {getline; gsub(/version = |"/, ""); print; exit}' Cargo.lock)

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  rustup target add wasm32-unknown-unknown
fi
if [ "$(trunk --version 2>/dev/null)" != "trunk $TRUNK_VERSION" ]; then
  echo "installing trunk $TRUNK_VERSION (takes a few minutes, once)"
  # Without its default features (TLS for downloading tools, the update check): trunk runs
  # offline here, and it compiles in less time without rustls and ring. Unoptimised: trunk's
  # own release profile (fat LTO, one codegen unit) took 8.6 of a 2-core machine's minutes,
  # this 3.4, and trunk's work (copying files, starting cargo and wasm-bindgen, serving) does
  # not need the speed.
  CARGO_PROFILE_RELEASE_OPT_LEVEL=0 CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=256 \
    cargo install trunk --version "$TRUNK_VERSION" --locked --no-default-features
fi
if [ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $BINDGEN_VERSION" ]; then
  echo "installing wasm-bindgen-cli $BINDGEN_VERSION (takes a few minutes, once)"
  # Not --locked: its lockfile pins a crate version the registry no longer serves (DESIGN.md).
  # No default features: their TLS only serves the test runner's downloads.
  cargo install wasm-bindgen-cli --version "=$BINDGEN_VERSION" --force --no-default-features
fi
cargo fetch --quiet
