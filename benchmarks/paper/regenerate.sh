#!/usr/bin/env bash
# Rebuilds benchmarks/paper/report.md, report.html (byte for byte from the committed result files) and report.png.
# --expect names the grids the issue asks for, so units that have not run are listed under "Missing cells"
# (the seed replicates, `sweep --seed 43`, in *-seed43/, are run where they help and are not expected).
set -euo pipefail
cd "$(dirname "$0")/../.."
./headlens report --runs benchmarks/paper --to benchmarks/paper --expect \
  configs/sweeps/paper-pos-en-mbert.yaml configs/sweeps/paper-pos-pt-mbert.yaml configs/sweeps/paper-pos-multi-mbert.yaml \
  configs/sweeps/paper-ner-en-mbert.yaml configs/sweeps/paper-ner-multi-mbert.yaml configs/sweeps/paper-slot-en-mbert.yaml
[[ -n "${NO_SCREENSHOT:-}" ]] || benchmarks/paper/screenshot.sh benchmarks/paper/report.html benchmarks/paper/report.png
