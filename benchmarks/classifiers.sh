#!/usr/bin/env bash
# Which ND4J CPU natives to ship: encode throughput (benchmarks/encode.sh) per nd4j.classifier, each build in its own
# copy of the working tree so the main target/ is untouched. ONNX Runtime runs in every JVM as the fixed reference.
#   benchmarks/classifiers.sh [WORK_DIR]       (default /tmp/headlens-classifiers)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="${1:-/tmp/headlens-classifiers}"
for c in linux-x86_64 linux-x86_64-avx512 linux-x86_64-onednn-avx512; do
  d="$work/$c"
  rm -rf "$d" && mkdir -p "$d"
  (cd "$root" && git ls-files -z | xargs -0 cp --parents -t "$d")
  export BENCH_MVN_OPTS="-o -Dnd4j.classifier=$c"
  (cd "$d" && benchmarks/java.sh --build)
  echo "== $c"
  (cd "$d" && BENCH_JAVA_OPTS="${BENCH_JAVA_OPTS:--Xmx1g -Dorg.bytedeco.javacpp.maxbytes=3G -Dorg.bytedeco.javacpp.maxphysicalbytes=4G}" \
      benchmarks/java.sh headlens.bench.EncodeBench --iters 3 2>/dev/null | grep -E '^\| (ONNX|headlens)|ratio')
done
