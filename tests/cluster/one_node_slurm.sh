# A private one-node Slurm for tests/cluster/slurm.sh (sourced, not run): Debian's packages
# installed if missing, then munged, slurmctld and slurmd started as root from a temporary folder
# with their own key, socket, ports, state and logs, and stopped by process id. Nothing under
# /etc is changed; client commands find this cluster through SLURM_CONF.
#
# Needs: $cluster (an empty folder). Sets: SLURM_CONF, $node, $cgroup_mode (yes/no).

# The Debian packages that make a one-node cluster (slurm-wlm without its recommended extras).
slurm_packages=(slurmctld slurmd slurm-client munge)

daemon_pids=()

# Installs the packages if a command is missing; fails if that is not possible.
slurm_install() {
    local missing=no cmd
    for cmd in munged slurmctld slurmd sbatch; do command -v "$cmd" >/dev/null || missing=yes; done
    [ "$missing" = no ] && return 0
    local started=$SECONDS
    echo "installing ${slurm_packages[*]} (Debian packages)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -q --no-install-recommends "${slurm_packages[@]}" >"$cluster/apt.log" 2>&1 ||
        { apt-get update -q >>"$cluster/apt.log" 2>&1 &&
            apt-get install -y -q --no-install-recommends "${slurm_packages[@]}" >>"$cluster/apt.log" 2>&1; } ||
        { tail -n 5 "$cluster/apt.log"; return 1; }
    echo "installed in $((SECONDS - started)) s"
}

# A TCP port nobody listens on.
free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' 2>/dev/null ||
        echo $((20000 + RANDOM % 20000))
}

# Binds this process's own cgroup v1 memory folder to $cluster/cgroup/memory, Slurm's cgroup
# mount point, so that the cgroups Slurm makes for jobs nest inside the one the test runs in.
# Fails where there is no writable cgroup v1 memory hierarchy (Slurm 22.05's cgroup/v2 plugin
# needs systemd, which a container lacks): the test then runs without task/cgroup only.
cgroup_prepare() {
    local own
    own=$(awk -F: '$2 ~ /(^|,)memory(,|$)/ { print $3 }' /proc/self/cgroup)
    own=/sys/fs/cgroup/memory${own%/}
    [ -f "$own/memory.limit_in_bytes" ] && mkdir "$own/cartshift-probe-$$" 2>/dev/null &&
        rmdir "$own/cartshift-probe-$$" || return 1
    mkdir -p "$cluster/cgroup/memory"
    mount --bind "$own" "$cluster/cgroup/memory" || return 1
    cgroup_mounted=yes
}

# Writes slurm.conf (and cgroup.conf when $1 = yes) for this host's CPUs and memory.
slurm_configure() {
    local use_cgroup=$1 hardware
    hardware=$(slurmd -C | head -n 1) # NodeName=… CPUs=… RealMemory=…: this machine as slurmd sees it
    node=$(hostname -s)
    cat >"$cluster/slurm.conf" <<EOF
ClusterName=cartshift-test
SlurmctldHost=$node(127.0.0.1)
SlurmUser=root
SlurmdUser=root
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
AuthType=auth/munge
AuthInfo=socket=$cluster/munge/munge.socket
CredType=cred/munge
StateSaveLocation=$cluster/state/ctld
SlurmdSpoolDir=$cluster/state/slurmd
SlurmctldPidFile=$cluster/state/slurmctld.pid
SlurmdPidFile=$cluster/state/slurmd.pid
SlurmctldLogFile=$cluster/log/slurmctld.log
SlurmdLogFile=$cluster/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=$([ "$use_cgroup" = yes ] && echo task/cgroup || echo task/none)
SchedulerType=sched/backfill
SchedulerParameters=sched_interval=1
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
MpiDefault=none
ReturnToService=2
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MinJobAge=600
$hardware NodeAddr=127.0.0.1 State=UNKNOWN
PartitionName=test Nodes=$node Default=YES MaxTime=INFINITE State=UP
EOF
    cat >"$cluster/cgroup.conf" <<EOF
CgroupPlugin=cgroup/v1
CgroupMountpoint=$cluster/cgroup
ConstrainRAMSpace=yes
ConstrainSwapSpace=no
ConstrainCores=no
ConstrainDevices=no
EOF
    cgroup_mode=$use_cgroup
    export SLURM_CONF=$cluster/slurm.conf
}

# Starts munged with a fresh key and its own socket.
munge_start() {
    mkdir -p "$cluster/munge" "$cluster/log"
    chmod 755 "$cluster" "$cluster/munge"
    head -c 1024 /dev/urandom >"$cluster/munge/munge.key"
    chmod 400 "$cluster/munge/munge.key"
    munged --foreground --force --key-file="$cluster/munge/munge.key" \
        --socket="$cluster/munge/munge.socket" --pid-file="$cluster/munge/munged.pid" \
        --seed-file="$cluster/munge/seed" --log-file="$cluster/log/munged.log" >"$cluster/log/munged.out" 2>&1 &
    munged_pid=$!
    daemon_pids+=("$munged_pid")
    wait_for 10 test -S "$cluster/munge/munge.socket"
}

# Starts slurmctld and slurmd (foreground mode, so $! is the daemon) and waits for the node to
# be idle.
slurm_daemons_start() {
    mkdir -p "$cluster/state/ctld" "$cluster/state/slurmd"
    slurmctld -D -c -f "$SLURM_CONF" >"$cluster/log/slurmctld.out" 2>&1 &
    ctld_pid=$!
    slurmd -D -N "$node" -f "$SLURM_CONF" >"$cluster/log/slurmd.out" 2>&1 &
    slurmd_pid=$!
    daemon_pids+=("$ctld_pid" "$slurmd_pid")
    wait_for 60 node_idle || { tail -n 5 "$cluster"/log/slurm*.log; return 1; }
}

node_idle() {
    [ "$(sinfo -h -n "$node" -o %T 2>/dev/null)" = idle ]
}

# Stops slurmctld and slurmd (not munged), so that they can start again with another config.
slurm_daemons_stop() {
    scancel --quiet --user=root 2>/dev/null || true
    stop_pids "$slurmd_pid" "$ctld_pid"
}

# Sends SIGTERM to each process id, then SIGKILL to any still there after 10 s.
stop_pids() {
    local pid
    for pid in "$@"; do kill "$pid" 2>/dev/null || true; done
    for pid in "$@"; do
        for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
}

# Everything this cluster started: jobs, daemons by process id, the cgroups Slurm made, the mount.
cluster_stop() {
    [ -n "${SLURM_CONF:-}" ] && scancel --quiet --user=root 2>/dev/null
    stop_pids "${daemon_pids[@]}"
    daemon_pids=()
    if [ "${cgroup_mounted:-no}" = yes ]; then
        find "$cluster/cgroup/memory/slurm_$node" -depth -type d -exec rmdir {} \; 2>/dev/null
        umount "$cluster/cgroup/memory" && cgroup_mounted=no
    fi
}

# Runs "$@" every 0.2 s until it succeeds, for at most $1 seconds.
wait_for() {
    local seconds=$1
    shift
    local end=$((SECONDS + seconds))
    until "$@"; do
        [ $SECONDS -ge $end ] && return 1
        sleep 0.2
    done
}
