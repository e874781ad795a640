#!/usr/bin/env bash
# The learning-rate dev check the issue allows ("lr 5e-5 unless a dev sweep over a few values shows a better one for
# this budget"): the slot grid's k = 0 fine-tune (configs/sweeps/paper-slot-en-mbert.yaml: the seeded random 2,000
# English xSID training utterances, 2 epochs = 250 updates, batch 16, max length 128, seed 42) with other learning
# rates, scored on the grid's source dev only (all 300 English dev utterances; no target's dev or test set is looked
# at). `headlens train` runs the same Trainer, sampling (DataReaders.sample, seed 42) and classifier initialisation as
# the sweep's base-k00. lr 5e-5 itself was the first slot grid's base-k00 (benchmarks/paper-superseded/slot-en-mbert-lr5e-5/logs/base-k00.train.jsonl), not rerun.
# Writes logs/lr-dev/LR.train.jsonl, LR.log, LR.time and lr-dev.tsv (lr, epoch, update, source dev slot F1).
# Resumable: a finished lr is skipped, an interrupted one continues from its checkpoint.
#   benchmarks/paper/slot-en-mbert/lr-dev.sh [LR ...]        (default: 1e-4 2e-4)
set -euo pipefail
cd "$(dirname "$0")/../../.."
export HEADLENS_JAVA_OPTS="${HEADLENS_JAVA_OPTS:--Xmx3g -Dorg.bytedeco.javacpp.maxbytes=12G -Dorg.bytedeco.javacpp.maxphysicalbytes=14G}"
model="${MBERT_DIR:-$HOME/.cache/headlens/models/mbert}"
out=benchmarks/paper/slot-en-mbert/logs/lr-dev
mkdir -p "$out"
lrs=("$@"); [[ ${#lrs[@]} -gt 0 ]] || lrs=(1e-4 2e-4)
for lr in "${lrs[@]}"; do
  run="target/lr-dev/slot-en-mbert-lr$lr"
  if [[ -f "$out/$lr.train.jsonl" ]] && grep -q '"event":"end"' "$out/$lr.train.jsonl"; then echo "lr $lr: done"; continue; fi
  resume=(); [[ -f "$run/checkpoint/state.json" || -f "$run/checkpoint.old/state.json" ]] && resume=(--resume)
  /usr/bin/time -v -o "$out/$lr.time" ./headlens train --model "$model" --task slot \
    --train ../shared/data/slot/en/train.text.en --sample-sentences 2000 --seed 42 \
    --dev ../shared/data/slot/en/dev.conll --epochs 2 --lr "$lr" --batch-size 16 --max-length 128 \
    --no-progress --output "$run" "${resume[@]}" >>"$out/$lr.log" 2>&1
  cp "$run/logs/train.jsonl" "$out/$lr.train.jsonl.tmp" && mv "$out/$lr.train.jsonl.tmp" "$out/$lr.train.jsonl"
done
# one row per dev evaluation, lr 5e-5 from the first (lr 5e-5) grid's k = 0 log
python3 - "$out" benchmarks/paper-superseded/slot-en-mbert-lr5e-5/logs/base-k00.train.jsonl <<'PY'
import json, os, sys
out, base = sys.argv[1], sys.argv[2]
rows = []
def evals(path, lr):
    for line in open(path, encoding="utf-8"):
        e = json.loads(line)
        if e.get("event") == "eval":
            rows.append((float(lr), lr, e["epoch"], e["step"], e["score"]))
evals(base, "5e-5")
for f in sorted(os.listdir(out)):
    if f.endswith(".train.jsonl"):
        evals(os.path.join(out, f), f[: -len(".train.jsonl")])
rows.sort()
tmp = os.path.join(out, "lr-dev.tsv.tmp")
with open(tmp, "w", encoding="utf-8") as w:
    w.write("lr\tepoch\tupdate\tsource_dev_slot_f1\n")
    for _, lr, ep, st, sc in rows:
        w.write(f"{lr}\t{ep + 1}\t{st}\t{sc * 100:.2f}\n")
os.replace(tmp, os.path.join(out, "lr-dev.tsv"))
print(open(os.path.join(out, "lr-dev.tsv"), encoding="utf-8").read(), end="")
PY
