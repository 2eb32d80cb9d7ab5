"""What the density functions share: the columns they write, the alternative
hypotheses, and summing staff and population by key, with a separate population table
joined in and checked so that nothing is summed silently."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import polars as pl

from hrh._frames import (
    _first,
    as_list,
    check_key_type,
    check_no_nulls,
    check_numeric,
    check_unique_keys,
    grouped_sums,
    require_columns,
    to_frame,
)
from hrh.exceptions import InputError

_STAFF = "__hrh_staff"
# The columns density() writes beside the `by` keys.
_OUTPUT_COLUMNS = (
    "staff",
    "population",
    "density",
    "lower",
    "upper",
    "area",
    "density_per_km2",
    "hrdi",
)

Alternative = Literal["two-sided", "less", "greater"]
_ALTERNATIVES = {"two-sided": "two-sided", "two.sided": "two-sided", "less": "less"}
_ALTERNATIVES["greater"] = "greater"


def check_alternative(alternative: Any) -> str:
    """The core's name of an alternative hypothesis ("two-sided", "less", "greater";
    R's "two.sided" is accepted), or an InputError naming the argument."""
    if not isinstance(alternative, str) or alternative not in _ALTERNATIVES:
        raise InputError(
            f"argument 'alternative': {alternative!r} is not 'two-sided', 'less' or 'greater'"
        )
    return _ALTERNATIVES[alternative]


def _check_keys(df: pl.DataFrame, by: list[str], *, table: str = "data") -> None:
    require_columns(df, by, role="by", table=table)
    for c in by:
        check_key_type(df, c, table=table)
        check_no_nulls(df, c, table=table)


def _sum(
    df: pl.DataFrame,
    by: list[str],
    sums: dict[str, str],
    names: dict[str, str] | None = None,
    *,
    count: str | None = None,
) -> pl.DataFrame:
    """Exact sums (output name -> column) over `by` groups (sorted by the keys), or over
    all rows without `by`, identical for any row order and number of threads; `count`
    names a row-count column."""
    out = grouped_sums(df, by, sums, count=count)
    if count is not None:
        out = out.with_columns(pl.col(count).cast(pl.Float64))
    _check_sums(out, by, names)
    return out


def _check_sums(out: pl.DataFrame, by: list[str], names: dict[str, str] | None) -> None:
    """A sum beyond the largest float is an InputError naming the column (`names` maps
    a sum's name to the user's column) and the group."""
    for c in out.columns:
        if c in by or not out.schema[c].is_float():
            continue
        row = _first(out.get_column(c).is_infinite())
        if row is not None:
            group = ", ".join(f"{k}={out[row, k]!r}" for k in by) or "all rows"
            raise InputError(
                f"column '{(names or {}).get(c, c)}': the sum over {group} is beyond the "
                "largest float (about 1.8e308); check the unit"
            )


def _population_table(
    population: Any,
    by: list[str],
    area: str | None,
    sum_over: str | Sequence[str] | None = None,
    *,
    need_keys: bool = False,
) -> tuple[pl.DataFrame, list[str], str, bool]:
    """Validate a separate population table; return it with one row per combination of
    the `by` keys it has (summed over its other key columns only when `sum_over` names
    them), those keys, its value column and whether it carries `area`."""
    pop = to_frame(population, name="population")
    if "population" in pop.columns:
        value = "population"
    else:
        numeric = [
            c for c in pop.columns if pop.schema[c].is_numeric() and c not in by and c != area
        ]
        if len(numeric) != 1:
            raise InputError(
                "population table: name its value column 'population' (found columns "
                f"{', '.join(repr(c) for c in pop.columns)})"
            )
        value = numeric[0]
    has_area = area is not None and area in pop.columns
    values = [value] + ([area] if has_area and area is not None else [])
    key_cols = [c for c in pop.columns if c not in values]
    for c in key_cols:
        check_no_nulls(pop, c, table="the population table")
    check_numeric(pop, value, minimum="positive", table="the population table")
    if has_area and area is not None:
        check_numeric(pop, area, minimum="positive", table="the population table")
    check_unique_keys(pop, key_cols, table="the population table")
    keys = [c for c in by if c in key_cols]
    if need_keys and not keys:
        raise InputError(
            "population table: it shares no key column with data, so the rows of data "
            f"cannot be matched to a population (its columns: {', '.join(map(repr, pop.columns))})"
        )
    summed = as_list(sum_over, "population_sum_over")
    for c in summed:
        if c not in key_cols or c in keys:
            raise InputError(
                f"argument 'population_sum_over': {c!r} is not a key column of the population "
                f"table outside the join keys (its other key columns: "
                f"{', '.join(repr(k) for k in key_cols if k not in keys) or 'none'})"
            )
    if keys and set(keys) == set(key_cols):  # one row per group already: nothing to sum
        plain = [pl.col(value).cast(pl.Float64).alias("population")]
        if has_area and area is not None:
            plain.append(pl.col(area).cast(pl.Float64).alias("area"))
        return pop.select(*keys, *plain), keys, value, has_area
    _refuse_silent_sum(pop, keys, [c for c in key_cols if c not in keys], summed, value)
    sums = {"population": value} | ({"area": area} if has_area and area is not None else {})
    return _sum(pop, keys, sums), keys, value, has_area


def _refuse_silent_sum(
    pop: pl.DataFrame, keys: list[str], others: list[str], allowed: list[str], value: str
) -> None:
    """An InputError when summing the population table to `keys` would add up rows that
    differ in key columns the user did not name in `allowed` (a table of projections
    with its years and variants left in would add them all up). Rows that differ only
    in columns named in `allowed` (and in columns that follow from those, such as a
    district's zone) are summed."""
    kept = keys + allowed
    rest = [c for c in others if c not in allowed]
    if not rest or pop.height == 0:
        return
    if kept:
        spread = pop.group_by(kept).agg(pl.col(rest).n_unique(), pl.len().alias("__hrh_n"))
    else:
        spread = pop.select(pl.col(rest).n_unique(), pl.len().alias("__hrh_n"))
    most = spread.select(pl.col(rest).max()).row(0, named=True)
    varying = [c for c in rest if most[c] > 1]
    if not varying:
        return
    if keys:
        counts = pop.group_by(keys).agg(pl.len().alias("__hrh_n"))
    else:
        counts = pl.DataFrame({"__hrh_n": [pop.height]})
    order = ["__hrh_n", *keys]
    worst = counts.sort(order, descending=[True] + [False] * len(keys)).row(0, named=True)
    where = ", ".join(f"{k}={worst[k]!r}" for k in keys) or "the whole table"
    names = ", ".join(repr(c) for c in varying)
    example = " & ".join(f"(pl.col({c!r}) == ...)" for c in varying)
    raise InputError(
        f"population table: its key column(s) {names} are not among the join keys "
        f"({', '.join(repr(k) for k in keys) or 'none'}), so the population would be summed "
        f"over them ({worst['__hrh_n']} rows for {where}). Filter the table to one value "
        f"of each (e.g. population.filter({example})), group by them too, or sum over them "
        f"on purpose with population_sum_over=[{', '.join(map(repr, allowed + varying))}] "
        "(e.g. age groups or sexes that make up the whole population)"
    )


def _join_population(
    agg: pl.DataFrame, pop: pl.DataFrame, keys: list[str], value: str = "population"
) -> pl.DataFrame:
    if not keys:
        return agg.join(pop, how="cross")
    for k in keys:
        left, right = agg.schema[k], pop.schema[k]
        if left != right:
            if not (left.is_numeric() and right.is_numeric()):
                raise InputError(
                    f"column '{k}' has type {left} in data but {right} in the population "
                    "table; cast one of them so that the keys can match"
                )
            pop = pop.with_columns(pl.col(k).cast(left))
    out = agg.join(pop, on=keys, how="left", maintain_order="left")
    missing = out.get_column(value).is_null().arg_true()
    if len(missing):
        row = int(missing[0])
        key = ", ".join(f"{k}={out[row, k]!r}" for k in keys)
        raise InputError(
            f"group ({key}) has no population: the population table has no row for it "
            f"({len(missing)} group(s) without population)"
        )
    return out


_POP = "__hrh_population"
_AREA = "__hrh_area"


def _rows_with_population(
    df: pl.DataFrame,
    population: Any,
    area: str | None,
    sum_over: str | Sequence[str] | None,
    used: list[str],
) -> pl.DataFrame:
    """`df` with the population (and area, when the table carries it and `df` does
    not) of each row from a separate population table, joined on the key columns the
    two share, as ``__hrh_population`` (and ``__hrh_area``): the checks and rules of
    :func:`density`'s population table, per row instead of per group. `used` are the
    columns of `df` that are values, never keys."""
    candidates = [c for c in df.columns if c not in used]
    pop, keys, _, has_area = _population_table(
        population, candidates, area, sum_over, need_keys=True
    )
    pop = pop.rename({"population": _POP, **({"area": _AREA} if "area" in pop.columns else {})})
    if has_area and area is not None and area in df.columns:
        pop = pop.drop(_AREA)
    return _join_population(df, pop, keys, value=_POP)
