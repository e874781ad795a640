#!/usr/bin/env bash
# Builds and runs a benchmark or probe main from benchmarks/src/main/java (Maven profile "bench": compiled into
# target/bench-classes against the test classpath, where the peers ONNX Runtime, PyTorch/DJL and HuggingFace tokenizers
# are test-scope dependencies; the default build does not compile them).
# Usage: benchmarks/java.sh headlens.bench.EncodeBench [args...]
#        benchmarks/java.sh --build          (build only)
# Env: HEADLENS_REBUILD=1 rebuilds even when target/bench-classes exists (after editing a benchmark or the sources);
#      BENCH_MVN_OPTS extra Maven options for the build (e.g. "-o -Dnd4j.classifier=linux-x86_64");
#      BENCH_JAVA_OPTS replaces the JVM's memory options.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
mvn_opts=(${BENCH_MVN_OPTS:-})
build() {
  mvn -B -q "${mvn_opts[@]}" -Pbench -DskipTests test-compile dependency:build-classpath \
    -Dmdep.outputFile=target/test-classpath.txt -Dmdep.includeScope=test >&2
}
if [[ "${1:-}" == "--build" ]]; then build; exit 0; fi
if [[ ! -f target/test-classpath.txt || ! -d target/bench-classes/headlens || -n "${HEADLENS_REBUILD:-}" ]]; then build; fi
# nd4j.classifier of the build (no help:evaluate: that needs the network offline): the pom's direct classified backend
# dependency is the first such jar on the classpath, before any that another dependency pulls in
classifier=$(tr ':' '\n' < target/test-classpath.txt \
  | sed -nE 's#.*/org/nd4j/(nd4j-native|nd4j-cuda-[0-9.]+)/([^/]+)/\1-\2-([^/]+)\.jar$#\3#p' | head -1)
. "$root/src/main/sh/native-env.sh"   # OpenMP and glibc malloc settings, as ./headlens
exec java ${BENCH_JAVA_OPTS:--Xmx2g -Dorg.bytedeco.javacpp.maxbytes=3G -Dorg.bytedeco.javacpp.maxphysicalbytes=6G} \
  -Dheadlens.nd4j.classifier="${classifier:-?}" \
  -cp "target/bench-classes:target/test-classes:target/classes:$(cat target/test-classpath.txt)" "$@"
