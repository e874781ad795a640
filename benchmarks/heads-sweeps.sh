#!/usr/bin/env bash
# The committed pruning sweeps (benchmarks/heads/*) on all-MiniLM-L6-v2: UD English-EWT POS and WikiANN en NER,
# run side by side. Resumable: rerun to continue where they stopped.
# Off-heap limits tighter than the launcher's defaults: a sweep builds a new graph per trial, and JavaCPP frees the old
# ones' native memory only when it nears maxphysicalbytes.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export HEADLENS_JAVA_OPTS="${HEADLENS_JAVA_OPTS:--Xmx2500m -Dorg.bytedeco.javacpp.maxbytes=3G -Dorg.bytedeco.javacpp.maxphysicalbytes=5G}"
mkdir -p target/sweeps
pids=()
for c in ewt-pos-minilm wikiann-en-ner-minilm; do
  ./headlens sweep --config "configs/sweeps/$c.yaml" > "target/sweeps/$c.log" 2>&1 &
  pids+=($!)
done
status=0
for p in "${pids[@]}"; do wait "$p" || status=$?; done
exit $status
