#!/usr/bin/env bash
# The cluster path on a real Slurm: starts a private one-node cluster (installing Debian's
# packages if missing), runs the shipped examples/slurm/sweep.sbatch as an array job with the merge
# job it documents (--dependency=afterok), and meets the faults a cluster adds, each compared byte
# for byte (cmp of every CSV) with the unsharded, uninterrupted run:
#
#   1. the example as shipped: 8 array tasks, then the merge job;
#   2. a task requeued mid-run (scontrol requeue): its rerun keeps the points it had finished;
#   3. a task cancelled mid-run (scancel) and the same index resubmitted;
#   4. a task given less --mem than the run's estimate is refused by the memory guard, its log
#      naming the limit: the job's cgroup where the node enforces one (task/cgroup), else
#      SLURM_MEM_PER_NODE (task/none); a plain run and a shard.
#
#   sudo bash tests/cluster/slurm.sh      # CARTSHIFT=path/to/cartshift to test another binary
#
# Without root, or without the packages and no way to install them, it prints SKIP and exits 0.
# Every daemon it starts is stopped by process id on exit. Its last line is the summary.
set -uo pipefail

repo=$(cd "$(dirname "$0")/../.." && pwd)
scenario=$repo/scenarios/sweeps/checkout_vs_price_cut.toml
name=checkout_vs_price_cut
sbatch_script=$repo/examples/slurm/sweep.sbatch
fault_size=(--households 10000) # 4 points a shard, about a second each on one thread: room to interrupt mid-run
passed=0 failed=0 skipped=0

pass() { echo "PASS $*"; passed=$((passed + 1)); }
fail() { echo "FAIL $*"; failed=$((failed + 1)); }
skip() { echo "SKIP $*"; skipped=$((skipped + 1)); }
summary() {
    local tail=""
    [ "$skipped" -gt 0 ] && tail=", $skipped skipped"
    echo "slurm: $passed passed, $failed failed$tail"
}
skip_all() {
    echo "SKIP the Slurm tests: $*"
    skipped=$((skipped + 1))
    summary
    exit 0
}
fatal() {
    fail "$*"
    [ -d "${cluster:-}/log" ] && tail -n 20 "$cluster"/log/* 2>/dev/null
    summary
    exit 1
}

# shellcheck source=tests/cluster/one_node_slurm.sh
source "$repo/tests/cluster/one_node_slurm.sh"

# ---------------------------------------------------------------------------------------------
# jobs and folders

job_field() { scontrol show job -o "$1" 2>/dev/null | grep -o "$2=[^ ]*" | head -n 1 | cut -d= -f2; }
job_state() { job_field "$1" JobState; }
jobs_active() { squeue -h -j "$1" 2>/dev/null | grep -q .; }
# Waits until none of the jobs (comma-separated ids) is pending or running.
wait_jobs() { wait_for "$1" bash -c "! squeue -h -j '$2' 2>/dev/null | grep -q ." || fail "jobs $2 still queued after $1 s"; }

# Points a shard folder's journal says are finished (its first line is written at the start).
points_done() {
    local journal=$1/.cartshift-partial/journal
    [ -s "$journal" ] || { echo 0; return; }
    awk 'NR == 1 { first = $1 } /./ { last = $1 } END { print last - first }' "$journal"
}
held_back() { [ "$(squeue -h -j "$1" -o %r 2>/dev/null)" = BeginTime ]; }
points_at_least() { [ "$(points_done "$2")" -ge "$1" ]; }

# The points a run's log says it simulated itself (its last report), and the shard's size.
simulated_points() { grep -o 'simulated [0-9]* points' "$1" | tail -n 1 | awk '{ print $2 }'; }
shard_size() { grep -o 'points [0-9]* to [0-9]*' "$1" | tail -n 1 | awk '{ print $4 - $2 + 1 }'; }

# True when folder $1 holds the same CSV files as $2, byte for byte.
same_csvs() {
    local file ok=0 n=0
    for file in "$2"/*.csv; do
        n=$((n + 1))
        cmp "$1/$(basename "$file")" "$file" || ok=1
    done
    [ "$(ls "$1"/*.csv | wc -l)" -eq "$n" ] && [ "$n" -gt 0 ] && return $ok
    echo "$1 and $2 hold different CSV files"
    return 1
}
seconds_between() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }
csv_list() { (cd "$1" && echo *.csv); }

# ---------------------------------------------------------------------------------------------
# the checks

# 1. The example as shipped (8 tasks) and the merge job it documents.
check_example() {
    mkdir -p "$work/example" && cd "$work/example" || return
    local start array merge wall task bad=0
    start=$(date +%s.%N)
    array=$(sbatch --parsable "$sbatch_script" "$scenario") || { fail "sbatch of the example"; return; }
    merge=$(sbatch --parsable --job-name=cartshift-merge --output=merge-%j.out --dependency="afterok:$array" \
        --wrap "'$cartshift' merge results/$name results/$name/shard-*-of-8") || { fail "sbatch of the merge job"; return; }
    wait_jobs 600 "$array,$merge"
    wall=$(seconds_between "$start" "$(date +%s.%N)")
    for task in $(seq 0 7); do
        [ "$(job_state "${array}_$task")" = COMPLETED ] || { bad=1; echo "task $task: $(job_state "${array}_$task")"; }
    done
    [ "$(job_state "$merge")" = COMPLETED ] || { bad=1; cat merge-"$merge".out; }
    if [ $bad = 0 ] && same_csvs "results/$name" "$work/whole"; then
        pass "the shipped sweep.sbatch as an array job of 8 tasks, merged by an afterok job, equals the" \
            "unsharded run byte for byte ($(csv_list "$work/whole")); $wall s from sbatch to merged"
    else
        fail "the shipped example: array job $array, merge job $merge (logs in $PWD)"
    fi
}

# 2 and 3. An array of 4 tasks: task 0 requeued mid-run, task 1 cancelled mid-run and resubmitted.
check_faults() {
    mkdir -p "$work/faults" && cd "$work/faults" || return
    local array resub merge at_requeue at_cancel shards=results/$name
    # One CPU a task: the points of a shard then finish one after another (with every core, a
    # shard's points share the pool and all finish near the end, leaving nothing to interrupt).
    array=$(sbatch --parsable --array=0-3 --cpus-per-task=1 "$sbatch_script" "$scenario" "${fault_size[@]}") || { fail "sbatch"; return; }

    wait_for 300 points_at_least 1 "$shards/shard-1-of-4" || { fail "task 0 finished no point in 300 s"; return; }
    at_requeue=$(points_done "$shards/shard-1-of-4")
    scontrol requeue "${array}_0" || { fail "scontrol requeue ${array}_0"; return; }
    # Slurm holds a requeued job back for two minutes; let it start as soon as the node is free.
    wait_for 60 held_back "${array}_0" && scontrol update jobid="${array}_0" StartTime=now

    wait_for 300 points_at_least 1 "$shards/shard-2-of-4" || { fail "task 1 finished no point in 300 s"; return; }
    at_cancel=$(points_done "$shards/shard-2-of-4")
    scancel "${array}_1"
    wait_for 60 bash -c "! squeue -h -j '${array}_1' | grep -q ." || { fail "task 1 still running after scancel"; return; }
    resub=$(CARTSHIFT_SHARD=2/4 sbatch --parsable --array=1 --cpus-per-task=1 "$sbatch_script" "$scenario" "${fault_size[@]}") ||
        { fail "resubmission of task 1"; return; }
    merge=$(sbatch --parsable --job-name=cartshift-merge --output=merge-%j.out \
        --dependency="afterany:$array,afterok:$resub" \
        --wrap "'$cartshift' merge results/$name results/$name/shard-*-of-4") || { fail "sbatch of the merge job"; return; }
    wait_jobs 600 "$array,$resub,$merge"

    check_rerun "task 0 requeued (scontrol requeue) after $at_requeue point(s)" "$at_requeue" \
        "cartshift-sweep-${array}_0.out" "$(job_state "${array}_0")" "attempt 2"
    check_rerun "task 1 cancelled (scancel, state $(job_state "${array}_1")) after $at_cancel point(s) and resubmitted" \
        "$at_cancel" "cartshift-sweep-${resub}_1.out" "$(job_state "$resub")" "attempt 1"
    if [ "$(job_state "$merge")" = COMPLETED ] && same_csvs "results/$name" "$work/whole-faults"; then
        pass "after the requeue and the cancellation, the merged shards equal the uninterrupted unsharded run" \
            "byte for byte ($(csv_list "$work/whole-faults"))"
    else
        fail "merge after the faults: job $merge $(job_state "$merge") (logs in $PWD)"
        cat merge-"$merge".out 2>/dev/null
    fi
}

# Checks a rerun's log: it finished, and --resume reused at least the points finished before.
check_rerun() {
    local what=$1 before=$2 log=$3 state=$4 attempt=$5 size ran reused
    size=$(shard_size "$log")
    ran=$(simulated_points "$log")
    reused=$((${size:-0} - ${ran:-0}))
    if [ "$state" = COMPLETED ] && grep -q "$attempt" "$log" && [ -n "$ran" ] && [ "$ran" -ge 1 ] &&
        [ "$reused" -ge "$before" ] && [ "$reused" -ge 1 ]; then
        pass "$what: the rerun reused $reused of the shard's $size points and simulated $ran (its log: \"$(grep -o 'simulated [0-9]* points' "$log" | tail -n 1)\")"
    else
        fail "$what: state $state, shard of ${size:-?} points, rerun simulated ${ran:-?}; log $log:"
        cat "$log"
    fi
}

# 4. --mem below the estimate: a plain run (sbatch --wrap) and the example's shards are refused
# before they allocate, the log naming the limit ($1: the text expected after "set by").
check_memory_guard() {
    local limit=$1 label=$2 plain array task refused=0 ran=0
    mkdir -p "$work/memory-$label" && cd "$work/memory-$label" || return
    plain=$(sbatch --parsable --mem=64M --output=plain-%j.out \
        --wrap "'$cartshift' run '$repo/scenarios/baseline_2018.toml' -o plain --quiet") || { fail "sbatch"; return; }
    array=$(sbatch --parsable --array=0-1 --mem=64M "$sbatch_script" "$scenario") || { fail "sbatch"; return; }
    wait_jobs 300 "$plain,$array"
    if [ "$(job_field "$plain" ExitCode)" = 2:0 ] && refused_in "plain-$plain.out" "$limit" && [ ! -e plain ]; then
        pass "memory guard ($label): a plain run in a job with --mem=64M exits 2 before writing anything, its log" \
            "saying \"$(grep -o 'but only [^;]* is available' "plain-$plain.out")\" and \"$(grep '^note:' "plain-$plain.out")\""
    else
        fail "memory guard ($label), plain run: state $(job_state "$plain"), exit $(job_field "$plain" ExitCode); log:"
        cat "plain-$plain.out"
    fi
    for task in 0 1; do
        local log=cartshift-sweep-${array}_$task.out
        if [ "$(job_field "${array}_$task" ExitCode)" = 2:0 ] && refused_in "$log" "$limit"; then
            refused=$((refused + 1))
        elif [ "$(job_state "${array}_$task")" = COMPLETED ] && grep -q 'simulated [0-9]* points' "$log"; then
            ran=$((ran + 1))
        fi
    done
    if [ $refused = 2 ]; then
        pass "memory guard ($label): both tasks of sweep.sbatch --array=0-1 --mem=64M exit 2, their logs naming $limit"
    elif [ $ran = 2 ]; then
        skip "memory guard ($label) on a shard: this cartshift does not check a shard run's memory yet (the one-pipeline" \
            "issue makes shards go through the guard); both tasks ran instead of being refused"
    else
        fail "memory guard ($label), shards: logs in $PWD"
        cat "cartshift-sweep-${array}"_*.out
    fi
}

refused_in() {
    grep -q '^error: this run needs about .* but only .* is available' "$1" &&
        grep -q "^note: the memory available is set by $2" "$1"
}

# ---------------------------------------------------------------------------------------------

cleanup() {
    cluster_stop
    if [ "$failed" -eq 0 ]; then rm -rf "$cluster"; else echo "logs and results kept in $cluster"; fi
}

main() {
    [ "$(id -u)" = 0 ] || skip_all "not root (a one-node Slurm needs root to start munged, slurmctld and slurmd)"
    cluster=$(mktemp -d /tmp/cartshift-slurm.XXXXXX)
    trap cleanup EXIT
    local started=$SECONDS
    slurm_install || skip_all "Slurm's Debian packages (${slurm_packages[*]}) are missing and could not be installed"
    unset CARTSHIFT_MEMORY_AVAILABLE CARTSHIFT_SHARD
    if [ -z "${CARTSHIFT:-}" ]; then
        (cd "$repo" && cargo build --release --locked --quiet --bin cartshift) || fatal "cargo build --release"
        CARTSHIFT=$repo/target/release/cartshift
    fi
    export CARTSHIFT
    cartshift=$CARTSHIFT
    ctld_port=$(free_port)
    slurmd_port=$(free_port)
    [ "$slurmd_port" = "$ctld_port" ] && slurmd_port=$((ctld_port + 1))
    local use_cgroup=no
    cgroup_prepare && use_cgroup=yes
    munge_start || fatal "munged did not start"
    slurm_configure $use_cgroup
    slurm_daemons_start || fatal "the one-node Slurm did not come up"
    echo "one-node Slurm up in $((SECONDS - started)) s: $(sinfo -V), node $node ($(sinfo -h -o '%c CPUs, %m MB')), task/cgroup: $use_cgroup"

    work=$cluster/work
    mkdir -p "$work"
    local t0 t1
    t0=$(date +%s.%N)
    "$cartshift" run "$scenario" -o "$work/whole" --quiet || fatal "the unsharded run"
    t1=$(date +%s.%N)
    "$cartshift" run "$scenario" "${fault_size[@]}" -o "$work/whole-faults" --quiet || fatal "the unsharded run"
    echo "unsharded runs done at $((SECONDS - started)) s (the example sweep: $(seconds_between "$t0" "$t1") s on $(nproc) threads, outside Slurm)"

    check_example
    check_faults
    if [ $use_cgroup = yes ]; then
        check_memory_guard "cgroup memory.limit_in_bytes" cgroup
    else
        skip "memory guard with task/cgroup: no writable cgroup v1 memory hierarchy here"
    fi
    slurm_daemons_stop
    slurm_configure no
    slurm_daemons_start || fatal "the one-node Slurm did not come up again without task/cgroup"
    check_memory_guard "SLURM_MEM_PER_NODE = 64 MB" "no cgroup, task/none"
    echo "done in $((SECONDS - started)) s"
    summary
    [ "$failed" -eq 0 ]
}

main "$@"
