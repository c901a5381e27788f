"""Notebook-style: the Kroger-Alibaba alliance against the 2018 baseline, share shift plotted.

    python examples/python/alliance_share_shift.py        # writes alliance_share_shift.png
"""

import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

import cartshift  # noqa: E402

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"


def main(households=None, replications=None, png="alliance_share_shift.png"):
    # %% Run the alliance with its reference (the scenario file names the baseline).
    results = cartshift.run(SCENARIOS / "kroger_alibaba_alliance.toml", households=households,
                            replications=replications)
    # %% Weekly share shift per retailer, all channels together.
    weekly = results.shifts_weekly.to_pandas()
    share = weekly[weekly["metric"] == "share"].groupby(["week", "retailer"])["mean"].sum().unstack()
    # %% Plot.
    ax = share.plot(figsize=(8, 4.5), title="Kroger-Alibaba alliance: weekly share shift vs. 2018 baseline")
    ax.axhline(0, color="grey", lw=0.8)
    ax.set_ylabel("share of trips, scenario - reference")
    plt.tight_layout()
    plt.savefig(png, dpi=100)
    plt.close("all")
    return share


if __name__ == "__main__":
    print(main(png=sys.argv[1] if len(sys.argv) > 1 else "alliance_share_shift.png").tail())
