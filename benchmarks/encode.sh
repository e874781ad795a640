#!/usr/bin/env bash
# Encode throughput, headlens vs ONNX Runtime (same JVM, same batches), plus headlens forward+backward.
exec "$(dirname "$0")/java.sh" headlens.bench.EncodeBench "$@"
