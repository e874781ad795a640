#!/usr/bin/env bash
# Tokenizer speed: headlens vs HuggingFace's Rust tokenizers (DJL binding), same text, same JVM run.
# Usage: benchmarks/tokenizer.sh [SHARED_DIR] [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
SHARED="${1:-../shared}"
ROUNDS="${2:-5}"
benchmarks/java.sh headlens.tokenize.bench.TokenizerBench "$SHARED" "$ROUNDS" 2> >(grep -v -E 'ai.djl' >&2)
