#!/usr/bin/env bash
# Fine-tuning on real data with the real all-MiniLM-L6-v2 weights (the embedded default model).
# Each run: headlens train with an experiment file from configs/experiments/, overrides sized to fit a 2-core CPU box
# (each run well under 25 minutes there), then the best model is evaluated on the test files (RUN_DIR/metrics.json).
# Wall time and peak RSS come from /usr/bin/time -v. Results: benchmarks/results/train-<name>.{log,time,json}.
#   benchmarks/train-real.sh [pos|ner|slot ...]      (default: all three)
set -euo pipefail
export HEADLENS_JAVA_OPTS="${HEADLENS_JAVA_OPTS:--Xmx3g}"
cd "$(dirname "$0")/.."
mkdir -p benchmarks/results runs
runs=("${@:-pos ner slot}")
[[ $# -eq 0 ]] && runs=(pos ner slot)
for r in "${runs[@]}"; do
  case "$r" in
    pos)  cfg=configs/experiments/pos-en-minilm.yaml
          extra=(--epochs 1 --lr 1e-4 --sample-sentences 6000 --max-dev-sentences 1000 --eval-every 125) ;;
    ner)  cfg=configs/experiments/ner-wikiann-en-minilm.yaml
          extra=(--epochs 1 --lr 1e-4 --sample-sentences 8000 --max-dev-sentences 1000 --eval-every 250 --max-eval-sentences 2000) ;;
    slot) cfg=configs/experiments/slot-xsid-en-minilm.yaml
          extra=(--epochs 1 --lr 1e-4 --sample-sentences 8000 --eval-every 250) ;;
    *) echo "unknown run $r (pos, ner, slot)" >&2; exit 2 ;;
  esac
  out=runs/$r-en-minilm-bench
  rm -rf "$out"
  echo "== $r: ./headlens train --config $cfg --output $out ${extra[*]} --no-progress"
  /usr/bin/time -v -o benchmarks/results/train-$r.time \
    ./headlens train --config "$cfg" --output "$out" "${extra[@]}" --no-progress > benchmarks/results/train-$r.log 2>&1
  cp "$out/metrics.json" benchmarks/results/train-$r.json
  grep -E "Elapsed|Maximum resident" benchmarks/results/train-$r.time
done
