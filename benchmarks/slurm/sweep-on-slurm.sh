#!/usr/bin/env bash
# A tiny pruning sweep run on a real (one-node, localhost) Slurm cluster, checked against the same sweep run
# sequentially: `headlens sweep --emit slurm`, submit.sh, one array task cancelled mid-run (scancel JOB_TASK), the
# merge job cancelled with it, submit.sh again (it submits only what is missing), merge, compare. Every daemon it
# started is stopped by PID at the end. Run from anywhere, as root, after `mvn -B verify` (or package + test-compile):
#
#   benchmarks/slurm/sweep-on-slurm.sh            # the check (about 2 minutes on 2 cores)
#   benchmarks/slurm/sweep-on-slurm.sh --measure  # also: array tasks per hour with 1 and 2 Slurm slots
#
# Exit 0: equal results; 1: a check failed; 3: this machine cannot run it (no Slurm packages, not root).
# Needs: apt-get install -y slurmd slurmctld slurm-client munge
set -euo pipefail
cd "$(dirname "$0")/../.."
repo=$(pwd)
here="$repo/benchmarks/slurm"
measure=${1:-}
tmp=$(mktemp -d /tmp/headlens-slurm.XXXXXX)
chmod 755 "$tmp"   # munged runs as the munge user and needs to reach its socket directory in here
cluster="$tmp/cluster"
cleanup() {
  bash "$here/cluster.sh" stop "$cluster" || true
  [[ -n "${HEADLENS_SLURM_KEEP:-}" ]] || rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 143' TERM INT   # so that a timeout still runs cleanup and stops the daemons
say() { echo "[slurm-check $(date +%H:%M:%S)] $*"; }
fail() { say "FAILED: $*"; exit 1; }

[[ -f target/classpath.txt && -d target/test-classes/headlens ]] || { say "build first: mvn -B -DskipTests package test-compile"; exit 3; }
mvn -B -q dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$tmp/test-cp.txt" >/dev/null
fixture() { java -Xmx512m -cp "$repo/target/test-classes:$repo/target/classes:$(cat "$tmp/test-cp.txt")" headlens.sweep.SweepFixture "$@"; }
hl() { "$repo/headlens" "$@"; }
export HEADLENS_JAVA_OPTS="${HEADLENS_JAVA_OPTS:--Xmx1g -Dorg.bytedeco.javacpp.maxbytes=2G -Dorg.bytedeco.javacpp.maxphysicalbytes=3G}"

rc=0
bash "$here/cluster.sh" start "$cluster" 2 >/dev/null || rc=$?
if (( rc == 3 )); then say "skipped: this machine cannot run a Slurm cluster (see above)"; exit 3; fi
(( rc == 0 )) || fail "the cluster did not start (logs in $cluster/log)"
export SLURM_CONF="$cluster/slurm.conf"
say "cluster up: $(sinfo -h -N -o '%N %c CPUs %T')"

fixture data "$tmp"
seq_cfg=$(fixture config "$tmp" seq 2)
say "sequential reference: $(hl sweep --config "$seq_cfg" --plan | wc -l) units"
hl sweep --config "$seq_cfg" > "$tmp/seq.log" 2>&1 || fail "sequential sweep: $(tail -5 "$tmp/seq.log")"

queue_empty() {   # waits until our private cluster has no pending or running job
  local end=$((SECONDS + ${1:-900}))
  while [[ -n "$(squeue -h -o %i)" ]]; do (( SECONDS < end )) || fail "jobs still queued after ${1:-900}s: $(squeue -h)"; sleep 0.5; done
}

cfg=$(fixture config "$tmp" slurm 2)
hl sweep --config "$cfg" --emit slurm --to "$tmp/jobs" --cpus-per-task 1 --mem 1G --time 00:20:00 --parallel 2 > /dev/null
say "first submission:"
bash "$tmp/jobs/submit.sh" | tee "$tmp/submit1.out"
array=$(awk '/trial array job/ {print $4}' "$tmp/submit1.out")
[[ -n "$array" ]] || fail "submit.sh printed no array job"

# cancel the first array task seen training, while it trains
victim=""
end=$((SECONDS + 600))
while [[ -z "$victim" ]]; do
  (( SECONDS < end )) || fail "no array task started training"
  for log in "$tmp"/jobs/logs/*-trials-"${array}"_*.out; do
    [[ -f "$log" ]] && grep -q ": masking" "$log" && ! grep -q "^trial .*: source dev" "$log" || continue
    victim=${log##*_}; victim=${victim%.out}
    break
  done
  [[ -n "$victim" ]] || sleep 0.2
done
scancel "${array}_${victim}"
say "cancelled array task ${array}_${victim} mid-run ($(grep -o 'trial [^ ]*: masking.*' "$tmp/jobs/logs/"*-trials-"${array}_${victim}".out))"
queue_empty
grep -q "^trial .*: source dev" "$tmp/jobs/logs/"*-trials-"${array}_${victim}".out && fail "task $victim finished before it was cancelled"
status_rc=0
hl sweep --config "$cfg" --status > "$tmp/status1.out" 2>/dev/null || status_rc=$?
(( status_rc == 1 )) || fail "--status after the cancel exited $status_rc, not 1"
[[ -f "$tmp/slurm/out/results.json" ]] && fail "the merge ran although a task was cancelled"
say "after the cancel: $(grep -vc '^done' "$tmp/status1.out") unit(s) not done: $(grep -v '^done' "$tmp/status1.out" | tr '\t\n' ' ')"

say "re-submission:"
bash "$tmp/jobs/submit.sh" | tee "$tmp/submit2.out"
grep -q "^setup job" "$tmp/submit2.out" && fail "the setup was submitted again"
grep -q "tasks ${victim}, " "$tmp/submit2.out" || fail "expected only task $victim in the re-submitted array"
queue_empty
hl sweep --config "$cfg" --status > /dev/null 2>&1 || fail "sweep not complete after the re-submission"
[[ -f "$tmp/slurm/out/results.json" ]] || fail "no results.json after the merge job"
fixture compare "$tmp/seq/out" "$tmp/slurm/out" || fail "Slurm results differ from the sequential run's"
say "PASS: the Slurm run (one task killed and re-submitted) equals the sequential run"

if [[ "$measure" == "--measure" ]]; then
  # array tasks per hour with 1 and 2 slots (cpus-per-task 1 on the 2-CPU node): the same 7-task array, throttled
  for slots in 1 2; do
    c=$(fixture config "$tmp" "m$slots" 4)
    for u in base-k00 heads; do hl sweep --config "$c" --trial "$u" > /dev/null 2>&1; done   # setup outside the timing
    hl sweep --config "$c" --emit slurm --to "$tmp/m$slots-jobs" --cpus-per-task 1 --mem 1G --time 00:20:00 --parallel "$slots" > /dev/null
    bash "$tmp/m$slots-jobs/submit.sh" > "$tmp/m$slots.out"
    arr=$(awk '/trial array job/ {print $4}' "$tmp/m$slots.out")
    queue_empty 1800
    starts=$(scontrol show job "$arr" | grep -o 'StartTime=[^ ]*' | cut -d= -f2 | xargs -I{} date -d {} +%s | sort -n | head -1)
    ends=$(scontrol show job "$arr" | grep -o 'EndTime=[^ ]*' | cut -d= -f2 | xargs -I{} date -d {} +%s | sort -n | tail -1)
    n=$(scontrol show job "$arr" | grep -c 'JobState=COMPLETED')
    wall=$((ends - starts))
    say "MEASURE slots=$slots: $n array tasks in ${wall}s = $(awk -v n="$n" -v w="$wall" 'BEGIN{printf "%.0f", n * 3600 / w}') tasks/hour"
  done
fi
