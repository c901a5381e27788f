"""The Python package against the command line: same bytes, typed tables, errors, Parquet."""

import json
import shutil
import subprocess
from pathlib import Path

import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

import cartshift

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = ROOT / "scenarios"
SMALL = dict(households=300, replications=2)


def cli(*args, cwd=None):
    exe = shutil.which("cartshift")
    assert exe, "the package puts the cartshift command on PATH"
    return subprocess.run([exe, *args], cwd=cwd, capture_output=True, text=True)


def test_run_gives_the_bytes_of_the_command_line(tmp_path):
    done = cli("run", str(SCENARIOS / "baseline_2018.toml"), "-o", str(tmp_path / "cli"),
               "--households", "300", "--replications", "2", "--quiet")
    assert done.returncode == 0, done.stderr
    results = cartshift.run(SCENARIOS / "baseline_2018.toml", out=tmp_path / "py", format="csv", **SMALL)
    for name in ("weekly.csv", "online.csv", "summary.csv", "regions.csv", "scenario.toml"):
        assert (tmp_path / "py" / name).read_bytes() == (tmp_path / "cli" / name).read_bytes(), name
    assert results.summary.schema.field("point").type == "int64"
    assert results.weekly.schema.field("mean").type == "double"
    assert results.manifest["scenario"] == json.loads((tmp_path / "cli" / "manifest.json").read_text())["scenario"]


def test_parquet_matches_csv_value_for_value(tmp_path):
    cartshift.run(SCENARIOS / "kroger_alibaba_alliance.toml", out=tmp_path, format="both", **SMALL)
    for name in ("weekly", "summary", "shifts", "switching", "reference/weekly"):
        from_parquet = pq.read_table(tmp_path / f"{name}.parquet")
        from_csv = cartshift._results.read_table(tmp_path / name)
        assert from_parquet.column_names == from_csv.column_names, name
        assert from_parquet.num_rows == from_csv.num_rows, name
        for column in from_parquet.column_names:
            assert from_parquet[column].to_pylist() == from_csv[column].cast(from_parquet[column].type).to_pylist(), (name, column)


def test_compare_exposes_the_comparison_tables(tmp_path):
    results = cartshift.compare(SCENARIOS / "kroger_alibaba_alliance.toml", SCENARIOS / "baseline_2018.toml", **SMALL)
    assert results.shifts.num_rows > 0 and results.switching.num_rows > 0
    assert set(results.shifts["reference"].to_pylist()) == {"baseline_2018"}
    loaded = cartshift.load(results.dir)
    assert loaded.summary.equals(results.summary)


def test_errors_carry_the_command_lines_message(tmp_path):
    with pytest.raises(cartshift.CartshiftError) as caught:
        cartshift.run(SCENARIOS / "baseline_2018.toml", set=["retailer.Krogr.price_index=0.9"], **SMALL)
    message = str(caught.value)
    done = cli("run", str(SCENARIOS / "baseline_2018.toml"), "--set", "retailer.Krogr.price_index=0.9",
               "-o", str(tmp_path / "x"))
    assert done.returncode == 2
    assert message in done.stderr
    assert "Kroger" in message, "the nearest name is suggested"


def test_the_command_is_on_path():
    done = cli("--version")
    assert done.returncode == 0 and "cartshift" in done.stdout


def test_ctrl_c_interrupts_a_sweep_and_resume_finishes_it(tmp_path):
    import os
    import signal
    import threading
    import time

    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    sweep = SCENARIOS / "sweeps" / "uncertainty_lhs.toml"
    journal = tmp_path / "out" / ".cartshift-partial" / "journal"

    def interrupt_after_the_first_point():
        # Not a fixed delay: on a loaded machine no point may have finished by then.
        deadline = time.monotonic() + 300
        while not (journal.is_file() and journal.stat().st_size > 0) and time.monotonic() < deadline:
            time.sleep(0.01)
        os.kill(os.getpid(), signal.SIGINT)

    interrupter = threading.Thread(target=interrupt_after_the_first_point, daemon=True)
    interrupter.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            cartshift.run(sweep, out=tmp_path / "out")
    finally:
        interrupter.join()
        signal.signal(signal.SIGINT, previous)
    assert journal.is_file(), "finished points are kept"
    resumed = cartshift.run(sweep, out=tmp_path / "out", resume=True)
    assert resumed.summary["point"].to_pylist()[-1] == 39
    assert not (tmp_path / "out" / ".cartshift-partial").exists()


def test_ctrl_c_interrupts_a_single_long_point_within_a_second(tmp_path):
    import os
    import signal
    import threading
    import time

    # One point, four replications of 2 million households over ten years: minutes of work on
    # two threads, so before the stop reached inside a point, Ctrl-C waited for all of it.
    long = dict(households=2_000_000, replications=4, threads=2, set=["simulation.weeks=520"])
    sent = []

    def ctrl_c():
        sent.append(time.monotonic())
        os.kill(os.getpid(), signal.SIGINT)

    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    timer = threading.Timer(3.0, ctrl_c)
    started = time.monotonic()
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            cartshift.run(SCENARIOS / "baseline_2018.toml", out=tmp_path / "out", **long)
    finally:
        timer.cancel()
        signal.signal(signal.SIGINT, previous)
    returned = time.monotonic()
    assert sent, f"the run ended after {returned - started:.1f} s, before Ctrl-C was sent"
    assert returned - sent[0] < 1.5, f"KeyboardInterrupt {returned - sent[0]:.2f} s after Ctrl-C"
    assert not (tmp_path / "out").exists(), "a cancelled run leaves no folder"


def test_a_csv_folder_loads_with_the_parquet_types(tmp_path):
    sweep = SCENARIOS / "sweeps" / "checkout_vs_price_cut.toml"
    cartshift.run(sweep, out=tmp_path / "csv", format="csv", **SMALL)
    cartshift.run(sweep, out=tmp_path / "pq", format="parquet", **SMALL)
    from_csv, from_parquet = cartshift.load(tmp_path / "csv"), cartshift.load(tmp_path / "pq")
    for name in ("summary", "weekly", "online"):
        a, b = getattr(from_csv, name), getattr(from_parquet, name)
        assert a.schema.types == b.schema.types, name
        assert a.to_pylist() == b.to_pylist(), name
