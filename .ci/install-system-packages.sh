#!/usr/bin/env bash
# Debian packages the test suite needs: Ceph's S3 gateway, headless Chromium, a Java runtime for
# Spark (the reader test), and PostgreSQL (the deployment's tests). Idempotent.
set -euo pipefail

packages=(radosgw ceph-mon ceph-osd chromium fonts-liberation openjdk-17-jre-headless postgresql)
missing=()
for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" \
        || missing+=("$package")
done
if [ ${#missing[@]} -eq 0 ]; then
    echo "system packages present: ${packages[*]}"
    exit 0
fi
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q
$sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
