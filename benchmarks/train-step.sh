#!/usr/bin/env bash
# Training-step throughput and peak RSS, headlens (SameDiff) vs PyTorch (libtorch CPU via DJL), same shapes, same run:
# forward + backward + global-norm clipping + AdamW update, dropout on, all weights training, random token ids.
#   benchmarks/train-step.sh [--steps 20] [--warmup 3] [--batch 16] [--seq 128] [models...]   (default models: minilm bert-base)
# Each implementation runs in its own JVM (clean RSS); results: one JSON line each in benchmarks/results/train-step.jsonl.
set -euo pipefail
cd "$(dirname "$0")/.."
steps=20; warmup=3; batch=16; seq=128; models=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --steps) steps=$2; shift 2 ;; --warmup) warmup=$2; shift 2 ;; --batch) batch=$2; shift 2 ;; --seq) seq=$2; shift 2 ;;
    *) models+=("$1"); shift ;;
  esac
done
[[ ${#models[@]} -eq 0 ]] && models=(minilm bert-base)
mkdir -p benchmarks/results
out=benchmarks/results/train-step.jsonl
: > "$out"
# JavaCPP limits: the 12 GB bound of the issue for BERT-base (an OutOfMemoryError here means the bound is not met)
export BENCH_JAVA_OPTS="${BENCH_JAVA_OPTS:--Xmx1500m -Dorg.bytedeco.javacpp.maxbytes=10G -Dorg.bytedeco.javacpp.maxphysicalbytes=12G}"
for m in "${models[@]}"; do
  for cls in headlens.bench.TrainStepBench headlens.bench.TorchTrainStep; do
    benchmarks/java.sh "$cls" --model "$m" --steps "$steps" --warmup "$warmup" --batch "$batch" --seq "$seq" 2>/dev/null \
      | grep '^{' | tee -a "$out"
  done
done
python3 - "$out" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
print("| model | batch x seq | headlens tok/s | PyTorch tok/s | headlens / PyTorch | headlens peak RSS GB | PyTorch peak RSS GB |")
print("|---|---|---|---|---|---|---|")
for m in dict.fromkeys(r["model"] for r in rows):
    h = next((r for r in rows if r["model"] == m and r["impl"] == "headlens"), None)
    p = next((r for r in rows if r["model"] == m and r["impl"] == "pytorch"), None)
    if h and p:
        print(f'| {m} | {h["batch"]} x {h["seq"]} | {h["tokens_per_s"]:.0f} | {p["tokens_per_s"]:.0f} | '
              f'{h["tokens_per_s"]/p["tokens_per_s"]:.2f} | {h["peak_rss_gb"]:.2f} | {p["peak_rss_gb"]:.2f} |')
PY
