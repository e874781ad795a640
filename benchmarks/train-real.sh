#!/usr/bin/env bash
# Fine-tuning on real data with the real all-MiniLM-L6-v2 weights (the embedded default model).
# Each run: headlens train with an experiment file from configs/experiments/, overrides sized to fit a 2-core CPU box
# (the small runs take minutes, the -full ones 20–50 minutes there), then the best model is evaluated on the test files (RUN_DIR/metrics.json).
# Wall time and peak RSS come from /usr/bin/time -v. Results: benchmarks/results/train-<name>.{log,time,json}.
#   benchmarks/train-real.sh [pos|ner|slot|pos-full|ner-full|slot-full|ner-multi ...]      (default: pos ner slot)
set -uo pipefail
# explicit JavaCPP limits (its defaults derive from -Xmx); the session memory pool yields at 60% of maxphysicalbytes
export HEADLENS_JAVA_OPTS="${HEADLENS_JAVA_OPTS:--Xmx1500m -Dorg.bytedeco.javacpp.maxbytes=4G -Dorg.bytedeco.javacpp.maxphysicalbytes=6G}"
cd "$(dirname "$0")/.."
mkdir -p benchmarks/results runs
runs=("${@:-pos ner slot}")
[[ $# -eq 0 ]] && runs=(pos ner slot)
for r in "${runs[@]}"; do
  case "$r" in
    pos)  cfg=configs/experiments/pos-en-minilm.yaml
          extra=(--epochs 1 --lr 1e-4 --max-length 128 --sample-sentences 4000 --max-dev-sentences 1000 --eval-every 125) ;;
    ner)  cfg=configs/experiments/ner-wikiann-en-minilm.yaml
          extra=(--epochs 1 --lr 1e-4 --max-length 128 --sample-sentences 6000 --max-dev-sentences 1000 --eval-every 125 --max-eval-sentences 2000) ;;
    # the whole training set (after the 2026-11-24 memory/speed fixes made this fit in a session): POS 2 epochs, NER 3
    # (1 epoch stopped at dev 0.781 and still rising), slot all 43,605 xSID utterances for 2 epochs (1 epoch of 20,000: dev 0.869, rising)
    pos-full) cfg=configs/experiments/pos-en-minilm.yaml
          extra=(--epochs 2 --lr 1e-4 --max-length 128 --max-dev-sentences 1000 --eval-every 400) ;;
    ner-full) cfg=configs/experiments/ner-wikiann-en-minilm.yaml
          extra=(--epochs 3 --lr 1e-4 --max-length 128 --max-dev-sentences 1000 --eval-every 400 --max-eval-sentences 2000) ;;
    slot-full) cfg=configs/experiments/slot-xsid-en-minilm.yaml
          extra=(--epochs 2 --lr 1e-4 --max-length 128 --eval-every 1000) ;;
    # multi-lingual: one model trained on a seeded 6,000 of the 80,000 en+de+fr+pt WikiANN training sentences
    ner-multi) cfg=configs/experiments/ner-wikiann-multi-minilm.yaml
          extra=(--epochs 1 --lr 1e-4 --max-length 128 --sample-sentences 6000 --max-dev-sentences 500 --eval-every 125 --max-eval-sentences 1000) ;;
    slot) cfg=configs/experiments/slot-xsid-en-minilm.yaml
          extra=(--epochs 1 --lr 1e-4 --max-length 128 --sample-sentences 6000 --eval-every 125) ;;
    *) echo "unknown run $r (pos, ner, slot, pos-full, ner-full, slot-full, ner-multi)" >&2; exit 2 ;;
  esac
  out=runs/$r-en-minilm-bench
  rm -rf "$out"
  echo "== $r: ./headlens train --config $cfg --output $out ${extra[*]} --no-progress"
  if /usr/bin/time -v -o benchmarks/results/train-$r.time \
      ./headlens train --config "$cfg" --output "$out" "${extra[@]}" --no-progress > benchmarks/results/train-$r.log 2>&1; then
    cp "$out/metrics.json" benchmarks/results/train-$r.json
  else
    echo "$r FAILED (see benchmarks/results/train-$r.log)"
  fi
  grep -E "Elapsed|Maximum resident" benchmarks/results/train-$r.time
done
