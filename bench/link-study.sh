#!/usr/bin/env bash
# The feedback-link study behind data/link/ and docs/link.md (issue #31), on udem-nlos-paper's
# held-out positions. Resumable: every training is skipped once its summary exists, an interrupted
# one resumes from its checkpoint. Stages (each line reproduces one run as written):
#   1. codecs on the site's 2×8×8 feedback maps, trained clean: 100 epochs of batch 200, lr 1e-3
#      (the epoch budget, the same for every codec);
#   2. the same codecs fine-tuned to send B bits per codeword element (--codeword-bits B, a trained
#      LSQ step; 30 epochs from the clean weights), and with AWGN on the codeword at 10 dB (seed 003);
#   3. the structured (8, 512) precoder by the documented rule, on the site's true channels and on
#      the channels rebuilt from 70-bit DFT reports (--feedback dft:70);
#   4. codesign link over every scheme × precoder → data/link/udem-nlos-paper.json.
#   bash bench/link-study.sh [STAGE…]   (default: all; e.g. `bash bench/link-study.sh link`)
set -euo pipefail
cd "$(dirname "$0")/.."
scenario=udem-nlos-paper
codecs=out/codecs
mkdir -p "$codecs" out/logs data/link
stages=${*:-clean quantized noisy precoder link}
train() { # name, then codesign train flags
  local name=$1
  shift
  [ -s "$codecs/$name.json" ] && return
  echo "$(date -u +%FT%TZ) $name" >&2
  npx codesign train --scenario "$scenario" --batch 200 --lr 1e-3 --out "$codecs/$name" --json "$@" \
    > "$codecs/$name.json.tmp" 2> "out/logs/$name.log"
  mv "$codecs/$name.json.tmp" "$codecs/$name.json"
}
for stage in $stages; do
  case $stage in
    clean)
      train csinet4-paper --net csinet --cr 4 --epochs 100
      train cllw4-paper --net cllwcsinet --cr 4 --epochs 100
      train csinet8-paper --net csinet --cr 8 --epochs 100
      ;;
    quantized)
      for b in 4 8 2 12; do train "csinet4-paper-q$b" --net csinet --cr 4 --codeword-bits "$b" --init-from "$codecs/csinet4-paper" --epochs 30; done
      train cllw4-paper-q4 --net cllwcsinet --cr 4 --codeword-bits 4 --init-from "$codecs/cllw4-paper" --epochs 30
      train csinet8-paper-q8 --net csinet --cr 8 --codeword-bits 8 --init-from "$codecs/csinet8-paper" --epochs 30
      ;;
    noisy)
      train csinet4-paper-snr10 --net csinet --cr 4 --snr-db 10 --init-from "$codecs/csinet4-paper" --epochs 30
      train cllw4-paper-snr10 --net cllwcsinet --cr 4 --snr-db 10 --init-from "$codecs/cllw4-paper" --epochs 30
      ;;
    precoder)
      [ -s out/paper/structured-8x512-16-16-16-16.json ] || bash bench/train-regime.sh "$scenario" out/paper 16,16,16,16
      # The same network and rule, reading the channels rebuilt from 70-bit DFT reports (rated on the true ones).
      run=out/paper/structured-8x512-dft70
      if [ ! -s $run.json ]; then
        npx codesign train --scenario "$scenario" --head structured --cout 8 --dfcl 512 --feedback dft:70 \
          --fresh-channels --batch 100 --epochs 250 --patience 1000 --converge --min-steps 5000 --out $run --json \
          > $run.json.tmp 2> out/logs/structured-dft70.log
        mv $run.json.tmp $run.json
      fi
      ;;
    link)
      q() { echo "codec:$codecs/$1:$2"; }
      feedback="perfect;dft:70;dft:134;dft:262;dft:390;scalar:134;scalar:262;scalar:390"
      feedback+=";$(q csinet4-paper-q2 2);$(q csinet4-paper-q4 4);$(q csinet4-paper-q8 8);$(q csinet4-paper-q12 12)"
      feedback+=";$(q csinet8-paper-q8 8)"
      feedback+=";$(q csinet4-paper analog);$(q csinet4-paper 4);$(q csinet4-paper 8);$(q cllw4-paper analog);$(q cllw4-paper-q4 4)"
      npx codesign link --scenario "$scenario" --feedback "$feedback" \
        --precoder "rzf-ep,wmmse,net:out/paper/structured-8x512-16-16-16-16,net:out/paper/structured-8x512-dft70" --samples 500 --json \
        > data/link/$scenario.json.tmp
      mv data/link/$scenario.json.tmp data/link/$scenario.json
      # Seed 003's robustness check: analog codewords under AWGN, codecs trained clean and at 10 dB.
      npx codesign link --scenario "$scenario" --precoder rzf-ep --samples 500 --json --codeword-snr 0,5,10,15,20 \
        --feedback "perfect;$(q csinet4-paper analog);$(q cllw4-paper analog);$(q csinet4-paper-snr10 analog);$(q cllw4-paper-snr10 analog)" \
        > data/link/$scenario-noise.json.tmp
      mv data/link/$scenario-noise.json.tmp data/link/$scenario-noise.json
      ;;
    *) echo "unknown stage $stage (clean, quantized, noisy, precoder, link)" >&2; exit 2 ;;
  esac
done
