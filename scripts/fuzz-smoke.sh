#!/usr/bin/env bash
# Runs every cargo-fuzz target briefly (FUZZ_SECONDS each, default 30), seeded with the frames of
# the real-session captures. Installs cargo-fuzz when it is missing. Exits non-zero on a crash.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${FUZZ_SECONDS:-30}
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
rustup toolchain list | grep -q nightly || { echo "fuzz-smoke: the nightly toolchain is required" >&2; exit 1; }
targets=$(cargo +nightly fuzz list --fuzz-dir fuzz)
for t in $targets; do
  corpus="fuzz/corpus/$t"
  mkdir -p "$corpus"
  # Seed: each capture's raw bytes per direction are a realistic starting point.
  python3 scripts/capture_seeds.py "$t" core/tests/captures "$corpus"
  echo "fuzz-smoke: $t for ${seconds}s"
  cargo +nightly fuzz run --fuzz-dir fuzz "$t" "$corpus" -- -max_total_time="$seconds" -rss_limit_mb=2048 -max_len=65536 2>&1 | tail -n 4
done
