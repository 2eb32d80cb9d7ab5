"""Hostile inputs found by hand or by fuzzing: each a named hrh error or the right
number, never NaN, inf or a misleading message."""

from __future__ import annotations

import pytest

import hrh


def test_weights_near_the_top_of_the_range() -> None:
    # The weights' sum overflowed, every share became 0 and the values looked all zero.
    assert hrh.gini([1.0, 2.0, 3.0], weights=[1e308] * 3) == pytest.approx(
        hrh.gini([1.0, 2.0, 3.0])
    )


def test_tiny_divisors_are_named_errors() -> None:
    with pytest.raises(hrh.InputError, match=r"column 'population', row 0: .*too small"):
        hrh.density({"staff": [10.0], "pop": [1e-310]}, staff="staff", population="pop")
    with pytest.raises(hrh.InputError, match=r"column 'quota', row 0"):
        hrh.quota_gap({"staff": [1e300], "quota": [1e-300]}, staff="staff", quota="quota")


def test_cox_covariate_constant_within_every_stratum() -> None:
    data = {
        "t": [1.0, 2, 3, 4, 5, 6, 7, 8],
        "e": [1, 1, 0, 1, 1, 0, 1, 1],
        "x": [1, 1, 1, 1, 2, 2, 2, 2],
        "y": [0.1, 0.5, 0.2, 0.9, 0.3, 0.7, 0.4, 0.8],
        "s": ["a"] * 4 + ["b"] * 4,
    }
    # Was a coefficient of 0 with NaN z and p.
    with pytest.raises(hrh.InputError, match="'x': is constant within every stratum"):
        hrh.cox(data, duration="t", event="e", covariates=["x", "y"], strata="s")


def test_messages_name_the_users_columns() -> None:
    import datetime as dt

    import pandas as pd

    # person_time named its argument ('exit'), not the user's column.
    with pytest.raises(hrh.InputError, match=r"^column 'out', row 0: exit date 2019-01-01"):
        hrh.person_time(
            {"in": [dt.date(2020, 1, 1)], "out": [dt.date(2019, 1, 1)]}, entry="in", exit="out"
        )
    # A stray string in a pandas object column: was "could not be read as a table".
    frame = pd.DataFrame({"staff": [1.0, "x", 3.0], "pop": [1, 2, 3]})
    with pytest.raises(hrh.InputError, match=r"^column 'staff', row 1: value 'x' is a str"):
        hrh.density(frame, staff="staff", population="pop")
