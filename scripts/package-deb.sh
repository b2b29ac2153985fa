#!/usr/bin/env bash
# Builds Mend's Debian package with cargo-deb and prints the .deb's path.
#
#   scripts/package-deb.sh                 # release build, then target/debian/mend_*.deb
#                                          # (under $CARGO_TARGET_DIR when that is set)
#   scripts/package-deb.sh --no-build      # package the binary already built
#   scripts/package-deb.sh --profile dev   # package the debug binary (larger, for tests)
#   scripts/package-deb.sh --out DIR       # write the .deb into DIR
#   scripts/package-deb.sh --fast          # lighter compression (quicker, larger)
#
# The man pages and shell completions are made by the built binary itself (`mend man`,
# `mend completions`) into target/<profile>/mend-deb/, which [package.metadata.deb] in
# app/Cargo.toml packages. Needs cargo-deb (`cargo install cargo-deb --locked`; 3.8.0 is the
# version tested) and dpkg-dev (for the package's library dependencies).
set -euo pipefail
cd "$(dirname "$0")/.."

profile=release
build=1
out=()
fast=()
while [ $# -gt 0 ]; do
  case "$1" in
    --no-build) build=0 ;;
    --profile) profile="${2:?--profile needs a name: release or dev}"; shift ;;
    --out) out=(--output "${2:?--out needs a folder}"); shift ;;
    --fast) fast=(--fast) ;;
    -h|--help) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "package-deb.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done

if ! cargo deb --version >/dev/null 2>&1; then
  echo "package-deb.sh: cargo-deb is not installed: cargo install cargo-deb --locked --version 3.8.0" >&2
  exit 1
fi

target_dir="${CARGO_TARGET_DIR:-target}"
case "$profile" in
  dev|test) profile_dir=debug ;;
  *) profile_dir="$profile" ;;
esac
if [ "$build" = 1 ]; then
  cargo build --locked --profile "$profile" -p mend
fi
bin="$target_dir/$profile_dir/mend"
if [ ! -x "$bin" ]; then
  echo "package-deb.sh: there is no $bin yet: build it first, or leave out --no-build" >&2
  exit 1
fi

# What the binary writes about itself, staged where cargo-deb looks (target/release/ in the
# manifest stands for the profile's folder).
stage="$target_dir/$profile_dir/mend-deb"
rm -rf "$stage"
mkdir -p "$stage/man" "$stage/completions"
"$bin" man --out "$stage/man" >/dev/null
gzip -9n "$stage/man/"*.1  # Debian policy: man pages compressed, without a timestamp
"$bin" completions bash >"$stage/completions/mend"
"$bin" completions zsh >"$stage/completions/_mend"
"$bin" completions fish >"$stage/completions/mend.fish"

cargo deb -p mend --no-build --locked --profile "$profile" "${out[@]}" "${fast[@]}"
