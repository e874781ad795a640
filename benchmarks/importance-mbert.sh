#!/usr/bin/env bash
# Head importance (Michel's |dL/dgate| summed over dev, the paper's per-layer normalisation) of the fine-tuned mBERT
# POS tagger, per language on each language's dev set (zh, ja: the UD v2 alt-* sets; hi: XTREME's HDTB dev), with the
# Spearman matrix between the languages' rankings and heatmaps.
#   benchmarks/importance-mbert.sh [RUN_DIR] [MAX_SENTENCES]     (defaults: runs/pos-en-mbert-small 300)
set -uo pipefail
cd "$(dirname "$0")/.."
export HEADLENS_JAVA_OPTS="${HEADLENS_JAVA_OPTS:--Xmx3g -Dorg.bytedeco.javacpp.maxbytes=8G -Dorg.bytedeco.javacpp.maxphysicalbytes=14G}"
run="${1:-runs/pos-en-mbert-small}"; n="${2:-300}"
out=benchmarks/results/importance-pos-mbert
mkdir -p "$out"
d=../shared/data/pos
/usr/bin/time -v -o "$out/importance.time" ./headlens importance --model "$run" --max-sentences "$n" --batch-size 16 --max-length 128 \
  --data $d/en/dev.conllu $d/de/dev.conllu $d/es/dev.conllu $d/fr/dev.conllu $d/pt/dev.conllu \
         $d/zh/alt-gsd-r2.17/dev.conllu $d/ja/alt-gsd-r2.18/dev.conllu $d/hi/alt-xtreme-udpos/dev.tsv $d/tr/dev.conllu \
  --output "$out/heads.json" --plot "$out/heads" 2>&1 | tee "$out/importance.log"
grep -E "Elapsed|Maximum resident" "$out/importance.time"
