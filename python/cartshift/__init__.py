"""cartshift from Python: run a scenario, a comparison or a sweep and get its tables as
``pyarrow.Table`` (``.to_pandas()`` or ``polars.from_arrow`` one call away).

    import cartshift
    results = cartshift.run("scenarios/baseline_2018.toml", households=2000)
    results.summary.to_pandas()

The simulation runs in Rust on every core with the GIL released; Ctrl-C stops it within about
one simulated week (nothing is written for an unfinished point). Errors raise :class:`CartshiftError` with the message the command line prints.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Iterable

from . import _native
from ._native import CartshiftError
from ._results import Results

__all__ = ["run", "compare", "load", "Results", "CartshiftError"]
__version__ = _native.__version__


def load(out_dir: str | os.PathLike) -> Results:
    """Reads a results folder written by ``cartshift run`` (CSV or Parquet)."""
    return Results(out_dir)


def run(path: str | os.PathLike, *, set: Iterable[str] | None = None, households: int | None = None,
        replications: int | None = None, seed: int | None = None, threads: int | None = None,
        out: str | os.PathLike | None = None, format: str = "parquet", reference: str | None = None,
        no_reference: bool = False, raw: bool = False, no_crn: bool = False, force: bool = False,
        resume: bool = False) -> Results:
    """Runs the scenario (or sweep) at ``path`` like ``cartshift run`` and returns its results.

    ``set`` takes ``"PATH=VALUE"`` overrides (``--set``); ``out`` is the results folder (a new
    temporary folder when omitted); ``format`` is ``"parquet"`` (default here), ``"csv"`` or
    ``"both"``; ``threads`` defaults to all cores.
    """
    out_dir = Path(out) if out is not None else Path(tempfile.mkdtemp(prefix="cartshift-"))
    _native.run(str(path), str(out_dir), reference=None if reference is None else str(reference),
                no_reference=no_reference, set=list(set or []), households=households,
                replications=replications, seed=seed, threads=threads, format=format, raw=raw,
                no_crn=no_crn, force=force, resume=resume)
    return Results(out_dir)


def compare(path: str | os.PathLike, reference: str | os.PathLike, **options) -> Results:
    """Runs ``path`` against ``reference`` like ``cartshift compare`` (same options as :func:`run`)."""
    return run(path, reference=str(reference), **options)
