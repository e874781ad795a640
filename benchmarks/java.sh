#!/usr/bin/env bash
# Runs a benchmark main class from the test classpath (peers such as ONNX Runtime are test-scope dependencies).
# Usage: benchmarks/java.sh headlens.bench.EncodeBench [args...]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
if [[ ! -f target/test-classpath.txt || ! -d target/test-classes/headlens || -n "${HEADLENS_REBUILD:-}" ]]; then
  mvn -B -q -DskipTests test-compile dependency:build-classpath -Dmdep.outputFile=target/test-classpath.txt -Dmdep.includeScope=test >&2
fi
classifier=$(mvn -B -q help:evaluate -Dexpression=nd4j.classifier -DforceStdout 2>/dev/null || echo "?")
export OMP_WAIT_POLICY="${OMP_WAIT_POLICY:-PASSIVE}"
# glibc's dynamic mmap threshold otherwise keeps freed ND4J buffers in the heap, unreused: RSS climbed 1.8 GB per
# MiniLM forward at 32 x 128 (benchmarks/README.md, "Memory"). A fixed threshold returns them to the OS on close.
export MALLOC_MMAP_THRESHOLD_="${MALLOC_MMAP_THRESHOLD_:-131072}"
exec java ${BENCH_JAVA_OPTS:--Xmx2g -Dorg.bytedeco.javacpp.maxbytes=3G -Dorg.bytedeco.javacpp.maxphysicalbytes=6G} \
  -Dheadlens.nd4j.classifier="$classifier" \
  -cp "target/test-classes:target/classes:$(cat target/test-classpath.txt)" "$@"
