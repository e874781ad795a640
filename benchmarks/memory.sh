#!/usr/bin/env bash
# RSS over many forward+backward steps of MiniLM (default 200 steps at 32 x 128).
BENCH_JAVA_OPTS="${BENCH_JAVA_OPTS:--Xmx2g -Dorg.bytedeco.javacpp.maxbytes=3G -Dorg.bytedeco.javacpp.maxphysicalbytes=4G}" \
  exec "$(dirname "$0")/java.sh" headlens.bench.MemoryBench "$@"
