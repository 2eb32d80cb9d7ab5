"""Grouped sums are exact: the same bits for any row order, split or thread count."""

from __future__ import annotations

import math

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import hrh
from hrh import _core
from hrh._frames import grouped_sums


def _fsum_by(keys: list[str], values: list[float]) -> dict[str, float]:
    groups: dict[str, list[float]] = {}
    for k, v in zip(keys, values, strict=True):
        groups.setdefault(k, []).append(v)
    return {k: math.fsum(v) for k, v in groups.items()}


def test_fte_density_is_the_correctly_rounded_sum_in_any_row_order() -> None:
    rng = np.random.default_rng(3)
    n = 200_000
    district = rng.choice([f"d{i:02d}" for i in range(30)], n)
    fte = rng.choice([0.1, 0.2, 0.3, 0.7, 0.8, 1.0], n) * rng.choice([1.0, 0.9], n)
    reg = pl.DataFrame({"district": district, "fte": fte})
    pop = pl.DataFrame({"district": [f"d{i:02d}" for i in range(30)], "population": [10**5] * 30})
    expected = _fsum_by(district.tolist(), fte.tolist())
    first = hrh.density(reg, staff="fte", population=pop, by="district")
    assert dict(zip(first["district"], first["staff"], strict=True)) == expected
    for seed in range(3):
        shuffled = reg.sample(fraction=1.0, shuffle=True, seed=seed)
        again = hrh.density(shuffled, staff="fte", population=pop, by="district")
        assert again["staff"].to_numpy().tobytes() == first["staff"].to_numpy().tobytes()


def test_grouped_sums_two_keys_sorted_and_counted() -> None:
    df = pl.DataFrame(
        {"a": ["y", "x", "y", "x", "z"], "b": [2, 1, 2, 3, 1], "v": [0.1, 0.2, 0.2, 1.0, 5.0]}
    )
    out = grouped_sums(df, ["a", "b"], {"total": "v"}, count="n")
    assert out.columns == ["a", "b", "n", "total"]
    assert out.rows() == [
        ("x", 1, 1, 0.2),
        ("x", 3, 1, 1.0),
        ("y", 2, 2, 0.1 + 0.2),
        ("z", 1, 1, 5.0),
    ]
    assert out["total"][2] == math.fsum([0.1, 0.2])


def test_values_of_very_different_magnitudes_are_summed_exactly() -> None:
    # Too wide for the fixed-point path: the partials path gives the same exact sum.
    v = np.array([1e300, 1.0, -1e300, 1e-300, 3.0, 1e-300] * 1000)
    codes = np.zeros(v.size, dtype=np.uint32)
    _, count, (total,) = _core.grouped_sums([codes], [1], [v], v.size)
    assert count.tolist() == [v.size]
    assert total[0] == math.fsum(v.tolist())


def test_bad_codes_are_named_errors() -> None:
    codes = np.array([0, 5], dtype=np.uint32)
    with pytest.raises(hrh.InputError, match="code 5 is not below 3"):
        _core.grouped_sums([codes], [3], [], 2)
    with pytest.raises(hrh.InputError, match="exceed 2\\^64"):
        _core.grouped_sums([codes, codes], [2**40, 2**40], [], 2)
    with pytest.raises(hrh.InputError, match="3 values for 2 rows"):
        _core.grouped_sums([np.zeros(2, dtype=np.uint32)], [1], [np.ones(3)], 2)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 4), st.floats(-1e12, 1e12, allow_nan=False, width=64)),
        min_size=1,
        max_size=300,
    ),
    st.randoms(use_true_random=False),
)
def test_any_order_gives_fsum_per_group(rows: list[tuple[int, float]], rnd: object) -> None:
    shuffled = list(rows)
    rnd.shuffle(shuffled)  # type: ignore[attr-defined]
    for data in (rows, shuffled):
        codes = np.array([g for g, _ in data], dtype=np.uint32)
        values = np.array([v for _, v in data])
        cell, _, (total,) = _core.grouped_sums([codes], [5], [values], len(data))
        expected = _fsum_by([str(g) for g, _ in data], [v for _, v in data])
        assert {str(c): t for c, t in zip(cell.tolist(), total.tolist(), strict=True)} == expected


@pytest.mark.parametrize("chunked", [False, True])
def test_hashed_keys_match_polars_groups_with_nulls_long_strings_and_chunks(
    chunked: bool,
) -> None:
    rng = np.random.default_rng(8)
    n = 50_000
    names = [f"d{i}" for i in range(20)]
    names += [f"a district name longer than twelve {i}" for i in range(5)]
    a = pl.Series("a", rng.choice(np.array(names, dtype=object), n).tolist(), dtype=pl.String)
    a = a.scatter(rng.choice(n, 300, replace=False), None)
    df = pl.DataFrame({"a": a, "b": rng.integers(0, 4, n), "v": rng.random(n) * 10})
    if chunked:
        cut = 17_001
        df = pl.concat([df[:cut], df[cut:]], rechunk=False)
        assert df.n_chunks() == 2
    out = grouped_sums(df, ["a", "b"], {"total": "v"}, count="n")
    want = (
        df.group_by(["a", "b"])
        .agg(pl.len().cast(pl.Int64).alias("n"), pl.col("v"))
        .sort(["a", "b"], nulls_last=True)
    )
    assert out.select("a", "b", "n").equals(want.select("a", "b", "n"))
    assert out["total"].to_list() == [math.fsum(v) for v in want["v"].to_list()]
    # A string key read through the fallback coding gives the same table.
    cat = df.with_columns(pl.col("a").cast(pl.Categorical))
    again = grouped_sums(cat, ["a", "b"], {"total": "v"}, count="n")
    assert again.with_columns(pl.col("a").cast(pl.String)).equals(out)
