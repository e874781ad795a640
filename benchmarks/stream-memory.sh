#!/usr/bin/env bash
# Peak RSS and wall time of the streaming commands as the input grows: `headlens encode` (the embedded MiniLM) on
# SIZES lines of UD English-EWT text (the train file's "# text =" lines, repeated past its 12,544), then `predict` on
# the same lines and `eval` on a CoNLL-U file of as many labelled sentences (the train file's, repeated), with a POS
# tagger RUN_DIR (RUN_DIR=..., or a tiny one trained here: 300 sentences, 1 epoch). Flat peak RSS across sizes = memory
# does not grow with the input. Peak RSS also depends on the longest sentences (one batch's working set), so BLOCK=N
# builds every input from the first N lines / sentences repeated instead: the same content at every size.
# COMMANDS="encode predict eval" (default) selects; OUT=file for the table.
# Launcher defaults unless HEADLENS_JAVA_OPTS is set (-Xmx2g, JavaCPP maxphysicalbytes 8G), as a new user runs it.
#   benchmarks/stream-memory.sh                      (SIZES="1000 8000 32000", TAGGER_SIZES=$SIZES)
#   SIZES="1000 8000 16000" TAGGER_SIZES="1000 8000" benchmarks/stream-memory.sh
#   BLOCK=1000 OUT=benchmarks/results/stream-memory-block.txt benchmarks/stream-memory.sh
# Results: $OUT (default benchmarks/results/stream-memory.txt; one row per run) and ${OUT%.txt}-*.time (/usr/bin/time -v).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
data="${HEADLENS_SHARED:-$root/../shared}/data/pos/en"
read -r -a sizes <<< "${SIZES:-1000 8000 32000}"
read -r -a tsizes <<< "${TAGGER_SIZES:-${sizes[*]}}"
work=$(mktemp -d "${TMPDIR:-/tmp}/stream-memory.XXXXXX")
trap 'rm -rf "$work"' EXIT
res=benchmarks/results
mkdir -p "$res"
out=${OUT:-$res/stream-memory.txt}
commands=" ${COMMANDS:-encode predict eval} "
./headlens --version > /dev/null 2>&1 || true          # build once, outside the timings

max=0; for n in "${sizes[@]}" "${tsizes[@]}"; do (( n > max )) && max=$n; done
block=${BLOCK:-0}
grep '^# text = ' "$data/train.conllu" | sed 's/^# text = //' > "$work/ewt.txt"
awk 'BEGIN { RS = ""; ORS = "\n\n" } 1' "$data/train.conllu" > "$work/ewt.conllu"
if (( block > 0 )); then
  head -n "$block" "$work/ewt.txt" > "$work/b.txt" && mv "$work/b.txt" "$work/ewt.txt"
  awk -v n="$block" 'BEGIN { RS = ""; ORS = "\n\n" } NR <= n' "$work/ewt.conllu" > "$work/b.conllu" && mv "$work/b.conllu" "$work/ewt.conllu"
fi
copies=$(( max / $(wc -l < "$work/ewt.txt") + 1 ))
for ((i = 0; i < copies; i++)); do cat "$work/ewt.txt"; done > "$work/lines.txt"
for ((i = 0; i < copies; i++)); do cat "$work/ewt.conllu"; done > "$work/gold.conllu"

{
  echo "# benchmarks/stream-memory.sh, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "# HEADLENS_JAVA_OPTS=${HEADLENS_JAVA_OPTS:-<launcher default>}; inputs: $( (( block > 0 )) && echo "the first $block EWT lines / sentences, repeated" || echo "EWT train lines / sentences in order, repeated past 12,544")"
  printf '%-8s %7s %10s %12s %s\n' command lines wall_s peak_rss_mb output
} > "$out"

# run NAME LINES OUTPUT-DESCRIPTION-CMD -- headlens args...
run() {
  local name=$1 n=$2 describe=$3; shift 4
  local t=${out%.txt}-$name-$n.time
  if ! nice -n 10 /usr/bin/time -v -o "$t" ./headlens "$@" > "$work/stdout" 2> "$work/stderr"; then
    echo "$name $n FAILED:"; tail -5 "$work/stderr"; exit 1
  fi
  local wall rss
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; print s}' "$t")
  rss=$(awk -F': ' '/Maximum resident set size/ {printf "%.0f", $2 / 1024}' "$t")
  printf '%-8s %7d %10.1f %12d %s\n' "$name" "$n" "$wall" "$rss" "$(eval "$describe")" | tee -a "$out"
}

for n in "${sizes[@]}"; do
  [[ $commands == *" encode "* ]] || break
  head -n "$n" "$work/lines.txt" > "$work/in-$n.txt"
  run encode "$n" 'echo "$(du -m "$work/out.npz" | cut -f1) MB .npz"' -- \
    encode --input "$work/in-$n.txt" --output "$work/out.npz"
  rm -f "$work/out.npz"
done

[[ $commands == *" predict "* || $commands == *" eval "* ]] || { echo "wrote $out"; exit 0; }
run_dir=${RUN_DIR:-}
if [[ -z "$run_dir" ]]; then
  run_dir=$work/tagger
  echo "training a tiny POS tagger (300 EWT sentences, 1 epoch) into $run_dir"
  nice -n 10 ./headlens train --config configs/experiments/pos-en-minilm.yaml --output "$run_dir" --epochs 1 \
    --sample-sentences 300 --max-dev-sentences 100 --max-eval-sentences 100 --max-length 128 --no-progress \
    > "$work/train.log" 2>&1 || { tail -20 "$work/train.log"; exit 1; }
fi
for n in "${tsizes[@]}"; do
  head -n "$n" "$work/lines.txt" > "$work/in-$n.txt"
  if [[ $commands == *" predict "* ]]; then
    run predict "$n" 'echo "$(grep -c . "$work/pred.conll") tagged words"' -- \
      predict --model "$run_dir" --input "$work/in-$n.txt" --output "$work/pred.conll"
  fi
  # a file of exactly n sentences (the readers read a whole file, whatever --max-sentences says)
  awk -v n="$n" 'BEGIN { RS = ""; ORS = "\n\n" } NR <= n' "$work/gold.conllu" > "$work/gold-$n.conllu"
  if [[ $commands == *" eval "* ]]; then
    run eval "$n" 'echo "accuracy $(grep -o "\"accuracy\" : [0-9.]*" "$work/m.json" | head -1 | cut -d" " -f3), $(grep -o "\"sentences\" : [0-9]*" "$work/m.json" | head -1 | cut -d" " -f3) sentences, $(du -m "$work/gold-$n.conllu" | cut -f1) MB file"' -- \
      eval --model "$run_dir" --data "$work/gold-$n.conllu" --output "$work/m.json"
  fi
done
echo "wrote $out"
