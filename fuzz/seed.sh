#!/usr/bin/env bash
# Seeds the fuzz corpora: load_scenario from scenarios/ (each shipped scenario as the child, with
# the baseline as its parent and a few overrides: child NUL parent NUL overrides); every other
# target from its small committed seeds in fuzz/seeds/TARGET/ (read_folders' seeds are real
# shard and unfinished folders of a 4-point sweep, cut down to weekly.csv, parts joined by NUL).
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
for seeds in seeds/*/; do
  target=$(basename "$seeds")
  mkdir -p "corpus/$target"
  cp "$seeds"* "corpus/$target/"
  echo "seeded $(ls "corpus/$target" | wc -l) inputs in fuzz/corpus/$target"
done
