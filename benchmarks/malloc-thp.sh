#!/usr/bin/env bash
# Transparent huge pages for glibc malloc's mappings (GLIBC_TUNABLES=glibc.malloc.hugetlb=1, set by ./headlens through
# src/main/sh/native-env.sh) against none (hugetlb=0), on a short real mBERT job: NER fine-tune on the first 320
# English WikiANN sentences (20 updates at batch 16, length 128), 300 dev sentences, then 400 Chinese dev sentences
# scored. The two settings alternate (0, 1, 0, 1, ...: this VM's speed drifts between minutes); each run's wall, user and
# system seconds, minor page faults and peak RSS go to benchmarks/results/malloc-thp.txt, and the runs' metrics.json
# must be identical (allocation must not change a result): the script fails otherwise.
#   ./headlens models pull mbert   # once
#   benchmarks/malloc-thp.sh [ROUNDS]   # default 3; about 5 minutes a round on 2 cores
set -euo pipefail
cd "$(dirname "$0")/.."
rounds="${1:-3}"
shared="${HEADLENS_SHARED:-../shared}"
export HEADLENS_JAVA_OPTS="${HEADLENS_JAVA_OPTS:--Xmx3g -Dorg.bytedeco.javacpp.maxbytes=12G -Dorg.bytedeco.javacpp.maxphysicalbytes=14G}"
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
out=benchmarks/results/malloc-thp.txt
mkdir -p benchmarks/results
{ echo "# benchmarks/malloc-thp.sh $rounds, $(date -u +%F), $(git rev-parse --short HEAD), $(nproc) processors, THP $(cat /sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null || echo '?')"
  echo "# hugetlb round wall_s user_s sys_s minor_faults max_rss_kb metrics_md5"; } > "$out.tmp"
ref=""
for ((r = 1; r <= rounds; r++)); do
  for h in 0 1; do
    GLIBC_TUNABLES="glibc.malloc.hugetlb=$h" /usr/bin/time -f "%e %U %S %R %M" -o "$work/time" ./headlens train --task ner --model mbert \
      --train "$shared/data/ner/en/train.tsv" --max-sentences 320 --epochs 1 --batch-size 16 --max-length 128 \
      --dev "$shared/data/ner/en/dev.tsv" --max-dev-sentences 300 --eval "$shared/data/ner/zh/dev.tsv" --max-eval-sentences 400 \
      --output "$work/run-$h-$r" --seed 42 --no-progress > "$work/log" 2>&1 || { tail -20 "$work/log" >&2; exit 1; }
    md5=$(md5sum < "$work/run-$h-$r/metrics.json" | cut -c1-12)
    line="$h $r $(tail -1 "$work/time") $md5"; echo "$line"; echo "$line" >> "$out.tmp"
    [[ -z "$ref" ]] && ref=$md5
    [[ "$md5" == "$ref" ]] || { echo "error: metrics.json differs between runs ($md5 vs $ref)" >&2; exit 1; }
  done
done
awk '!/^#/ {w[$1] = w[$1] " " $3} END {print "# wall seconds, hugetlb=0:" w[0] "; hugetlb=1:" w[1]}' "$out.tmp" >> "$out.tmp"
mv "$out.tmp" "$out"
tail -1 "$out"
