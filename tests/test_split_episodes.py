"""hrh.split_episodes against R's survSplit and tmerge (tests/oracles/split_episodes.R),
compared exactly; Cox on the pieces equals Cox on the spells (property); bad input."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import hrh

ORACLE = json.loads((Path(__file__).parent / "oracles" / "split_episodes.json").read_text())
CUT_CASES = [c for c in ORACLE["cases"] if c["kind"] == "cut"]
CHANGE_CASES = [c for c in ORACLE["cases"] if c["kind"] == "changes"]


def _frame(name: str) -> pl.DataFrame:
    return pl.DataFrame(ORACLE["data"][name], strict=False)


def _same(got: pl.DataFrame, want: dict[str, list[Any]], names: dict[str, str]) -> None:
    assert got.height == len(next(iter(want.values())))
    for r_name, values in want.items():
        col = names.get(r_name, r_name)
        assert got[col].to_list() == values, col


@pytest.mark.parametrize("case", CUT_CASES, ids=[c["name"] for c in CUT_CASES])
def test_cuts_match_survsplit(case: dict[str, Any]) -> None:
    data = _frame(case["data"])
    before = data.clone()
    out = hrh.split_episodes(
        data,
        duration=case["duration"],
        event=case["event"],
        cut=case["cut"],
        entry=case["entry"],
        start="tstart",
    )
    assert data.equals(before)
    _same(out, case["result"], {})
    # Columns in the order of data, the start before the duration, then the episode.
    want = list(data.columns)
    if case["entry"] is None:
        want.insert(want.index(case["duration"]), "tstart")
    assert out.columns == [*want, "episode"]


@pytest.mark.parametrize("case", CHANGE_CASES, ids=[c["name"] for c in CHANGE_CASES])
def test_state_changes_match_tmerge(case: dict[str, Any]) -> None:
    out = hrh.split_episodes(
        _frame(case["data"]),
        duration="time",
        event="event",
        id="id",
        changes=pl.DataFrame(case["changes"]),
        at="at",
        start="tstart",
        episode=None,
    )
    _same(out, case["result"], {"tstop": "time"})
    assert out.columns == ["id", "tstart", "time", "event", "age", "state"]


def test_cuts_and_changes_together_and_boolean_events() -> None:
    spells = pl.DataFrame(
        {"id": ["a", "a", "b"], "t": [5.0, 9.0, 4.0], "e": [False, True, True]},
    )
    spells = spells.with_columns(entry=pl.Series([0.0, 5.0, 0.0]))
    changes = {"id": ["a", "a", "a"], "at": [0.0, 3.0, 5.0], "grade": [1, 2, 3]}
    out = hrh.split_episodes(
        spells,
        duration="t",
        event="e",
        entry="entry",
        cut=[3.0, 6.0],
        id="id",
        changes=changes,
        at="at",
    )
    assert out.rows() == [
        ("a", 3.0, False, 0.0, 1, 1),
        ("a", 5.0, False, 3.0, 2, 2),
        ("a", 6.0, False, 5.0, 2, 3),
        ("a", 9.0, True, 6.0, 3, 3),
        ("b", 3.0, False, 0.0, 1, None),
        ("b", 4.0, True, 3.0, 2, None),
    ]
    assert out.schema["e"] == pl.Boolean


LUNG = _frame("lung_d").drop_nulls(["ph.ecog"])


def _cox(d: pl.DataFrame, entry: str | None) -> hrh.CoxResult:
    return hrh.cox(
        d, duration="time", event="event", entry=entry, covariates=["age", "sex", "ph.ecog"]
    )


WHOLE = _cox(LUNG, None)


@settings(max_examples=15, deadline=None, derandomize=True)
@given(
    st.lists(
        st.one_of(
            st.integers(1, 1100).map(float),
            st.floats(0.5, 1100, allow_nan=False, allow_infinity=False),
        ),
        min_size=1,
        max_size=12,
        unique=True,
    ).map(sorted)
)
def test_cox_on_the_pieces_is_cox_on_the_spells(cut: list[float]) -> None:
    split = hrh.split_episodes(LUNG, duration="time", event="event", cut=cut)
    assert split.height >= LUNG.height
    assert split["event"].sum() == LUNG["event"].sum()
    # Person-time is kept: the pieces tile each spell.
    assert math.isclose((split["time"] - split["start"]).sum(), LUNG["time"].sum(), rel_tol=1e-12)
    fit = _cox(split, "start")
    np.testing.assert_allclose(
        fit.summary["coef"].to_numpy(), WHOLE.summary["coef"].to_numpy(), rtol=1e-7
    )
    np.testing.assert_allclose(
        fit.summary["std_err"].to_numpy(), WHOLE.summary["std_err"].to_numpy(), rtol=1e-7
    )
    np.testing.assert_allclose(fit.loglik, WHOLE.loglik, rtol=1e-9)


D = {"t": [5.0, 3.0], "e": [1, 0], "who": ["x", "y"]}


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"cut": [2, 1]}, r"argument 'cut', item 1: 1.0 does not follow 2.0; cut times must"),
        ({"cut": [2, 2]}, r"argument 'cut', item 1: 2.0 does not follow 2.0"),
        ({"cut": [-1, 2]}, r"argument 'cut', item 0: -1.0 is not a finite time >= 0"),
        ({"cut": [1, math.nan]}, r"argument 'cut', item 1: nan is not a finite time"),
        ({"cut": [1, math.inf]}, r"argument 'cut', item 1: inf is not a finite time"),
        ({"cut": ["1"]}, r"argument 'cut', item 0: '1' is not a number"),
        ({"cut": 3}, r"argument 'cut': 3 is not a list of times"),
        ({"cut": []}, r"argument 'cut': no cut times and no changes"),
        ({"cut": [1], "start": "who"}, r"argument 'start': column 'who' is already in data"),
        ({"cut": [1], "episode": "t"}, r"argument 'episode': column 't' is already in data"),
        (
            {"changes": {"who": ["x"], "time": [1.0], "s": [1]}},
            r"argument 'id': changes= needs id=",
        ),
        (
            {"id": "who", "changes": {"who": ["z"], "time": [1.0], "s": [1]}},
            r"column 'who', row 0 of changes: person 'z' has no spell in data",
        ),
        (
            {"id": "who", "changes": {"who": ["x", "x"], "time": [1.0, 1.0], "s": [1, 2]}},
            r"column 'changes', row 1: a second change of the same person at time 1",
        ),
        (
            {"id": "who", "changes": {"who": ["x", "x"], "time": [1.0, None], "s": [1, 2]}},
            r"column 'time', row 1: value is null in changes",
        ),
        (
            {"id": "who", "changes": {"who": [1], "time": [1.0], "s": [1]}},
            r"column 'who' has type String in data and Int64 in changes",
        ),
        (
            {"id": "who", "changes": {"who": ["x"], "time": [1.0], "e": [1]}},
            r"column 'e' of changes is also a column of the result",
        ),
        (
            {"id": "who", "changes": {"who": ["x"], "when": [1.0]}, "at": "time"},
            r"column 'time' \(at\) is not in changes",
        ),
    ],
)
def test_bad_input(kw: dict[str, Any], message: str) -> None:
    with pytest.raises(hrh.InputError, match=message):
        hrh.split_episodes(D, duration="t", event="e", **kw)


def test_bad_spells() -> None:
    with pytest.raises(hrh.InputError, match=r"column 'entry', row 1: entry 3 is not before"):
        hrh.split_episodes(
            {"t": [5.0, 3.0], "e": [1, 0], "s": [0.0, 3.0]},
            duration="t",
            event="e",
            entry="s",
            cut=[1],
        )
    with pytest.raises(hrh.InputError, match=r"column 't', row 1: value -3.0 is negative"):
        hrh.split_episodes({"t": [5.0, -3.0], "e": [1, 0]}, duration="t", event="e", cut=[1])
    with pytest.raises(hrh.InputError, match=r"column 'e', row 1: value 0.5 is not an event"):
        hrh.split_episodes({"t": [5.0, 3.0], "e": [1, 0.5]}, duration="t", event="e", cut=[1])
    with pytest.raises(hrh.InputError, match=r"column 'who', row 1: value is null"):
        hrh.split_episodes(
            {"t": [5.0, 3.0], "e": [1, 0], "who": ["x", None]},
            duration="t",
            event="e",
            id="who",
            changes={"who": ["x"], "time": [1.0], "s": [1]},
        )


def test_memory_budget_is_checked_before_allocating(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HRH_MAX_MEMORY", "1M")
    d = {"t": [1e6] * 10, "e": [1] * 10}
    cut = list(range(1, 100_000))
    with pytest.raises(
        hrh.InputError,
        match=r"splitting 10 rows makes 1000000 rows, which would need about \d+\.\d MiB of "
        r"memory, over the budget of 1\.0 MiB \(HRH_MAX_MEMORY\)",
    ):
        hrh.split_episodes(d, duration="t", event="e", cut=cut)


def _reference(
    entry: list[float], time: list[float], event: list[int], cut: list[float]
) -> list[tuple[int, float, float, int, int]]:
    """survSplit written out: (row, start, stop, event, episode) per piece."""
    out = []
    for i, (a, b) in enumerate(zip(entry, time, strict=True)):
        points = [a, *[c for c in cut if a < c < b], b]
        for k in range(len(points) - 1):
            last = k == len(points) - 2
            episode = 1 + sum(c <= points[k] for c in cut)
            out.append((i, points[k], points[k + 1], event[i] if last else 0, episode))
    return out


times = st.one_of(st.integers(0, 20).map(float), st.floats(0, 20, allow_nan=False))


@settings(max_examples=200, deadline=None, derandomize=True)
@given(
    st.lists(st.tuples(times, times, st.integers(0, 3)), min_size=1, max_size=8),
    st.lists(times, min_size=1, max_size=6, unique=True).map(sorted),
)
def test_pieces_are_survsplit_written_out(
    rows: list[tuple[float, float, int]], cut: list[float]
) -> None:
    entry = [min(a, b) for a, b, _ in rows]
    time = [max(a, b) for a, b, _ in rows]
    event = [e for _, _, e in rows]
    d = {"row": list(range(len(rows))), "s": entry, "t": time, "e": event}
    if any(a >= b for a, b in zip(entry, time, strict=True)):
        with pytest.raises(
            hrh.InputError, match=r"column 'entry', row \d+: entry .* is not before"
        ):
            hrh.split_episodes(d, duration="t", event="e", entry="s", cut=cut)
        return
    out = hrh.split_episodes(d, duration="t", event="e", entry="s", cut=cut)
    got = list(zip(*(out[c].to_list() for c in ["row", "s", "t", "e", "episode"]), strict=True))
    assert got == _reference(entry, time, event, cut)
