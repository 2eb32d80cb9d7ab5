"""Scenario files: loading, checking and the memory and work limits of a projection."""

from __future__ import annotations

import copy
import json
import os
import tomllib
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from hrh import _core
from hrh._frames import (
    to_frame,
)
from hrh.exceptions import InputError, ScenarioError

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
