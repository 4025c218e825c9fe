#!/usr/bin/env bash
# Installs the system libraries vlmtune builds against when they are missing; does nothing
# when everything is there. Debian/Ubuntu (apt-get); other systems get a list to install.
set -euo pipefail

packages=(libopenblas-dev libhdf5-dev libzstd-dev libpng-dev libjpeg62-turbo-dev pkg-config)

if ! command -v dpkg-query >/dev/null 2>&1; then
    for lib in openblas hdf5 libzstd libpng libjpeg; do
        pkg-config --exists "$lib" 2>/dev/null || { echo "setup: not a Debian system; install the development files of: OpenBLAS, HDF5, zstd, libpng, libjpeg-turbo, pkg-config" >&2; exit 1; }
    done
    exit 0
fi

missing=()
for pkg in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "setup: installing ${missing[*]}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || { echo "setup: run as root or install sudo: apt-get install ${missing[*]}" >&2; exit 1; }
    sudo="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "setup: done"
