#!/usr/bin/env bash
# Writes packaging/flatpak/cargo-sources.json (every crate in Cargo.lock, with its checksum,
# for flatpak-builder to fetch before a build without network) using flatpak-cargo-generator
# from flatpak-builder-tools (its cargo/ folder; Python 3.9+ with aiohttp and tomlkit).
# Run it again whenever Cargo.lock changes.
#
#   packaging/flatpak/make-cargo-sources.sh PATH/TO/flatpak-cargo-generator.py
set -euo pipefail
gen="${1:?give the path of flatpak-cargo-generator.py (flatpak-builder-tools, cargo/)}"
here="$(cd "$(dirname "$0")" && pwd)"
python3 "$gen" "$here/../../Cargo.lock" -o "$here/cargo-sources.json"
echo "Wrote $here/cargo-sources.json"
