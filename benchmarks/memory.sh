#!/usr/bin/env bash
# RSS over many forward+backward steps of MiniLM (default 200 steps at 32 x 128).
# -Xmx512m: the Java heap counts in RSS too (with -Xmx1g it grew by ~0.5 GB over 200 steps, measured)
BENCH_JAVA_OPTS="${BENCH_JAVA_OPTS:--Xmx512m -Dorg.bytedeco.javacpp.maxbytes=3G -Dorg.bytedeco.javacpp.maxphysicalbytes=4G}" \
  exec "$(dirname "$0")/java.sh" headlens.bench.MemoryBench "$@"
