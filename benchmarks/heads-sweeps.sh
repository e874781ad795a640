#!/usr/bin/env bash
# The committed pruning sweeps (benchmarks/heads/*): EWT POS then WikiANN en NER on all-MiniLM-L6-v2. Resumable: rerun to continue.
# Off-heap limits tighter than the launcher's defaults: a sweep builds a new graph per trial, and JavaCPP frees the old
# ones' native memory only when it nears maxphysicalbytes.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export HEADLENS_JAVA_OPTS="${HEADLENS_JAVA_OPTS:--Xmx3g -Dorg.bytedeco.javacpp.maxbytes=3G -Dorg.bytedeco.javacpp.maxphysicalbytes=6G}"
for c in ewt-pos-minilm wikiann-en-ner-minilm; do
  ./headlens sweep --config "configs/experiments/$c.yaml"
done
