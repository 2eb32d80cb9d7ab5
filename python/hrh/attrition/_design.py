"""Design matrices of the regression models (Cox, Fine-Gray, parametric): numeric
covariates as they are, categorical ones as treatment contrasts against a reference
level, and the same columns rebuilt from new data for predictions."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl

from hrh._frames import check_no_nulls, check_numeric, require_columns
from hrh.exceptions import InputError


@dataclass(frozen=True)
class _Design:
    names: list[str]
    numeric: list[str]
    levels: dict[str, list[Any]]
    columns: list[str]

    def matrix(self, df: pl.DataFrame, *, table: str = "data") -> npt.NDArray[np.float64]:
        parts: list[npt.NDArray[np.float64]] = []
        for col in self.columns:
            require_columns(df, [col], role="covariates", table=table)
            check_no_nulls(df, col, table=table)
            if col in self.levels:
                s = df.get_column(col)
                s = s.cast(pl.String)
                lv = [str(v) for v in self.levels[col]]
                bad = (~s.is_in(lv)).arg_true()
                if len(bad):
                    row = int(bad[0])
                    raise InputError(
                        f"column '{col}', row {row}: level {s[row]!r} was not seen when fitting"
                    )
                for level in lv[1:]:
                    parts.append((s == level).cast(pl.Float64).to_numpy())
            else:
                check_numeric(df, col, minimum="any", table=table)
                parts.append(df.get_column(col).cast(pl.Float64).to_numpy())
        return np.ascontiguousarray(np.column_stack(parts), dtype=np.float64)


def _level_text(v: Any) -> str:
    """A category level as text, as polars casts it (True -> "true")."""
    return str(v).lower() if isinstance(v, bool | np.bool_) else str(v)


def _design(
    df: pl.DataFrame, covariates: Sequence[str], reference: Mapping[str, Any] | None
) -> _Design:
    names: list[str] = []
    levels: dict[str, list[Any]] = {}
    numeric: list[str] = []
    reference = dict(reference or {})
    for col in covariates:
        s = df.get_column(col)
        if s.dtype.is_numeric():
            numeric.append(col)
            names.append(col)
            continue
        if s.dtype not in (pl.String, pl.Categorical, pl.Boolean) and not isinstance(
            s.dtype, pl.Enum
        ):
            raise InputError(f"column '{col}' has type {s.dtype}; expected numbers or categories")
        # Levels as polars writes them as text (booleans are "false" and "true"), the form
        # `matrix` compares with.
        lv = sorted(s.drop_nulls().cast(pl.String).unique().to_list())
        if col in reference:
            ref = _level_text(reference[col])
            if ref not in lv:
                raise InputError(f"reference: level {ref!r} is not in column '{col}' ({lv})")
            lv = [ref] + [v for v in lv if v != ref]
        if len(lv) < 2:
            raise InputError(
                f"column '{col}': has a single level {lv!r}, so its effect cannot be "
                "estimated; drop it"
            )
        levels[col] = lv
        names.extend(f"{col}[{v}]" for v in lv[1:])
    for k in reference:
        if k not in levels:
            raise InputError(f"reference: column '{k}' is not a categorical covariate")
    return _Design(names=names, numeric=numeric, levels=levels, columns=list(covariates))


def _matrix(design: _Design, df: pl.DataFrame, table: str) -> npt.NDArray[np.float64]:
    """The design's matrix of `df`; no columns for a model without covariates."""
    if not design.columns:
        return np.zeros((df.height, 0), dtype=np.float64)
    return design.matrix(df, table=table)
