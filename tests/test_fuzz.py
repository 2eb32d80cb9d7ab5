"""Hostile-input fuzzing of the public API (docs/architecture.md, Tests and checks).

Every public function is called with hostile values (NaN, ±inf, 0, negatives, 1e308,
2**63, 5e-324, nulls, empty and one-row inputs, all-equal values), hostile types
(strings, booleans and mixed objects in numeric columns, in dicts, polars and pandas
frames), hostile shapes (mismatched lengths, missing columns) and hostile scalar
arguments (NaN, negative, huge, wrong types). The property, for every call:

- it returns output whose numbers are finite, or null where the docs say so, or it
  raises an :class:`hrh.HrhError` subclass (never a panic, a foreign exception class, a
  NaN or inf without a word);
- it finishes within a per-example deadline (and a watchdog ends the process with a
  traceback if a call hangs, instead of hanging the suite);
- it leaves its input exactly as it was.

Profiles (selected by the environment variable ``HRH_FUZZ``):

- ``ci`` (default): ``CI_EXAMPLES`` examples per test, ``derandomize=True`` so that
  every run tries the same examples; the module runs in about 20 s on 2 idle cores
  (1.5 min on a loaded machine).
- ``long`` (``HRH_FUZZ=long``): 20 times as many examples, random (not derandomized),
  for on-demand runs (about 10 min on 2 idle cores); a failure prints the blob that
  reproduces it.

Only valid but slow inputs (many draws, replicates, years or ages) are excluded, by
narrow, commented ``assume(...)`` calls; no known defect is. A defect found here is fixed
with a regression test in ``tests/test_hostile.py``, or, while open, excluded by a
commented ``assume`` marked ``DEFECT (name)`` with a minimal reproducer.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import faulthandler
import math
import os
import time
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
import pandas as pd
import polars as pl
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import hrh

# --- profiles ------------------------------------------------------------------------

CI_EXAMPLES = 150
LONG_EXAMPLES = 20 * CI_EXAMPLES
DEADLINE_MS = 2000  # per example; generous: a typical example takes a few milliseconds
HANG_SECONDS = 60  # a single call running this long is a hang: dump tracebacks and exit

_COMMON: dict[str, Any] = {
    "deadline": DEADLINE_MS,
    "database": None,
    "print_blob": True,
    "suppress_health_check": [
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.filter_too_much,
    ],
}
settings.register_profile("hrh-fuzz-ci", max_examples=CI_EXAMPLES, derandomize=True, **_COMMON)
settings.register_profile("hrh-fuzz-long", max_examples=LONG_EXAMPLES, derandomize=False, **_COMMON)
PROFILE = "hrh-fuzz-long" if os.environ.get("HRH_FUZZ", "").strip() == "long" else "hrh-fuzz-ci"
# Applied to the tests of this module only: the other property tests keep their own
# settings (loading the profile globally would derandomize them too).
fuzz = settings.get_profile(PROFILE)


# --- the property --------------------------------------------------------------------


@contextmanager
def watchdog() -> Iterator[None]:
    """End the process with every thread's traceback if the body runs longer than
    HANG_SECONDS (a hang inside the core would otherwise hang the suite: hypothesis'
    deadline only measures a call that has returned)."""
    faulthandler.dump_traceback_later(HANG_SECONDS, exit=True)
    try:
        yield
    finally:
        faulthandler.cancel_dump_traceback_later()


def snapshot(x: Any) -> Any:
    """A deep copy of an input, to compare with after the call."""
    if isinstance(x, pl.DataFrame | pl.Series):
        return x.clone()
    if isinstance(x, pd.DataFrame | pd.Series):
        return x.copy(deep=True)
    return copy.deepcopy(x)


def same(a: Any, b: Any) -> bool:
    """Exact equality of inputs, NaN equal to NaN, types included."""
    if type(a) is not type(b):
        return False
    if isinstance(a, pl.DataFrame):
        return a.schema == b.schema and all(same(a[c], b[c]) for c in a.columns)
    if isinstance(a, pl.Series):
        if a.dtype != b.dtype or a.name != b.name or a.len() != b.len():
            return False
        if a.dtype == pl.Object or a.dtype.is_nested():
            return same(a.to_list(), b.to_list())
        return a.equals(b, null_equal=True)
    if isinstance(a, pd.DataFrame):
        try:
            pd.testing.assert_frame_equal(a, b, check_exact=True)
        except AssertionError:
            return False
        return True
    if isinstance(a, pd.Series):
        try:
            pd.testing.assert_series_equal(a, b, check_exact=True)
        except AssertionError:
            return False
        return True
    if isinstance(a, np.ndarray):
        if a.dtype != b.dtype or a.shape != b.shape:
            return False
        if a.dtype.kind == "f":
            return bool(np.array_equal(a, b, equal_nan=True))
        return all(same(u, v) for u, v in zip(a.ravel().tolist(), b.ravel().tolist(), strict=True))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list | tuple):
        return len(a) == len(b) and all(same(u, v) for u, v in zip(a, b, strict=True))
    if isinstance(a, float) and math.isnan(a):
        return math.isnan(b)
    return bool(a == b)


def bad_numbers(x: Any, where: str, nan_ok: Callable[[str], bool]) -> list[str]:
    """Places in a result holding NaN or ±inf (nulls are fine; NaN only where `nan_ok`
    says the documentation allows it)."""
    out: list[str] = []
    if isinstance(x, bool | int | str | type(None) | dt.date):
        return out
    if isinstance(x, float | np.floating):
        if math.isnan(x) and nan_ok(where):
            return out
        return [] if math.isfinite(x) else [f"{where} = {x}"]
    if isinstance(x, pl.DataFrame):
        for c in x.columns:
            out += bad_numbers(x.get_column(c), f"{where}[{c!r}]", nan_ok)
        return out
    if isinstance(x, pl.Series):
        s = x
        if s.dtype.is_float():
            inf = s.is_infinite().arg_true()
            if len(inf):
                out.append(f"{where} row {int(inf[0])} = {s[int(inf[0])]}")
            nan = s.is_nan().arg_true()
            if len(nan) and not nan_ok(where):
                out.append(f"{where} row {int(nan[0])} = NaN")
        elif isinstance(s.dtype, pl.List | pl.Array | pl.Struct):
            out += bad_numbers(s.to_list(), where, nan_ok)
        return out
    if isinstance(x, np.ndarray):
        if x.dtype.kind in "fc":
            arr = np.asarray(x, dtype=np.complex128 if x.dtype.kind == "c" else np.float64)
            if np.isinf(arr).any():
                out.append(f"{where} holds inf")
            if np.isnan(arr).any() and not nan_ok(where):
                out.append(f"{where} holds NaN")
        elif x.dtype.kind == "O":
            out += bad_numbers(x.tolist(), where, nan_ok)
        return out
    if isinstance(x, dict):
        for k, v in x.items():
            out += bad_numbers(v, f"{where}.{k}", nan_ok)
        return out
    if isinstance(x, list | tuple):
        for i, v in enumerate(x):
            out += bad_numbers(v, f"{where}[{i}]", nan_ok)
        return out
    if dataclasses.is_dataclass(x) and not isinstance(x, type):
        for f in dataclasses.fields(x):
            if not f.name.startswith("_"):
                out += bad_numbers(getattr(x, f.name), f"{where}.{f.name}", nan_ok)
        return out
    return out


def no_nan(where: str) -> bool:
    return False


def check(
    call: Callable[[], Any],
    *inputs: Any,
    nan_ok: Callable[[str], bool] = no_nan,
    after: Callable[[Any], Any] | None = None,
) -> Any:
    """Run `call`: it returns finite output (or documented nulls / NaN) or raises an
    hrh error; `inputs` are unchanged afterwards. `after` is applied to a result (e.g.
    a method of the result object) and checked likewise. Returns the result or None."""
    before = [snapshot(x) for x in inputs]
    result: Any = None
    with watchdog(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            result = call()
            extra = after(result) if after is not None else None
        except hrh.HrhError as e:
            assert str(e), "an hrh error without a message"
            result = extra = None
    for i, (x, b) in enumerate(zip(inputs, before, strict=True)):
        assert same(x, b), f"input {i} was modified: before {b!r}, after {x!r}"
    bad = bad_numbers(result, "result", nan_ok) + bad_numbers(extra, "after", nan_ok)
    assert not bad, f"non-finite numbers without a word: {bad[:5]}"
    return result


# --- strategies ----------------------------------------------------------------------

NASTY_FLOATS = [
    0.0,
    -0.0,
    1.0,
    -1.0,
    0.5,
    3.0,
    math.nan,
    math.inf,
    -math.inf,
    1e308,
    -1e308,
    5e-324,
    1e-300,
    2.0**63,
    2.0**53 + 1,
]
NASTY_INTS = [0, 1, 2, 3, -1, 2**31, 2**53 + 1, 2**63 - 1, -(2**63), 2**63, 2**64 - 1]
NASTY_SCALARS: list[Any] = [
    *NASTY_FLOATS,
    *NASTY_INTS,
    2**1000,
    True,
    False,
    None,
    "x",
    "",
    [1.0],
    (1, 2),
    {"a": 1},
    b"1",
    1 + 2j,
    np.float64("nan"),
    np.int64(3),
]

floats_any = st.one_of(
    st.sampled_from(NASTY_FLOATS), st.floats(allow_nan=True, allow_infinity=True)
)
floats_ok = st.floats(0.5, 1000.0)
ints_any = st.one_of(st.sampled_from(NASTY_INTS), st.integers(-(2**63), 2**64 - 1))
ints_ok = st.integers(0, 50)


def cells(kind: str) -> st.SearchStrategy[Any]:
    """Values of one cell of a column of `kind`."""
    return {
        "float": floats_any,
        "float_ok": floats_ok,
        "int": ints_any,
        "int_ok": ints_ok,
        "event": st.sampled_from([0, 1]),
        "bool": st.booleans(),
        "str": st.sampled_from(["a", "b", "", "1", "nan", "é"]),
        "mixed": st.sampled_from([1, 1.5, "a", True, None, math.nan, b"x", [1], {"k": 1}]),
        "date": st.dates(dt.date(1900, 1, 1), dt.date(2100, 1, 1)),
    }[kind]


KINDS = ["float", "float_ok", "int", "int_ok", "event", "bool", "str", "mixed"]


@st.composite
def column(
    draw: st.DrawFn, n: int, kinds: list[str] | None = None, null_rate: bool = True
) -> list[Any]:
    """A column of n cells of one kind, maybe constant, maybe with nulls."""
    kind = draw(st.sampled_from(kinds or KINDS))
    if n and draw(st.booleans()) and draw(st.booleans()):  # all equal
        values = [draw(cells(kind))] * n
    else:
        values = draw(st.lists(cells(kind), min_size=n, max_size=n))
    if null_rate and n and draw(st.integers(0, 4)) == 0:
        values[draw(st.integers(0, n - 1))] = None
    return values


@st.composite
def table(
    draw: st.DrawFn,
    roles: dict[str, list[str]],
    *,
    max_rows: int = 5,
    extra: dict[str, st.SearchStrategy[list[Any]]] | None = None,
) -> Any:
    """A table with a column per role (each of a kind drawn from the role's list, or any
    kind), as a dict, a polars or a pandas frame; sometimes a column missing or (in a
    dict) of another length."""
    n = draw(st.integers(0, max_rows))
    data: dict[str, list[Any]] = {}
    for name, kinds in roles.items():
        data[name] = draw(column(n, kinds if draw(st.integers(0, 5)) else KINDS))
    for name, strat in (extra or {}).items():
        data[name] = draw(strat)
    shape = draw(st.integers(0, 19))
    if shape == 0 and data:  # a missing column
        del data[draw(st.sampled_from(sorted(data)))]
    elif shape == 1 and data:  # a column of another length
        name = draw(st.sampled_from(sorted(data)))
        data[name] = data[name] + data[name][:1] if n else [1]
    form = draw(st.sampled_from(["dict", "dict", "polars", "pandas"]))
    if form == "dict" or len({len(v) for v in data.values()}) > 1:
        return data
    if form == "polars":
        try:
            return pl.DataFrame(data, strict=False)
        except Exception:
            return data
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return pd.DataFrame(
                {k: pd.Series(v, dtype=object if None in v else None) for k, v in data.items()}
            )
    except Exception:
        return data


def arg(valid: st.SearchStrategy[Any], weight: int = 3) -> st.SearchStrategy[Any]:
    """A scalar argument: mostly valid, sometimes hostile."""
    return st.one_of(*([valid] * weight), st.sampled_from(NASTY_SCALARS))


levels = arg(st.sampled_from([0.95, 0.8, 0.5, 0.999]))
pers = arg(st.sampled_from([1, 100, 1000, 1e5]))


def array_like(kinds: list[str] | None = None, max_size: int = 6) -> st.SearchStrategy[Any]:
    """A list, numpy array, polars or pandas series of hostile numbers (or a scalar)."""

    @st.composite
    def build(draw: st.DrawFn) -> Any:
        n = draw(st.integers(0, max_size))
        values = draw(column(n, kinds or ["float", "float_ok", "int", "int_ok", "bool"]))
        form = draw(st.sampled_from(["list", "list", "numpy", "polars", "pandas", "scalar"]))
        try:
            if form == "numpy":
                return np.array(values)
            if form == "polars":
                return pl.Series("v", values, strict=False)
            if form == "pandas":
                return pd.Series(values, dtype=object if None in values else None)
        except Exception:
            return values
        if form == "scalar":
            return values[0] if values else draw(st.sampled_from(NASTY_SCALARS))
        return values

    return build()


values_st = array_like()
weights_st = st.one_of(st.none(), array_like())


# --- equity: array functions ---------------------------------------------------------


@fuzz
@given(values_st, weights_st, arg(st.booleans()))
def test_gini_and_lorenz(values: Any, weights: Any, corrected: Any) -> None:
    check(lambda: hrh.gini(values, weights, corrected=corrected), values, weights)
    check(lambda: hrh.lorenz(values, weights), values, weights)


groups_st = st.one_of(
    st.none(),
    array_like(["int", "int_ok", "str", "bool", "mixed", "float"]),
    st.lists(st.sampled_from(["a", "b", 1, None, 2**70, [1], math.nan]), max_size=6),
)


@fuzz
@given(
    values_st,
    weights_st,
    groups_st,
    arg(st.sampled_from(["T", "L"])),
    arg(st.sampled_from([math.e, 10.0, 2.0])),
    arg(st.sampled_from(["weighted", "unweighted", 1.5])),
)
def test_theil(values: Any, weights: Any, groups: Any, kind: Any, base: Any, mean: Any) -> None:
    check(
        lambda: hrh.theil(values, weights, groups=groups, kind=kind, log_base=base, mean=mean),
        values,
        weights,
        groups,
    )


@fuzz
@given(
    values_st,
    weights_st,
    arg(st.sampled_from([0, 1, 2, -1, 0.5])),
    arg(st.sampled_from([0, 1, 0.5, 2])),
    arg(st.sampled_from([0, 1])),
)
def test_entropy_atkinson_cv(
    values: Any, weights: Any, alpha: Any, epsilon: Any, ddof: Any
) -> None:
    check(lambda: hrh.generalized_entropy(values, weights, alpha=alpha), values, weights)
    check(lambda: hrh.atkinson(values, weights, epsilon=epsilon), values, weights)
    check(lambda: hrh.cv(values, weights, ddof=ddof), values, weights)


@fuzz
@given(
    values_st,
    array_like(),
    weights_st,
    arg(st.sampled_from([None, "wagstaff", "erreygers"])),
    arg(st.sampled_from([None, (0, 1), (0.0, 100.0), (5, 1)])),
)
def test_concentration_index(
    values: Any, rank: Any, weights: Any, correction: Any, bounds: Any
) -> None:
    check(
        lambda: hrh.concentration_index(
            values, rank, weights, correction=correction, bounds=bounds
        ),
        values,
        rank,
        weights,
    )


@fuzz
@given(
    values_st,
    weights_st,
    arg(st.sampled_from(["esteban_ray", "wolfson", "zhang_kanbur"])),
    arg(st.sampled_from([None, 1.3, 0.0, 1.6, 1.0])),
    groups_st,
)
def test_polarization(values: Any, weights: Any, method: Any, alpha: Any, groups: Any) -> None:
    check(
        lambda: hrh.polarization(values, weights, method=method, alpha=alpha, groups=groups),
        values,
        weights,
        groups,
    )


# --- density ---------------------------------------------------------------------------

KEY_KINDS = ["str", "int_ok", "bool", "mixed"]
NUM_KINDS = ["float_ok", "int_ok", "float", "int"]


def _column_cells(data: Any, name: str) -> list[Any]:
    """The cells of column `name` of a generated table ([] when it has none)."""
    try:
        return cells_of(data[name])
    except Exception:
        return []


def cells_of(x: Any) -> list[Any]:
    """The cells of an array-like argument (or the scalar itself) as a list."""
    if isinstance(x, pl.Series | pd.Series | np.ndarray):
        return list(x.tolist() if not isinstance(x, pl.Series) else x.to_list())
    return list(x) if isinstance(x, list | tuple) else [x]


@fuzz
@given(
    table({"staff": NUM_KINDS, "population": NUM_KINDS, "area": NUM_KINDS, "g": KEY_KINDS}),
    arg(st.sampled_from([None, "g", ["g"]])),
    arg(st.sampled_from([None, "area"])),
    pers,
    levels,
    arg(st.sampled_from(["raise", "drop"])),
    st.booleans(),
)
def test_density(
    data: Any, by: Any, area: Any, per: Any, level: Any, nulls: Any, wide: bool
) -> None:
    staff = ["staff", "area"] if wide else "staff"
    check(
        lambda: hrh.density(
            data,
            staff=staff,
            population="population",
            by=by,
            per=per,
            area=area,
            level=level,
            nulls=nulls,
        ),
        data,
    )


@fuzz
@given(
    table({"staff": NUM_KINDS, "g": KEY_KINDS}),
    table({"g": KEY_KINDS, "population": NUM_KINDS, "age": ["int_ok", "str"]}),
    arg(st.sampled_from([None, "g"])),
)
def test_density_population_table(data: Any, population: Any, by: Any) -> None:
    check(lambda: hrh.density(data, staff="staff", population=population, by=by), data, population)


@fuzz
@given(
    table({"staff": NUM_KINDS, "population": NUM_KINDS, "norm": NUM_KINDS, "g": KEY_KINDS}),
    arg(st.sampled_from([4.45, 0, "norm", 1.0])),
    pers,
    arg(st.sampled_from([None, "g"])),
    arg(st.sampled_from(["raise", "drop"])),
)
def test_shortfall(data: Any, norm: Any, per: Any, by: Any, nulls: Any) -> None:
    check(
        lambda: hrh.shortfall(
            data, staff="staff", population="population", norm=norm, per=per, by=by, nulls=nulls
        ),
        data,
        nan_ok=lambda where: False,
    )


@fuzz
@given(
    table({"staff": NUM_KINDS, "quota": NUM_KINDS, "g": KEY_KINDS}),
    arg(st.sampled_from([None, "g"])),
    arg(st.sampled_from(["raise", "drop"])),
)
def test_quota_gap(data: Any, by: Any, nulls: Any) -> None:
    check(lambda: hrh.quota_gap(data, staff="staff", quota="quota", by=by, nulls=nulls), data)


@fuzz
@given(array_like(), st.one_of(st.just(1.0), array_like()), levels, pers)
def test_poisson_ci_and_rate(count: Any, exposure: Any, level: Any, per: Any) -> None:
    check(lambda: hrh.poisson_ci(count, exposure, level=level, per=per), count, exposure)
    check(lambda: hrh.rate(count, exposure, level=level, per=per), count, exposure)
    check(lambda: hrh.poisson_ci(count, exposure, level=level, alternative="less"), count)
    # "greater": the upper end of [lower, inf) is infinite by definition.
    check(
        lambda: hrh.poisson_ci(count, exposure, level=level, alternative="greater").drop("upper"),
        count,
        exposure,
    )


@fuzz
@given(
    array_like(),
    st.one_of(st.just(1.0), array_like()),
    array_like(),
    st.one_of(st.just(2.5), array_like()),
    levels,
    arg(st.sampled_from(["two-sided", "less", "greater", "two.sided", "both"])),
)
def test_rate_ratio(x1: Any, t1: Any, x2: Any, t2: Any, level: Any, alternative: Any) -> None:
    def call() -> pl.DataFrame:
        t = hrh.rate_ratio(x1, t1, x2, t2, level=level, alternative=alternative).table
        # Documented infinities: the upper limit when events2 = 0 or for "greater", the
        # estimate when events2 = 0 < events1; anything else must be finite.
        assert (t["upper"] >= t["lower"]).all() and (t["p_value"] <= 1).all()
        zero2 = t["events2"] == 0
        assert not (t["estimate"].is_infinite() & ~zero2).any()
        return t.drop("upper", "estimate")

    check(call, x1, t1, x2, t2)


# --- equity: tables --------------------------------------------------------------------


@fuzz
@given(
    table(
        {
            "staff": NUM_KINDS,
            "population": NUM_KINDS,
            "area": NUM_KINDS,
            "g": KEY_KINDS,
            "region": KEY_KINDS,
        }
    ),
    arg(st.sampled_from([None, "g"])),
    arg(st.sampled_from([None, "region"])),
    arg(st.sampled_from([None, "area"])),
    arg(st.sampled_from([0, 0, 3]), weight=4),
    arg(st.sampled_from([0.5, 1, 2])),
    arg(st.sampled_from([1, 0, 2**63])),
    st.booleans(),
)
def test_equity(
    data: Any,
    by: Any,
    groups: Any,
    area: Any,
    bootstrap: Any,
    epsilon: Any,
    seed: Any,
    wide: bool,
) -> None:
    # Huge bootstrap counts are checked (tests/test_sizes.py); a moderately large one
    # is only slow, so keep replicates small here.
    assume(not (isinstance(bootstrap, int) and 50 < bootstrap < 2**40))
    staff = ["staff", "area"] if wide else "staff"
    check(
        lambda: hrh.equity(
            data,
            staff=staff,
            population="population",
            area=area,
            by=by,
            groups=groups,
            bootstrap=bootstrap,
            epsilon=epsilon,
            seed=seed,
        ),
        data,
    )


# --- attrition -------------------------------------------------------------------------

DUR_KINDS = ["float_ok", "int_ok", "float", "int"]
EVENT_KINDS = ["event", "bool", "event", "int_ok"]


def surv_table(**extra: list[str]) -> st.SearchStrategy[Any]:
    return table({"t": DUR_KINDS, "e": EVENT_KINDS, "g": KEY_KINDS, **extra}, max_rows=6)


def km_methods(km: Any) -> Any:
    return [km.median(), km.rmst(3.0), km.at([0.0, 1.0, 2.5])]


@fuzz
@given(
    surv_table(en=["float_ok", "int_ok", "float"], w=NUM_KINDS),
    arg(st.sampled_from([None, "g"])),
    arg(st.sampled_from([None, "en"])),
    arg(st.sampled_from([None, "w"])),
    arg(st.sampled_from(["log", "log-log", "plain"])),
    levels,
)
def test_kaplan_meier(
    data: Any, by: Any, entry: Any, weights: Any, conf_type: Any, level: Any
) -> None:
    check(
        lambda: hrh.kaplan_meier(
            data,
            duration="t",
            event="e",
            entry=entry,
            by=by,
            weights=weights,
            conf_type=conf_type,
            level=level,
        ),
        data,
        after=km_methods,
    )


@fuzz
@given(
    surv_table(en=["float_ok", "int_ok", "float"], w=NUM_KINDS),
    arg(st.sampled_from([None, "g"])),
    arg(st.sampled_from([None, "en"])),
    arg(st.sampled_from([None, "w"])),
    arg(st.sampled_from(["nelson-aalen", "fleming-harrington"])),
)
def test_nelson_aalen(data: Any, by: Any, entry: Any, weights: Any, ties: Any) -> None:
    check(
        lambda: hrh.nelson_aalen(
            data, duration="t", event="e", entry=entry, by=by, weights=weights, ties=ties
        ),
        data,
    )


@fuzz
@given(
    surv_table(s=KEY_KINDS),
    arg(st.sampled_from(["g", ["g", "s"]])),
    arg(st.sampled_from([None, "s"])),
    arg(st.sampled_from([0, 1, 0.5])),
)
def test_logrank(data: Any, group: Any, strata: Any, rho: Any) -> None:
    r = check(
        lambda: hrh.logrank(data, duration="t", event="e", group=group, strata=strata, rho=rho),
        data,
    )
    assert r is None or (math.isfinite(r.p_value) and r.df > 0)


@fuzz
@given(
    surv_table(s=KEY_KINDS),
    arg(st.sampled_from([None, "s"])),
    arg(st.sampled_from(["gehan-breslow", "tarone-ware", "modified-peto", "fleming-harrington"])),
    arg(st.sampled_from([None, 0, 1, 0.5])),
    arg(st.sampled_from([None, 0, 2])),
)
def test_logrank_weights(data: Any, strata: Any, weights: Any, p: Any, q: Any) -> None:
    r = check(
        lambda: hrh.logrank(
            data, duration="t", event="e", group="g", strata=strata, weighting=weights, p=p, q=q
        ),
        data,
    )
    assert r is None or (math.isfinite(r.p_value) and r.df > 0)


@fuzz
@given(
    surv_table(en=["float_ok", "int_ok", "float"]),
    arg(st.sampled_from([None, "en"])),
    array_like(["float_ok", "int_ok", "float"]),
    arg(st.sampled_from([None, "g"])),
)
def test_split_episodes(data: Any, entry: Any, cut: Any, id: Any) -> None:
    changes = {"g": ["a", "b"], "time": [1.0, 2.0], "state": [1, 2]} if id else None
    check(
        lambda: hrh.split_episodes(
            data, duration="t", event="e", entry=entry, cut=cut, id=id, changes=changes
        ),
        data,
        cut,
    )


@fuzz
@given(
    table(
        {"t": DUR_KINDS, "c": ["event", "int_ok", "str", "mixed", "float"], "g": KEY_KINDS},
        max_rows=6,
    ),
    arg(st.sampled_from([None, "g"])),
    arg(st.sampled_from([None, [1], ["a", "b"], [1, 2, 3]])),
    levels,
)
def test_cumulative_incidence(data: Any, by: Any, causes: Any, level: Any) -> None:
    check(
        lambda: hrh.cumulative_incidence(
            data, duration="t", cause="c", by=by, causes=causes, level=level
        ),
        data,
        after=lambda r: r.at([0.0, 1.0, 3.0]),
    )


@fuzz
@given(
    surv_table(x=[*NUM_KINDS, "str", "bool"], z=NUM_KINDS, s=KEY_KINDS, w=NUM_KINDS),
    arg(st.sampled_from([["x"], ["x", "z"], []])),
    arg(st.sampled_from([None, "s"])),
    arg(st.sampled_from([None, "w"])),
    arg(st.sampled_from(["efron", "breslow"])),
    arg(st.booleans()),
)
def test_cox(data: Any, covariates: Any, strata: Any, weights: Any, ties: Any, robust: Any) -> None:
    check(
        lambda: hrh.cox(
            data,
            duration="t",
            event="e",
            covariates=covariates,
            strata=strata,
            weights=weights,
            ties=ties,
            robust=robust,
        ),
        data,
    )


def cox_methods(m: Any) -> Any:
    kinds = ["martingale", "deviance", "score", "schoenfeld", "dfbeta", "dfbetas"]
    return [
        *[m.residuals(k) for k in kinds],
        m.zph("km").table,
        m.zph("rank").table,
        m.predict_survival({"x": [0.0, 1.0]}, times=[0.0, 1.0, 3.0]),
    ]


@fuzz
@given(
    surv_table(x=NUM_KINDS, o=NUM_KINDS, id=KEY_KINDS),
    arg(st.sampled_from([None, "o"])),
    arg(st.sampled_from([None, "id"])),
    arg(st.sampled_from(["efron", "breslow"])),
)
def test_cox_offset_cluster_diagnostics(data: Any, offset: Any, cluster: Any, ties: Any) -> None:
    check(
        lambda: hrh.cox(
            data,
            duration="t",
            event="e",
            covariates=["x"],
            offset=offset,
            cluster=cluster,
            ties=ties,
        ),
        data,
        # predictions need the offset column: only models without one are predicted
        after=cox_methods if offset is None else lambda m: [m.residuals("score"), m.zph()],
    )


@fuzz
@given(
    table(
        {
            "t": DUR_KINDS,
            "c": ["event", "int_ok", "str", "mixed", "float"],
            "x": [*NUM_KINDS, "str", "bool"],
            "z": NUM_KINDS,
        },
        max_rows=8,
    ),
    arg(st.sampled_from([1, 2, "a", "b"])),
    arg(st.sampled_from([["x"], ["x", "z"], []])),
    arg(st.sampled_from([None, {"x": "a"}])),
    levels,
    arg(st.sampled_from([10, 0, 1, 25])),
)
def test_fine_gray(
    data: Any, interest: Any, covariates: Any, reference: Any, level: Any, max_iter: Any
) -> None:
    check(
        lambda: hrh.fine_gray(
            data,
            duration="t",
            cause="c",
            cause_of_interest=interest,
            covariates=covariates,
            reference=reference,
            level=level,
            max_iter=max_iter,
        ),
        data,
        after=lambda m: m.predict(data, times=[0.0, 1.0, 3.0]),
    )


@fuzz
@given(
    surv_table(w=NUM_KINDS),
    arg(st.sampled_from([1, 0.5, 2.5, 10])),
    arg(st.sampled_from([None, "w"])),
)
def test_life_table(data: Any, width: Any, weights: Any) -> None:
    check(lambda: hrh.life_table(data, duration="t", event="e", width=width, weights=weights), data)


@fuzz
@given(
    table(
        {
            "entry": ["date", "date", "str", "int_ok"],
            "exit": ["date", "date", "str"],
            "why": ["str", "int_ok", "mixed"],
            "g": KEY_KINDS,
        },
        max_rows=5,
    ),
    arg(st.sampled_from([None, "why"])),
    arg(st.sampled_from([None, "g"])),
    arg(st.sampled_from(["year", "quarter", "month"])),
    arg(st.sampled_from([None, "2000-01-01", dt.date(2050, 6, 1), "2100-12-31"])),
    arg(st.sampled_from([None, "2030-01-01", dt.date(1950, 1, 1)])),
)
def test_person_time(data: Any, reason: Any, by: Any, period: Any, start: Any, end: Any) -> None:
    check(
        lambda: hrh.person_time(
            data,
            entry="entry",
            exit="exit",
            reason=reason,
            by=by,
            period=period,
            start=start,
            end=end,
        ),
        data,
    )


# --- forecast --------------------------------------------------------------------------

MODELS = ["linear", "loglinear", "ses", "holt", "damped", "gm11", "arima"]


def forecast_nan_ok(where: str) -> bool:
    """Documented NaN of a Forecast: fitted values and residuals where the model has
    none, GM(1,1)'s missing intervals, parameters a model does not estimate."""
    return (
        ".fitted[" in where
        or ".forecast['lower_" in where
        or ".forecast['upper_" in where
        or ".params[" in where
        or ".accuracy['mape']" in where
    )


@fuzz
@given(
    table(
        {"t": ["int_ok", "int", "float_ok", "float"], "v": NUM_KINDS, "g": KEY_KINDS}, max_rows=8
    ),
    arg(st.sampled_from(MODELS)),
    arg(st.sampled_from([1, 3])),
    arg(st.sampled_from([None, "g"])),
    arg(st.sampled_from([None, "linear"])),
)
def test_trend(data: Any, model: Any, horizon: Any, by: Any, fill: Any) -> None:
    check(
        lambda: hrh.trend(
            data, time="t", value="v", by=by, model=model, horizon=horizon, fill=fill
        ),
        data,
        nan_ok=forecast_nan_ok,
    )


@fuzz
@given(
    array_like(["int_ok", "float_ok", "int", "float"], max_size=8),
    array_like(["float_ok", "float", "int_ok"], max_size=8),
    arg(st.sampled_from([["linear", "holt"], ["gm11"], "ses", []])),
    arg(st.sampled_from([1, 2, 3])),
)
def test_backtest_arrays(time_: Any, value: Any, models: Any, holdout: Any) -> None:
    check(
        lambda: hrh.backtest(time=time_, value=value, models=models, holdout=holdout),
        time_,
        value,
        nan_ok=forecast_nan_ok,
    )


# --- planning --------------------------------------------------------------------------


@fuzz
@given(
    table({"workload": NUM_KINDS, "unit_time": NUM_KINDS, "g": KEY_KINDS, "at": NUM_KINDS}),
    arg(st.sampled_from([1760, "at", 1.0])),
    arg(st.sampled_from([None, 3, "workload"])),
    arg(st.sampled_from([None, "g"])),
    st.one_of(
        st.none(),
        table({"activity": ["str"], "percent": NUM_KINDS}, max_rows=2),
        table({"activity": ["str"], "hours": NUM_KINDS, "per": ["str"]}, max_rows=2),
    ),
    st.one_of(
        st.none(),
        table({"activity": ["str"], "hours_per_year": NUM_KINDS, "staff": NUM_KINDS}, max_rows=2),
    ),
)
def test_wisn(
    services: Any, available: Any, existing: Any, by: Any, support: Any, additional: Any
) -> None:
    check(
        lambda: hrh.wisn(
            services,
            available_time=available,
            existing=existing,
            by=by,
            support=support,
            additional=additional,
            draws=50,
            seed=1,
        ),
        services,
        support,
        additional,
    )


@fuzz
@given(
    table(
        {"id": ["int_ok", "str", "mixed"], "year": ["int_ok", "int", "float"], "state": KEY_KINDS},
        max_rows=6,
    ),
    levels,
)
def test_transitions(panel: Any, level: Any) -> None:
    check(lambda: hrh.transitions(panel, id="id", time="year", state="state", level=level), panel)


@fuzz
@given(
    table(
        {
            "birth_date": ["date", "date", "str"],
            "hire_date": ["date", "date", "int_ok"],
            "exit_date": ["date", "date", "str"],
            "cadre": KEY_KINDS,
            "r": KEY_KINDS,
        },
        max_rows=5,
    ),
    arg(st.sampled_from([dt.date(2024, 12, 31), dt.date(1, 1, 1), dt.date(9999, 12, 31)])),
    arg(st.sampled_from([None, "r"])),
)
def test_stock_table(register: Any, at: Any, region: Any) -> None:
    check(lambda: hrh.stock_table(register, at=at, cadre="cadre", region=region), register)


@fuzz
@given(
    table({"time": NUM_KINDS, "survival": ["float_ok", "float"], "row": KEY_KINDS}, max_rows=6),
    arg(st.sampled_from([[0, 2, 6], [0, 1], [1, 0], [0.0, 1e308]])),
    arg(st.sampled_from([1.0, 365.25])),
)
def test_attrition_rates(curve: Any, bands: Any, per_year: Any) -> None:
    check(lambda: hrh.attrition_rates(curve, bands=bands, per_year=per_year), curve)


def base_scenario() -> dict[str, Any]:
    return {
        "start_year": 2024,
        "horizon": 2,
        "regions": ["A"],
        "min_age": 20,
        "cadres": [
            {
                "name": "nurse",
                "retirement_age": 23,
                "attrition": {"rate": 0.1},
                "entrants": {"per_year": 30, "age": {"mean": 20}},
                "demand": {"method": "norm", "per_1000": 4.45},
            }
        ],
        "population": {"base": 40000},
        "stock": [
            {"region": "A", "cadre": "nurse", "age": a, "count": n}
            for a, n in [(20, 100), (21, 50), (22, 10)]
        ],
    }


SCENARIO_PATHS: list[tuple[Any, ...]] = [
    ("start_year",),
    ("horizon",),
    ("regions",),
    ("regions", 0),
    ("min_age",),
    ("cadres",),
    ("cadres", 0, "name"),
    ("cadres", 0, "retirement_age"),
    ("cadres", 0, "attrition"),
    ("cadres", 0, "attrition", "rate"),
    ("cadres", 0, "entrants", "per_year"),
    ("cadres", 0, "entrants", "age", "mean"),
    ("cadres", 0, "demand", "method"),
    ("cadres", 0, "demand", "per_1000"),
    ("population",),
    ("population", "base"),
    ("stock",),
    ("stock", 0, "age"),
    ("stock", 0, "count"),
    ("stock", 1, "region"),
    ("stock", 2, "cadre"),
]
SCENARIO_VALUES: list[Any] = [
    *NASTY_SCALARS,
    [],
    {},
    [None],
    {"mean": math.nan},
    {"distribution": "normal", "mean": 0.1, "sd": -1},
    {"distribution": "uniform", "low": 1, "high": 0},
    ["A", "A"],
    10**6,
    -(10**6),
    150,
]


@st.composite
def scenario(draw: st.DrawFn) -> dict[str, Any]:
    """The docstring's small scenario with one to three keys replaced by hostile values."""
    doc = base_scenario()
    for _ in range(draw(st.integers(0, 3))):
        path = draw(st.sampled_from(SCENARIO_PATHS))
        value = copy.deepcopy(draw(st.sampled_from(SCENARIO_VALUES)))
        node: Any = doc
        try:
            for key in path[:-1]:
                node = node[key]
            node[path[-1]] = value
        except (KeyError, IndexError, TypeError):
            pass
    return doc


def scenario_is_heavy(doc: dict[str, Any]) -> bool:
    """A scenario that is valid but slow (many years or ages): not a defect, but outside
    the time budget of a fuzz example."""
    h = doc.get("horizon")
    ages = [doc.get("min_age")]
    cadres = doc.get("cadres")
    for c in cadres if isinstance(cadres, list) else []:
        if isinstance(c, dict):
            ages.append(c.get("retirement_age"))
            e = c.get("entrants")
            if isinstance(e, dict):
                ages.append(e.get("per_year"))
    stock = doc.get("stock")
    for s in stock if isinstance(stock, list) else []:
        if isinstance(s, dict):
            ages += [s.get("age"), s.get("count")]
    big = [
        v
        for v in [h, *ages]
        if isinstance(v, int | float) and not isinstance(v, bool) and abs(v) > 200
    ]
    return bool(big) and isinstance(h, int) and not isinstance(h, bool) and 0 < h <= 10**4


@fuzz
@given(
    scenario(),
    arg(st.sampled_from([0, 1, 3])),
    arg(st.sampled_from([1, 0])),
    arg(st.sampled_from(["expected", "binomial"])),
    arg(st.sampled_from(["auto", "exact", "streaming"])),
    st.booleans(),
)
def test_scenario(
    doc: dict[str, Any], draws: Any, seed: Any, flows: Any, quantiles: Any, density: bool
) -> None:
    assume(not scenario_is_heavy(doc))
    # Huge draw counts are refused by the memory check before allocation; moderately
    # large ones are valid but slow.
    assume(not (isinstance(draws, int) and 3 < draws < 2**40))
    start = time.monotonic()
    check(lambda: hrh.check_scenario(doc), doc)
    check(
        lambda: hrh.simulate(
            doc, draws=draws, seed=seed, flows=flows, quantiles=quantiles, density=density
        ),
        doc,
    )
    assert time.monotonic() - start < 2 * DEADLINE_MS / 1000


def test_profiles_are_registered() -> None:
    assert settings.get_profile("hrh-fuzz-ci").max_examples == CI_EXAMPLES
    assert settings.get_profile("hrh-fuzz-ci").derandomize
    assert settings.get_profile("hrh-fuzz-long").max_examples == LONG_EXAMPLES


@pytest.mark.parametrize("value", [math.nan, math.inf, -1.0, 2**63, "x", None, [1.0]])
def test_property_checker_flags_what_it_should(value: Any) -> None:
    """The checker itself: a foreign exception, a NaN and a modified input fail it."""
    with pytest.raises(AssertionError):
        check(lambda: math.nan)
    with pytest.raises(ZeroDivisionError):
        check(lambda: 1 / 0)
    data = {"a": [value]}

    def modify() -> None:
        data["a"].append(1)

    with pytest.raises(AssertionError):
        check(modify, data)
