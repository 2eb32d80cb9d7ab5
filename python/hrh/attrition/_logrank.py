"""The log-rank test of equal survival across groups."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import polars as pl

from hrh import _core
from hrh._frames import (
    as_list,
    check_no_nulls,
    group_codes,
    require_columns,
)
from hrh.attrition._common import EventValues, _surv, _with_events
from hrh.exceptions import InputError

if TYPE_CHECKING:  # pragma: no cover
    pass

# --- log-rank ---------------------------------------------------------------------------


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
    rho : float
        The weight exponent used (0 log-rank, 1 Peto-Peto).
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
    rho: float
    table: pl.DataFrame
    variance: npt.NDArray[np.float64] = field(repr=False)

    def to_polars(self) -> pl.DataFrame:
        """The per-group table."""
        return self.table

    def _repr_html_(self) -> str:
        name = "Log-rank" if self.rho == 0 else f"G-rho (rho = {self.rho})"
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
    rho: float = 0,
    event_values: EventValues | None = None,
) -> LogRankResult:
    """Test that groups have the same exit hazard (the G-rho family of R's
    ``survdiff``).

    Each exit time is weighted by S(t−)^rho, S the pooled Kaplan-Meier within the
    stratum: ``rho=0`` is the log-rank test, ``rho=1`` the Peto-Peto modification of
    the Gehan-Wilcoxon test. Observed and expected are weighted likewise.

    Parameters
    ----------
    data
        One row per person (or spell): any table hrh reads (polars, pandas, pyarrow, a
        dict of columns). Not modified.
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
    rho
        Exponent of the weight S(t−)^rho: 0 (default) the log-rank test, 1 Peto-Peto.
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
        `data` without rows.

    References
    ----------
    Peto R, Peto J (1972). Asymptotically efficient rank invariant test procedures.
    JRSS A 135:185-207.
    Harrington DP, Fleming TR (1982). A class of rank test procedures for censored
    survival data. Biometrika 69:553-566.

    Examples
    --------
    >>> import hrh
    >>> d = {"t": [1, 3, 2, 4], "e": [1, 1, 1, 0], "g": ["a", "a", "b", "b"]}
    >>> r = hrh.logrank(d, duration="t", event="e", group="g")
    >>> round(r.statistic, 4), r.df
    (0.6154, 1)
    """
    if isinstance(rho, bool) or not isinstance(rho, int | float | np.number):
        raise InputError(f"argument 'rho': {rho!r} is not a number")
    data = _with_events(data, event, event_values)
    s = _surv(data, duration=duration, event=event, by=as_list(group, "group"))
    if not np.any(np.asarray(s.event) > 0):
        raise InputError(
            f"column '{event}': holds no events, so the log-rank test has nothing to compare"
        )
    if s.keys.height < 2:
        raise InputError(f"group: {as_list(group)} has a single group; nothing to compare")
    st_codes, st_keys = (None, pl.DataFrame())
    if strata is not None:
        st_cols = as_list(strata, "strata")
        require_columns(s.df, st_cols, role="strata")
        for c in st_cols:
            check_no_nulls(s.df, c)
        st_codes, st_keys = group_codes(s.df, st_cols)
    r = _core.logrank(
        s.time, s.event, s.codes, s.keys.height, st_codes, max(st_keys.height, 1), rho=float(rho)
    )
    obs, exp = np.asarray(r["observed"]), np.asarray(r["expected"])
    table = s.keys.with_columns(
        n=pl.Series(r["n"], dtype=pl.Int64),
        observed=pl.Series(obs),
        expected=pl.Series(exp),
        # Null where nothing is expected (a group with no one at risk at any exit time).
        oe2_over_e=pl.Series(
            np.divide((obs - exp) ** 2, exp, out=np.full(exp.shape, np.nan), where=exp > 0)
        ).fill_nan(None),
    )
    return LogRankResult(
        statistic=float(r["statistic"]),
        df=int(r["df"]),
        p_value=float(r["p_value"]),
        rho=float(rho),
        table=table,
        variance=np.asarray(r["variance"]),
    )
