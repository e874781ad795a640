#!/usr/bin/env bash
# How well a head ranking agrees with itself: the POS grid's k = 0 mBERT tagger ranks the heads (gradient importance,
# the paper's normalisation) on two disjoint parts of the same dev set: English-EWT dev sentences 1-500 (the sweep's
# source dev, which made the ranking the trials prune by) and 501-1000, German-GSD dev 1-399 and 400-798. The Spearman
# matrix it prints sets the within-language agreement beside the en-de one. (Heads files written since the split-half
# change also record each language's alternate-batch split-half rho; the committed heads.json predates it.)
#   benchmarks/paper/disjoint-halves.sh [BASE_TAGGER_DIR]   (default: target/sweeps/paper-pos-en-mbert/base)
set -euo pipefail
cd "$(dirname "$0")/../.."
export HEADLENS_JAVA_OPTS="${HEADLENS_JAVA_OPTS:--Xmx2g -Dorg.bytedeco.javacpp.maxbytes=4G -Dorg.bytedeco.javacpp.maxphysicalbytes=6G}"
base="${1:-target/sweeps/paper-pos-en-mbert/base}"
out=benchmarks/paper/pos-en-mbert/logs/disjoint-halves
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
# parts named pos/en-aa/dev.conllu etc.: headlens takes the language from the directory under pos/
python3 - "$tmp" <<'PY'
import os, sys
tmp = sys.argv[1]
for lang, n in [("en", 500), ("de", 399)]:
    blocks = open(f"../shared/data/pos/{lang}/dev.conllu", encoding="utf-8").read().strip("\n").split("\n\n")
    for tag, part in [("aa", blocks[:n]), ("bb", blocks[n:2 * n])]:
        os.makedirs(f"{tmp}/pos/{lang}-{tag}")
        open(f"{tmp}/pos/{lang}-{tag}/dev.conllu", "w", encoding="utf-8").write("\n\n".join(part) + "\n\n")
PY
mkdir -p "$out"
/usr/bin/time -v -o "$out/importance.time" ./headlens importance --model "$base" --batch-size 16 --max-length 128 \
  --data "$tmp/pos/en-aa/dev.conllu" --data "$tmp/pos/en-bb/dev.conllu" --data "$tmp/pos/de-aa/dev.conllu" --data "$tmp/pos/de-bb/dev.conllu" \
  --output "$out/heads.json" 2>&1 | tee "$out/importance.log"
