"""A sweep loaded into polars: which point of the checkout x price grid gains Kroger the most?

    python examples/python/sweep_polars.py
"""

from pathlib import Path

import polars as pl

import cartshift

SWEEP = Path(__file__).resolve().parents[2] / "scenarios" / "sweeps" / "checkout_vs_price_cut.toml"


def main(households=None, replications=None):
    results = cartshift.run(SWEEP, households=households, replications=replications)
    summary = pl.from_arrow(results.summary)
    kroger = (
        summary.filter((pl.col("retailer") == "Kroger") & (pl.col("metric") == "share"))
        .group_by(["point", "retailer.Kroger.checkout_wait_min", "retailer.Whole Foods.price_index"])
        .agg(pl.col("mean").sum().alias("kroger_share"))
        .sort("point")
    )
    return kroger


if __name__ == "__main__":
    print(main().sort("kroger_share", descending=True))
