"""Finding and reading the local copies of public data sets, which the loaders of
``_international`` and ``_national`` share.

The files are not shipped with hrh (several licences forbid or restrict it, and some are
large). Each loader reads one data folder, as described in that folder's ``README.md``:
from the `path` argument (the data folder, its main file, or the folder that contains
the data folders), else from the folder named by the environment variable ``HRH_DATA``
(the folder that contains the data folders). Without either it raises
:class:`hrh.InputError` saying where the public original is.

Every loader returns a tidy polars DataFrame: years are ``Int64``, measured values
(counts, populations, densities, areas) ``Float64``, codes ``String`` (``fipscode``
keeps its leading zeros), dates ``Date`` and flags ``Boolean``. A value that does not
parse raises InputError naming the file, the column, the row and the value.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import polars as pl

from hrh._frames import require_columns
from hrh.exceptions import InputError

ENV_VAR = "HRH_DATA"
"""Environment variable naming the folder that contains the data folders."""

PathLike = str | os.PathLike[str]
_Kind = Literal["str", "int", "float", "bool", "date"]
_DTYPES: dict[_Kind, str] = {
    "int": "a whole number",
    "float": "a number",
    "bool": "True or False",
    "date": "a date (YYYY-MM-DD)",
}


@dataclass(frozen=True)
class _Source:
    loader: str
    folder: str
    filename: str
    title: str
    original: str


def _hint(src: _Source) -> str:
    return (
        f"The public original is {src.original}. hrh reads the tidy copy described in the "
        f"data folder's README.md: a folder '{src.folder}' holding '{src.filename}'. Pass "
        f"its location, hrh.datasets.{src.loader}(path='/data/{src.folder}'), or set the "
        f"environment variable {ENV_VAR} to the folder that contains '{src.folder}' "
        f"(e.g. export {ENV_VAR}=/data)."
    )


def _locate(src: _Source, path: PathLike | None) -> Path:
    """The main file of `src`: from `path` (file, data folder or folder of data
    folders), else from $HRH_DATA, else InputError."""
    where = f"{src.loader}()"
    if path is not None:
        p = Path(path).expanduser()
        if p.is_file():
            return p
        if p.is_dir():
            for candidate in (p / src.filename, p / src.folder / src.filename):
                if candidate.is_file():
                    return candidate
            raise InputError(
                f"{where}: path '{p}' holds neither '{src.filename}' nor "
                f"'{src.folder}/{src.filename}'. {_hint(src)}"
            )
        raise InputError(f"{where}: path '{p}' does not exist. {_hint(src)}")
    root = os.environ.get(ENV_VAR, "").strip()
    if root:
        candidate = Path(root).expanduser() / src.folder / src.filename
        if candidate.is_file():
            return candidate
        raise InputError(
            f"{where}: {ENV_VAR}='{root}' has no '{src.folder}/{src.filename}'. {_hint(src)}"
        )
    raise InputError(
        f"{where}: no local copy of {src.title}: no path was given and the environment "
        f"variable {ENV_VAR} is not set. {_hint(src)}"
    )


def _sibling(main: Path, src: _Source) -> Path:
    """A companion file that lives next to the main file."""
    p = main.parent / src.filename
    if not p.is_file():
        raise InputError(
            f"{src.loader}(): '{src.filename}' is missing from '{main.parent}' (it belongs "
            f"next to '{main.name}'). {_hint(src)}"
        )
    return p


def _read(file: Path, kinds: Mapping[str, _Kind], *, loader: str) -> pl.DataFrame:
    """Read a CSV as text, check that `kinds` are its columns, and cast each column,
    naming the file, column, row and value of anything that does not parse."""
    try:
        raw = pl.read_csv(file, infer_schema=False)
    except (OSError, pl.exceptions.PolarsError) as e:
        raise InputError(f"{loader}(): could not read '{file}' as CSV ({e})") from e
    require_columns(raw, list(kinds), role=f"read by hrh.datasets.{loader}", table=f"'{file}'")
    columns: list[pl.Series] = []
    for name, kind in kinds.items():
        s = raw.get_column(name)
        if kind == "str":
            columns.append(s)
            continue
        if kind == "bool":
            out = s.replace_strict(
                {"True": True, "False": False, "true": True, "false": False},
                default=None,
                return_dtype=pl.Boolean,
            )
        elif kind == "date":
            out = s.str.to_date("%Y-%m-%d", strict=False)
        else:
            out = s.str.strip_chars().cast(pl.Int64 if kind == "int" else pl.Float64, strict=False)
        bad = (out.is_null() & s.is_not_null()).arg_true()
        if len(bad):
            row = int(bad[0])
            raise InputError(
                f"{loader}(): '{file.name}', column '{name}', row {row}: value {s[row]!r} "
                f"is not {_DTYPES[kind]}"
            )
        columns.append(out.alias(name))
    return pl.DataFrame(columns)


def _join_all(
    left: pl.DataFrame, right: pl.DataFrame, key: str, *, loader: str, right_file: str
) -> pl.DataFrame:
    """Left join on `key` that raises InputError when a key of `left` is not in
    `right`."""
    absent = (~left.get_column(key).is_in(right.get_column(key).implode())).arg_true()
    if len(absent):
        row = int(absent[0])
        raise InputError(
            f"{loader}(): column '{key}', row {row}: value {left[row, key]!r} is not in "
            f"'{right_file}' ({len(absent)} row(s) without a match)"
        )
    return left.join(right, on=key, how="left", maintain_order="left")
