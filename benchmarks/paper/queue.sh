#!/usr/bin/env bash
# Runs a queue of sweep units one at a time (2 cores: one CPU-heavy job at a time), from a separate checkout so that
# builds and tests in the main checkout never touch the classes a running JVM has loaded, and copies each finished
# unit's files into the main checkout's benchmarks/paper/<grid>/ (then commit them and run regenerate.sh).
#
#   benchmarks/paper/queue.sh RUN_CHECKOUT QUEUE_FILE        # e.g. /work/run /work/notes/queue.txt
#
# QUEUE_FILE: one "CONFIG_NAME UNIT_ID [SEED]" per line (configs/sweeps/CONFIG_NAME.yaml; SEED: the unit of the
# seed replicate `headlens sweep --seed SEED`, whose output and work are the config's with -seedSEED); units listed in QUEUE_FILE.done
# are skipped, so the runner can be killed and restarted at any point (a unit resumes from its own checkpoint).
# Between units: a file QUEUE_FILE.stop ends the runner; QUEUE_FILE.update moves RUN_CHECKOUT to this checkout's
# HEAD (-f: files the unit wrote that are now committed are the same files) and rebuilds it. Each unit's log,
# `/usr/bin/time -v` output and training log land in <grid>/logs/ as ID.log, ID.time and ID.train.jsonl.
set -uo pipefail
main="$(cd "$(dirname "$0")/../.." && pwd)"
run="$1"; queue="$2"; done_file="$queue.done"
touch "$done_file"
opts="${HEADLENS_JAVA_OPTS:--Xmx3g -Dorg.bytedeco.javacpp.maxbytes=12G -Dorg.bytedeco.javacpp.maxphysicalbytes=14G}"

land() { # CONFIG ID SUFFIX LOGNAME: copy what the unit wrote in RUN_CHECKOUT into the main checkout
  local cfg="$1" id="$2" sfx="$3" name="$4" out
  out="$(sed -n 's/^output: *//p' "$run/configs/sweeps/$cfg.yaml")$sfx"
  mkdir -p "$main/$out/logs"
  for d in trials results; do
    if [[ -d "$run/$out/$d" ]]; then mkdir -p "$main/$out/$d" && cp -rp "$run/$out/$d/"* "$main/$out/$d/"; fi
  done
  if [[ -f "$run/$out/heads.json" ]]; then cp -p "$run/$out/heads.json" "$main/$out/"; fi
  local work; work="$(sed -n 's/^work: *//p' "$run/configs/sweeps/$cfg.yaml")$sfx"
  local tj="$run/$work/trials/$id/logs/train.jsonl"
  if [[ -f "$tj" ]]; then cp -p "$tj" "$main/$out/logs/$id.train.jsonl"; fi
  cp -p "$run/logs/$name.$id.log" "$main/$out/logs/$id.log"
  cp -p "$run/logs/$name.$id.time" "$main/$out/logs/$id.time"
}

while true; do
  if [[ -e "$queue.stop" ]]; then echo "$(date -u +%T) stop file: ending"; rm -f "$queue.stop"; exit 0; fi
  if [[ -e "$queue.update" ]]; then
    rm -f "$queue.update"
    echo "$(date -u +%T) update: $run -> $(git -C "$main" rev-parse --short HEAD)"
    git -C "$run" checkout -q -f --detach "$(git -C "$main" rev-parse HEAD)" && (cd "$run" && mvn -B -q -DskipTests package) \
      || { echo "update failed"; exit 1; }
  fi
  next="$(grep -v '^#' "$queue" | grep -vxF -f "$done_file" | sed '/^ *$/d' | head -1)"
  [[ -z "$next" ]] && { echo "$(date -u +%T) queue empty"; exit 0; }
  read -r cfg id seed <<<"$next"
  sfx=""; seedopt=()
  if [[ -n "$seed" ]]; then sfx="-seed$seed"; seedopt=(--seed "$seed"); fi
  name="$cfg$sfx"
  mkdir -p "$run/logs"
  echo "$(date -u +%T) start $name $id"
  (cd "$run" && HEADLENS_JAVA_OPTS="$opts" /usr/bin/time -v -o "logs/$name.$id.time" \
     ./headlens sweep --config "configs/sweeps/$cfg.yaml" "${seedopt[@]}" --trial "$id" >>"logs/$name.$id.log" 2>&1)
  rc=$?
  echo "$(date -u +%T) end $name $id rc=$rc"
  if [[ $rc -ne 0 ]]; then echo "unit failed: see $run/logs/$name.$id.log"; exit 1; fi
  land "$cfg" "$id" "$sfx" "$name" && echo "$next" >>"$done_file"
done
