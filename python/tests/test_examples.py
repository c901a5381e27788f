"""Each example in examples/python runs at a small size."""

import importlib.util
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "python"


def example(name):
    spec = importlib.util.spec_from_file_location(name, EXAMPLES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_alliance_plot(tmp_path):
    png = tmp_path / "shift.png"
    share = example("alliance_share_shift").main(households=300, replications=2, png=png)
    assert png.stat().st_size > 10_000
    assert "Kroger" in share.columns


def test_sweep_in_polars():
    kroger = example("sweep_polars").main(households=200, replications=2)
    assert kroger.height == 16
    assert kroger["point"].to_list() == list(range(16))


def test_salib_sensitivity():
    indices = example("salib_sensitivity").main(base_samples=4, households=300, replications=2)
    assert len(indices["S1"]) == 2
