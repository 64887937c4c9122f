#!/usr/bin/env bash
# Builds everything and runs the whole test suite (what CI runs).
# Fixtures: $SMOLVLM_FIXTURES, else ../shared/fixtures beside the checkout.
set -euo pipefail
cd "$(dirname "$0")/.."

fixtures="${SMOLVLM_FIXTURES:-$(cd .. && pwd)/shared/fixtures}"
if [ ! -f "$fixtures/README.md" ] || [ ! -d "$fixtures/cases" ]; then
  echo "error: fixtures not found at $fixtures (set SMOLVLM_FIXTURES)" >&2
  exit 1
fi
export SMOLVLM_FIXTURES="$fixtures"

build_dir="${SMOLVLM_BUILD_DIR:-build}"
jobs="$(nproc)"
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release
cmake --build "$build_dir" -j "$jobs"
# The server's end-to-end tests use npm packages pinned by
# tests/server/js/package-lock.json; without them ctest reports them skipped.
if [ ! -d tests/server/js/node_modules ] && command -v npm >/dev/null; then
  npm ci --prefix tests/server/js --no-audit --no-fund ||
    echo "warning: npm ci failed (offline?); the tests under tests/server/js will be skipped" >&2
fi
ctest --test-dir "$build_dir" --output-on-failure --no-tests=error -j "$jobs"
