#!/usr/bin/env bash
# The README's Slurm recipe, run end to end on a real single-node Slurm (bench/slurm/cluster.sh starts one):
# a sweep's shards as an array job, one shard requeued (killed and started again) mid-run and resuming from its
# checkpoint, the merge as a job that waits on the array (afterok), and the merged summary compared with the same
# sweep run locally in one piece. Needs root (to start the daemons) and prints every figure; exit 0 only if all hold.
#   bash bench/slurm/check.sh [WORK_DIR]
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
work="${1:-$(mktemp -d /tmp/grok-slurm-check.XXXX)}"
mkdir -p "$work"
cluster="$work/cluster"
eval "$(bash "$repo/bench/slurm/cluster.sh" "$cluster")"
trap 'bash "$repo/bench/slurm/cluster.sh" stop "$cluster"' EXIT
export PATH="$repo/.venv/bin:$PATH"
cd "$work"
start=$(date +%s)
# A small grid (4 runs, 2 shards) of the README's form; the recipe's lines, with these values
grid=(--preset quick --p 23 --epochs 1500 --checkpoint-every 100 --wd 1,2 --seed 0,1)
cat > shards.sh <<JOB
#!/bin/bash
#SBATCH --array=0-1
#SBATCH --cpus-per-task=1 --mem=2G --time=00:20:00
#SBATCH --open-mode=append --output=shard-%a.log
grok sweep ${grid[*]} --shard "\$SLURM_ARRAY_TASK_ID/2" --out "runs/grid/shard-\$SLURM_ARRAY_TASK_ID" --quiet --no-frames
JOB
array=$(sbatch --parsable shards.sh)
echo "array job $array submitted (2 shards)"

# Requeue shard 1 once it has checkpointed part of the way: Slurm kills it and starts it again
for _ in $(seq 600); do
  [ -f runs/grid/shard-1/state.pt ] && break
  sleep 0.5
done
kept=$(python -c "import torch; print(torch.load('runs/grid/shard-1/state.pt', weights_only=True)['epoch'])")
scontrol requeue "${array}_1"
echo "shard 1 requeued at its checkpoint of epoch $kept"
scontrol release "${array}_1" 2>/dev/null || true  # a requeued job may wait held; let it run again

merge=$(sbatch --parsable --dependency=afterok:"$array" --output=merge.log --wrap "grok merge runs/grid/shard-* --out runs/grid/all")
echo "merge job $merge submitted, after $array"
for _ in $(seq 1200); do
  squeue -h -j "$array,$merge" 2>/dev/null | grep -q . || break
  sleep 1
done
restarts=$(scontrol show job "${array}_1" 2>/dev/null | grep -o "Restarts=[0-9]*" || echo "Restarts=?")
echo "shard 1: $restarts"
[ -f runs/grid/all/summary.csv ] || { echo "FAILED: the merge wrote no summary"; cat merge.log shard-*.log; exit 1; }
grok sweep "${grid[@]}" --out runs/local --quiet --no-frames
if cmp -s runs/grid/all/summary.csv runs/local/summary.csv; then
  echo "the merged summary equals the local sweep's, byte for byte ($(($(wc -l < runs/local/summary.csv) - 1)) runs)"
else
  echo "FAILED: the merged summary differs from the local sweep's"; diff runs/grid/all/summary.csv runs/local/summary.csv
  exit 1
fi
grep -c "" shard-1.log >/dev/null
echo "all held in $(($(date +%s) - start)) s (work folder $work)"
