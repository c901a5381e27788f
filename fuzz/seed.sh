#!/usr/bin/env bash
# Seeds the fuzz corpus from scenarios/: each shipped scenario as the child, with the baseline
# as its parent and a few overrides, in the target's input format (child NUL parent NUL overrides).
set -euo pipefail
cd "$(dirname "$0")"
corpus=corpus/load_scenario
mkdir -p "$corpus"
base=../scenarios/baseline_2018.toml
overrides=$'retailer.Kroger.price_index=0.97\ndynamics.loyalty_weight=2\nsimulation.weeks=3\nevent.1.week=1'
for file in ../scenarios/*.toml; do
  name=$(basename "$file" .toml)
  { cat "$file"; printf '\0'; cat "$base"; printf '\0'; printf '%s\n' "$overrides"; } > "$corpus/$name"
  cp "$file" "$corpus/$name.alone"
done
echo "seeded $(ls "$corpus" | wc -l) inputs in fuzz/$corpus"
