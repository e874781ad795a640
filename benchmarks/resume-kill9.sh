#!/usr/bin/env bash
# Resume check with the real MiniLM on real data: one uninterrupted run, and one run killed with SIGKILL mid-epoch and then
# resumed (--resume) from its last checkpoint. Both must end with the same dev accuracy and byte-identical weights.
# Small on purpose (UD English-EWT, 320 training sentences, 100 dev sentences, 2 epochs = 40 updates, checkpoint every 3).
set -euo pipefail
cd "$(dirname "$0")/.."
export HEADLENS_JAVA_OPTS="${HEADLENS_JAVA_OPTS:--Xmx3g}"
work=${1:-runs/resume-check}
rm -rf "$work"; mkdir -p "$work"
args=(train --task pos --train ../shared/data/pos/en/train.conllu --dev ../shared/data/pos/en/dev.conllu
      --max-sentences 320 --max-dev-sentences 100 --epochs 2 --eval-every 10 --checkpoint-every 3 --log-every 1 --no-progress)
./headlens "${args[@]}" --output "$work/straight" > "$work/straight.out" 2>&1

./headlens "${args[@]}" --output "$work/killed" > "$work/killed.out" 2>&1 &
pid=$!
# kill -9 once update 27 (mid-epoch 2: 20 updates an epoch) is logged
until grep -q '"event":"step","step":27,' "$work/killed/logs/train.jsonl" 2>/dev/null; do sleep 0.2; done
java_pid=$(pgrep -P $pid java || echo $pid)
kill -9 "$java_pid"; wait $pid || true
echo "killed at: $(grep '"event":"step"' "$work/killed/logs/train.jsonl" | tail -1 | cut -c1-60)"
echo "checkpoint step: $(grep '"step"' "$work/killed/checkpoint/state.json")"
./headlens "${args[@]}" --output "$work/killed" --resume > "$work/resumed.out" 2>&1

echo "straight: $(tail -1 "$work/straight.out")"
echo "resumed:  $(tail -1 "$work/resumed.out")"
a=$(sha256sum < "$work/straight/model.safetensors"); b=$(sha256sum < "$work/killed/model.safetensors")
echo "best model sha256: straight ${a%% *}  resumed ${b%% *}"
# npz files are zips whose entry headers carry timestamps: compare the arrays' bytes, not the files
cmp_npz() { python3 -c 'import sys, zipfile, hashlib
h = lambda f: {n: hashlib.sha256(zipfile.ZipFile(f).read(n)).hexdigest() for n in zipfile.ZipFile(f).namelist()}
a, b = h(sys.argv[1]), h(sys.argv[2]); print(len(a), "arrays,", "identical" if a == b else "DIFFERENT:", *[k for k in a if a[k] != b.get(k)][:5])' "$1" "$2"; }
w=$(cmp_npz "$work/straight/checkpoint/weights.npz" "$work/killed/checkpoint/weights.npz")
o=$(cmp_npz "$work/straight/checkpoint/optimizer.npz" "$work/killed/checkpoint/optimizer.npz")
echo "final weights: $w"
echo "final AdamW state: $o"
[[ "$a" == "$b" && "$w" == *identical* && "$o" == *identical* ]] && echo "RESUME OK: identical" || { echo "RESUME MISMATCH"; exit 1; }
