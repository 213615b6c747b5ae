#!/usr/bin/env bash
# The shipped regime map (data/regimes): `codesign regimes` over both sites (one process per site,
# side by side on the two cores), then each finished cell's JSON and its trainings' learning curves
# copied into data/regimes. Resumable: rerun the same line; finished cells are read back, an
# interrupted training resumes from its checkpoint (out/regimes/cells/<cell>/<head>).
#   bash bench/regimes.sh [OUT]
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-out/regimes}
mkdir -p out/logs
for site in udem-nlos okapark-los; do
  OPENBLAS_NUM_THREADS=1 npx codesign regimes --sites "$site" --out "$out" --progress >> "out/logs/regimes-$site.log" 2>&1 &
done
wait
mkdir -p data/regimes/cells data/regimes/curves
cp "$out"/cells/*.json data/regimes/cells/
for run in "$out"/cells/*/*/curve.csv; do
  cell=$(basename "$(dirname "$(dirname "$run")")")
  head=$(basename "$(dirname "$run")")
  cp "$run" "data/regimes/curves/$cell-$head.csv"
done
cp "$out/regimes.csv" data/regimes/regimes.csv
echo "data/regimes: $(ls data/regimes/cells | wc -l) cells"
