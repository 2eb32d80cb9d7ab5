"""Reading the data sets that the reference scripts under ``oracles/`` saved with their
expected values, so that a test sees each column exactly as R saw it."""

from __future__ import annotations

from typing import Any

import polars as pl


def typed_frame(data: dict[str, Any]) -> pl.DataFrame:
    """The saved data set ``{"columns": {name: values}, "n": rows}`` as a DataFrame:
    a column of strings is String, of integers Int64 (integers stay integers), any other
    Float64; nulls are kept and do not decide the type."""
    series = []
    for col, values in data["columns"].items():
        present = [v for v in values if v is not None]
        if all(isinstance(v, str) for v in present):
            dtype: Any = pl.String
        elif all(isinstance(v, int) for v in present):
            dtype = pl.Int64
        else:
            dtype = pl.Float64
        series.append(pl.Series(col, values, dtype=dtype))
    df = pl.DataFrame(series)
    assert df.height == data["n"]
    return df
