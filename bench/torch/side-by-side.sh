#!/usr/bin/env bash
# The three training steps of docs/training.md's table, PyTorch and ours alternately in one
# sitting (PyTorch, ours, PyTorch, ours), with the machine's load before and after:
#   bash bench/torch/side-by-side.sh [rounds]
# A measuring stick beside `npm run bench`: needs Debian's python3-torch, never run by tests or CI.
set -euo pipefail
cd "$(dirname "$0")/../.."
rounds=${1:-2}
echo "{\"load_before\": \"$(cut -d' ' -f1-3 /proc/loadavg)\"}"
for _ in $(seq "$rounds"); do
  /usr/bin/python3 bench/torch/step.py 2
  npx tsx bench/step-compare.ts auto 8 512 5 2>/dev/null
  npx tsx bench/step-compare.ts auto 64 1024 3 2>/dev/null
  npx tsx bench/codec-step.ts auto 20 2>/dev/null
done
echo "{\"load_after\": \"$(cut -d' ' -f1-3 /proc/loadavg)\"}"
