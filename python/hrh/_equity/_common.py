"""Argument checks shared by the equity functions: weights, scalar numbers, pairs
and group labels as dense codes."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import polars as pl

from hrh import _core
from hrh._frames import float_array, require_columns, value_codes
from hrh.exceptions import InputError


def _weights(weights: Any, n: int) -> np.ndarray | None:
    if weights is None:
        return None
    w = float_array(weights, "weights")
    if w.size != n:
        raise InputError(f"argument 'weights': has length {w.size} but 'values' has length {n}")
    return w


def _number(value: Any, name: str) -> float:
    """A scalar argument as a float, or an InputError naming it when it is not a real
    number (text, None, a list, a bool, an integer too large for a float); the range is
    checked by the core."""
    if isinstance(value, bool | np.bool_) or not isinstance(value, int | float | np.number):
        raise InputError(f"argument '{name}': {value!r} is not a number")
    try:
        return float(value)
    except (OverflowError, TypeError, ValueError) as e:
        raise InputError(f"argument '{name}': {value!r} is not a finite number") from e


def _pair(value: Any, name: str) -> tuple[float, float]:
    """A (lower, upper) argument as two floats, or an InputError naming it."""
    if isinstance(value, str | bytes | dict) or not isinstance(value, Sequence | np.ndarray):
        raise InputError(f"argument '{name}': {value!r} must be a pair (lower, upper)")
    if len(value) != 2:
        raise InputError(f"argument '{name}': {value!r} must be a pair (lower, upper)")
    return _number(value[0], name), _number(value[1], name)


def _codes(groups: Any, n: int) -> tuple[np.ndarray, pl.Series]:
    """Group labels (any array-like) as dense codes in sorted label order."""
    codes, labels = _codes_and_labels(groups, n)
    return codes, labels if isinstance(labels, pl.Series) else _label_series(labels)


def _label_series(labels: list[Any]) -> pl.Series:
    """The labels of strings coded by the core (no nulls: they are refused) as a Series."""
    return pl.Series("group", labels, dtype=pl.String)


def _codes_and_labels(groups: Any, n: int) -> tuple[np.ndarray, pl.Series | list[Any]]:
    """:func:`_codes`, with the labels of strings coded by the core left a list (a caller
    that may never show them need not build a Series: make one with
    :func:`_label_series`)."""
    if isinstance(groups, pl.Series):
        s = groups
    else:
        if isinstance(groups, str | bytes) or not hasattr(groups, "__iter__"):
            raise InputError(
                f"argument 'groups': expected one label per value, got {type(groups).__name__}"
            )
        try:
            s = pl.Series("groups", list(groups))
        except (TypeError, OverflowError, pl.exceptions.PolarsError) as e:
            raise InputError(
                "argument 'groups': labels must all be of one type (all text or all numbers)"
            ) from e
    if s.len() != n:
        raise InputError(f"argument 'groups': has length {s.len()} but 'values' has length {n}")
    if s.null_count():
        raise InputError(f"argument 'groups', item {int(s.is_null().arg_true()[0])}: value is null")
    if s.dtype.is_nested() or s.dtype == pl.Object:
        raise InputError(
            f"argument 'groups' has type {s.dtype}; labels must be text, numbers or booleans"
        )
    if s.dtype.is_float() and s.is_nan().any():
        raise InputError(f"argument 'groups', item {int(s.is_nan().arg_true()[0])}: value is NaN")
    if n == 0:
        return np.zeros(0, dtype=np.uint32), s.rename("group")
    if s.dtype == pl.String:  # coded in place by the core, in parallel
        read = _core.string_codes(s)
        if read is not None:
            return read[0], read[1]
        codes_, labels = value_codes(s)
        return codes_, labels.rename("group")
    labels = s.unique().sort()
    codes = s.replace_strict(labels, pl.int_range(labels.len(), eager=True), return_dtype=pl.UInt32)
    return np.ascontiguousarray(codes.to_numpy()), labels.rename("group")


def _require_table_columns(
    frame: pl.DataFrame,
    *,
    staff_cols: Sequence[str],
    population: Any,
    area: str | None,
    population_sum_over: Any,
    by_cols: Sequence[str],
    groups: str | None,
) -> None:
    """The columns :func:`hrh.equity` names, present in `frame` (the table, or an empty
    frame with the schema of data read in parts); `population_sum_over` only with a
    separate population table."""
    require_columns(frame, list(staff_cols), role="staff")
    if isinstance(population, str):
        require_columns(frame, [population], role="population")
        if area is not None:
            require_columns(frame, [area], role="area")
        if population_sum_over is not None:
            raise InputError(
                "argument 'population_sum_over': population is a column of data; "
                "population_sum_over applies to a population table"
            )
    require_columns(frame, list(by_cols), role="by")
    if groups is not None:
        require_columns(frame, [groups], role="groups")
