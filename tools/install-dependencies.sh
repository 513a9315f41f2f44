#!/usr/bin/env bash
# Installs the Debian packages TraceLedger builds and tests with, when any is missing.
# Needs root or sudo; does nothing when everything is already installed.
set -euo pipefail

# PyPI packages the tests use to check what we write with code we did not write.
# PACKAGE or PACKAGE:MODULE when the import name is not the package's with - as _.
python_packages=(prometheus-client openapi-spec-validator lmdb cloudevents tlog-scales websocket-client:websocket)
for entry in "${python_packages[@]}"; do
    package=${entry%%:*}
    module=${entry#*:}
    [ "$module" = "$entry" ] && module=${package//-/_}
    python3 -c "import $module" 2>/dev/null || python3 -m pip install -q --root-user-action=ignore "$package" >&2
done

packages=(pkg-config liblmdb-dev libzstd-dev libnats-dev nats-server libsqlite3-dev chromium)
missing=()
for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "installing ${missing[*]}" >&2
if [ "$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
