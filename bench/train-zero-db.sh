#!/usr/bin/env bash
# The 0 dB regime's runs (docs/training.md): bench/train-regime.sh on udem-nlos-0db.
#   bash bench/train-zero-db.sh [OUT]
set -euo pipefail
exec bash "$(dirname "$0")/train-regime.sh" udem-nlos-0db "${1:-out/zero-db}"
