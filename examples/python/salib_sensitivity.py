"""Global sensitivity analysis (SALib, Sobol) driving cartshift through the package: how much of
the variance of Kroger's market share do its checkout wait and price index explain?

    python examples/python/salib_sensitivity.py
"""

from pathlib import Path

from SALib.analyze import sobol
from SALib.sample import sobol as sobol_sample

import cartshift

BASELINE = Path(__file__).resolve().parents[2] / "scenarios" / "baseline_2018.toml"
PROBLEM = {
    "num_vars": 2,
    "names": ["retailer.Kroger.checkout_wait_min", "retailer.Kroger.price_index"],
    "bounds": [[2.0, 5.0], [0.95, 1.05]],
}


def kroger_share(values, households, replications):
    """One model evaluation: Kroger's mean weekly share, all channels, for these values."""
    settings = [f"{name}={float(value)!r}" for name, value in zip(PROBLEM["names"], values)]
    results = cartshift.run(BASELINE, set=settings, households=households, replications=replications)
    summary = results.summary.to_pandas()
    rows = summary[(summary["retailer"] == "Kroger") & (summary["metric"] == "share")]
    return float(rows["mean"].sum())


def main(base_samples=16, households=2000, replications=2):
    samples = sobol_sample.sample(PROBLEM, base_samples, calc_second_order=False, seed=1)
    outputs = [kroger_share(row, households, replications) for row in samples]
    import numpy as np

    return sobol.analyze(PROBLEM, np.array(outputs), calc_second_order=False, seed=1)


if __name__ == "__main__":
    print(main().to_df())
