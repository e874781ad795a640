#!/usr/bin/env bash
# Training-step throughput and peak RSS, headlens (SameDiff) vs PyTorch (libtorch CPU via DJL), same shapes, same run:
# forward + backward + global-norm clipping + AdamW update, dropout on, all weights training, random token ids.
#   benchmarks/train-step.sh [--steps 20] [--warmup 3] [--batch 16] [--seq 128] [--rounds 1] [models...]   (default models: minilm bert-base)
# Each implementation runs in its own JVM (clean RSS); results: one JSON line each in benchmarks/results/train-step.jsonl.
# --rounds N alternates the two implementations N times (headlens, PyTorch, headlens, ...): on a shared VM the speed of
# the machine drifts by tens of percent between minutes, so the ratio is taken per round and the median is reported.
set -euo pipefail
cd "$(dirname "$0")/.."
steps=20; warmup=3; batch=16; seq=128; rounds=1; models=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --steps) steps=$2; shift 2 ;; --warmup) warmup=$2; shift 2 ;; --batch) batch=$2; shift 2 ;; --seq) seq=$2; shift 2 ;; --rounds) rounds=$2; shift 2 ;;
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
  for ((r = 1; r <= rounds; r++)); do
    for cls in headlens.bench.TrainStepBench headlens.bench.TorchTrainStep; do
      benchmarks/java.sh "$cls" --model "$m" --steps "$steps" --warmup "$warmup" --batch "$batch" --seq "$seq" 2>/dev/null \
        | grep '^{' | sed "s/}\$/,\"round\":$r}/" | tee -a "$out"
    done
  done
done
python3 - "$out" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
from statistics import median
print("| model | batch x seq | rounds | headlens tok/s | PyTorch tok/s | headlens / PyTorch per round | median ratio | headlens peak RSS GB | PyTorch peak RSS GB |")
print("|---|---|---|---|---|---|---|---|---|")
for m in dict.fromkeys(r["model"] for r in rows):
    pairs = []
    for rnd in sorted({r.get("round", 1) for r in rows if r["model"] == m}):
        h = next((r for r in rows if r["model"] == m and r["impl"] == "headlens" and r.get("round", 1) == rnd), None)
        p = next((r for r in rows if r["model"] == m and r["impl"] == "pytorch" and r.get("round", 1) == rnd), None)
        if h and p: pairs.append((h, p))
    if not pairs: continue
    ratios = [h["tokens_per_s"] / p["tokens_per_s"] for h, p in pairs]
    h0 = pairs[0][0]
    tok = lambda i: " / ".join("%.0f" % pr[i]["tokens_per_s"] for pr in pairs)
    print("| %s | %d x %d | %d | %s | %s | %s | **%.2f** | %.2f | %.2f |" % (
        m, h0["batch"], h0["seq"], len(pairs), tok(0), tok(1), " / ".join("%.2f" % x for x in ratios), median(ratios),
        max(h["peak_rss_gb"] for h, _ in pairs), max(p["peak_rss_gb"] for _, p in pairs)))
PY
