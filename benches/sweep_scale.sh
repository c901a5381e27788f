#!/usr/bin/env bash
# Measures a sweep of many small points: peak memory (max RSS) and points per second.
#
#   bash benches/sweep_scale.sh [POINTS...]                      # default: 200 2000
#   HOUSEHOLDS=200 PROGRESS=1 bash benches/sweep_scale.sh 1000 10000   # the load test of issue 17
#
# Prints, per size: wall-clock seconds, points per second, CPU seconds, peak resident memory and
# the size of the results. Each point is the 2018 baseline shrunk to HOUSEHOLDS (default 1,000)
# simulated households, 2 replications and 13 reported weeks after 4 weeks of warm-up (34,000
# household-weeks at 1,000), with four parameters drawn by Latin hypercube. Running two sizes
# shows whether memory grows with the number of points: the flat pool keeps at most
# 2 x threads + 1 points in memory and streams the rest to disk; the last line compares the
# peaks. With PROGRESS=1 each size runs a second time with stderr on a pseudo-terminal
# (benches/progress_gaps.py) to time the progress bar: seconds to its first draw and the longest
# gap between draws.
# Needs GNU time (/usr/bin/time). Results go to a temporary folder that is removed at the end.
set -euo pipefail
cd "$(dirname "$0")/.."

sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(200 2000)
cargo build --release --quiet
bin="$PWD/target/release/cartshift"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
peaks=()

scenario() {
    cat <<TOML
extends = "$PWD/scenarios/baseline_2018.toml"
name = "sweep_scale"

[simulation]
households = ${HOUSEHOLDS:-1000}
replications = 2
weeks = 13
warmup_weeks = 4

[sweep]
design = "latin_hypercube"
samples = $1
seed = 1

[[sweep.parameter]]
path = "dynamics.loyalty_weight"
range = [1.5, 3.5]

[[sweep.parameter]]
path = "retailer.Kroger.checkout_wait_min"
range = [2.0, 5.0]

[[sweep.parameter]]
path = "retailer.Whole Foods.price_index"
range = [1.10, 1.25]

[[sweep.parameter]]
path = "segment.lower_income.price_sensitivity"
range = [3.0, 5.0]
TOML
}

echo "cartshift $("$bin" --version | cut -d' ' -f2), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) at start"
printf '%8s %8s %10s %8s %14s %12s\n' points wall_s points/s cpu_s peak_RSS_MiB output_MiB
for n in "${sizes[@]}"; do
    scenario "$n" > "$work/sweep_$n.toml"
    /usr/bin/time -f '%e %M %U %S' -o "$work/time_$n" "$bin" run "$work/sweep_$n.toml" -o "$work/out_$n" --quiet
    read -r wall rss_kib user sys < "$work/time_$n"
    size=$(du -sk "$work/out_$n" | cut -f1)
    awk -v n="$n" -v w="$wall" -v r="$rss_kib" -v s="$size" -v c="$user + $sys" \
        'BEGIN { split(c, t, " + "); printf "%8d %8.2f %10.1f %8.2f %14.1f %12.1f\n", n, w, n / w, t[1] + t[2], r / 1024, s / 1024 }'
    peaks+=("$rss_kib")
done
if [ ${#peaks[@]} -ge 2 ]; then
    awk -v a="${peaks[0]}" -v b="${peaks[${#peaks[@]}-1]}" -v n="${sizes[0]}" -v m="${sizes[${#sizes[@]}-1]}" \
        'BEGIN { printf "peak RSS at %d points is %+.1f%% of that at %d points\n", m, (b - a) * 100 / a, n }'
fi
if [ "${PROGRESS:-0}" = 1 ]; then
    for n in "${sizes[@]}"; do
        printf '%8d points, progress bar: ' "$n"
        python3 benches/progress_gaps.py "$bin" run "$work/sweep_$n.toml" -o "$work/progress_$n"
    done
fi
echo "(cpu_s: user + system CPU seconds; a cpu_s near 2 x wall_s means both cores were ours)"
echo "load average $(cut -d' ' -f1-3 /proc/loadavg) at end"
