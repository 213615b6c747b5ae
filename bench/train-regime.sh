#!/usr/bin/env bash
# The (8, 512) precoder (structured head, or HEAD=unfolded: K = 3 unfolded WMMSE iterations) trained by the documented rule (docs/training.md, "When a
# training stops") on a regime scenario, at 16 and at 4 bits: fresh training channels every epoch
# from the training positions, batch 100, lr 1e-3, at least 5,000 steps, then until the best
# validation rate gains < 0.5% over the last quarter. Resumable: rerun the same line.
#   [HEAD=unfolded] bash bench/train-regime.sh SCENARIO [OUT] [BITS…]
# then: npx codesign eval --checkpoint OUT/HEAD-8x512-16-16-16-16 --scenario SCENARIO
set -euo pipefail
cd "$(dirname "$0")/.."
head=${HEAD:-structured}
scenario=$1
out=${2:-out/$scenario}
shift $(( $# >= 2 ? 2 : 1 ))
mkdir -p "$out"
for bits in "${@:-16,16,16,16 4,4,4,4}"; do
  for b in $bits; do
    run="$out/$head-8x512-${b//,/-}"
    npx codesign train --scenario "$scenario" --head "$head" --cout 8 --dfcl 512 --bits "$b" \
      --fresh-channels --batch 100 --epochs 250 --patience 1000 --converge --min-steps 5000 \
      --out "$run" --progress --json > "$run.json"
  done
done
