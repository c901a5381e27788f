#!/usr/bin/env bash
# Builds the Python package once (a release wheel), installs it with its test tools into a
# fresh virtual environment, and runs pytest; fails when anything fails.
#   bash python/ci.sh
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
venv="${CARTSHIFT_VENV:-$here/../target/python-ci-venv}"
python3 -m venv --clear "$venv"
export PATH="$venv/bin:$PATH"
"$venv/bin/pip" install --quiet --upgrade pip
"$venv/bin/pip" install --quiet maturin pyarrow pytest polars matplotlib pandas SALib
wheels="$here/../target/wheels"
rm -rf "$wheels"
# `pip wheel ./python` is what `pip install ./python` does (maturin, release profile), once.
"$venv/bin/pip" wheel --quiet --no-build-isolation --no-deps "$here" -w "$wheels"
"$venv/bin/pip" install --quiet --force-reinstall --no-deps "$wheels"/cartshift-*.whl
cd "$here/.."
"$venv/bin/python" -m pytest -q python/tests 2>&1 | tee "$venv/pytest.log"
status=${PIPESTATUS[0]}
echo "pytest: $(tail -n 1 "$venv/pytest.log")"
exit "$status"
