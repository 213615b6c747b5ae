#!/usr/bin/env bash
# The supernets behind data/rates/<site>.csv: for one site, both heads and the 8 seed-000
# architectures, three seeds of (64, 1024) for each head. Every run is trained by the same
# documented rule (docs/training.md, "When a training stops"): fresh training channels every
# epoch (drawn from the training positions only), batch 100, lr 1e-3, at least MIN_STEPS steps,
# then until the best 16-bit validation rate gains < 0.5% over the last quarter of the steps, at
# most 250 epochs (20,000 steps). Resumable: rerun the same line and every finished run is
# skipped, an interrupted one resumes from its last epoch's checkpoint. Two processes may run the
# same line at once (one per core): each run is held by an flock on its directory, released when
# its process ends (so a kill leaves no stale lock), and the other process takes the next run.
#   bash bench/train-supernets.sh udem-nlos [ROOT] [MIN_STEPS]
# then: npx codesign rates --supernets ROOT/<site> --scenario <site>   (writes data/rates/<site>.csv)
set -euo pipefail
site=$1
root=${2:-out/supernets}
min_steps=${3:-5000}
cd "$(dirname "$0")/.."
run() { # head cout dfcl seed
  local dir="$root/$site/$1/$2x$3/seed-$4"
  mkdir -p "$dir"
  if [ -s "$dir/summary.json" ]; then return; fi
  exec {lock}>"$dir/.lock"
  if ! flock -n "$lock"; then exec {lock}>&-; return; fi
  echo "$(date -u +%FT%TZ) $site $1 $2x$3 seed $4" >&2
  npx tsx cli/main.ts train --scenario "$site" --head "$1" --cout "$2" --dfcl "$3" --supernet \
    --fresh-channels --converge --min-steps "$min_steps" --epochs 250 --patience 1000 \
    --batch 100 --lr 1e-3 --seed "$4" --out "$dir" --json > "$dir/summary.json.tmp"
  mv "$dir/summary.json.tmp" "$dir/summary.json"
  exec {lock}>&-
}
for arch in 8x512 8x1024 16x512 16x1024 32x512 32x1024 64x512 64x1024; do
  for head in structured direct; do
    run "$head" "${arch%x*}" "${arch#*x}" 1
  done
done
for seed in 2 3; do
  for head in structured direct; do
    run "$head" 64 1024 "$seed"
  done
done
