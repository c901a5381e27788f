#!/usr/bin/env python3
"""Prints the model's side of the validation table (README.md here) from finished runs.

Usage (after the runs listed in README.md; standard library only):
    python3 scenarios/validation/measure.py results/validation
"""

import csv
import sys
from collections import defaultdict
from pathlib import Path


def rows(path):
    with open(path, newline="") as f:
        yield from csv.DictReader(f)


def weekly(folder, metric, retailer=None):
    """{(week, retailer, channel): mean} of one metric from weekly.csv."""
    out = {}
    for r in rows(folder / "weekly.csv"):
        if r["metric"] == metric and (retailer is None or r["retailer"] == retailer):
            out[(int(r["week"]), r["retailer"], r["channel"])] = float(r["mean"])
    return out


def by_week(table):
    total = defaultdict(float)
    for (week, _, _), value in table.items():
        total[week] += value
    return total


def new_shoppers(folder, start, end):
    shares = {}
    for r in rows(folder / "new_shoppers.csv"):
        if r["retailer"] == "Whole Foods" and int(r["window_start"]) == start and int(r["window_end"]) == end:
            shares[r["from"]] = (float(r["mean"]), float(r["ci95_low"]), float(r["ci95_high"]))
    total = sum(m for m, _, _ in shares.values())
    print(f"  new Whole Foods shoppers, weeks {start}-{end}: {total:,.0f} households")
    for name, (m, lo, hi) in sorted(shares.items(), key=lambda kv: -kv[1][0]):
        print(f"    {name:16s} {m:12,.0f} [{lo:,.0f}, {hi:,.0f}]  {100 * m / total:5.1f}%")


def traffic(folder, cut_week):
    scenario = by_week(weekly(folder, "trips", "Whole Foods"))
    reference = by_week(weekly(folder / "reference", "trips", "Whole Foods"))
    for k in (1, 2, 3, 4, 8):
        w = cut_week + k - 1
        print(f"  Whole Foods trips, week {k} after the cut (reported week {w}): {100 * (scenario[w] / reference[w] - 1):+.1f}%")
    for r in rows(folder / "shifts.csv"):
        if r["retailer"] == "Whole Foods" and r["metric"] == "share" and r["channel"] == "store":
            print(f"  Whole Foods store share shift (mean weekly, pp): {100 * float(r['mean']):+.4f} [{100 * float(r['ci95_low']):+.4f}, {100 * float(r['ci95_high']):+.4f}]")


def online(folder, first, last):
    revenue = weekly(folder, "revenue")
    trips = weekly(folder, "trips")
    for name, table in (("revenue", revenue), ("trips", trips)):
        on = sum(v for (w, _, ch), v in table.items() if first <= w <= last and ch in ("pickup", "delivery"))
        all_ = sum(v for (w, _, _), v in table.items() if first <= w <= last)
        print(f"  online share of {name}, weeks {first}-{last}: {100 * on / all_:.2f}%")
    shares = defaultdict(dict)
    for r in rows(folder / "online.csv"):
        shares[int(r["week"])][r["region"]] = float(r["mean"])
    weights = {"urban": 0.31, "suburban": 0.55, "rural": 0.14}
    for w in (first, last):
        capable = sum(weights[g] * s for g, s in shares[w].items())
        print(f"  online-capable households, week {w}: {100 * capable:.1f}%")


def pickup(folder):
    for world, path in (("scenario", folder), ("reference", folder / "reference")):
        t = weekly(path, "trips", "Walmart")
        for ch in ("pickup", "delivery", "store"):
            a, b = t[(0, "Walmart", ch)], t[(51, "Walmart", ch)]
            print(f"  {world}: Walmart {ch} trips week 0 -> 51: {a:,.0f} -> {b:,.0f} ({100 * (b / a - 1):+.1f}%)")
    for r in rows(folder / "shifts.csv"):
        if r["retailer"] == "Walmart" and r["metric"] in ("share", "final_share"):
            print(f"  Walmart {r['channel']} {r['metric']} shift (pp): {100 * float(r['mean']):+.4f} [{100 * float(r['ci95_low']):+.4f}, {100 * float(r['ci95_high']):+.4f}]")


def main():
    root = Path(sys.argv[1] if len(sys.argv) > 1 else "results/validation")
    print("(a) and (b) price cut with publicity:")
    new_shoppers(root / "wf", 4, 7)
    traffic(root / "wf", 4)
    print("(a) and (b) price cut alone:")
    new_shoppers(root / "wf_only", 4, 7)
    traffic(root / "wf_only", 4)
    print("(c) online in 2019 (second reported year):")
    online(root / "y2019", 52, 103)
    print("(d) Walmart pickup rollout:")
    pickup(root / "pickup")


if __name__ == "__main__":
    main()
