#!/usr/bin/env bash
# Checks cartshift's sensitivity estimates against SALib (tests/python/test_salib.py).
# Creates a virtual environment (target/python-venv), installs SALib, numpy, pandas and pytest
# from PyPI, builds the binary, and runs pytest; exits non-zero if a test fails.
set -euo pipefail
cd "$(dirname "$0")/../.."
venv=target/python-venv
if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check SALib numpy pandas pytest
cargo build --quiet --locked
export CARTSHIFT_BIN="$PWD/target/debug/cartshift"
"$venv/bin/python" -m pytest -q -s tests/python
