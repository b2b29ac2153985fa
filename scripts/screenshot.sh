#!/usr/bin/env bash
# Starts the real Mend window under Xvfb on a demo profile and saves screenshots of the main
# screens to docs/screenshots/ (or $OUT). Needs Xvfb and ImageMagick's `import`
# (Debian: apt-get install xvfb imagemagick). Networking is local-only on 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/.."

OUT=${OUT:-docs/screenshots}
SCREENS=${SCREENS:-"Today Agreements Promises Gratitude Check-ins Repairs Together Pause Journal Help"}
DISPLAY_NUM=${DISPLAY_NUM:-:97}

# MEND_BIN=path uses that binary; DEBUG=1 a debug build (quicker to build, slower to run).
if [ -n "${MEND_BIN:-}" ]; then
  M=$MEND_BIN
elif [ "${DEBUG:-}" = 1 ]; then
  cargo build -p mend
  M=target/debug/mend
else
  cargo build --release -p mend
  M=target/release/mend
fi
P=$(mktemp -d)
trap 'kill "${XVFB:-}" 2>/dev/null || true; rm -rf "$P"' EXIT

# A demo space, written through the command line (the same engine the window uses).
$M --profile "$P" init --name Ana --device-name "Ana's laptop" >/dev/null 2>&1
$M --profile "$P" agreement propose --category phones --text "No phones at dinner" >/dev/null
$M --profile "$P" agreement propose --category communication --text "We talk before 22:00, not after" >/dev/null
$M --profile "$P" promise make --text "Call when I'm running late" --due +3h --repeat daily >/dev/null
$M --profile "$P" gratitude add --text "Thank you for listening last night" >/dev/null
$M --profile "$P" gratitude add --text "Thank you for making breakfast" >/dev/null
for r in "4 3 4" "3 3 3" "4 4 5" "5 4 4"; do
  set -- $r
  $M --profile "$P" checkin add --connection "$1" --trust "$2" --heard "$3" >/dev/null
done
$M --profile "$P" repair add --what-happened "I missed dinner" --what-i-did "I stayed late without calling" \
  --impact "You waited and worried" --next-time "Call before six" >/dev/null
G=$($M --profile "$P" goal add --text "A walk together every Sunday")
S=$($M --profile "$P" goal step "$G" --text "Pick a route we both like")
$M --profile "$P" goal step "$G" --text "Buy a thermos" >/dev/null
$M --profile "$P" goal done "$S" 2>/dev/null
$M --profile "$P" together plan --text "Dinner at the lake" --when +3d >/dev/null
$M --profile "$P" question answer --text "The evening we cooked pasta and laughed at the smoke alarm" >/dev/null 2>&1

Xvfb "$DISPLAY_NUM" -screen 0 1000x720x24 -nolisten tcp >/dev/null 2>&1 &
XVFB=$!
sleep 1
mkdir -p "$OUT"
shot() { # profile folder, screen, file name
  DISPLAY=$DISPLAY_NUM MEND_SCREEN=$2 $M --profile "$1" --local-only >/dev/null 2>&1 &
  APP=$!
  sleep "${WAIT:-3}"
  DISPLAY=$DISPLAY_NUM import -window root "$OUT/$3.png"
  kill "$APP" 2>/dev/null || true
  wait "$APP" 2>/dev/null || true
}
# First run: a profile folder that does not exist yet (nothing is written until a choice).
shot "$P/new" Today first-run
for s in $SCREENS; do
  shot "$P" "$s" "$(echo "$s" | tr 'A-Z' 'a-z')"
done
echo "Screenshots in $OUT"
