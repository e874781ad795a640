#!/usr/bin/env bash
# A one-node Slurm cluster on localhost, without systemd, everything under DIR: munged (as the munge user),
# slurmctld -D and slurmd -D -N localhost with a slurm.conf written to DIR. For trying `headlens sweep --emit slurm`
# on a laptop or in CI. Needs Debian/Ubuntu's packages: apt-get install -y slurmd slurmctld slurm-client munge
# (run as root: slurmd starts jobs as their users).
#
#   benchmarks/slurm/cluster.sh start DIR [CPUS]   # prints: export SLURM_CONF=DIR/slurm.conf
#   benchmarks/slurm/cluster.sh stop DIR           # stops the three daemons by the PIDs recorded in DIR/pids
#
# Ports: SLURM_LOCAL_PORT (default 16817) for slurmctld and the next one for slurmd, off Slurm's usual 6817/6818 so
# that it does not collide with a real installation.
set -euo pipefail
cmd=${1:?usage: cluster.sh start|stop DIR [CPUS]}
dir=${2:?usage: cluster.sh start|stop DIR [CPUS]}
cpus=${3:-2}
port=${SLURM_LOCAL_PORT:-16817}

stop() {
  [[ -f "$dir/pids" ]] || return 0
  # slurmd first (it ends its job steps), then the controller, then munge; each by the PID it was started with
  for name in slurmd slurmctld munged; do
    pid=$(awk -v n="$name" '$1 == n {print $2}' "$dir/pids")
    [[ -n "$pid" ]] || continue
    if kill -0 "$pid" 2>/dev/null; then
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null || true
    fi
  done
  rm -f "$dir/pids"
}

case "$cmd" in
  stop) stop; exit 0 ;;
  start) ;;
  *) echo "cluster.sh: unknown command $cmd (start|stop)" >&2; exit 2 ;;
esac

for b in munged mungekey slurmctld slurmd sbatch; do
  command -v "$b" >/dev/null || [[ -x /usr/sbin/$b ]] || { echo "cluster.sh: $b not found (apt-get install -y slurmd slurmctld slurm-client munge)" >&2; exit 3; }
done
export PATH="$PATH:/usr/sbin"
[[ $(id -u) == 0 ]] || { echo "cluster.sh: run as root (slurmd must be able to start jobs)" >&2; exit 3; }
id munge >/dev/null 2>&1 || { echo "cluster.sh: no munge user (is the munge package installed?)" >&2; exit 3; }
[[ -f "$dir/pids" ]] && { echo "cluster.sh: $dir/pids exists: a cluster is running there (stop it first)" >&2; exit 3; }

dir=$(mkdir -p "$dir" && cd "$dir" && pwd)
mkdir -p "$dir/munge" "$dir/state" "$dir/spool" "$dir/log"
chmod 755 "$dir"
setpriv --reuid=munge --regid=munge --init-groups test -x "$dir" || { echo "cluster.sh: the munge user cannot enter $dir (a parent directory is private)" >&2; exit 3; }
chown munge:munge "$dir/munge"
chmod 700 "$dir/munge"
setpriv --reuid=munge --regid=munge --init-groups mungekey --create --keyfile="$dir/munge/munge.key" --force >/dev/null
setpriv --reuid=munge --regid=munge --init-groups munged --foreground --force \
  --socket="$dir/munge/munge.socket" --key-file="$dir/munge/munge.key" --pid-file="$dir/munge/munged.pid" \
  --seed-file="$dir/munge/munged.seed" --log-file="$dir/munge/munged.log" >"$dir/log/munged.out" 2>&1 &
echo "munged $!" > "$dir/pids"
for _ in $(seq 50); do [[ -S "$dir/munge/munge.socket" ]] && break; sleep 0.1; done
[[ -S "$dir/munge/munge.socket" ]] || { echo "cluster.sh: munged did not start: $(cat "$dir/log/munged.out" "$dir/munge/munged.log" 2>/dev/null)" >&2; stop; exit 4; }

mem=$(awk '/MemTotal/ {print int($2 / 1024 * 0.8)}' /proc/meminfo)
cat > "$dir/slurm.conf" <<CONF
ClusterName=headlens-local
SlurmctldHost=localhost
SlurmUser=root
SlurmdUser=root
SlurmctldPort=$port
SlurmdPort=$((port + 1))
AuthType=auth/munge
AuthInfo=socket=$dir/munge/munge.socket
CredType=cred/munge
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
MpiDefault=none
SwitchType=switch/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SchedulerType=sched/backfill
# a job whose dependency can never be met (e.g. afterok on an array with a cancelled task) is cancelled, not kept
DependencyParameters=kill_invalid_depend
ReturnToService=2
MinJobAge=3600
SlurmdTimeout=60
NodeName=localhost CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=local Nodes=localhost Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF="$dir/slurm.conf"
slurmctld -D -i -f "$SLURM_CONF" >"$dir/log/slurmctld.out" 2>&1 &
echo "slurmctld $!" >> "$dir/pids"
slurmd -D -N localhost -f "$SLURM_CONF" >"$dir/log/slurmd.out" 2>&1 &
echo "slurmd $!" >> "$dir/pids"
for _ in $(seq 100); do
  state=$(sinfo -h -N -o %T 2>/dev/null | head -1 || true)
  [[ "$state" == idle* ]] && break
  sleep 0.2
done
if [[ "$state" != idle* ]]; then
  echo "cluster.sh: node not idle (state '$state'); logs in $dir/log" >&2
  tail -5 "$dir/log/"*.log >&2 || true
  stop
  exit 4
fi
echo "export SLURM_CONF=$dir/slurm.conf"
