#!/usr/bin/env bash
# The supernets behind data/rates/<site>.csv: for one site, both heads, the 8 seed-000
# architectures, seeds 1–2 for the default (64, 1024). Resumable: rerun the same line and every
# finished run is skipped, an interrupted one resumes from its last epoch's checkpoint.
#   bash bench/train-supernets.sh udem-nlos [EPOCHS] [ROOT]
# then: npx codesign rates --supernets ROOT/<site> --scenario <site>   (writes data/rates/<site>.csv)
set -euo pipefail
site=$1
epochs=${2:-3}
root=${3:-out/supernets}
cd "$(dirname "$0")/.."
run() { # head cout dfcl seed
  local dir="$root/$site/$1/$2x$3/seed-$4"
  mkdir -p "$dir"
  echo "$(date -u +%FT%TZ) $site $1 $2x$3 seed $4" >&2
  npx tsx cli/main.ts train --scenario "$site" --head "$1" --cout "$2" --dfcl "$3" --supernet \
    --epochs "$epochs" --patience "$epochs" --batch 100 --lr 1e-3 --seed "$4" --out "$dir" --json > "$dir/summary.json"
}
# The default architecture first (the seeds the docs average), then the other seven, then the
# direct head's second seed.
run structured 64 1024 1
run structured 64 1024 2
run direct 64 1024 1
for head in structured direct; do
  for arch in 8x512 8x1024 16x512 16x1024 32x512 32x1024 64x512; do
    run "$head" "${arch%x*}" "${arch#*x}" 1
  done
done
run direct 64 1024 2
