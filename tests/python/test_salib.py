"""cartshift's sensitivity estimates equal SALib's on the same CSV.

Small real sweeps (a few hundred households, a few weeks) are run with the cartshift binary
($CARTSHIFT_BIN); `cartshift sensitivity` writes sensitivity.csv; SALib's sobol.analyze and
morris.analyze are then run on summary.csv's share rows in point order, and every point estimate
must agree to 1e-9. A third test drives cartshift with SALib's own Saltelli sample through the
`table` design.
"""

import os
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from SALib.analyze import morris as morris_analyze
from SALib.analyze import sobol as sobol_analyze
from SALib.sample import sobol as sobol_sample

REPO = Path(__file__).resolve().parents[2]
BIN = os.environ.get("CARTSHIFT_BIN", str(REPO / "target" / "debug" / "cartshift"))
BASELINE = REPO / "scenarios" / "baseline_2018.toml"
TOLERANCE = 1e-9

PARAMETERS = [
    ("dynamics.loyalty_weight", 1.5, 3.5),
    ("segment.lower_income.price_sensitivity", 3.0, 5.0),
    ("retailer.Kroger.checkout_wait_min", 2.0, 6.0),
]
PROBLEM = {
    "num_vars": len(PARAMETERS),
    "names": [p[0] for p in PARAMETERS],
    "bounds": [[p[1], p[2]] for p in PARAMETERS],
}


def scenario(tmp_path: Path, name: str, sweep: str, with_ranges: bool = True) -> Path:
    text = f'extends = "{BASELINE}"\nname = "{name}"\n'
    text += "[simulation]\nhouseholds = 300\nreplications = 1\nweeks = 8\nwarmup_weeks = 4\n"
    text += sweep
    if with_ranges:
        for path, low, high in PARAMETERS:
            text += f'[[sweep.parameter]]\npath = "{path}"\nrange = [{low}, {high}]\n'
    file = tmp_path / f"{name}.toml"
    file.write_text(text)
    return file


def run(*args: str) -> None:
    done = subprocess.run([BIN, *map(str, args)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def sweep_folder(tmp_path: Path, name: str, sweep: str) -> Path:
    out = tmp_path / name
    run("run", scenario(tmp_path, name, sweep), "--out", out, "--quiet")
    run("sensitivity", out, "--quiet")
    return out


def headlines(out: Path):
    """(retailer, channel) -> (X, Y): summary.csv's share rows in point order, and `all`."""
    summary = pd.read_csv(out / "summary.csv")
    share = summary[summary.metric == "share"].sort_values("point", kind="stable")
    names = PROBLEM["names"]
    x = share.drop_duplicates("point")[names].to_numpy(dtype=float)
    result = {}
    for (retailer, channel), rows in share.groupby(["retailer", "channel"], sort=False):
        result[(retailer, channel)] = (x, rows["mean"].to_numpy(dtype=float))
    for retailer, rows in share.groupby("retailer", sort=False):
        if rows.channel.nunique() > 1:
            result[(retailer, "all")] = (x, rows.groupby("point")["mean"].sum().to_numpy(dtype=float))
    return result


def ours(out: Path) -> pd.DataFrame:
    return pd.read_csv(out / "sensitivity.csv")


def estimate(table: pd.DataFrame, retailer: str, channel: str, parameter: str, index: str) -> float:
    row = table[
        (table.retailer == retailer)
        & (table.channel == channel)
        & (table.metric == "share")
        & (table.parameter == parameter)
        & (table["index"] == index)
    ]
    assert len(row) == 1, (retailer, channel, parameter, index)
    return float(row.estimate.iloc[0])


def test_sobol_estimates_equal_salib(tmp_path: Path):
    out = sweep_folder(tmp_path, "sobol_small", '[sweep]\ndesign = "sobol"\nsamples = 16\nsecond_order = true\n')
    table, names, compared, worst = ours(out), PROBLEM["names"], 0, 0.0
    for (retailer, channel), (_, y) in headlines(out).items():
        assert len(y) == 16 * (2 * 3 + 2)
        si = sobol_analyze.analyze(PROBLEM, y, calc_second_order=True, num_resamples=100, seed=1)
        for j, name in enumerate(names):
            for index in ("S1", "ST"):
                diff = abs(estimate(table, retailer, channel, name, index) - si[index][j])
                worst, compared = max(worst, diff), compared + 1
            for k in range(j + 1, len(names)):
                diff = abs(estimate(table, retailer, channel, f"{name} * {names[k]}", "S2") - si["S2"][j, k])
                worst, compared = max(worst, diff), compared + 1
    print(f"sobol: {compared} estimates compared, largest difference {worst:.3g}")
    assert compared > 100
    assert worst <= TOLERANCE


def test_morris_estimates_equal_salib(tmp_path: Path):
    out = sweep_folder(tmp_path, "morris_small", '[sweep]\ndesign = "morris"\ntrajectories = 10\nlevels = 4\n')
    table, names, compared, worst = ours(out), PROBLEM["names"], 0, 0.0
    for (retailer, channel), (x, y) in headlines(out).items():
        assert x.shape == (10 * 4, 3)
        si = morris_analyze.analyze(PROBLEM, x, y, num_levels=4, num_resamples=100, seed=1)
        for j, name in enumerate(names):
            for index in ("mu_star", "sigma", "mu"):
                diff = abs(estimate(table, retailer, channel, name, index) - si[index][j])
                worst, compared = max(worst, diff), compared + 1
    print(f"morris: {compared} estimates compared, largest difference {worst:.3g}")
    assert compared > 100
    assert worst <= TOLERANCE


def test_salib_samples_drive_cartshift_through_a_table(tmp_path: Path):
    points = sobol_sample.sample(PROBLEM, 8, calc_second_order=False, seed=3)
    pd.DataFrame(points, columns=PROBLEM["names"]).to_csv(tmp_path / "points.csv", index=False, float_format="%.17g")
    file = scenario(tmp_path, "table_small", '[sweep]\ndesign = "table"\nfile = "points.csv"\n', with_ranges=False)
    out = tmp_path / "table_small"
    run("run", file, "--out", out, "--quiet")
    summary = pd.read_csv(out / "summary.csv")
    x = summary.drop_duplicates("point").sort_values("point")[PROBLEM["names"]].to_numpy(dtype=float)
    np.testing.assert_allclose(x, points, rtol=0, atol=1e-15)
    kroger = summary[(summary.metric == "share") & (summary.retailer == "Kroger") & (summary.channel == "store")]
    si = sobol_analyze.analyze(PROBLEM, kroger.sort_values("point")["mean"].to_numpy(), calc_second_order=False)
    assert np.all(np.isfinite(si["ST"]))
