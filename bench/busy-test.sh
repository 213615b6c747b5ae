#!/usr/bin/env bash
# `npm test` with CPU-bound processes beside it (default: one per core), as on a shared machine.
# Prints the wall time of the suite and its result; the suite has no wall-clock limits to trip.
#   bash bench/busy-test.sh [hogs]
set -u
hogs=${1:-$(nproc)}
pids=()
for _ in $(seq "$hogs"); do node -e 'for (;;) {}' & pids+=($!); done
trap 'kill "${pids[@]}" 2>/dev/null' EXIT
start=$(date +%s)
mkdir -p out
npm test > out/busy-test.log 2>&1
status=$?
end=$(date +%s)
tests=$(sed 's/\x1b\[[0-9;]*m//g' out/busy-test.log | grep -E '^ *Tests ' | tr -s ' ' | sed 's/^ //')
echo "{\"hogs\": $hogs, \"cores\": $(nproc), \"wall_s\": $((end - start)), \"exit\": $status, \"tests\": \"$tests\"}"
exit $status
