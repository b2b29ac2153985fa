#!/usr/bin/env bash
# Idle cost of a running Mend process: context switches per second (all its threads, each
# one a wake-up) and CPU time, over SECS seconds, after it has settled.
#   scripts/idle-cost.sh PID [SECS]
# Prints: "<switches per second> <CPU % of one core> <resident MB>".
set -euo pipefail
pid=$1
secs=${2:-60}
switches() {
    local total=0 n
    for s in /proc/"$pid"/task/*/status; do
        n=$(awk '/ctxt_switches/ {t += $2} END {print t + 0}' "$s" 2>/dev/null || echo 0)
        total=$((total + n))
    done
    echo "$total"
}
ticks() { awk '{print $14 + $15}' /proc/"$pid"/stat; }
s0=$(switches); t0=$(ticks)
sleep "$secs"
s1=$(switches); t1=$(ticks)
hz=$(getconf CLK_TCK)
rss=$(awk '/VmRSS/ {print $2 / 1024}' /proc/"$pid"/status)
awk -v ds=$((s1 - s0)) -v dt=$((t1 - t0)) -v secs="$secs" -v hz="$hz" -v rss="$rss" \
    'BEGIN { printf "%.2f %.3f %.0f\n", ds / secs, 100 * dt / hz / secs, rss }'
