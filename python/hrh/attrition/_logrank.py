"""The log-rank test of equal survival across groups."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import polars as pl

from hrh import _core
from hrh import _scale as scale
from hrh._frames import (
    as_list,
    check_no_nulls,
    group_codes,
    require_columns,
)
from hrh.attrition._common import (
    _DURATION_TYPES,
    _EVENT_TYPES,
    EventValues,
    _frame,
    _native,
    _surv,
    _tallied,
    _with_events,
)
from hrh.exceptions import InputError

if TYPE_CHECKING:  # pragma: no cover
    pass

# --- log-rank ---------------------------------------------------------------------------


#: The weighting of :func:`hrh.logrank`, by name.
WEIGHTS = (
    "logrank",
    "gehan-breslow",
    "tarone-ware",
    "peto-peto",
    "modified-peto",
    "fleming-harrington",
)


@dataclass(frozen=True)
class LogRankResult:
    """A k-sample test of equal exit hazards, from :func:`hrh.logrank`.

    Attributes
    ----------
    statistic : float
        The chi-squared statistic.
    df : int
        Degrees of freedom (groups − 1).
    p_value : float
        Upper tail probability of the statistic.
    rho : float or None
        The exponent rho of the weight S(t−)^rho when the test is one of survdiff's
        G-rho family (0 log-rank, 1 Peto-Peto, p for Fleming-Harrington G(p, 0));
        None for the other weighting.
    weighting : str
        The weighting used: ``"logrank"``, ``"gehan-breslow"``, ``"tarone-ware"``,
        ``"peto-peto"``, ``"modified-peto"`` or ``"fleming-harrington"``.
    p, q : float or None
        The Fleming-Harrington exponents; None for the other weighting.
    table : polars.DataFrame
        Per group: the group column(s), ``n``, ``observed`` and ``expected`` exits and
        ``oe2_over_e`` = (O − E)² / E.
    variance : numpy.ndarray
        Variance matrix of O − E.

    References
    ----------
    Mantel N (1966). Evaluation of survival data and two new rank order statistics
    arising in its consideration. Cancer Chemotherapy Reports 50:163-170.
    Harrington DP, Fleming TR (1982). A class of rank test procedures for censored
    survival data. Biometrika 69:553-566.

    Examples
    --------
    >>> import hrh
    >>> d = {"t": [1, 3, 2, 4], "e": [1, 1, 1, 0], "g": ["a", "a", "b", "b"]}
    >>> r = hrh.logrank(d, duration="t", event="e", group="g")
    >>> r.table["observed"].to_list(), round(r.p_value, 4)
    ([2.0, 1.0], 0.4328)
    """

    statistic: float
    df: int
    p_value: float
    rho: float | None
    table: pl.DataFrame
    variance: npt.NDArray[np.float64] = field(repr=False)
    weighting: str = "logrank"
    p: float | None = None
    q: float | None = None

    def to_polars(self) -> pl.DataFrame:
        """The per-group table."""
        return self.table

    def _repr_html_(self) -> str:
        names = {
            "logrank": "Log-rank",
            "gehan-breslow": "Gehan-Breslow",
            "tarone-ware": "Tarone-Ware",
            "peto-peto": "Peto-Peto",
            "modified-peto": "Modified Peto-Peto",
        }
        name = names.get(self.weighting) or f"Fleming-Harrington G({self.p:g}, {self.q:g})"
        return (
            f"<b>{name} test</b>: chi² = {self.statistic:.4g} on {self.df} df, "
            f"p = {self.p_value:.4g}" + self.table._repr_html_()
        )


def logrank(
    data: Any,
    *,
    duration: str,
    event: str,
    group: str | Sequence[str],
    strata: str | Sequence[str] | None = None,
    weighting: str | None = None,
    p: float | None = None,
    q: float | None = None,
    rho: float | None = None,
    event_values: EventValues | None = None,
) -> LogRankResult:
    """Test that groups have the same exit hazard: the weighted log-rank family
    (log-rank, Gehan-Breslow, Tarone-Ware, Peto-Peto, modified Peto-Peto,
    Fleming-Harrington), whose G-rho members are R's ``survdiff(rho=)``.

    At each exit time t of a stratum, with n at risk and d exits (all groups
    pooled), the groups' observed exits d_g and expected exits d n_g / n are summed
    with a weight w(t) computed once from the pooled risk set of the stratum:

    ====================== =============================================
    ``weighting``            w(t)
    ====================== =============================================
    ``"logrank"``          1 (the default)
    ``"gehan-breslow"``    n (generalised Wilcoxon)
    ``"tarone-ware"``      √n
    ``"peto-peto"``        S(t−), the pooled Kaplan-Meier just before t
                           (survival form; ``survdiff(rho=1)``)
    ``"modified-peto"``    S̃(t) n / (n + 1), S̃(t) = Π_{t_j ≤ t} (1 − d_j / (n_j + 1))
                           (Andersen's modification)
    ``"fleming-harrington"`` S(t−)^p (1 − S(t−))^q, with `p` and `q` >= 0
    ====================== =============================================

    Weights near 1 early (Gehan-Breslow, Peto-Peto, large p) stress early
    differences; large q stresses late ones. Stratified tests sum the per-stratum
    O − E and variances, as ``survdiff`` does. The reported observed and expected
    exits are weighted (as ``survdiff`` reports them for rho > 0).

    Parameters
    ----------
    data
        One row per person (or spell): any table hrh reads (polars, pandas, pyarrow, a
        dict of columns), or a polars ``LazyFrame``, a Parquet path or a Dask DataFrame,
        read in batches or partitions with the same result. Not modified.
    duration
        Column of times in post at exit or censoring (e.g. years, fractional allowed),
        numeric, >= 0; a null or NaN is an InputError.
    event
        Column of exit indicators: 1 or True = left, 0 or False = still in post
        (censored); any other value, or a null, is an InputError.
    group
        Column(s) defining the groups compared (at least two groups).
    strata
        Column(s) of strata: the test is computed within each stratum and summed
        (R's ``strata()`` term); None: no strata.
    weighting
        The weight of each exit time, by name (table above). None (default): the
        log-rank test, or G-rho when `rho` is given.
    p, q
        The Fleming-Harrington exponents, finite and >= 0; both required with
        ``weighting="fleming-harrington"`` and refused with any other weighting.
    rho
        survdiff's exponent: the weight S(t−)^rho, i.e. Fleming-Harrington
        G(rho, 0) (0 log-rank, 1 Peto-Peto); finite and >= 0. Refused together with
        `weighting`, `p` or `q`.
    event_values
        How to read an `event` column of labels, as in :func:`kaplan_meier`: a mapping
        label -> code (0: still in post; a positive code: an exit) or a list of the
        labels that are exits. None (default): `event` holds 0/1 codes.

    Returns
    -------
    LogRankResult
        ``.statistic`` (chi-squared), ``.df`` (groups − 1), ``.p_value`` and
        ``.table`` with each group's ``n``, ``observed``, ``expected`` exits.

    Raises
    ------
    InputError
        A column that `data` lacks; bad durations or event codes (as in
        :func:`kaplan_meier`); a single group, or at most one group with expected
        exits or a variance of zero (nothing to compare); more than 1,000 groups;
        `data` without rows; an unknown `weighting` name; `p` or `q` negative, not
        finite, missing with ``"fleming-harrington"`` or given with other weighting;
        `rho` negative or not finite, or given with `weighting`, `p` or `q`.

    References
    ----------
    Peto R, Peto J (1972). Asymptotically efficient rank invariant test procedures.
    JRSS A 135:185-207.
    Harrington DP, Fleming TR (1982). A class of rank test procedures for censored
    survival data. Biometrika 69:553-566.
    Gehan EA (1965). A generalized Wilcoxon test for comparing arbitrarily
    singly-censored samples. Biometrika 52:203-223.
    Tarone RE, Ware J (1977). On distribution-free tests for equality of survival
    distributions. Biometrika 64:156-160.
    Andersen PK, Borgan Ø, Gill RD, Keiding N (1982). Linear nonparametric tests for
    comparison of counting processes, with applications to censored survival data.
    International Statistical Review 50:219-258.
    Klein JP, Moeschberger ML (2003). Survival Analysis, 2nd ed., Springer, §7.3.

    Examples
    --------
    >>> import hrh
    >>> d = {"t": [1, 3, 2, 4], "e": [1, 1, 1, 0], "g": ["a", "a", "b", "b"]}
    >>> r = hrh.logrank(d, duration="t", event="e", group="g")
    >>> round(r.statistic, 4), r.df
    (0.6154, 1)
    >>> w = hrh.logrank(d, duration="t", event="e", group="g", weighting="gehan-breslow")
    >>> round(w.statistic, 4), w.table["observed"].to_list()
    (0.5714, [6.0, 3.0])
    >>> fh = hrh.logrank(
    ...     d, duration="t", event="e", group="g", weighting="fleming-harrington", p=0, q=1
    ... )
    >>> fh.weighting, fh.p, fh.q
    ('fleming-harrington', 0.0, 1.0)
    """
    name, p_, q_, rho_ = _weights(weighting, p, q, rho)
    src = scale.source(data)
    if src.frame is None:
        require_columns(src.empty(), as_list(strata, "strata") if strata else [], role="strata")
        r, keys = _counted(
            data, duration, event, group, strata, event_values, weighting=name, p=p_, q=q_
        )
    else:
        group_cols = as_list(group, "group")
        df, _ = _frame(
            _with_events(src.frame, event, event_values),
            duration=duration,
            event=event,
            by=group_cols,
        )
        read = _in_place(df, duration, event, group_cols, strata, (name, p_, q_))
        if read is not None:
            r, keys = read
        else:
            r, keys = _checked(df, duration, event, group_cols, strata, (name, p_, q_))
    obs, exp = np.asarray(r["observed"]), np.asarray(r["expected"])
    # Null where nothing is expected (a group with no one at risk at any exit time).
    oe = np.divide((obs - exp) ** 2, exp, out=np.full(exp.shape, np.nan), where=exp > 0)
    # The table built from its columns at once (no query plans for a few rows).
    table = pl.DataFrame(
        [
            *keys.get_columns(),
            pl.Series("n", r["n"], dtype=pl.Int64),
            pl.Series("observed", obs),
            pl.Series("expected", exp),
            pl.Series("oe2_over_e", oe, nan_to_null=True),
        ]
    )
    return LogRankResult(
        statistic=float(r["statistic"]),
        df=int(r["df"]),
        p_value=float(r["p_value"]),
        rho=rho_,
        table=table,
        variance=np.asarray(r["variance"]),
        weighting=name,
        p=p_,
        q=q_,
    )


_Weighting = tuple[str, float | None, float | None]


def _in_place(
    df: pl.DataFrame,
    duration: str,
    event: str,
    group: list[str],
    strata: str | Sequence[str] | None,
    weighting: _Weighting,
) -> tuple[dict[str, Any], pl.DataFrame] | None:
    """The test and the group keys with the durations and event codes read in place by
    the core, which checks them as it counts them (one pass, no copies or casts); None
    when the columns need :func:`_checked` (nulls, other column types) or anything is
    wrong with the input, which :func:`_checked` then reports as it always has."""
    t = _native(df.get_column(duration), _DURATION_TYPES)
    e = _native(df.get_column(event), _EVENT_TYPES)
    if t is None or e is None:
        return None
    name, p, q = weighting
    try:
        for c in group:
            check_no_nulls(df, c)
        codes, keys = group_codes(df, group)
        if keys.height < 2:
            return None
        st_codes, n_strata = _strata_codes(df, strata)
        r = _core.logrank(t, e, codes, keys.height, st_codes, n_strata, weighting=name, p=p, q=q)
    except InputError:
        return None
    return r, keys


def _checked(
    df: pl.DataFrame,
    duration: str,
    event: str,
    group: list[str],
    strata: str | Sequence[str] | None,
    weighting: _Weighting,
) -> tuple[dict[str, Any], pl.DataFrame]:
    """The test and the group keys, every column checked (and cast) in Python first."""
    name, p_, q_ = weighting
    s = _surv(df, duration=duration, event=event, by=group)
    _check_comparable(np.asarray(s.event), s.keys, event, group)
    st_codes, n_strata = _strata_codes(s.df, strata)
    r = _core.logrank(
        s.time, s.event, s.codes, s.keys.height, st_codes, n_strata, weighting=name, p=p_, q=q_
    )
    return r, s.keys


def _strata_codes(
    df: pl.DataFrame, strata: str | Sequence[str] | None
) -> tuple[npt.NDArray[np.uint32] | None, int]:
    """The stratum code of each row (None without strata; each strata column present
    and without nulls) and the number of strata (1 without)."""
    if strata is None:
        return None, 1
    st_cols = as_list(strata, "strata")
    require_columns(df, st_cols, role="strata")
    for c in st_cols:
        check_no_nulls(df, c)
    codes, keys = group_codes(df, st_cols)
    return codes, max(keys.height, 1)


def _check_comparable(
    events: npt.NDArray[Any], keys: pl.DataFrame, event: str, group: str | Sequence[str]
) -> None:
    if not np.any(events > 0):
        raise InputError(
            f"column '{event}': holds no events, so the log-rank test has nothing to compare"
        )
    if keys.height < 2:
        raise InputError(f"group: {as_list(group)} has a single group; nothing to compare")


def _counted(
    data: Any,
    duration: str,
    event: str,
    group: str | Sequence[str],
    strata: str | Sequence[str] | None,
    event_values: EventValues | None,
    **weighting: Any,
) -> tuple[dict[str, Any], pl.DataFrame]:
    """The test of data read in batches or partitions (a LazyFrame, a Parquet path, a
    Dask DataFrame): the number of people per group, stratum, duration and event code
    (each part checked as the whole table would be; counts of parts added exactly),
    whose risk tables are those of the rows, so the result is the same."""
    group_cols = as_list(group, "group")
    st_cols = as_list(strata, "strata") if strata is not None else []
    table, count, _ = _tallied(
        data,
        duration=duration,
        event=event,
        entry=None,
        weights=None,
        by=list(dict.fromkeys([*group_cols, *st_cols])),
        event_values=event_values,
    )
    exits = table.get_column(event).cast(pl.Float64).to_numpy() > 0
    codes, keys = group_codes(table, group_cols)
    _check_comparable(exits, keys, event, group)
    st_codes, st_keys = group_codes(table, st_cols)
    cell = st_codes.astype(np.uint64) * keys.height + codes
    if cell.size and int(cell.max()) >= 2**32:
        raise InputError(f"{keys.height} groups in {st_keys.height} strata are too many to compare")
    r = _core.logrank_counts(
        np.ascontiguousarray(cell, dtype=np.uint32),
        keys.height,
        max(st_keys.height, 1),
        table.get_column(duration).cast(pl.Float64).to_numpy(),
        exits,
        table.get_column(str(count)).cast(pl.UInt64).to_numpy(),
        **weighting,
    )
    return r, keys


def _exponent(value: object, name: str) -> float:
    """A Fleming-Harrington exponent: a finite number >= 0."""
    if isinstance(value, bool) or not isinstance(value, int | float | np.number):
        raise InputError(f"argument '{name}': {value!r} is not a number")
    v = float(value)
    if not (math.isfinite(v) and v >= 0):
        raise InputError(f"argument '{name}': {v!r} must be a finite number >= 0")
    return v


def _weights(
    weighting: object, p: object, q: object, rho: object
) -> tuple[str, float | None, float | None, float | None]:
    """The weighting' name, the exponents p and q (None unless Fleming-Harrington) and
    survdiff's rho (None unless the weighting are G(rho, 0))."""
    if rho is not None:
        given = [n for n, v in (("weighting", weighting), ("p", p), ("q", q)) if v is not None]
        if given:
            listed = " and ".join(f"'{n}'" for n in given)
            raise InputError(
                f"arguments 'rho' and {listed}: rho is survdiff's G-rho weight, the same "
                f"as weighting='fleming-harrington' with p=rho and q=0; give one or the other"
            )
        r = _exponent(rho, "rho")
        if r == 0:
            return "logrank", None, None, 0.0
        return "fleming-harrington", r, 0.0, r
    name = "logrank" if weighting is None else weighting
    if not isinstance(name, str) or name not in WEIGHTS:
        listed = ", ".join(f"'{w}'" for w in WEIGHTS)
        raise InputError(f"argument 'weighting': {name!r} is not one of {listed}")
    if name != "fleming-harrington":
        extra = [n for n, v in (("p", p), ("q", q)) if v is not None]
        if extra:
            listed = " and ".join(f"'{n}'" for n in extra)
            raise InputError(
                f"arguments {listed} and 'weighting': the exponents p and q are for "
                f"weighting='fleming-harrington', not {name!r}"
            )
        return name, None, None, {"logrank": 0.0, "peto-peto": 1.0}.get(name)
    missing = [n for n, v in (("p", p), ("q", q)) if v is None]
    if missing:
        listed = " and ".join(f"'{n}'" for n in missing)
        raise InputError(
            f"argument{'s' if len(missing) > 1 else ''} {listed}: "
            "weighting='fleming-harrington' needs both exponents p and q "
            "(p=1, q=0 is Peto-Peto; p=0, q=1 stresses late differences)"
        )
    p_, q_ = _exponent(p, "p"), _exponent(q, "q")
    return name, p_, q_, p_ if q_ == 0 else None
