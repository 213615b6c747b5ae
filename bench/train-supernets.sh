#!/usr/bin/env bash
# The supernets behind data/rates/<site>.csv: for one site, both heads and the 8 seed-000
# architectures, two seeds of the default (64, 1024) of each head. Resumable: rerun the
# same line and every finished run is skipped, an interrupted one resumes from its last epoch's
# checkpoint (the epoch count is not part of a run's resume key, so a run can be extended).
#   bash bench/train-supernets.sh udem-nlos [EPOCHS] [DIRECT_EPOCHS] [ROOT]
# then: npx codesign rates --supernets ROOT/<site> --scenario <site>   (writes data/rates/<site>.csv)
# The direct head's small architectures get DIRECT_EPOCHS (default 1): its plateau near MRT is
# known (docs/training.md), and a session's 3 hours on 2 cores did not hold more.
set -euo pipefail
site=$1
epochs=${2:-3}
direct_epochs=${3:-1}
root=${4:-out/supernets}
cd "$(dirname "$0")/.."
run() { # head cout dfcl seed epochs
  local dir="$root/$site/$1/$2x$3/seed-$4"
  mkdir -p "$dir"
  echo "$(date -u +%FT%TZ) $site $1 $2x$3 seed $4, $5 epochs" >&2
  npx tsx cli/main.ts train --scenario "$site" --head "$1" --cout "$2" --dfcl "$3" --supernet \
    --epochs "$5" --patience "$5" --batch 100 --lr 1e-3 --seed "$4" --out "$dir" --json > "$dir/summary.json"
}
run structured 64 1024 1 "$epochs"
run structured 64 1024 2 "$epochs"
run direct 64 1024 1 "$epochs"
for arch in 8x512 8x1024 16x512 16x1024 32x512 32x1024 64x512; do
  run structured "${arch%x*}" "${arch#*x}" 1 "$epochs"
done
for arch in 8x512 8x1024 16x512 16x1024 32x512 32x1024 64x512; do
  run direct "${arch%x*}" "${arch#*x}" 1 "$direct_epochs"
done
run direct 64 1024 2 "$epochs"
