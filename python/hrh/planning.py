"""Workforce planning: staffing need from workload with the WHO Workload Indicators of
Staffing Need (WISN) method.

References
----------
World Health Organization (2010). Workload indicators of staffing need: user's manual.
Geneva: WHO.
"""

from __future__ import annotations

import copy
import datetime as dt
import itertools
import json
import math
import os
import secrets
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import polars as pl

from hrh import _core
from hrh._frames import (
    _first,
    as_list,
    check_key_type,
    check_level,
    check_no_nulls,
    check_numeric,
    column_array,
    group_codes,
    require_columns,
    to_frame,
)
from hrh._progress import progress_after
from hrh.exceptions import InputError, ScenarioError

__all__ = [
    "Projection",
    "Transitions",
    "WisnResult",
    "attrition_rates",
    "available_working_time",
    "check_scenario",
    "load_scenario",
    "simulate",
    "stock_table",
    "transitions",
    "wisn",
]


def _non_negative(value: float, name: str) -> float:
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not 0 <= value < float("inf")
    ):
        raise InputError(f"column '{name}': {value!r} must be a finite number >= 0")
    return float(value)


def available_working_time(
    *,
    working_days: float,
    holidays: float = 0,
    annual_leave: float = 0,
    sick_leave: float = 0,
    other_leave: float = 0,
    hours_per_day: float,
) -> float:
    """Available working time of one staff member in hours per year (WISN step 2):
    (working days − public holidays − annual, sick and other leave) × hours per day.

    Days in, hours out.

    Parameters
    ----------
    working_days
        Working days in a year (e.g. 52 weeks × 5 days = 260), finite and >= 0.
    holidays, annual_leave, sick_leave, other_leave
        Days off of each kind in a year (>= 0, default 0); together below
        `working_days`.
    hours_per_day
        Working hours in a day (> 0).

    Returns
    -------
    float
        Available working time in hours per year, for :func:`hrh.wisn`.

    Raises
    ------
    InputError
        An argument that is negative or not finite, days off that leave no working
        time, `hours_per_day` outside (0, 24].

    References
    ----------
    World Health Organization (2010). Workload indicators of staffing need (WISN):
    user's manual. Geneva: WHO.

    Examples
    --------
    >>> import hrh
    >>> hrh.available_working_time(working_days=260, holidays=10, annual_leave=20,
    ...                            sick_leave=8, other_leave=2, hours_per_day=8)
    1760.0
    """
    days = _non_negative(working_days, "working_days")
    absent = sum(
        _non_negative(v, n)
        for v, n in [
            (holidays, "holidays"),
            (annual_leave, "annual_leave"),
            (sick_leave, "sick_leave"),
            (other_leave, "other_leave"),
        ]
    )
    hours = _hours_per_day(hours_per_day)
    if absent >= days:
        raise InputError(
            f"column 'working_days': {days:g} days leave no working time after {absent:g} "
            "days of holidays and leave"
        )
    return (days - absent) * hours


def _draws_and_seed(draws: Any, seed: Any) -> tuple[int, int]:
    """`draws` and `seed` checked as integers in the core's range; a seed of None is
    picked at random."""
    if isinstance(draws, bool) or not isinstance(draws, int) or not 0 <= draws < 2**63:
        raise InputError(f"argument 'draws': {draws!r} must be an integer from 0 to 2**63 - 1")
    if seed is None:
        seed = secrets.randbits(63)
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**64:
        raise InputError(f"argument 'seed': {seed!r} must be an integer from 0 to 2**64 - 1")
    return draws, seed


def _hours_per_day(value: Any, name: str = "hours_per_day") -> float:
    """Working hours in a day: more than 0 and at most 24."""
    hours = _non_negative(value, name)
    if not 0 < hours <= 24:
        raise InputError(
            f"argument '{name}': {value!r} hours a day must be more than 0 and at most 24"
        )
    return hours


@dataclass(frozen=True)
class WisnResult:
    """Staffing need per group.

    Attributes
    ----------
    table : polars.DataFrame
        The `by` columns, ``service_staff``, ``caf``, ``iaf``, ``required`` (with
        ``required_lower``/``required_upper`` when unit times are uncertain),
        ``existing``, ``difference`` = existing − required, ``ratio`` = existing /
        required, ``pressure`` = 1 − ratio.
    activities : polars.DataFrame
        The services with ``unit_time``, ``standard_workload`` (units one staff member
        can do in a year) and ``staff`` (workload / standard workload).
    available_time : float or None
        The available working time; None when it differs by group (then it is a
        column of `table`).

    References
    ----------
    World Health Organization (2010). Workload indicators of staffing need (WISN):
    user's manual. Geneva: WHO.

    Examples
    --------
    >>> import hrh
    >>> services = {"activity": ["outpatient visit"], "workload": [8800], "unit_time": [0.2]}
    >>> r = hrh.wisn(services, available_time=1760, existing=2)
    >>> r.table.select("required", "existing", "difference").rows()
    [(1.0, 2.0, 1.0)]
    >>> r.activities["standard_workload"].to_list()
    [8800.0]
    """

    table: pl.DataFrame
    activities: pl.DataFrame
    available_time: float | None

    def to_polars(self) -> pl.DataFrame:
        """The per-group table."""
        return self.table

    def _repr_html_(self) -> str:
        at = (
            f"available working time {self.available_time:,.0f} h/year"
            if self.available_time is not None
            else "available working time by group"
        )
        return f"<b>WISN</b> ({at})" + self.table._repr_html_()


def _per_group(
    df: pl.DataFrame,
    codes: Any,
    n_groups: int,
    column: str,
    *,
    minimum: Literal["non_negative", "positive"],
) -> npt.NDArray[np.float64]:
    """One number per group from a column of `df` that must be constant within groups."""
    require_columns(df, [column], role=column, table="services")
    check_numeric(df, column, minimum=minimum, table="services")
    per_group = (
        df.with_columns(pl.Series("__g", codes))
        .group_by("__g")
        .agg(pl.col(column).n_unique().alias("n"), pl.col(column).first().cast(pl.Float64))
    )
    if (per_group["n"] > 1).any():
        raise InputError(f"column '{column}': differs within a group; give one number per group")
    out = np.zeros(n_groups)
    out[per_group["__g"].to_numpy()] = per_group[column].to_numpy()
    return out


def _allowance_per_group(
    table: pl.DataFrame, keys: pl.DataFrame, by: list[str], value: str, n_groups: int
) -> np.ndarray:
    """Sum `value` over the rows of `table` that apply to each group: rows match a group
    on the `by` columns the table has; a table without them applies to every group."""
    shared = [c for c in by if c in table.columns]
    coded = (
        keys.with_row_index("__g") if by else pl.DataFrame({"__g": [0]}, schema={"__g": pl.UInt32})
    )
    joined = (
        coded.join(table.select([*shared, value]), on=shared, how="inner")
        if shared
        else coded.join(table.select(value), how="cross")
    )
    sums = joined.group_by("__g").agg(pl.col(value).sum())
    out = np.zeros(n_groups)
    out[sums["__g"].to_numpy()] = sums[value].to_numpy()
    return out


def wisn(
    services: Any,
    *,
    available_time: float | str,
    support: Any = None,
    additional: Any = None,
    existing: float | str | None = None,
    by: str | Sequence[str] | None = None,
    hours_per_day: float = 8,
    days_per_week: float = 5,
    draws: int = 1000,
    level: float = 0.95,
    seed: int | None = None,
) -> WisnResult:
    """Staff required for a workload, by the WHO WISN method.

    Parameters
    ----------
    services
        Health-service activities: ``activity``, ``workload`` (units per year) and
        ``unit_time`` (hours per unit) — or ``rate`` (units per hour, a standard given
        as a rate of working; unit time = 1 / rate). Optional ``unit_time_low`` and
        ``unit_time_high`` make the unit time uncertain (uniform between them) and add
        a Monte Carlo interval on ``required``.
    available_time
        Available working time of one staff member, hours per year (see
        :func:`available_working_time`): a number, or a column of `services` constant
        within each group (WHO computes it per staff category and facility, whose
        working hours differ).
    support
        Category allowances (support activities every member of the cadre does):
        ``activity`` and either ``percent`` of working time or ``hours`` with ``per``
        in {"day", "week", "year"}. A daily share is hours / `hours_per_day`, a weekly
        one hours / (`hours_per_day` × `days_per_week`), a yearly one hours /
        `available_time` (of each group). CAF = 1 / (1 − Σ CAS % / 100).
    additional
        Individual allowances (done by some members only): ``activity``,
        ``hours_per_year`` and ``staff``. IAF = Σ hours × staff / available time.
    existing
        Staff in post: a number (every group) or a column of `services`, constant
        within each group.
    by
        Grouping columns of `services` (e.g. facility, cadre). `support` and
        `additional` rows apply to the groups whose `by` values they carry; without
        those columns they apply to every group.
    hours_per_day, days_per_week
        Working hours in a day (8) and days in a week (5), to turn daily and weekly
        support hours into shares of working time; > 0.
    draws, level, seed
        Monte Carlo draws, interval level and seed for uncertain unit times.

    Returns
    -------
    WisnResult
        ``.table`` per group (``service_staff``, ``caf``, ``iaf``, ``required``,
        ``existing``, ``difference``, ``ratio``, ``pressure``) and ``.activities``.

    Raises
    ------
    InputError
        A column that `services`, `support` or `additional` lacks (neither
        ``unit_time`` nor ``rate``); a negative, null or NaN workload or unit time; an
        available time that is not > 0 or not constant within a group; category
        allowances that add up to 100 % or more; a ``per`` other than day, week or
        year; `hours_per_day` outside (0, 24] or `days_per_week` outside (0, 7];
        `draws` or `seed` not an integer in range; `level` outside (0, 1).

    References
    ----------
    World Health Organization (2010). Workload indicators of staffing need: user's
    manual. Geneva: WHO.

    Examples
    --------
    >>> import hrh
    >>> services = {"activity": ["outpatient visit", "delivery"],
    ...             "workload": [6000, 400], "unit_time": [1 / 3, 3]}
    >>> support = {"activity": ["meetings", "records"], "hours": [2, 0.4], "per": ["week", "day"]}
    >>> extra = {"activity": ["supervision"], "hours_per_year": [100], "staff": [2]}
    >>> r = hrh.wisn(services, available_time=1760, support=support, additional=extra,
    ...              existing=3)
    >>> import polars as pl
    >>> r.table.select(pl.col("service_staff", "caf", "required", "ratio").round(4))
    shape: (1, 4)
    ┌───────────────┬────────┬──────────┬────────┐
    │ service_staff ┆ caf    ┆ required ┆ ratio  │
    │ ---           ┆ ---    ┆ ---      ┆ ---    │
    │ f64           ┆ f64    ┆ f64      ┆ f64    │
    ╞═══════════════╪════════╪══════════╪════════╡
    │ 1.8182        ┆ 1.1111 ┆ 2.1338   ┆ 1.4059 │
    └───────────────┴────────┴──────────┴────────┘
    """
    hpd = _hours_per_day(hours_per_day)
    dpw = _non_negative(days_per_week, "days_per_week")
    if not 0 < dpw <= 7:
        raise InputError(
            f"argument 'days_per_week': {days_per_week!r} must be more than 0 and at most 7"
        )
    draws_checked, seed_checked = _draws_and_seed(draws, seed)
    df = to_frame(services, name="services")
    by_cols = as_list(by)
    require_columns(df, ["workload"], role="workload", table="services")
    require_columns(df, by_cols, role="by", table="services")
    if df.height == 0:
        raise InputError("services has no rows")
    for c in by_cols:
        check_no_nulls(df, c, table="services")
    check_numeric(df, "workload", minimum="non_negative", table="services")
    if "unit_time" in df.columns:
        check_numeric(df, "unit_time", minimum="positive", table="services")
        unit = df.get_column("unit_time").cast(pl.Float64)
    elif "rate" in df.columns:
        check_numeric(df, "rate", minimum="positive", table="services")
        unit = 1.0 / df.get_column("rate").cast(pl.Float64)
    else:
        raise InputError("services: give a 'unit_time' (hours per unit) or a 'rate' column")
    df = df.with_columns(unit.alias("__unit"))
    codes, keys = group_codes(df, by_cols)
    n_groups = max(keys.height, 1)
    if isinstance(available_time, str):
        at = _per_group(df, codes, n_groups, available_time, minimum="positive")
    elif isinstance(available_time, bool) or not isinstance(available_time, int | float):
        raise InputError(f"column 'available_time': {available_time!r} is not a number")
    elif not available_time > 0:
        raise InputError(f"column 'available_time': {available_time} must be > 0 hours")
    else:
        at = np.full(n_groups, float(available_time))

    cas = np.zeros(n_groups)
    if support is not None:
        sup = to_frame(support, name="support")
        if "percent" in sup.columns:
            check_numeric(sup, "percent", minimum="non_negative", table="support")
            sup = sup.with_columns(pl.col("percent").cast(pl.Float64).alias("__pct"))
        elif "hours" in sup.columns and "per" in sup.columns:
            check_numeric(sup, "hours", minimum="non_negative", table="support")
            check_no_nulls(sup, "per", table="support")
            if sup.schema["per"] != pl.String:
                raise InputError(
                    f"column 'per' has type {sup.schema['per']} in support, expected text "
                    "('day', 'week' or 'year')"
                )
            bad = (~sup["per"].is_in(["day", "week", "year"])).arg_true()
            if len(bad):
                row = int(bad[0])
                raise InputError(
                    f"column 'per', row {row}: {sup['per'][row]!r} is not 'day', 'week' or "
                    "'year' in support"
                )
            # Daily and weekly shares are percentages already; yearly hours become one
            # per group below, over that group's available time.
            denom = pl.when(pl.col("per") == "day").then(hpd).otherwise(hpd * dpw)
            hours = pl.col("hours").cast(pl.Float64)
            sup = sup.with_columns(
                pl.when(pl.col("per") == "year")
                .then(0.0)
                .otherwise(100 * hours / denom)
                .alias("__pct"),
                pl.when(pl.col("per") == "year").then(hours).otherwise(0.0).alias("__year_hours"),
            )
        else:
            raise InputError("support: give a 'percent' column, or 'hours' with 'per'")
        cas = _allowance_per_group(sup, keys, by_cols, "__pct", n_groups)
        if "__year_hours" in sup.columns:
            cas = (
                cas + 100 * _allowance_per_group(sup, keys, by_cols, "__year_hours", n_groups) / at
            )

    ias = np.zeros(n_groups)
    if additional is not None:
        add = to_frame(additional, name="additional")
        require_columns(add, ["hours_per_year", "staff"], role="additional", table="additional")
        check_numeric(add, "hours_per_year", minimum="non_negative", table="additional")
        check_numeric(add, "staff", minimum="non_negative", table="additional")
        add = add.with_columns(
            (pl.col("hours_per_year").cast(pl.Float64) * pl.col("staff")).alias("__hours")
        )
        ias = _allowance_per_group(add, keys, by_cols, "__hours", n_groups)

    if existing is None:
        have = np.full(n_groups, np.nan)
    elif isinstance(existing, str):
        have = _per_group(df, codes, n_groups, existing, minimum="non_negative")
    else:
        have = np.full(n_groups, _non_negative(existing, "existing"))

    low = high = None
    mc_seed = 0
    if "unit_time_low" in df.columns and "unit_time_high" in df.columns:
        check_numeric(df, "unit_time_low", minimum="positive", table="services")
        check_numeric(df, "unit_time_high", minimum="positive", table="services")
        check_level(level)
        low = column_array(df, "unit_time_low")
        high = column_array(df, "unit_time_high")
        mc_seed = seed_checked
    r = _core.wisn(
        np.ascontiguousarray(at),
        codes,
        column_array(df, "workload"),
        column_array(df, "__unit"),
        np.ascontiguousarray(cas),
        np.ascontiguousarray(ias),
        np.ascontiguousarray(have),
        n_groups,
        low=low,
        high=high,
        draws=draws_checked,
        level=float(level),
        seed=mc_seed,
    )
    cols = ["service_staff", "caf", "iaf", "required"]
    if "required_lower" in r:
        cols += ["required_lower", "required_upper"]
    table = pl.DataFrame({c: r[c] for c in cols}).with_columns(
        existing=pl.Series(have).fill_nan(None),
        difference=pl.Series(r["difference"]).fill_nan(None),
        ratio=pl.Series(r["ratio"]).fill_nan(None),
        pressure=pl.Series(r["pressure"]).fill_nan(None),
    )
    if isinstance(available_time, str):
        table = table.with_columns(available_time=pl.Series(at))
    if by_cols:
        table = pl.concat([keys, table], how="horizontal")
    at_row = at[codes] if by_cols else np.full(df.height, at[0])
    unit_row = df["__unit"].to_numpy()
    work = df["workload"].cast(pl.Float64).to_numpy()
    with np.errstate(over="ignore"):
        standard = at_row / unit_row
        # workload x unit time / available time in an order that stays in range when
        # the result does (the core's requirement check already passed).
        staff = work * unit_row / at_row
        staff = np.where(np.isfinite(staff), staff, work * (unit_row / at_row))
        staff = np.where(np.isfinite(staff), staff, (work / at_row) * unit_row)
    over = np.flatnonzero(~np.isfinite(standard))
    if over.size:
        row = int(over[0])
        raise InputError(
            f"column 'unit_time', row {row}: the standard workload, available time "
            f"{float(at_row[row])!r} / unit time {float(unit_row[row])!r}, is beyond the "
            "largest float (check the units)"
        )
    activities = df.drop("__unit").with_columns(
        unit_time=df["__unit"],
        standard_workload=pl.Series(standard),
        staff=pl.Series(staff),
    )
    return WisnResult(
        table=table,
        activities=activities,
        available_time=float(at[0]) if not isinstance(available_time, str) else None,
    )


# --------------------------------------------------------------------------- scenarios

Scenario = dict[str, Any]


def _scenario_error(path: str, message: str) -> ScenarioError:
    e = ScenarioError(f"scenario key '{path}': {message}" if path else message)
    e.path = path
    return e


_TABLE_KEYS = {
    "stock": ("region", "cadre", "count"),
    "population.table": ("region", "year", "population"),
}


def _records(value: Any, key: str, base: Path | None) -> Any:
    """A table-valued key (a DataFrame, a path to CSV/Parquet, or records) as records."""
    if isinstance(value, list):
        return value
    if isinstance(value, str | Path):
        path = Path(value)
        if not path.is_absolute() and base is not None:
            path = base / path
        if not path.exists():
            raise _scenario_error(key, f"file {str(path)!r} does not exist")
        if not path.is_file():
            raise _scenario_error(key, f"{str(path)!r} is not a file (a CSV or Parquet table)")
        try:
            df = pl.read_parquet(path) if path.suffix == ".parquet" else pl.read_csv(path)
        except (pl.exceptions.PolarsError, OSError, UnicodeDecodeError) as e:
            raise _scenario_error(
                key, f"file {str(path)!r} could not be read as a table: {e}"
            ) from None
    else:
        try:
            df = to_frame(value, name=key)
        except InputError as e:
            raise _scenario_error(key, f"{e}") from None
    need = _TABLE_KEYS[key]
    missing = [c for c in need if c not in df.columns]
    if missing:
        raise _scenario_error(
            key, f"table has no column {missing[0]!r} (columns: {', '.join(df.columns)})"
        )
    return df.to_dicts()


def load_scenario(source: Scenario | str | Path) -> Scenario:
    """Read a scenario document: a TOML or JSON file, a JSON string, or a dict.

    Tables inside it (`stock`, `population.table`) may be lists of records, polars or
    pandas frames, or paths to CSV/Parquet files (relative to the scenario file). The
    result is a plain dict of JSON types; the document is checked in the core when it is
    simulated (or with :func:`check_scenario`). The input is never modified.

    Parameters
    ----------
    source
        A dict; a JSON string (text starting with ``{``); or the path (str or
        ``pathlib.Path``) of a ``.toml`` file (any other suffix is read as JSON). Every
        key is in the scenario reference of the documentation.

    Returns
    -------
    dict
        The document as plain JSON types (a deep copy of a dict input).

    Raises
    ------
    InputError
        A path that does not exist; a `source` that is none of the accepted types.
    ScenarioError
        A file or string that is not valid TOML or JSON, a document that is not a table
        at the top, or a table path (`stock`, `population.table`) that does not exist or
        cannot be read (with the key's path).

    References
    ----------
    Preston-Werner T, Gedam P, et al. (2021). TOML: Tom's Obvious Minimal Language,
    v1.0.0. https://toml.io/en/v1.0.0
    Bray T, ed. (2017). The JavaScript Object Notation (JSON) Data Interchange Format.
    RFC 8259. IETF.

    Examples
    --------
    >>> import hrh
    >>> s = hrh.load_scenario({"start_year": 2024, "horizon": 5, "regions": ["A"],
    ...     "cadres": [{"name": "nurse", "retirement_age": 60, "attrition": {"rate": 0.05}}]})
    >>> s["horizon"]
    5
    """
    return _load(source, copy_dict=True)


def _load(source: Scenario | str | Path, *, copy_dict: bool) -> Scenario:
    """:func:`load_scenario`; with `copy_dict=False`, a dict's nested values are shared
    with the input (for callers that only read them)."""
    base: Path | None = None
    if isinstance(source, Path) or (
        isinstance(source, str) and not source.lstrip().startswith("{")
    ):
        path = Path(source)
        if not path.exists():
            raise InputError(f"scenario file {str(path)!r} does not exist")
        base = path.parent
        text = path.read_text(encoding="utf-8")
        try:
            doc = tomllib.loads(text) if path.suffix == ".toml" else json.loads(text)
        except (tomllib.TOMLDecodeError, json.JSONDecodeError) as e:
            raise _scenario_error("", f"scenario file {str(path)!r} is not valid: {e}") from None
    elif isinstance(source, str):
        try:
            doc = json.loads(source)
        except json.JSONDecodeError as e:
            raise _scenario_error("", f"scenario is not valid JSON: {e}") from None
    elif isinstance(source, dict):
        rest = {k: v for k, v in source.items() if k not in ("stock", "population")}
        doc = copy.deepcopy(rest) if copy_dict else rest
        for k in ("stock", "population"):
            if k in source:
                v = source[k]
                doc[k] = dict(v) if k == "population" and isinstance(v, dict) else v
    else:
        raise InputError(
            f"scenario must be a dict, a JSON string or a file path, got {type(source).__name__}"
        )
    if not isinstance(doc, dict):
        raise _scenario_error("", "scenario must be a table of keys")
    if "stock" in doc:
        doc["stock"] = _records(doc["stock"], "stock", base)
    pop = doc.get("population")
    if pop is not None and not isinstance(pop, dict):
        raise _scenario_error(
            "population", f"must be a table of keys (e.g. base), got {type(pop).__name__}"
        )
    if isinstance(pop, dict) and "table" in pop:
        pop["table"] = _records(pop["table"], "population.table", base)
    return doc


def _to_json(doc: Scenario) -> str:
    def default(o: Any) -> Any:
        if isinstance(o, np.integer):
            return int(o)
        if isinstance(o, np.floating):
            return float(o)
        raise _scenario_error(
            "",
            f"scenario holds a value of type {type(o).__name__}: "
            "expected numbers, text, lists and tables",
        )

    bad = _non_finite(doc, "")
    if bad is not None:
        path, value = bad
        raise _scenario_error(path, f"must be a finite number, got {value}")
    return json.dumps(doc, default=default, allow_nan=False)


_MEMORY_DEFAULT = 4 << 30
_WORK_DEFAULT = 10_000_000_000  # the core's MAX_WORK


def _env_limit(name: str, default: int, example: str, suffixes: dict[str, int]) -> int:
    """A positive whole number from the environment variable `name` (a suffix from
    `suffixes` multiplies it), `default` when unset."""
    text = os.environ.get(name, "").strip()
    if not text:
        return default
    scale = suffixes.get(text[-1].upper(), 1)
    number = text[:-1] if scale > 1 else text
    try:
        value = int(float(number) * scale)
    except (ValueError, OverflowError):
        value = -1
    if not 0 < value < 1 << 62:
        raise InputError(f"{name}: {text!r} is not {example}")
    return value


def _max_memory() -> int:
    """The memory budget of a simulation's draws: `HRH_MAX_MEMORY` in bytes (a suffix K,
    M or G multiplies by 1024, 1024² or 1024³), 4 GiB by default."""
    return _env_limit(
        "HRH_MAX_MEMORY",
        _MEMORY_DEFAULT,
        "a number of bytes (e.g. 8G or 8589934592)",
        {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30},
    )


def _max_work() -> int:
    """The work limit of a simulation: `HRH_MAX_WORK` draw-cell-years (draws × years ×
    regions × cadre and grade cells), 1e10 by default."""
    return _env_limit("HRH_MAX_WORK", _WORK_DEFAULT, "a number of draw-cell-years (e.g. 1e11)", {})


def _non_finite(obj: Any, path: str) -> tuple[str, float] | None:
    """The path and value of the first NaN or infinite number in a scenario document."""
    if isinstance(obj, float | np.floating):
        return None if np.isfinite(obj) else (path, float(obj))
    if isinstance(obj, dict):
        for k, v in obj.items():
            found = _non_finite(v, f"{path}.{k}" if path else str(k))
            if found:
                return found
    elif isinstance(obj, list | tuple):
        for i, v in enumerate(obj):
            found = _non_finite(v, f"{path}[{i}]")
            if found:
                return found
    return None


def _core_args(doc: Scenario) -> tuple[str, list[Any] | None]:
    """The document as JSON for the core, and its stock records apart when they are a
    list (the core reads those directly, which is faster than through JSON)."""
    stock = doc.get("stock")
    if isinstance(stock, list):
        return _to_json({k: v for k, v in doc.items() if k != "stock"}), stock
    return _to_json(doc), None


def check_scenario(scenario: Scenario | str | Path) -> dict[str, Any]:
    """Check a scenario without running it; return its name, years, regions, cadres,
    grades and policies. Raises :class:`hrh.ScenarioError` with the path of the first bad
    key.

    Parameters
    ----------
    scenario
        A dict, a JSON string or the path of a TOML/JSON file, as
        :func:`load_scenario` reads them.

    Returns
    -------
    dict
        ``name``, ``currency``, ``start_year``, ``horizon``, ``regions``, ``cadres``,
        ``grades`` (one list per cadre), ``policies``, ``policy_years`` (each policy's
        first year) and ``parameters`` (the number of uncertain parameters).

    Raises
    ------
    InputError
        As :func:`load_scenario` (a missing file, a `scenario` of another type).
    ScenarioError
        An unknown key, a missing required key, a wrong type or a value that breaks a
        rule of the scenario reference (the documentation's page, generated from the
        parser); the message and ``.path`` give the key's path, e.g.
        ``cadres[1].attrition.rate``.

    References
    ----------
    Preston-Werner T, Gedam P, et al. (2021). TOML: Tom's Obvious Minimal Language,
    v1.0.0. https://toml.io/en/v1.0.0
    Bray T, ed. (2017). The JavaScript Object Notation (JSON) Data Interchange Format.
    RFC 8259. IETF.

    Examples
    --------
    >>> import hrh
    >>> doc = {"start_year": 2024, "horizon": 5, "regions": ["A"],
    ...        "cadres": [{"name": "nurse", "retirement_age": 60, "attrition": {"rate": 1.2}}]}
    >>> hrh.check_scenario(doc)
    Traceback (most recent call last):
    ...
    hrh.exceptions.ScenarioError: scenario key 'cadres[0].attrition.rate': a rate must lie ...
    """
    js, stock = _core_args(_load(scenario, copy_dict=False))
    info: dict[str, Any] = dict(_core.check_scenario(js, stock=stock))
    return info


_Q = ["p5", "p25", "p50", "p75", "p95"]


def _summary_columns(raw: dict[str, Any], key: str, out: str) -> dict[str, Any]:
    q = np.asarray(raw[f"{key}_quantiles"]).reshape(-1, len(_Q))
    cols: dict[str, Any] = {f"{out}": raw[f"{key}_mean"]}
    for j, name in enumerate(_Q):
        cols[f"{out}_{name}"] = q[:, j]
    return cols


@dataclass(frozen=True)
class PairedDraws:
    """Every draw's totals, kept for paired comparisons (see `hrh.compare`).

    `shortage` and `supply` are (draws, years, cells) over the cells of `cells` (cadre,
    grade; cadre "all" last); `cost` is (draws, projected years, cadres, items); `after`,
    with `horizon_value=True`, is (draws, years after the horizon, cadres, 2): the expected
    person-years in post of the staff at the horizon, and their salaries.
    """

    years: list[int]
    cells: list[tuple[str, str | None]]
    shortage: npt.NDArray[np.float64]
    supply: npt.NDArray[np.float64]
    cadres: list[str]
    items: list[str]
    cost: npt.NDArray[np.float64]
    after: npt.NDArray[np.float64] | None = None


@dataclass(frozen=True)
class Projection:
    """A simulated scenario: supply, demand and gap by year, region and cadre.

    Attributes
    ----------
    name, policies
        The scenario's name and the policies switched on.
    draws, seed
        Monte Carlo draws (0 = the deterministic path at parameter means) and
        the seed that reproduces them.
    quantiles
        "exact" (type-7 quantiles of all draws) or "streaming" (extended P²).
    table
        Per year, region and cadre: `supply`, `demand`, `gap` (demand - supply),
        `shortage` (max(gap, 0)) and `surplus` (max(-gap, 0)), each the mean over draws
        with quantiles `_p5`, `_p25`, `_p50`, `_p75`, `_p95`, and `p_gap_positive` (share
        of draws in which demand exceeds supply).
    totals
        Per year and cadre over all regions, and for all cadres (`cadre` = "all"):
        `supply` and `demand` (sums); `shortage`, the sum over cells (region x cadre) of
        each cell's shortage, and `surplus`, the sum of each cell's surplus, so that a
        surplus in one region never hides a shortage in another; `net_gap` = shortage -
        surplus = demand - supply (netted, named so); each with quantiles over draws (of
        the sums, not sums of quantiles); `p_shortage`, the share of draws in which some
        cell is short, and `p_net_gap_positive`, the share in which the net gap is
        positive.
    grade_table, grade_totals
        The same as `table` and `totals` per grade (column
        `grade`) of every cadre with several grades: supply by grade always; demand,
        shortage and surplus where the cadre's demand is given by grade
        (`demand_by_grade`), else null. A cadre with demand by grade counts its shortage
        grade by grade in `totals`: 10 specialists short and 10 general doctors over
        is a shortage of 10, not a net gap of 0.
    shortage_draws
        Every draw's total `shortage` and `supply` per year, cadre and grade
        (null grade: the cadre; cadre "all": every cadre), which `compare` pairs draw by
        draw with every draw's costs; None when these would need over 128 MiB.
    flows
        Mean flows per projected year, region and cadre (`stock_start`, `deaths`,
        `attrition`, `to_training`, `out_migration`, `in_migration`, `retirements`,
        `returns`, `entrants`, `stock_end`, `in_training`, `training_losses`, and
        `promotions` between grades of the cadre, which do not change its total).
    costs
        Mean cost per projected year, region, cadre and item. Items: `salary` (each
        grade's salary times its staff in post, the mean of the year's start and end),
        `training` (per trainee-year and one-off per trainee sent), `bond_buyout`
        (buy-outs repaid by those who leave during a bond: negative), then the items of
        the policies switched on.
    cost_totals
        The cost over all regions and cadres per projected year and item (item
        "all": every item), the mean over draws with quantiles `_p5` ... `_p95`.
    draws_table
        With `keep_draws=True`, supply and demand of every draw.

    References
    ----------
    World Health Organization (2016). Global strategy on human resources for health:
    Workforce 2030. Geneva: WHO (supply, need and the gap between them).
    Hyndman RJ, Fan Y (1996). Sample quantiles in statistical packages. The American
    Statistician 50:361-365 (type-7 quantiles).
    Jain R, Chlamtac I (1985). The P² algorithm for dynamic calculation of quantiles
    and histograms without storing observations. CACM 28:1076-1085 (streaming).

    Examples
    --------
    >>> import hrh
    >>> doc = {"start_year": 2024, "horizon": 2, "regions": ["A", "B"],
    ...        "cadres": [{"name": "nurse", "retirement_age": 60, "attrition": {"rate": 0.1},
    ...                    "demand": {"method": "quota", "quota": {"A": 100, "B": 50}}}],
    ...        "stock": [{"region": "A", "cadre": "nurse", "age": 30, "count": 90},
    ...                  {"region": "B", "cadre": "nurse", "age": 30, "count": 70}]}
    >>> p = hrh.simulate(doc, draws=0)
    >>> p.totals.filter(year=2024, cadre="all").select("shortage", "surplus", "net_gap").rows()
    [(10.0, 20.0, -10.0)]
    """

    name: str
    policies: tuple[str, ...]
    draws: int
    seed: int
    quantiles: str
    currency: str
    table: pl.DataFrame
    totals: pl.DataFrame
    flows: pl.DataFrame
    costs: pl.DataFrame
    draws_table: pl.DataFrame | None
    shortage_draws: pl.DataFrame | None
    grade_table: pl.DataFrame
    grade_totals: pl.DataFrame
    cost_totals: pl.DataFrame = field(default_factory=pl.DataFrame)
    _draws: PairedDraws | None = field(default=None, repr=False, compare=False)
    _source: tuple[str, Any] | None = field(default=None, repr=False, compare=False)

    @property
    def label(self) -> str:
        """The scenario name with its policies, e.g. "province + incentive"."""
        return " + ".join([self.name, *self.policies]) if self.policies else self.name

    def parameter_draws(self) -> pl.DataFrame:
        """Every draw's values of the scenario's uncertain parameters: a `draw` column
        and one column per parameter, named by its scenario key (e.g.
        `cadres[0].attrition.rate`), exactly as the draws sampled them (they are
        regenerated from the seed, not stored).

        Raises
        ------
        InputError
            A projection without draws.
        """
        if self.draws == 0 or self._source is None:
            raise InputError("parameter_draws needs a projection with draws (draws > 0)")
        js, stock = self._source
        paths, values = _core.param_draws(js, stock=stock, seed=self.seed, draws=self.draws)
        x = np.asarray(values).reshape(self.draws, len(paths))
        return pl.DataFrame(
            {"draw": np.arange(self.draws, dtype=np.int32)}
            | {p: x[:, j] for j, p in enumerate(paths)}
        )

    def to_polars(self) -> pl.DataFrame:
        return self.table

    def _repr_html_(self) -> str:
        last = self.totals.filter(pl.col("year") == self.totals["year"].max())
        return (
            f"<b>Projection</b> {escape(self.label)}: {self.draws} draws (seed {self.seed})"
            + last._repr_html_()
        )

    def plot(self, *, region: str | None = None, cadre: str | None = None, ax: Any = None) -> Any:
        """Fan chart of supply against demand (all regions and cadres unless named).

        Parameters
        ----------
        region
            Only this region; None: the sum over regions.
        cadre
            Only this cadre; None: every cadre.
        ax
            Matplotlib Axes to draw on; None: a new figure.

        Returns
        -------
        matplotlib.axes.Axes
            Needs matplotlib (``pip install 'hrh[plot]'``).
        """
        from hrh.plot import projection

        return projection(self, region=region, cadre=cadre, ax=ax)


def simulate(
    scenario: Scenario | str | Path,
    *,
    policy: str | Sequence[str] | None = None,
    draws: int = 1000,
    seed: int | None = None,
    keep_draws: bool = False,
    quantiles: str = "auto",
    flows: str = "expected",
    density: bool = False,
    horizon_value: bool = False,
    progress: bool | None = None,
) -> Projection:
    """Project supply, demand, the gap and costs of a scenario, with Monte Carlo
    uncertainty.

    Each draw samples every distribution in the scenario once (each number from its own
    stream `(seed, draw, parameter)`), then runs the yearly stock-and-flow model by region,
    cadre, grade, post-training state and single year of age (deaths, attrition, training
    departures, migration, ageing and retirement, returns from training, entrants; see the
    core's `planning::supply` documentation for the order). Draws run in parallel and the
    results are identical for any number of threads.

    Parameters
    ----------
    scenario
        A dict, a JSON string, or a TOML/JSON file (see `examples/`).
    policy
        Name(s) of policies in the scenario to switch on.
    draws
        Number of draws; 0 runs the deterministic path at parameter means.
    seed
        Random seed; None picks one (recorded in `Projection.seed`).
    keep_draws
        Also return every draw's supply and demand (`draws_table`).
    quantiles
        "exact" keeps every draw's numbers of one group of regions at a time
        (regions linked by migration form a group; memory grows with draws);
        "streaming" uses extended P² estimates (fixed memory); "auto" is exact while the
        numbers kept at once need under 64 MiB.
    flows
        "expected" moves the expected number of people in each flow given the draw's
        parameters; "binomial" draws every flow as a binomial count of whole people (the
        starting stock and entrants rounded at random to whole people, entrants spread
        over ages multinomially, each eligible person sent to training with probability
        places / eligible), adding the chance variation of a small workforce.
    density
        Also project the population and staff per 1,000 population: `table` and
        `grade_table` gain `population` (the mean over draws) and `density_per_1000`
        (staff per 1,000 population, with quantiles), to set against
        `hrh.norms.SDG_THRESHOLD` and the like; `totals` gain the `population` of all
        regions, `density_per_1000` over all regions and `theil`, the Theil index T of
        the regions' densities weighted by population, per draw with quantiles (0 when
        staff are spread as people are), and `p_theil_below_start`, the share of draws in
        which it is below the start year's. Needs a population in the scenario; costs an
        extra summary per cell.
    horizon_value
        Also carry the staff in post at the horizon through the years after it,
        for `hrh.compare(..., beyond_horizon=True)`: each year the draw's final-year
        rates (deaths, attrition with its grade and policy multipliers) take their share
        of each age, the rest grow a year older, and everyone retires at the retirement
        age; staff keep their grade (and pay) and nobody joins. Kept per draw with the
        draws' totals.
    progress
        True writes the share of the work done to `sys.stderr` while the call runs;
        None (the default) does so from 5 seconds on in an interactive session (a
        notebook, or a terminal), False never. Ctrl-C stops a call at any time with
        `KeyboardInterrupt`, leaving nothing half-done.

    Returns
    -------
    Projection

    Raises
    ------
    InputError
        `draws` or `seed` not an integer in range, a policy named twice, `flows` or
        `quantiles` not one of their values, binomial flows with ``draws=0``, `density`
        without a population in the scenario, or more memory than the budget: the
        memory the draws need is checked before anything is allocated, and beyond the
        budget (`HRH_MAX_MEMORY`, 4 GiB by default; e.g. `8G`) the message says how much
        the call would need and what to change; more work than the limit: draws ×
        years × regions × cadre-and-grade cells are checked before the run starts,
        against `HRH_MAX_WORK` (1e10 by default), and the message names `draws` and
        the limit; a policy the scenario does not have.
    ScenarioError
        A bad scenario key (unknown, wrong type, or a value that breaks a rule of the
        scenario reference); the message gives the key's path.
    KeyboardInterrupt
        Ctrl-C, once the core has stopped.

    References
    ----------
    Jain, R. and Chlamtac, I. (1985). The P² algorithm for dynamic calculation of
    quantiles and histograms without storing observations. CACM 28(10), 1076-1085.

    Examples
    --------
    >>> import hrh
    >>> doc = {"start_year": 2024, "horizon": 2, "regions": ["A"], "min_age": 20,
    ...        "cadres": [{"name": "nurse", "retirement_age": 23, "attrition": {"rate": 0.1},
    ...                    "entrants": {"per_year": 30, "age": {"mean": 20}},
    ...                    "demand": {"method": "norm", "per_1000": 4.45}}],
    ...        "population": {"base": 40000},
    ...        "stock": [{"region": "A", "cadre": "nurse", "age": a, "count": n}
    ...                  for a, n in [(20, 100), (21, 50), (22, 10)]]}
    >>> p = hrh.simulate(doc, draws=0)
    >>> p.table.select("year", "supply", "demand", "gap").rows()
    [(2024, 160.0, 178.0, 18.0), (2025, 165.0, 178.0, 13.0), (2026, 138.0, 178.0, 40.0)]
    """
    doc = _load(scenario, copy_dict=False)
    for name, flag in (("density", density), ("horizon_value", horizon_value)):
        if not isinstance(flag, bool):
            raise InputError(f"argument '{name}': {flag!r} must be True or False")
    if density and not doc.get("population"):
        raise InputError(
            "argument 'density': densities need a population: give the scenario a `population`"
        )
    draws, seed = _draws_and_seed(draws, seed)
    policies = as_list(policy)
    for i, name in enumerate(policies):
        if name in policies[:i]:
            raise InputError(f"argument 'policy': {name!r} is named twice")
    if flows not in ("expected", "binomial"):
        raise InputError(f"column 'flows': {flows!r} is not 'expected' or 'binomial'")
    if flows == "binomial" and draws == 0:
        raise InputError(
            "column 'flows': binomial flows need draws > 0 (draws=0 is the expected path)"
        )
    if quantiles not in ("auto", "exact", "streaming"):
        raise InputError(f"column 'quantiles': {quantiles!r} is not 'auto', 'exact' or 'streaming'")
    js, stock = _core_args(doc)
    raw = _core.simulate(
        js,
        stock=stock,
        draws=draws,
        seed=seed,
        policies=policies,
        quantiles=quantiles,
        keep_draws=keep_draws,
        binomial=flows == "binomial",
        density=density,
        max_memory=_max_memory(),
        max_work=_max_work(),
        horizon_value=horizon_value,
        progress_after=progress_after(progress),
    )
    return _projection(raw, policies, draws, seed, raw["quantiles"], (js, stock))


_POPULATION = "\0population"  # the core's population cell (never a cadre name: NUL)


def _with_population(totals: pl.DataFrame, raw: dict[str, Any], height: int) -> pl.DataFrame:
    """Totals with the population of their regions and, from every draw's Theil index,
    the share of draws in which it is below the start year's; the population cell's own
    rows dropped."""
    is_pop = pl.col("cadre") == _POPULATION
    pop = totals.filter(is_pop).select("year", population="supply")
    out = totals.filter(~is_pop).join(pop, on="year", maintain_order="left")
    theil = np.asarray(raw["draws_theil"])
    if len(theil):
        per_year = theil.reshape(-1, len(raw["years"]), height // len(raw["years"]))
        below = (per_year < per_year[:, :1, :]).mean(axis=0).ravel()
        p = pl.Series("p_theil_below_start", below, dtype=pl.Float64)
        frame = totals.select("year", "cadre", "grade").with_columns(p)
        out = out.join(frame, on=["year", "cadre", "grade"], how="left", nulls_equal=True)
    else:
        out = out.with_columns(p_theil_below_start=pl.lit(None, dtype=pl.Float64))
    return out.with_columns(
        pl.when(pl.col("theil").is_null())
        .then(None)
        .otherwise(pl.col("p_theil_below_start"))
        .alias("p_theil_below_start")
    )


def _projection(
    raw: dict[str, Any],
    policies: list[str],
    draws: int,
    seed: int,
    quantiles: str,
    source: tuple[str, Any] | None = None,
) -> Projection:
    years, regions, cadres = raw["years"], raw["regions"], raw["cadres"]
    ny, nr, nc = len(years), len(regions), len(cadres)
    # The core's cells per year and region: the cadres, then the grades of each cadre with
    # several grades.
    cell_cadre = list(cadres)
    cell_grade: list[str | None] = [None] * nc
    for c, grades in zip(cadres, raw["grades"], strict=True):
        if len(grades) > 1:
            cell_cadre += [c] * len(grades)
            cell_grade += grades
    density = len(raw["density_mean"]) > 0
    if density:  # the population's cell, last
        cell_cadre.append(_POPULATION)
        cell_grade.append(None)
    nw = len(cell_cadre)
    year_col = np.asarray(years, dtype=np.int32)
    idx = pl.DataFrame(
        [
            pl.Series("year", np.repeat(year_col, nr * nw)),
            pl.Series("region", regions, dtype=pl.String).gather(
                np.tile(np.repeat(np.arange(nr), nw), ny)
            ),
            pl.Series("cadre", cell_cadre, dtype=pl.String).gather(np.tile(np.arange(nw), ny * nr)),
            pl.Series("grade", cell_grade, dtype=pl.String).gather(np.tile(np.arange(nw), ny * nr)),
        ]
    )
    cols: dict[str, Any] = {}
    for key in ("supply", "demand", "gap", "shortage", "surplus"):
        cols |= _summary_columns(raw, key, key)
    if density:
        cols |= _summary_columns(raw, "density", "density_per_1000")
    cells = idx.with_columns(
        *[pl.Series(k, v, dtype=pl.Float64) for k, v in cols.items()],
        pl.Series("p_gap_positive", raw["p_gap"], dtype=pl.Float64),
    ).with_columns(pl.selectors.float().fill_nan(None))
    if density:
        is_pop = pl.col("cadre") == _POPULATION
        pop = cells.filter(is_pop).select("year", "region", population="supply")
        cells = cells.filter(~is_pop).join(pop, on=["year", "region"], maintain_order="left")
        cells = cells.select(
            *cells.columns[:4], "population", pl.exclude(cells.columns[:4], "population")
        )
    table = cells.filter(pl.col("grade").is_null()).drop("grade")
    grade_table = cells.filter(pl.col("grade").is_not_null())
    tidx = pl.DataFrame(
        {
            "year": np.repeat(year_col, nw + 1),
            "cadre": [*cell_cadre, "all"] * ny,
            "grade": [*cell_grade, None] * ny,
        },
        schema={"year": pl.Int32, "cadre": pl.String, "grade": pl.String},
    )
    tcols: dict[str, Any] = {}
    for key, out in (
        ("supply", "supply"),
        ("demand", "demand"),
        ("shortage", "shortage"),
        ("surplus", "surplus"),
        ("gap", "net_gap"),
    ):
        tcols |= _summary_columns(raw, f"total_{key}", out)
    if density:
        tcols |= _summary_columns(raw, "total_density", "density_per_1000")
        tcols |= _summary_columns(raw, "total_theil", "theil")
    all_totals = tidx.with_columns(
        *[pl.Series(k, v, dtype=pl.Float64) for k, v in tcols.items()],
        pl.Series("p_shortage", raw["total_p_short"], dtype=pl.Float64),
        pl.Series("p_net_gap_positive", raw["total_p_gap"], dtype=pl.Float64),
    ).with_columns(pl.selectors.float().fill_nan(None))
    if density:
        all_totals = _with_population(all_totals, raw, tidx.height)
    totals = all_totals.filter(pl.col("grade").is_null()).drop("grade")
    grade_totals = all_totals.filter(pl.col("grade").is_not_null())
    shortage_draws = None
    if len(raw["draws_shortage"]):
        n = len(raw["draws_shortage"]) // tidx.height
        shortage_draws = (
            tidx[np.tile(np.arange(tidx.height), n)]
            .with_columns(
                pl.Series("draw", np.repeat(np.arange(n, dtype=np.int32), tidx.height)),
                pl.Series("shortage", raw["draws_shortage"], dtype=pl.Float64).fill_nan(None),
            )
            .filter(pl.col("cadre") != _POPULATION)
        )
    idx = idx.filter(pl.col("grade").is_null() & (pl.col("cadre") != _POPULATION)).drop("grade")
    pidx = idx.filter(pl.col("year") > years[0])
    fl = np.asarray(raw["flows"]).reshape(-1, len(raw["flow_names"]))
    flows = pidx.with_columns(
        *[pl.Series(n, fl[:, j], dtype=pl.Float64) for j, n in enumerate(raw["flow_names"])]
    )
    items = raw["cost_items"]
    co = np.asarray(raw["costs"]).reshape(-1, len(items))
    ni = len(items)
    costs = pidx[np.repeat(np.arange(pidx.height), ni)].with_columns(
        pl.Series("item", items, dtype=pl.String).gather(np.tile(np.arange(ni), pidx.height)),
        pl.Series("cost", co.ravel(), dtype=pl.Float64),
    )
    ct = len(items) + 1
    cost_totals = pl.DataFrame(
        {
            "year": np.repeat(year_col[1:], ct),
            "item": [*items, "all"] * (ny - 1),
        },
        schema={"year": pl.Int32, "item": pl.String},
    ).with_columns(
        *[
            pl.Series(k, v, dtype=pl.Float64)
            for k, v in _summary_columns(raw, "total_cost", "cost").items()
        ]
    )
    paired = None
    if len(raw["draws_shortage"]):
        keep = [i for i, c in enumerate([*cell_cadre, "all"]) if c != _POPULATION]
        n = len(raw["draws_shortage"]) // tidx.height
        shape = (n, ny, nw + 1)
        paired = PairedDraws(
            years=list(years),
            cells=[([*cell_cadre, "all"][i], [*cell_grade, None][i]) for i in keep],
            shortage=np.asarray(raw["draws_shortage"]).reshape(shape)[:, :, keep],
            supply=np.asarray(raw["draws_total_supply"]).reshape(shape)[:, :, keep],
            cadres=list(cadres),
            items=list(items),
            cost=np.asarray(raw["draws_cost"]).reshape(n, ny - 1, nc, len(items)),
            after=np.asarray(raw["draws_after"]).reshape(n, -1, nc, 2)
            if len(raw["draws_after"])
            else None,
        )
        shortage_draws = (
            shortage_draws.with_columns(
                pl.Series(
                    "supply",
                    np.asarray(raw["draws_total_supply"]).reshape(shape)[:, :, keep].ravel(),
                    dtype=pl.Float64,
                )
            )
            if shortage_draws is not None
            else None
        )
    draws_table = None
    if len(raw["draws_supply"]):
        n = len(raw["draws_supply"]) // (ny * nr * nc)
        draws_table = pl.concat([idx] * n).with_columns(
            pl.Series("draw", np.repeat(np.arange(n, dtype=np.int32), ny * nr * nc)),
            pl.Series("supply", raw["draws_supply"]),
            pl.Series("demand", raw["draws_demand"]).fill_nan(None),
        )
    return Projection(
        name=raw["name"],
        policies=tuple(policies),
        draws=draws,
        seed=seed,
        quantiles=quantiles,
        currency=raw["currency"],
        table=table,
        totals=totals,
        flows=flows,
        costs=costs,
        draws_table=draws_table,
        shortage_draws=shortage_draws,
        grade_table=grade_table,
        grade_totals=grade_totals,
        cost_totals=cost_totals,
        _draws=paired,
        _source=source,
    )


def _shortage_draws(
    p: Projection, cadre: str, grade: str | None, region: str | None
) -> npt.NDArray[np.float64] | None:
    """Every draw's shortage per year (draws x years) of a cadre ("all": every cadre) or
    one of its grades over all regions, or of one region's cadre; None when the draws
    were not kept."""
    if region is None:
        if p.shortage_draws is None:
            return None
        same_grade = pl.col("grade").is_null() if grade is None else pl.col("grade") == grade
        d = p.shortage_draws.filter((pl.col("cadre") == cadre) & same_grade)
        x = d["shortage"].fill_null(float("nan")).to_numpy()
    else:
        if p.draws_table is None or grade is not None:
            return None
        d = p.draws_table.filter((pl.col("region") == region) & (pl.col("cadre") == cadre))
        gap = (d["demand"] - d["supply"]).fill_null(float("nan")).to_numpy()
        x = np.where(np.isnan(gap), np.nan, np.maximum(gap, 0.0))
    years = d["year"].n_unique()
    return np.asarray(x, dtype=np.float64).reshape(-1, years)


# --------------------------------------------------------------------------- transitions


@dataclass(frozen=True)
class Transitions:
    """A one-period transition matrix estimated from a panel, from
    :func:`hrh.transitions`.

    Attributes
    ----------
    table : polars.DataFrame
        ``from``, ``to``, ``count``, ``probability``, ``lower``, ``upper`` (Wilson score
        interval at `level`).
    states : tuple of str
        The states, in order.
    gaps : int
        Consecutive observations of a person more than one period apart (not used).
    level : float
        Confidence level of the intervals.
    time_unit : str or None
        ``"year"`` when the panel's times were dates (one period is then a calendar
        year), ``None`` when they were integer periods.

    References
    ----------
    Anderson TW, Goodman LA (1957). Statistical inference about Markov chains. Ann
    Math Statist 28:89-110.
    Wilson EB (1927). Probable inference, the law of succession, and statistical
    inference. JASA 22:209-212.

    Examples
    --------
    >>> import hrh
    >>> panel = {"id": [1, 1, 2, 2, 3, 3], "year": [2020, 2021, 2020, 2021, 2020, 2021],
    ...          "region": ["A", "B", "A", "A", "B", "B"]}
    >>> t = hrh.transitions(panel, id="id", time="year", state="region")
    >>> t.migration(cadre="nurse")
    [{'from': 'A', 'to': 'B', 'rate': 0.5, 'cadre': 'nurse'}]
    """

    table: pl.DataFrame
    states: tuple[str, ...]
    gaps: int
    level: float
    time_unit: str | None = None

    def matrix(self) -> pl.DataFrame:
        """Probabilities as a square table, one row per origin state."""
        return self.table.pivot(
            on="to", index="from", values="probability", sort_columns=False
        ).select("from", *self.states)

    def _moves(self, origin: str, destination: str, **extra: Any) -> list[dict[str, Any]]:
        """Positive off-diagonal probabilities as records `{origin, destination, "rate"}`
        plus `extra`."""
        rows = self.table.filter((pl.col("from") != pl.col("to")) & (pl.col("probability") > 0))
        return [
            {origin: r["from"], destination: r["to"], "rate": r["probability"], **extra}
            for r in rows.iter_rows(named=True)
        ]

    def migration(self, *, cadre: str | None = None) -> list[dict[str, Any]]:
        """Off-diagonal probabilities as scenario `migration` records (regions as states).

        Parameters
        ----------
        cadre
            The cadre the records apply to; None: every cadre (no ``cadre`` key).

        Returns
        -------
        list of dict
            One record ``{"from", "to", "rate"(, "cadre")}`` per positive off-diagonal
            probability, for a scenario's ``migration`` list.
        """
        return self._moves("from", "to", **({} if cadre is None else {"cadre": cadre}))

    def promotions(self) -> list[dict[str, Any]]:
        """Off-diagonal probabilities as a cadre's `promotions` records (grades as states):
        each year that share of a grade's staff who stay moves to the other grade."""
        return self._moves("from_grade", "to_grade")

    def to_polars(self) -> pl.DataFrame:
        return self.table

    def _repr_html_(self) -> str:
        return f"<b>Transitions</b> ({len(self.states)} states)" + self.matrix()._repr_html_()


def transitions(panel: Any, *, id: str, time: str, state: str, level: float = 0.95) -> Transitions:
    """Estimate a one-period transition matrix (grades, regions) from a panel with one row
    per person and period.

    Consecutive observations of a person one period apart count as one transition; the
    probability from state i to j is `n_ij / n_i` (maximum likelihood for a Markov chain)
    with a Wilson score interval. `time` is an integer period (e.g. year), or a Date or
    Datetime column, whose values count by their calendar year (2019-12-31 is period
    2019; ``.time_unit`` is then ``"year"``). In a scenario,
    `.migration()` gives the `migration` records of regions as states, `.promotions()` a
    cadre's `promotions` records of grades as states.

    Parameters
    ----------
    panel
        One row per person and period: any table hrh reads. Not modified.
    id
        Column identifying the person.
    time
        Column of integer periods (e.g. year); a person's rows one period apart form a
        transition, rows further apart are counted in ``gaps`` and not used.
    state
        Column of the state in each period (a grade, a region).
    level
        Confidence level of the Wilson intervals, in (0, 1).

    Returns
    -------
    Transitions
        ``.table`` (``from``, ``to``, ``count``, ``probability``, ``lower``, ``upper``),
        ``.matrix()``, ``.migration()``, ``.promotions()`` and ``.gaps``.

    Raises
    ------
    InputError
        A column that `panel` lacks; a null id, time or state; a time that is not an
        integer; a person with two rows in one period; `level` outside (0, 1).

    References
    ----------
    Anderson, T. W. and Goodman, L. A. (1957). Statistical inference about Markov chains.
    Ann. Math. Statist. 28(1), 89-110. Wilson, E. B. (1927). Probable inference, the law of
    succession, and statistical inference. JASA 22(158), 209-212.

    Examples
    --------
    >>> import hrh
    >>> panel = {"id": [1, 1, 1, 2, 2], "year": [2020, 2021, 2022, 2020, 2021],
    ...          "grade": ["I", "I", "II", "I", "I"]}
    >>> hrh.transitions(panel, id="id", time="year", state="grade").matrix().rows()
    [('I', 0.666..., 0.333...), ('II', None, None)]
    """
    df = to_frame(panel, name="panel")
    require_columns(df, [id], role="id")
    require_columns(df, [time], role="time")
    require_columns(df, [state], role="state")
    if df.height == 0:
        raise InputError("panel has no rows")
    for c in (id, time, state):
        check_no_nulls(df, c)
    unit = None
    if df.schema[time] == pl.Date or isinstance(df.schema[time], pl.Datetime):
        df, unit = df.with_columns(pl.col(time).dt.year().cast(pl.Int64)), "year"
    if not df.schema[time].is_integer():
        raise InputError(
            f"column '{time}': must hold integer periods (e.g. years) or dates, got "
            f"{df.schema[time]}"
        )
    periods = df.get_column(time)
    if periods.dtype in (pl.UInt64, pl.UInt128, pl.Int128):
        outside = periods > 2**63 - 1
        if periods.dtype == pl.Int128:
            outside = outside | (periods < -(2**63))
        row = _first(outside)
        if row is not None:
            raise InputError(
                f"column '{time}', row {row}: period {df[row, time]} is outside the range "
                "of 64-bit integers"
            )
    for c in (id, state):
        check_key_type(df, c, table="panel")
    check_level(level)
    dup = df.select(pl.struct(id, time).is_duplicated().arg_true()).to_series()
    if len(dup):
        rows = dup.to_list()
        first = df.row(rows[0], named=True)
        raise InputError(
            f"column '{time}', row {rows[1]}: {id} {first[id]!r} observed twice in period "
            f"{first[time]} (rows {rows[0]} and {rows[1]})"
            + ("; dates count by their calendar year" if unit else "")
        )
    ids, _ = group_codes(df, [id])
    codes, keys = group_codes(df, [state])
    states = [str(s) for s in keys.get_column(state).to_list()]
    k = len(states)
    raw = _core.transitions(
        ids,
        np.ascontiguousarray(df.get_column(time).cast(pl.Int64).to_numpy()),
        codes,
        k,
        level=level,
    )
    table = pl.DataFrame(
        {
            "from": np.repeat(np.asarray(states, dtype=object), k).tolist(),
            "to": states * k,
            "count": raw["count"],
            "probability": raw["probability"],
            "lower": raw["lower"],
            "upper": raw["upper"],
        },
        schema={
            "from": pl.String,
            "to": pl.String,
            "count": pl.Float64,
            "probability": pl.Float64,
            "lower": pl.Float64,
            "upper": pl.Float64,
        },
    ).with_columns(pl.selectors.float().fill_nan(None))
    return Transitions(
        table=table, states=tuple(states), gaps=int(raw["gaps"]), level=level, time_unit=unit
    )


def stock_table(
    register: Any,
    *,
    at: dt.date,
    cadre: str,
    birth: str = "birth_date",
    entry: str = "hire_date",
    exit: str = "exit_date",
    region: str | None = None,
    grade: str | None = None,
    default_region: str = "all",
) -> pl.DataFrame:
    """Starting stock for a scenario from an HR register: staff in post on `at` (entry on
    or before it, exit null or after it) counted by region, cadre, grade and age in
    completed years.

    Parameters
    ----------
    register
        One row per worker (or employment spell): any table hrh reads. Not modified.
    at
        The reference date (a ``datetime.date``), e.g. the end of the start year.
    cadre
        Column of the cadre; a null is an InputError.
    birth, entry, exit
        Date columns: birth, first day in post and the day the person left (null while
        in post).
    region
        Column of the region; None: every row gets `default_region`.
    grade
        Column of the grade; None: no grade column (the scenario's first grade).
    default_region
        Region name used when `region` is None.

    Returns
    -------
    polars.DataFrame
        Columns `region`, `cadre`, `grade` (when `grade` is given), `age`, `count`,
        ready for a scenario's `stock` key.

    Raises
    ------
    InputError
        A column that `register` lacks; a null or non-date birth or entry date, or a
        null cadre, region or grade of someone in post; `at` that is not a date.

    References
    ----------
    World Health Organization (2017). National health workforce accounts: a handbook.
    Geneva: WHO (the stock as a headcount of active workers at a reference date).

    Examples
    --------
    >>> import datetime as dt, hrh
    >>> reg = {"birth_date": [dt.date(1980, 6, 1), dt.date(1990, 1, 1)],
    ...        "hire_date": [dt.date(2005, 1, 1), dt.date(2015, 1, 1)],
    ...        "exit_date": [None, dt.date(2020, 1, 1)], "cadre": ["nurse", "nurse"]}
    >>> hrh.stock_table(reg, at=dt.date(2024, 12, 31), cadre="cadre").rows()
    [('all', 'nurse', 44, 1)]
    """
    if not isinstance(at, dt.date):
        raise InputError(f"argument 'at': {at!r} must be a date, e.g. datetime.date(2024, 12, 31)")
    df = to_frame(register, name="register")
    cols = [birth, entry, exit, cadre, *([region] if region else []), *([grade] if grade else [])]
    require_columns(df, cols, role="register")
    for c in (birth, entry, exit):
        if c != exit:
            check_no_nulls(df, c)
        elif df.schema[c] == pl.Null:  # every exit date missing: all still in post
            continue
        if not isinstance(df.schema[c], pl.Date | pl.Datetime):
            raise InputError(f"column '{c}': must hold dates, got {df.schema[c]}")
    if df.schema[exit] not in (pl.Date, pl.Datetime, pl.Null):  # null while in post
        raise InputError(f"column '{exit}': must hold dates, got {df.schema[exit]}")
    for c in [cadre, *([region] if region else []), *([grade] if grade else [])]:
        check_no_nulls(df, c)
    at_ = pl.lit(at)
    born = pl.col(birth).cast(pl.Date)
    age = (
        at_.dt.year()
        - born.dt.year()
        - (
            (at_.dt.month() < born.dt.month())
            | ((at_.dt.month() == born.dt.month()) & (at_.dt.day() < born.dt.day()))
        ).cast(pl.Int32)
    )
    in_post = df.filter(
        (pl.col(entry).cast(pl.Date) <= at_)
        & (pl.col(exit).is_null() | (pl.col(exit).cast(pl.Date) > at_))
    )
    unborn = in_post.with_row_index("__row").filter(born > at_)
    if unborn.height:
        row = unborn.row(0, named=True)
        raise InputError(
            f"column '{birth}', row {row['__row']}: born {row[birth]}, after the date "
            f"counted ({at}) but in post"
        )
    keys = [
        (pl.col(region).cast(pl.String) if region else pl.lit(default_region)).alias("region"),
        pl.col(cadre).cast(pl.String).alias("cadre"),
        *([pl.col(grade).cast(pl.String).alias("grade")] if grade else []),
        age.cast(pl.Int32).alias("age"),
    ]
    names = ["region", "cadre", *(["grade"] if grade else []), "age"]
    return (
        in_post.select(keys).group_by(names).agg(pl.len().cast(pl.Int64).alias("count")).sort(names)
    )


def attrition_rates(
    curve: Any,
    *,
    bands: Sequence[float],
    per_year: float = 1.0,
    by: str | Sequence[str] | None = None,
) -> pl.DataFrame:
    """Annual attrition rates by band from a fitted retention curve, for a scenario.

    For each band `[a, b)` of the curve's time axis, the constant annual probability of
    leaving that gives the curve's survival over the band:
    `rate = 1 - (S(b) / S(a)) ** (per_year / (b - a))`. With a Kaplan-Meier curve on the
    age scale (delayed entry at the age of hire, exit at the age of leaving) the rates are
    by age band, ready for a scenario's `attrition.by_age`; on the time-in-post scale a
    single band gives one average rate for `attrition.rate`.

    Parameters
    ----------
    curve
        A :class:`hrh.KaplanMeier`, or a table with `time` and `survival` (e.g. from
        :meth:`hrh.CoxResult.predict_survival`, whose `row` column is then a group).
    bands
        Increasing band limits on the curve's time axis (at least two).
    per_year
        Curve time units per year (365.25 for days).
    by
        Group columns of a table (a Kaplan-Meier result's own groups are used).

    Returns
    -------
    polars.DataFrame
        The groups, `from`, `to`, `rate` (null where the curve has reached 0 before
        the band).

    Raises
    ------
    InputError
        A table without `time` or `survival`; fewer than two band limits or limits not
        increasing; `per_year` not > 0.

    References
    ----------
    Kaplan EL, Meier P (1958). Nonparametric estimation from incomplete observations.
    JASA 53:457-481.
    Fleurence RL, Hollenbeak CS (2007). Rates and probabilities in economic modelling:
    transformation, translation and appropriate application. PharmacoEconomics
    25:3-6.

    Examples
    --------
    >>> import hrh
    >>> km = hrh.kaplan_meier({"t": [1, 2, 3, 4, 5, 6], "e": [1, 1, 0, 1, 1, 0]},
    ...                       duration="t", event="e")
    >>> hrh.attrition_rates(km, bands=[0, 2, 6]).rows()
    [(0.0, 2.0, 0.1835...), (2.0, 6.0, 0.2401...)]
    """
    numbers = isinstance(bands, Sequence | np.ndarray | pl.Series) and not isinstance(
        bands, str | bytes
    )
    if numbers:
        bands = list(bands)
        numbers = all(
            isinstance(b, int | float | np.number) and not isinstance(b, bool | np.bool_)
            for b in bands
        )
    cuts = [float(b) if abs(b) < 2**1023 else math.inf for b in bands] if numbers else []
    if (
        len(cuts) < 2
        or not all(math.isfinite(b) for b in cuts)
        or any(not (b > a) for a, b in itertools.pairwise(cuts))
    ):
        raise InputError(f"column 'bands': {bands!r} must be at least two increasing finite limits")
    if (
        isinstance(per_year, bool)
        or not isinstance(per_year, int | float | np.number)
        or not 0 < per_year < math.inf
    ):
        raise InputError(f"column 'per_year': {per_year!r} must be a finite number > 0")
    per_year = float(per_year)
    from hrh.attrition import KaplanMeier

    if isinstance(curve, KaplanMeier):
        # Survival over each band from the curve's own factors (1 - d/n) at the event
        # times inside it, so that a band after the curve reaches 0 (a tiny risk set at
        # early ages under delayed entry) still gets its conditional rate.
        groups = list(curve.by)
        tab = curve.table.filter(pl.col("events") > 0)
        # Band i holds the event times in (cuts[i - 1], cuts[i]].
        band = np.searchsorted(np.asarray(cuts), tab["time"].to_numpy(), side="left")
        logs = (
            tab.with_columns(pl.Series("__band", band, dtype=pl.Int64))
            .filter((pl.col("__band") >= 1) & (pl.col("__band") < len(cuts)))
            .group_by(*groups, "__band")
            .agg((1 - pl.col("events") / pl.col("at_risk")).log().sum().alias("__log"))
        )
        keys = curve.table.select(groups).unique(maintain_order=True) if groups else pl.DataFrame()
        grid = pl.DataFrame(
            {"__band": list(range(1, len(cuts))), "from": cuts[:-1], "to": cuts[1:]}
        )
        grid = keys.join(grid, how="cross") if groups else grid
        return (
            grid.join(logs, on=[*groups, "__band"], how="left", nulls_equal=True)
            .with_columns(
                rate=1
                - (
                    pl.col("__log").fill_null(0.0) * per_year / (pl.col("to") - pl.col("from"))
                ).exp()
            )
            .select(*groups, "from", "to", "rate")
        )
    else:
        table = to_frame(curve, name="curve")
        groups = as_list(by) or (["row"] if "row" in table.columns else [])
        require_columns(table, ["time", "survival", *groups], role="curve")
        if table.height == 0:
            raise InputError("curve has no rows")
        check_numeric(table, "time", minimum="any", table="curve")
        surv_col = table.get_column("survival")
        if not surv_col.dtype.is_numeric():
            raise InputError(
                f"column 'survival' has type {surv_col.dtype} in curve, expected numbers"
            )
        row = _first(surv_col.is_null())
        if row is not None:  # (NaN and values outside [0, 1] are named per group below)
            raise InputError(f"column 'survival', row {row}: value is null")
        for g in groups:
            check_key_type(table, g, table="curve")
            check_no_nulls(table, g, table="curve")
            if table.schema[g].is_float():
                row = _first(table.get_column(g).is_infinite())
                if row is not None:
                    raise InputError(
                        f"column '{g}', row {row}: group label {table[row, g]} is not finite"
                    )
        rows = []
        for key, part in table.group_by(groups, maintain_order=True) if groups else [((), table)]:
            part = part.sort("time")
            t = part["time"].cast(pl.Float64).to_numpy()
            s = part["survival"].cast(pl.Float64).to_numpy()
            bad = np.flatnonzero(~((s >= 0) & (s <= 1)))
            if bad.size:
                at, value = float(t[bad[0]]), float(s[bad[0]])
                raise InputError(
                    f"column 'survival', at time {at!r}: {value!r} is not a survival "
                    "probability in [0, 1]"
                )
            rises = np.flatnonzero(np.diff(s) > 0)
            if rises.size:
                at, value = float(t[rises[0] + 1]), float(s[rises[0] + 1])
                raise InputError(
                    f"column 'survival', at time {at!r}: {value!r} rises above the value "
                    "before it; a survival curve never increases"
                )
            idx = np.searchsorted(t, cuts, side="right") - 1
            surv = np.where(idx >= 0, s[np.maximum(idx, 0)], 1.0)
            rows.append(
                pl.DataFrame({"time": cuts, "survival": surv}).with_columns(
                    pl.lit(v, dtype=table.schema[k]).alias(k)
                    for k, v in zip(groups, key, strict=True)
                )
            )
        points = pl.concat(rows).select(*groups, "time", "survival")
    out = (
        points.with_columns(
            pl.col("time").alias("from"),
            pl.col("time").shift(-1).over(groups or pl.lit(1)).alias("to"),
            pl.col("survival").shift(-1).over(groups or pl.lit(1)).alias("__next"),
        )
        .filter(pl.col("to").is_not_null())
        .with_columns(
            rate=pl.when(pl.col("survival") > 0)
            .then(
                1
                - (pl.col("__next") / pl.col("survival"))
                ** (per_year / (pl.col("to") - pl.col("from")))
            )
            .otherwise(None)
        )
        .select(*groups, "from", "to", "rate")
    )
    return out
