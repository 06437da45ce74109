#!/usr/bin/env bash
# Install the Ceph packages the test suite needs for a local S3 gateway
# (radosgw + one monitor + one memstore OSD). Idempotent: does nothing if present.
set -euo pipefail

packages=(radosgw ceph-mon ceph-osd)

missing=()
for pkg in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$pkg")
    fi
done

if [ ${#missing[@]} -eq 0 ]; then
    echo "ceph packages already installed: ${packages[*]}"
    exit 0
fi

SUDO=()
if [ "$(id -u)" -ne 0 ]; then
    SUDO=(sudo)
fi
apt=("${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -q)

"${apt[@]}" update
"${apt[@]}" install -y --no-install-recommends "${missing[@]}"
