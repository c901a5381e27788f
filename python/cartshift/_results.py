"""A results folder read into typed ``pyarrow`` tables, from Parquet or from CSV."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

#: Columns holding names, and whole numbers; every other fixed column is a float.
TEXT = {"scenario", "reference", "region", "retailer", "owner", "channel", "metric", "from",
        "from_retailer", "from_channel", "to_retailer", "to_channel"}
INTEGER = {"point", "week", "replication", "window_start", "window_end"}

TABLES = ("summary", "weekly", "online", "regions", "shifts", "shifts_weekly",
          "switching", "shifts_regions", "replications", "new_shoppers", "retailers", "owners", "shifts_owners")


def read_table(path_without_suffix: Path, swept: tuple = ()) -> pa.Table | None:
    """``weekly.parquet`` if present, else ``weekly.csv`` typed as the Parquet would be (the
    ``swept`` paths' columns typed by their values)."""
    parquet = path_without_suffix.with_suffix(".parquet")
    if parquet.is_file():
        return pq.read_table(parquet)
    csv = path_without_suffix.with_suffix(".csv")
    if not csv.is_file():
        return None
    header = csv.open(encoding="utf-8").readline().rstrip("\n").split(",")
    types = {}
    for name in header:
        if name in TEXT:
            types[name] = pa.string()
        elif name in INTEGER:
            types[name] = pa.int64()
        elif name not in swept:
            types[name] = pa.float64()
    convert = pacsv.ConvertOptions(column_types=types, strings_can_be_null=False)
    return pacsv.read_csv(csv, convert_options=convert)


class Results:
    """The tables of one results folder as ``pyarrow.Table`` (``None`` when the run has none),
    and its manifest as a dict."""

    def __init__(self, out_dir: str | Path):
        self.dir = Path(out_dir)
        manifest = self.dir / "manifest.json"
        if not manifest.is_file():
            raise FileNotFoundError(f"{self.dir}: not a cartshift results folder (no manifest.json)")
        self.manifest: dict = json.loads(manifest.read_text(encoding="utf-8"))
        swept = tuple((self.manifest.get("sweep") or {}).get("parameters", ()))
        for name in TABLES:
            setattr(self, name, read_table(self.dir / name, swept))
        self.reference = {name: read_table(self.dir / "reference" / name, swept)
                          for name in ("summary", "weekly", "online", "regions")}

    def __repr__(self) -> str:
        present = [n for n in TABLES if getattr(self, n) is not None]
        return f"Results({str(self.dir)!r}, tables={present})"
