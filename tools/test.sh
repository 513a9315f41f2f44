#!/usr/bin/env bash
# Runs every test: installs what is missing, builds, then the whole Swift Testing suite.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/install-dependencies.sh
swift build --build-tests
swift test --skip-build "$@"
