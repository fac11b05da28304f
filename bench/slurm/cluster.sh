#!/usr/bin/env bash
# A real single-node Slurm cluster on this machine, for bench/slurm/check.sh: Debian's slurm-wlm and munge
# (installed here if missing, as root), a private slurm.conf in $1 (default /tmp/grok-slurm), munged, slurmctld
# and slurmd started on it. Prints the line to source: export SLURM_CONF=... . `cluster.sh stop DIR` stops them.
set -euo pipefail
if [ "${1:-}" = "stop" ]; then
  dir="${2:-/tmp/grok-slurm}"
  for daemon in slurmd slurmctld; do
    [ -f "$dir/$daemon.pid" ] && kill "$(cat "$dir/$daemon.pid")" 2>/dev/null || true
  done
  [ -f "$dir/munged.pid" ] && kill "$(cat "$dir/munged.pid")" 2>/dev/null || true
  exit 0
fi
dir="${1:-/tmp/grok-slurm}"
if ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null; then
  echo "==> apt-get install slurm-wlm munge" >&2
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq slurm-wlm munge >/dev/null
fi
mkdir -p "$dir"/{state,spool,munge}
chown munge:munge "$dir/munge"
[ -s /etc/munge/munge.key ] || mungekey --create --keyfile /etc/munge/munge.key
runuser -u munge -- /usr/sbin/munged --socket "$dir/munge/munge.socket" --pid-file "$dir/munge/munged.pid" \
  --log-file "$dir/munge/munged.log" --seed-file "$dir/munge/munged.seed" 2>/dev/null || true
cp "$dir/munge/munged.pid" "$dir/munged.pid" 2>/dev/null || true
node="$(hostname -s)"
memory="$(awk '/MemTotal/ {print int($2 / 1024 * 0.9)}' /proc/meminfo)"
cat > "$dir/slurm.conf" <<CONF
ClusterName=grokcheck
SlurmctldHost=$node
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$dir/munge/munge.socket
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/slurmctld.log
SlurmdLogFile=$dir/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
ReturnToService=2
SlurmctldTimeout=30
SlurmdTimeout=30
MinJobAge=600
NodeName=$node CPUs=$(nproc) RealMemory=$memory State=UNKNOWN
PartitionName=debug Nodes=$node Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF="$dir/slurm.conf"
slurmctld -f "$SLURM_CONF"
slurmd -f "$SLURM_CONF"
for _ in $(seq 30); do
  sinfo -h -o %T 2>/dev/null | grep -q idle && break
  sleep 1
done
sinfo -h -o "%P %T %c %m" >&2
echo "export SLURM_CONF=$SLURM_CONF"
