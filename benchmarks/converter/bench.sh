#!/usr/bin/env bash
# Converter throughput vs a plain file copy of the same checkpoint, same disk, same run.
# Usage: benchmarks/converter/bench.sh [WORK_DIR]   (needs python3+numpy; ~2.5 GB free space)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"; root="$here/../.."
work="${1:-$(mktemp -d)}"
(cd "$root" && mvn -B -q -o -DskipTests package >/dev/null)
cp_file="$root/target/classpath.txt"
run() { java -Xmx2g -cp "$root/target/classes:$(cat "$cp_file")" headlens.cli.Main "$@" >/dev/null; }
t() { local s e; s=$(date +%s.%N); "$@"; e=$(date +%s.%N); echo "$e - $s" | bc; }
printf "| input | size MiB | cp s | cp MiB/s | convert s | convert MiB/s | convert/cp time |\n|---|---|---|---|---|---|---|\n"
for dt in F32 F16; do
  python3 "$here/make_checkpoint.py" "$work/hf-$dt" "$dt"
  sync
  size=$(stat -c %s "$work/hf-$dt/model.safetensors"); mib=$(echo "$size / 1048576" | bc)
  cat "$work/hf-$dt/model.safetensors" >/dev/null   # same page-cache state for both
  rm -rf "$work/copy"; mkdir -p "$work/copy"
  tc=$(t bash -c "cp '$work/hf-$dt/model.safetensors' '$work/copy/' && sync")
  rm -rf "$work/out-$dt"
  tv=$(t bash -c "$(declare -f run); root='$root'; cp_file='$cp_file'; run convert --from '$work/hf-$dt' --to '$work/out-$dt' && sync")
  printf "| bert-base-multilingual shape, %s safetensors | %s | %.2f | %.0f | %.2f | %.0f | %.2f |\n" "$dt" "$mib" "$tc" \
    "$(echo "$mib / $tc" | bc -l)" "$tv" "$(echo "$mib / $tv" | bc -l)" "$(echo "$tv / $tc" | bc -l)"
done
# ONNX: the embedded MiniLM (86 MiB) from the classpath, includes reading the 86 MiB resource out of the jar
rm -rf "$work/minilm"
tv=$(t bash -c "$(declare -f run); root='$root'; cp_file='$cp_file'; run convert --to '$work/minilm' && sync")
printf "| embedded all-MiniLM-L6-v2 ONNX (from the jar) | 86 | - | - | %.2f | %.0f | - |\n" "$tv" "$(echo "86 / $tv" | bc -l)"
rm -rf "$work/copy" "$work"/out-* "$work"/hf-* "$work/minilm"
