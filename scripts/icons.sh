#!/usr/bin/env bash
# Remakes the PNG icons in packaging/linux/icons/hicolor/ from the SVG beside them, with
# rsvg-convert (Debian: apt-get install librsvg2-bin). The PNGs are committed: run this after
# changing the SVG.
set -euo pipefail
cd "$(dirname "$0")/../packaging/linux/icons"
command -v rsvg-convert >/dev/null || { echo "rsvg-convert is needed: apt-get install librsvg2-bin" >&2; exit 1; }
for s in 16 24 32 48 64 128 256 512; do
  mkdir -p "hicolor/${s}x${s}/apps"
  rsvg-convert -w "$s" -h "$s" app.mend.Mend.svg -o "hicolor/${s}x${s}/apps/app.mend.Mend.png"
done
echo "Remade the PNG icons in packaging/linux/icons/hicolor/."
