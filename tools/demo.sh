#!/usr/bin/env bash
# One command from a fresh Debian machine with the Swift toolchain: install what is missing, build, run the demo.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/install-dependencies.sh
swift build -c release --product traceledger
exec .build/release/traceledger demo "$@"
