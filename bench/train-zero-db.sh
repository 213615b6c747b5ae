#!/usr/bin/env bash
# The (8, 512) structured head on udem-nlos-0db at 16 and 4 bits, trained by the documented rule
# (--converge: ≥ 5,000 steps, then until the best validation rate gains < 0.5% over the last
# quarter of the steps; at most 250 epochs = 20,000 steps of batch 100), fresh training channels
# every epoch. Resumable: rerun after a kill and each run continues from its last epoch.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-out/zero-db}
for bits in 16,16,16,16 4,4,4,4; do
  npx codesign train --scenario udem-nlos-0db --head structured --cout 8 --dfcl 512 --bits "$bits" \
    --fresh-channels --batch 100 --epochs 250 --patience 1000 --converge --min-steps 5000 \
    --out "$out/structured-8x512-${bits//,/-}" --progress --json > "$out/structured-8x512-${bits//,/-}.json"
done
