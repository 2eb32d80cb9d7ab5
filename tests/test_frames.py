"""Tables in: what ``hrh._frames.to_frame`` accepts, and the errors it gives."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

pytest.importorskip("pandas")

# Run first in a fresh interpreter: every import of pyarrow fails, as when it is not
# installed (pandas and polars then find no pyarrow either).
_NO_PYARROW = """
import importlib.util, sys

class _NoPyarrow:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] == "pyarrow":
            raise ModuleNotFoundError("No module named 'pyarrow'", name="pyarrow")
        return None

sys.meta_path.insert(0, _NoPyarrow())
_find_spec = importlib.util.find_spec
importlib.util.find_spec = lambda name, *a: (
    None if name.split(".")[0] == "pyarrow" else _find_spec(name, *a)
)
"""


def _without_pyarrow(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", _NO_PYARROW + textwrap.dedent(code)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def test_a_pandas_frame_without_pyarrow_says_how_to_install_it() -> None:
    proc = _without_pyarrow(
        """
        import pandas as pd
        import hrh
        try:
            import pyarrow
        except ImportError:
            pass
        else:
            raise SystemExit("pyarrow was imported")
        # Plain numpy columns need no pyarrow.
        plain = pd.DataFrame({"staff": [10, 20], "pop": [1000.0, 4000.0]})
        print(hrh.density(plain, staff="staff", population="pop")["density"].to_list())
        # Text without nulls too; a category column, as read_csv(dtype=...) makes, does not.
        region = pd.Categorical(["a", "b"])
        text = pd.DataFrame({"region": region, "staff": [10, 20], "pop": [1000, 4000]})
        try:
            hrh.density(text, staff="staff", population="pop", by="region")
        except hrh.InputError as e:
            print(type(e).__name__, e)
        """
    )
    assert proc.returncode == 0, proc.stderr
    density, error = proc.stdout.splitlines()
    assert density == "[6.0]"  # 30 staff per 5,000 people, per 1,000
    assert error == (
        "InputError column 'region' (category): reading a pandas DataFrame with text, "
        "category, date or nullable columns needs pyarrow, which is not installed: "
        "pip install 'hrh[pandas]'"
    )


def test_every_pandas_column_kind_that_needs_pyarrow_is_named() -> None:
    proc = _without_pyarrow(
        """
        import datetime as dt
        import pandas as pd
        import hrh
        kinds = {
            "category": pd.Categorical(["x", "y"]),
            "Int64": pd.array([1, None], dtype="Int64"),
            "datetime64[ns, UTC]": pd.to_datetime(["2020-01-01", "2021-01-01"], utc=True),
            "object": [dt.date(2020, 1, 1), dt.date(2021, 1, 1)],
        }
        for kind, values in kinds.items():
            df = pd.DataFrame({"t": [1.0, 2.0], "e": [1, 0], "x": values})
            try:
                hrh.kaplan_meier(df, duration="t", event="e")
            except hrh.InputError as e:
                print(str(e).split(":")[0], df["x"].dtype, sep="|")
        """
    )
    assert proc.returncode == 0, proc.stderr
    lines = [line.split("|") for line in proc.stdout.splitlines()]
    # The message names the column's pandas dtype as pandas writes it (the datetime
    # resolution is ns in pandas 2 and us in pandas 3).
    assert [message for message, _ in lines] == [f"column 'x' ({dtype})" for _, dtype in lines]
    assert [dtype.split("[")[0] for _, dtype in lines] == [
        "category",
        "Int64",
        "datetime64",
        "object",
    ]


def test_a_mixed_pandas_column_with_na_names_the_stray_value() -> None:
    pd = pytest.importorskip("pandas")
    pytest.importorskip("pyarrow")
    import hrh

    x = pd.Series([pd.NA, 1, "a"], dtype=object)  # pandas' NA has no truth value
    df = pd.DataFrame({"t": [1.0, 2.0, 3.0], "e": [1, 0, 1], "x": x})
    with pytest.raises(hrh.InputError, match="column 'x', row 2: value 'a' is a str in a column"):
        hrh.kaplan_meier(df, duration="t", event="e")
