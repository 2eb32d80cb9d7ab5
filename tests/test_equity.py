"""Equity measures: hand-checked values, invariances, decompositions, bad input and the
table-level API."""

from __future__ import annotations

import math

import numpy as np
import polars as pl
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import hrh


def brute_gini(x: np.ndarray, w: np.ndarray) -> float:
    p = w / w.sum()
    mu = float(np.sum(p * x))
    return float(np.sum(np.outer(p, p) * np.abs(x[:, None] - x[None, :])) / (2 * mu))


levels = st.lists(st.floats(0.01, 100, allow_nan=False), min_size=2, max_size=25)


@settings(max_examples=80, deadline=None)
@given(levels, st.integers(0, 10_000))
def test_gini_matches_weighted_mean_difference_and_lies_in_unit_interval(
    x: list[float], seed: int
) -> None:
    w = np.random.default_rng(seed).uniform(0.5, 5, len(x))
    g = hrh.gini(x, w)
    assert g == pytest.approx(brute_gini(np.array(x), w), rel=1e-9, abs=1e-12)
    assert 0 <= g < 1


@settings(max_examples=60, deadline=None)
@given(levels, st.floats(0.001, 1000))
def test_scale_invariance(x: list[float], c: float) -> None:
    y = [c * v for v in x]
    for f in (
        hrh.gini,
        lambda v: hrh.theil(v).total,
        lambda v: hrh.theil(v, kind="L").total,
        lambda v: hrh.atkinson(v, epsilon=0.5),
        lambda v: hrh.atkinson(v, epsilon=2),
        lambda v: hrh.cv(v),
        lambda v: hrh.generalized_entropy(v, alpha=2),
        lambda v: hrh.polarization(v, method="esteban_ray"),
        lambda v: hrh.polarization(v, method="wolfson"),
    ):
        assert f(y) == pytest.approx(f(x), rel=1e-9, abs=1e-12)


@settings(max_examples=60, deadline=None)
@given(levels, st.integers(2, 5))
def test_population_replication_invariance(x: list[float], k: int) -> None:
    w = np.arange(1, len(x) + 1, dtype=float)
    xr = np.repeat(x, k)
    wr = np.repeat(w, k)
    assert hrh.gini(xr, wr) == pytest.approx(hrh.gini(x, w), rel=1e-9, abs=1e-12)
    assert hrh.theil(xr, wr).total == pytest.approx(hrh.theil(x, w).total, rel=1e-9, abs=1e-12)
    assert hrh.atkinson(xr, wr, epsilon=1) == pytest.approx(
        hrh.atkinson(x, w, epsilon=1), rel=1e-9, abs=1e-12
    )
    # Integer weights are the same as repeating units.
    wi = np.arange(1, len(x) + 1)
    assert hrh.gini(np.repeat(x, wi)) == pytest.approx(hrh.gini(x, wi), rel=1e-9, abs=1e-12)


@settings(max_examples=60, deadline=None)
@given(levels, st.sampled_from(["T", "L"]), st.sampled_from([math.e, 10.0, 2.0]))
def test_decomposition_parts_sum_to_total(x: list[float], kind: str, base: float) -> None:
    groups = [i % 3 for i in range(len(x))]
    for mean in ("weighted", "unweighted", 1.234):
        t = hrh.theil(
            x, np.linspace(1, 2, len(x)), groups=groups, kind=kind, log_base=base, mean=mean
        )  # type: ignore[arg-type]
        assert t.between + t.within == pytest.approx(t.total, rel=1e-9, abs=1e-12)
        assert t.units["contribution"].sum() == pytest.approx(t.total, rel=1e-9, abs=1e-12)
        assert t.groups is not None
        assert t.groups["within"].sum() == pytest.approx(t.within, rel=1e-9, abs=1e-12)


@settings(max_examples=80, deadline=None)
@given(levels, st.data())
def test_transfer_from_richer_to_poorer_never_raises_inequality(
    x: list[float], data: st.DataObject
) -> None:
    """Pigou-Dalton: a transfer from a higher to a lower level (equal weights) that keeps
    their order never raises any measure."""
    arr = np.array(x)
    i, j = int(np.argmax(arr)), int(np.argmin(arr))
    assume(arr[i] - arr[j] > 1e-6)
    amount = data.draw(st.floats(0, 0.5)) * (arr[i] - arr[j]) / 2
    after = arr.copy()
    after[i] -= amount
    after[j] += amount
    for f in (
        hrh.gini,
        lambda v: hrh.theil(v).total,
        lambda v: hrh.theil(v, kind="L").total,
        lambda v: hrh.atkinson(v, epsilon=0.5),
        lambda v: hrh.atkinson(v, epsilon=2),
        hrh.cv,
        lambda v: hrh.generalized_entropy(v, alpha=-1),
    ):
        assert f(after) <= f(arr) + 1e-12


def test_hand_computed_values() -> None:
    # Units 1, 2, 3, 6 with equal weights: mean 3.
    x = [1, 2, 3, 6]
    assert hrh.gini(x) == pytest.approx(32 / 96)
    assert hrh.theil(x).total == pytest.approx(np.mean([v / 3 * math.log(v / 3) for v in x]))
    assert hrh.theil(x, kind="L").total == pytest.approx(np.mean([math.log(3 / v) for v in x]))
    assert hrh.cv(x, ddof=1) == pytest.approx(np.std(x, ddof=1) / 3)
    lz = hrh.lorenz(x)
    assert lz["value_share"].to_list() == pytest.approx([0, 1 / 12, 3 / 12, 6 / 12, 1])
    assert hrh.polarization(x, method="zhang_kanbur", groups=["a", "a", "b", "b"]) == pytest.approx(
        hrh.theil(x, groups=["a", "a", "b", "b"]).between
        / hrh.theil(x, groups=["a", "a", "b", "b"]).within
    )


def test_chinese_theil_convention_is_kind_l() -> None:
    """T = Σ P_i ln(P_i / Y_i) with population and staff shares is Theil L."""
    staff = np.array([120.0, 45.0, 300.0])
    pop = np.array([1000.0, 800.0, 2000.0])
    p, y = pop / pop.sum(), staff / staff.sum()
    assert hrh.theil(staff / pop, pop, kind="L").total == pytest.approx(np.sum(p * np.log(p / y)))
    assert hrh.theil(staff / pop, pop, kind="T").total == pytest.approx(np.sum(y * np.log(y / p)))


def test_zeros() -> None:
    x = [0, 1, 2, 5]
    assert hrh.theil(x).total > 0  # 0 ln 0 = 0
    assert hrh.atkinson(x, epsilon=0.5) > 0
    with pytest.raises(hrh.InputError, match=r"argument 'values', item 0: value 0: Theil L"):
        hrh.theil(x, kind="L")
    with pytest.raises(hrh.InputError, match=r"item 0: value 0: Atkinson with epsilon = 1"):
        hrh.atkinson(x, epsilon=1)
    with pytest.raises(hrh.InputError, match=r"item 0: value 0: GE\(-1\)"):
        hrh.generalized_entropy(x, alpha=-1)
    with pytest.raises(hrh.InputError, match=r"values' are all zero|are all zero"):
        hrh.gini([0, 0, 0])


def test_bad_input() -> None:
    with pytest.raises(hrh.InputError, match=r"argument 'values', item 1: value -1 is negative"):
        hrh.gini([1, -1])
    with pytest.raises(hrh.InputError, match=r"argument 'weights', item 0: value 0 is not"):
        hrh.gini([1, 2], [0, 1])
    with pytest.raises(hrh.InputError, match=r"argument 'weights': has length 3"):
        hrh.gini([1, 2], [1, 1, 1])
    with pytest.raises(hrh.InputError, match=r"argument 'values', item 1: value is NaN"):
        hrh.theil([1, math.nan])
    with pytest.raises(hrh.InputError, match=r"argument 'corrected': the n/\(n-1\) correction"):
        hrh.gini([1, 2], [1, 1], corrected=True)
    with pytest.raises(hrh.InputError, match=r"argument 'log_base': 1 must be"):
        hrh.theil([1, 2], log_base=1)
    with pytest.raises(hrh.InputError, match=r"argument 'kind': 'X' is not 'T' or 'L'"):
        hrh.theil([1, 2], kind="X")  # type: ignore[arg-type]
    with pytest.raises(hrh.InputError, match=r"argument 'mean': 'median' is not"):
        hrh.theil([1, 2], mean="median")  # type: ignore[arg-type]
    with pytest.raises(hrh.InputError, match=r"argument 'groups', item 1: value is null"):
        hrh.theil([1, 2], groups=["a", None])
    with pytest.raises(hrh.InputError, match=r"argument 'alpha': 2 is outside \[0, 1.6\]"):
        hrh.polarization([1, 2], method="esteban_ray", alpha=2)
    with pytest.raises(hrh.InputError, match=r"method 'zhang_kanbur' needs groups"):
        hrh.polarization([1, 2], method="zhang_kanbur")
    with pytest.raises(hrh.InputError, match=r"argument 'bounds': correction='wagstaff' needs"):
        hrh.concentration_index([0.1, 0.2], [1, 2], correction="wagstaff")
    with pytest.raises(hrh.InputError, match=r"argument 'values', item 1: value 2 lies outside"):
        hrh.concentration_index([0.1, 2], [1, 2], correction="wagstaff", bounds=(0, 1))
    with pytest.raises(hrh.InputError, match=r"argument 'values': is empty"):
        hrh.gini([])


def test_concentration_index_ties_and_corrections() -> None:
    h = np.array([0.1, 0.3, 0.2, 0.6])
    rank = np.array([1, 2, 2, 3])
    w = np.array([1.0, 2.0, 1.0, 1.0])
    # Fractional ranks with the tie sharing its average: 0.1, 0.5, 0.5, 0.9.
    r = np.array([0.1, 0.5, 0.5, 0.9])
    p = w / w.sum()
    mu = np.sum(p * h)
    c = 2 * np.sum(p * (h - mu) * (r - np.sum(p * r))) / mu
    assert hrh.concentration_index(h, rank, w) == pytest.approx(c, rel=1e-12)
    assert hrh.concentration_index(
        h, rank, w, correction="wagstaff", bounds=(0, 1)
    ) == pytest.approx(c / (1 - mu), rel=1e-12)  # Wagstaff (2005), eq. 5
    assert hrh.concentration_index(
        h, rank, w, correction="erreygers", bounds=(0, 1)
    ) == pytest.approx(4 * mu * c, rel=1e-12)


# --- table-level ------------------------------------------------------------------------

UNITS = pl.DataFrame(
    {
        "year": [1998] * 6 + [1999] * 6,
        "zone": ["east", "east", "west", "west", "west", "central"] * 2,
        "doctors": [50, 40, 10, 12, 8, 20, 55, 42, 11, 12, 9, 21],
        "nurses": [60, 45, 9, 10, 7, 22, 66, 47, 9, 11, 8, 24],
        "population": [1000, 900, 800, 700, 600, 1200, 1010, 905, 810, 700, 610, 1190],
        "area": [10.0, 12.0, 80.0, 90.0, 70.0, 40.0] * 2,
    }
)


def test_equity_table_matches_array_functions() -> None:
    out = hrh.equity(
        UNITS, staff="doctors", population="population", area="area", by="year", groups="zone"
    )
    assert out["year"].to_list() == [1998, 1999]
    assert out["units"].to_list() == [6, 6]
    d98 = UNITS.filter(pl.col("year") == 1998)
    x, w, a = d98["doctors"] / d98["population"], d98["population"], d98["area"]
    row = out.row(0, named=True)
    assert row["gini_by_population"] == pytest.approx(hrh.gini(x, w), rel=1e-12)
    assert row["gini_by_area"] == pytest.approx(hrh.gini(d98["doctors"] / a, a), rel=1e-12)
    t = hrh.theil(x, w, groups=d98["zone"])
    assert row["theil_t_by_population"] == pytest.approx(t.total, rel=1e-12)
    assert row["theil_t_between_by_population"] == pytest.approx(t.between, rel=1e-12)
    assert row["theil_t_between_share_by_population"] == pytest.approx(t.between_share, rel=1e-12)
    assert row["atkinson_by_population"] == pytest.approx(hrh.atkinson(x, w, epsilon=0.5))
    assert row["cv_by_population"] == pytest.approx(hrh.cv(x, w))


def test_equity_bootstrap_is_seeded_and_brackets_estimates() -> None:
    kw = {"staff": ["doctors", "nurses"], "population": "population", "by": "year"}
    a = hrh.equity(UNITS, bootstrap=200, seed=7, **kw)  # type: ignore[arg-type]
    b = hrh.equity(UNITS, bootstrap=200, seed=7, **kw)  # type: ignore[arg-type]
    c = hrh.equity(UNITS, bootstrap=200, seed=8, **kw)  # type: ignore[arg-type]
    assert a.equals(b)
    assert not a.equals(c)
    assert a["cadre"].to_list() == ["doctors", "doctors", "nurses", "nurses"]
    assert (a["gini_by_population_lower"] <= a["gini_by_population_upper"]).all()
    assert "theil_l_by_population_upper" in a.columns


def test_equity_bad_input() -> None:
    with pytest.raises(hrh.InputError, match=r"measures: 'median' is not one of"):
        hrh.equity(UNITS, staff="doctors", population="population", measures=["median"])
    zero = UNITS.with_columns(
        pl.when(pl.col("year") == 1999).then(0).otherwise(pl.col("doctors")).alias("doctors")
    )
    with pytest.raises(hrh.InputError, match=r"column 'doctors': group \(year=1999\) has no staff"):
        hrh.equity(zero, staff="doctors", population="population", by="year")
    with pytest.raises(
        hrh.InputError, match=r"column 'population', row 2: value 0 is not positive"
    ):
        hrh.equity(
            UNITS.with_columns(pl.Series("population", [1, 1, 0] + [1] * 9)),
            staff="doctors",
            population="population",
        )
    with_zero = UNITS.with_columns(pl.Series("doctors", [50, 0] + [5] * 10))
    with pytest.raises(hrh.InputError, match=r"column 'doctors', row 1: value 0: Theil L"):
        hrh.equity(with_zero, staff="doctors", population="population", by="year")
    with pytest.raises(hrh.InputError, match=r"argument 'bootstrap': -1 must be an integer"):
        hrh.equity(UNITS, staff="doctors", population="population", bootstrap=-1)


def test_equity_without_by_is_one_row() -> None:
    out = hrh.equity(UNITS, staff="nurses", population="population", measures=["gini", "cv"])
    assert out.columns == ["units", "gini_by_population", "cv_by_population"]
    x = UNITS["nurses"] / UNITS["population"]
    assert out["gini_by_population"].item() == pytest.approx(hrh.gini(x, UNITS["population"]))


def test_extreme_aversion_and_values_stay_finite() -> None:
    # Atkinson tends to 1 - min / mean as the aversion grows (it returned 1.0 at 1000).
    assert hrh.atkinson([1.0, 2.0, 4.0], epsilon=1000) == pytest.approx(0.5709570070404437)
    assert hrh.atkinson([1.0, 2.0, 4.0], epsilon=1e6) == pytest.approx(1 - 3 / 7, abs=1e-5)
    # The coefficient of variation is scale free (it overflowed to inf at 1e200).
    assert hrh.cv([1e200, 3e200, 2e200]) == pytest.approx(hrh.cv([1.0, 3.0, 2.0]), rel=1e-14)


def test_seed_range_and_mixed_group_labels() -> None:
    t = {"a": [10, 20, 30], "b": [1, 2, 3], "pop": [1000, 2000, 3000]}
    top = hrh.equity(t, staff=["a", "b"], population="pop", bootstrap=10, seed=2**64 - 1)
    assert top.height == 2  # the second cadre's stream wraps to seed 0
    with pytest.raises(hrh.InputError, match=r"argument 'seed': 18446744073709551616"):
        hrh.equity(t, staff=["a", "b"], population="pop", bootstrap=10, seed=2**64)
    with pytest.raises(hrh.InputError, match="argument 'groups': labels must all be of one type"):
        hrh.theil([1.0, 2, 3, 4], groups=[1, "a", 1, "a"])


# Found by tests/test_fuzz.py: each raised a foreign exception (TypeError, ValueError,
# IndexError, OverflowError or a polars error) before it was checked.
def test_scalar_arguments_that_are_not_numbers_are_input_errors() -> None:
    x = [1.0, 2.0, 3.0]
    with pytest.raises(hrh.InputError, match=r"argument 'alpha': 'x' is not a number"):
        hrh.generalized_entropy(x, alpha="x")  # type: ignore[arg-type]
    with pytest.raises(hrh.InputError, match=r"argument 'epsilon': None is not a number"):
        hrh.atkinson(x, epsilon=None)  # type: ignore[arg-type]
    with pytest.raises(hrh.InputError, match=r"argument 'ddof': \[1\] is not a number"):
        hrh.cv(x, ddof=[1])  # type: ignore[arg-type]
    with pytest.raises(hrh.InputError, match=r"argument 'alpha': 'x' is not a number"):
        hrh.polarization(x, method="esteban_ray", alpha="x")  # type: ignore[arg-type]
    with pytest.raises(hrh.InputError, match=r"argument 'log_base': .* is not a finite number"):
        hrh.theil(x, log_base=2**2000)
    with pytest.raises(hrh.InputError, match=r"argument 'corrected': 'yes' must be True or"):
        hrh.gini(x, corrected="yes")  # type: ignore[arg-type]


def test_concentration_bounds_and_correction_are_checked() -> None:
    x = [0.1, 0.2, 0.3]
    with pytest.raises(hrh.InputError, match=r"argument 'bounds': 5 must be a pair"):
        hrh.concentration_index(x, x, correction="erreygers", bounds=5)  # type: ignore[arg-type]
    with pytest.raises(hrh.InputError, match=r"argument 'bounds': \[1\] must be a pair"):
        hrh.concentration_index(x, x, correction="wagstaff", bounds=[1])  # type: ignore[arg-type]
    with pytest.raises(hrh.InputError, match=r"argument 'bounds': None is not a number"):
        hrh.concentration_index(x, x, correction="wagstaff", bounds=(None, 1))  # type: ignore[arg-type]
    with pytest.raises(hrh.InputError, match=r"argument 'correction': 1 is not None"):
        hrh.concentration_index(x, x, correction=1, bounds=(0, 1))  # type: ignore[arg-type]


def test_group_labels_that_cannot_be_coded_are_input_errors() -> None:
    with pytest.raises(hrh.InputError, match=r"argument 'values': is empty"):
        hrh.theil([], groups=[])
    with pytest.raises(hrh.InputError, match=r"argument 'groups' has type List\(Int64\)"):
        hrh.theil([1.0, 2, 3], groups=[[1], [2], [3]])
    with pytest.raises(hrh.InputError, match=r"argument 'groups', item 1: value is NaN"):
        hrh.theil([1.0, 2, 3], groups=[1.0, math.nan, 2.0])
    with pytest.raises(hrh.InputError, match=r"argument 'groups': expected one label per value"):
        hrh.polarization([1.0, 2, 3], method="zhang_kanbur", groups=1.5)
    # Labels past 64 bits are kept as they are (Int128), not an OverflowError.
    t = hrh.theil([1.0, 2, 3], groups=[2**70, 1, 1])
    assert t.groups is not None and t.groups["group"].to_list() == [1, 2**70]


def test_equity_epsilon_and_an_undefined_between_share() -> None:
    # Found by tests/test_fuzz.py: epsilon="x" raised ValueError; one unit gave a NaN
    # between share (0 / 0) where the contract asks for null.
    t = {"staff": [1.0], "population": [1.0], "region": ["a"]}
    with pytest.raises(hrh.InputError, match=r"argument 'epsilon': 'x' is not a number"):
        hrh.equity(t, staff="staff", population="population", epsilon="x")  # type: ignore[arg-type]
    out = hrh.equity(t, staff="staff", population="population", groups="region")
    assert out["theil_t_between_share_by_population"].to_list() == [None]
    assert out["theil_l_between_share_by_population"].to_list() == [None]


def test_theil_group_of_zeros_has_a_null_index() -> None:
    # Found by tests/test_fuzz.py (long profile): a group whose values are all 0 has no
    # index of its own (0 / 0); it was NaN, the contract asks for null.
    t = hrh.theil([0.0, 0.0, 1.0], groups=[0, 0, 1])
    assert t.groups is not None and t.groups["index"].to_list() == [None, 0.0]


_UNITS = {"id": [1, 2, 3], "doctors": [10.0, 20.0, 30.0], "pop": [100.0, 200.0, 300.0]}
_UNITS_AREA = {**_UNITS, "km2": [5.0, 6.0, 7.0]}


@pytest.mark.parametrize(
    ("column", "bad", "message"),
    [
        ("doctors", None, "value is null"),
        ("doctors", math.nan, "value is NaN"),
        ("doctors", -1.0, "value -1.0 is negative"),
        ("doctors", 0.0, "value 0: Theil L"),
        ("pop", None, "value is null"),
        ("pop", math.nan, "value is NaN"),
        ("pop", -1.0, "value -1.0 is not positive"),
        ("pop", 0.0, "value 0.0 is not positive"),
        ("km2", None, "value is null"),
        ("km2", math.nan, "value is NaN"),
        ("km2", -1.0, "value -1.0 is not positive"),
        ("km2", 0.0, "value 0.0 is not positive"),
    ],
)
@pytest.mark.parametrize("lazy", [False, True])
def test_equity_on_a_table_names_the_users_columns(
    column: str, bad: float | None, message: str, lazy: bool
) -> None:
    # A bad value in a column of the table is reported with that column's name, its
    # row and the value, never with the internal names of the array functions.
    d = dict(_UNITS_AREA)
    d[column] = [d[column][0], bad, d[column][2]]
    df = pl.DataFrame(d)
    measures = ["theil_t", "theil_l", "cv"] + ([] if lazy else ["gini"])
    data = df.lazy() if lazy else df
    if lazy and column == "doctors" and bad == 0.0:
        message = "0 staff; Theil L"
    with pytest.raises(hrh.InputError, match=rf"^column '{column}', row 1: {message}"):
        hrh.equity(data, staff="doctors", population="pop", area="km2", measures=measures)


def test_equity_with_a_population_table_names_its_columns() -> None:
    units = pl.DataFrame({"id": [1, 2, 3], "doctors": [10.0, 0.0, 30.0]})
    pop = pl.DataFrame({"id": [1, 2, 3], "population": [100.0, 200.0, 300.0]})
    with pytest.raises(hrh.InputError, match=r"^column 'doctors', row 1: value 0: Theil L"):
        hrh.equity(units, staff="doctors", population=pop, measures=["theil_l"])
    with pytest.raises(hrh.InputError, match=r"^column 'doctors', row 1: value 0: Atkinson"):
        hrh.equity(units, staff="doctors", population=pop, measures=["atkinson"], epsilon=1.0)
    bad = pop.with_columns(pl.Series("population", [100.0, 0.0, 300.0]))
    with pytest.raises(hrh.InputError, match=r"^column 'population', row 1: value 0.0 is not"):
        hrh.equity(units, staff="doctors", population=bad)
    # The array functions keep naming their arguments.
    with pytest.raises(hrh.InputError, match=r"^argument 'values', item 1: value 0: Theil L"):
        hrh.theil([10.0, 0.0, 30.0], kind="L")


def test_theil_fast_path_agrees_with_its_unit_terms_and_names_errors_first() -> None:
    rng = np.random.default_rng(3)
    n = 50_000
    x = rng.lognormal(0.0, 1.0, n)
    x[::17] = 0.0
    w = np.round(rng.lognormal(8.0, 1.0, n)) + 1.0
    region = pl.Series("region", rng.choice(["a", "b", "c", "d"], n))
    t = hrh.theil(x, w, groups=region)
    # The units' terms (computed on first access, by the general path) sum to the total.
    assert t.unit_contribution.size == n
    assert math.isclose(float(t.unit_contribution.sum()), t.total, rel_tol=1e-11)
    assert t.units.height == n
    assert math.isclose(t.between + t.within, t.total, rel_tol=1e-14)
    assert math.isclose(hrh.theil(x, w).total, t.total, rel_tol=1e-12)
    # Numpy's reference, summed exactly.
    p = w / math.fsum(w)
    r = x / math.fsum(p * x)
    want = math.fsum(p * r * np.log(np.where(r > 0, r, 1.0)))
    assert math.isclose(hrh.theil(x, w).total, want, rel_tol=1e-13)
    # A NaN is named first, before any other problem of the arguments.
    bad = x.copy()
    bad[7] = np.nan
    for kwargs in ({}, {"groups": region[:3]}, {"kind": "Q"}):
        with pytest.raises(hrh.InputError, match=r"argument 'values', item 7: value is NaN"):
            hrh.theil(bad, w, **kwargs)  # type: ignore[arg-type]
    with pytest.raises(hrh.InputError, match=r"argument 'values', item 7: value is NaN"):
        hrh.theil(bad, w[:5])
    bad_w = w.copy()
    bad_w[9] = np.nan
    with pytest.raises(hrh.InputError, match=r"argument 'weights', item 9: value is NaN"):
        hrh.theil(x, bad_w)
    with pytest.raises(hrh.InputError, match=r"argument 'weights', item 9: value is NaN"):
        hrh.theil(x[:-1], bad_w)
