#!/usr/bin/env bash
# Fine-tunes Google's multilingual BERT on UD English-EWT POS and scores it zero-shot on eight other languages.
# Sized for a 2-core CPU (the paper's lr 5e-5, batch 16, seed 42; 2,000 seeded training sentences, 2 epochs, max
# length 128); resumable: run it again after a stop and it continues from RUN_DIR/checkpoint.
#   benchmarks/train-mbert.sh [RUN_DIR]      (default runs/pos-en-mbert-small)
# Needs `./headlens models pull mbert` once. Wall time and peak RSS: benchmarks/results/train-pos-mbert.time.
set -uo pipefail
cd "$(dirname "$0")/.."
export HEADLENS_JAVA_OPTS="${HEADLENS_JAVA_OPTS:--Xmx3g -Dorg.bytedeco.javacpp.maxbytes=8G -Dorg.bytedeco.javacpp.maxphysicalbytes=14G}"
out="${1:-runs/pos-en-mbert-small}"
mkdir -p benchmarks/results
resume=()
[[ -d "$out/checkpoint" ]] && resume=(--resume)
/usr/bin/time -v -o benchmarks/results/train-pos-mbert.time \
  ./headlens train --config configs/experiments/pos-en-mbert.yaml --output "$out" "${resume[@]}" \
    --sample-sentences 2000 --epochs 2 --lr 5e-5 --batch-size 16 --max-length 128 --seed 42 \
    --max-dev-sentences 500 --eval-every 125 --checkpoint-every 25 --log-every 5 --no-progress \
    >> benchmarks/results/train-pos-mbert.log 2>&1
rc=$?
grep -E "Elapsed|Maximum resident" benchmarks/results/train-pos-mbert.time
[[ $rc -eq 0 ]] && cp "$out/metrics.json" benchmarks/results/train-pos-mbert.json
exit $rc
