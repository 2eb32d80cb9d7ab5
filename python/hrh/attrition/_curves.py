"""Kaplan-Meier survival curves and Nelson-Aalen cumulative hazards."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import numpy.typing as npt
import polars as pl

from hrh import _core
from hrh._frames import (
    check_level,
    first_seen_codes,
    float_array,
)
from hrh.attrition._common import (
    EventValues,
    _curves,
    _nan_to_null,
    _read,
    _with_keys,
)

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes

    from hrh._core import _KmTable

# --- Kaplan-Meier -----------------------------------------------------------------------


@dataclass(frozen=True)
class KaplanMeier:
    """Kaplan-Meier retention curves.

    Attributes
    ----------
    table : polars.DataFrame
        The `by` columns, ``time``, ``at_risk``, ``events``, ``censored``,
        ``survival``, ``std_err`` (of the survival), ``lower``, ``upper`` (null where
        undefined, e.g. at survival 0).
    summary : polars.DataFrame
        Medians, not curves: one row per curve with the `by` columns, ``n``,
        ``events``, ``median`` (median time in post) and its interval ``lower``,
        ``upper`` (see :meth:`median`); what the notebook display shows.
    by : list of str
        The grouping columns (one curve per group).
    conf_type : str
        Scale of the intervals (``"log"``, ``"log-log"`` or ``"plain"``).
    level : float
        Confidence level of the intervals.

    References
    ----------
    Kaplan EL, Meier P (1958). Nonparametric estimation from incomplete observations.
    JASA 53:457-481.
    Therneau TM (2024). survival: A Package for Survival Analysis in R. R package
    (``survfit``, whose conventions the table follows).

    Examples
    --------
    >>> import hrh
    >>> km = hrh.kaplan_meier({"years": [1, 2, 3, 3, 4, 5], "left": [1, 0, 1, 1, 0, 1]},
    ...                       duration="years", event="left")
    >>> km.at([2.5])["survival"].round(4).to_list()
    [0.8333]
    >>> km.rmst(5)["rmst"].round(4).to_list()
    [3.5]
    """

    table: pl.DataFrame
    by: list[str]
    conf_type: str
    level: float

    def _groups(self) -> tuple[npt.NDArray[np.uint32], pl.DataFrame, int]:
        """Each row's curve (codes in the order the curves appear), the curves' keys
        and the number of curves (1 without `by`)."""
        codes, keys = first_seen_codes(self.table, self.by)
        return codes, keys, max(keys.height, 1)

    def _columns(self) -> _KmTable:
        """The curve table's columns as the core reads them (null as NaN)."""

        def col(c: str) -> npt.NDArray[np.float64]:
            return np.ascontiguousarray(
                self.table[c].fill_null(np.nan).to_numpy(), dtype=np.float64
            )

        return (
            col("time"),
            col("at_risk"),
            col("events"),
            col("survival"),
            col("std_err"),
            col("lower"),
            col("upper"),
        )

    def _keyed(self, keys: pl.DataFrame, columns: dict[str, Any], rows: Any = None) -> pl.DataFrame:
        """`columns` led by the `by` keys of each row's curve (`rows`: the curve of each
        row, by default one row per curve)."""
        out = pl.DataFrame(columns)
        if not self.by:
            return out
        return pl.concat([keys if rows is None else keys[rows], out], how="horizontal")

    def quantile(self, p: float = 0.5) -> pl.DataFrame:
        """Time by which a share ``1 − p`` has left (the survival curve reaches `p`),
        with its confidence interval from the pointwise limits, as R's
        ``quantile.survfit``; null when not reached.

        Parameters
        ----------
        p
            Survival level in (0, 1); 0.5 (default) gives the median.

        Returns
        -------
        polars.DataFrame
            The `by` columns, ``quantile``, ``time``, ``lower``, ``upper``.
        """
        codes, keys, n = self._groups()
        r = _core.km_quantile(self._columns(), codes, n, float(p))
        out = self._keyed(keys, {"quantile": [p] * n, **r})
        return _nan_to_null(out, ["time", "lower", "upper"])

    def median(self) -> pl.DataFrame:
        """Median retention time with its interval (see :meth:`quantile`)."""
        return self.quantile(0.5).drop("quantile")

    @property
    def summary(self) -> pl.DataFrame:
        """One row per curve, as R's ``print.survfit``: the `by` columns, ``n`` (people,
        or their total weight), ``events`` (exits), ``median`` (median time in post: the
        first time the curve is at or below 0.5; null when it never gets there) and
        ``lower`` / ``upper``, the confidence interval of the median at `level`."""
        codes, keys, n = self._groups()
        events = np.bincount(codes, weights=self.table["events"].to_numpy(), minlength=n)
        censored = np.bincount(codes, weights=self.table["censored"].to_numpy(), minlength=n)
        counts = self._keyed(keys, {"n": events + censored, "events": events})
        med = self.median().rename({"time": "median"})
        return pl.concat([counts, med.select("median", "lower", "upper")], how="horizontal")

    def rmst(self, tau: float) -> pl.DataFrame:
        """Restricted mean survival time up to `tau` — the expected years retained out
        of the first `tau` — with its standard error (R's ``rmean``).

        Parameters
        ----------
        tau
            Truncation time (> 0), in the unit of the durations.

        Returns
        -------
        polars.DataFrame
            The `by` columns, ``tau``, ``rmst`` and ``std_err``.

        References
        ----------
        Royston P, Parmar MKB (2013). Restricted mean survival time. BMC Med Res
        Methodol 13:152.
        """
        codes, keys, n = self._groups()
        mean, se = _core.km_rmst(self._columns(), codes, n, float(tau))
        return self._keyed(keys, {"tau": [float(tau)] * n, "rmst": mean, "std_err": se})

    def at(self, times: Any) -> pl.DataFrame:
        """Survival, its standard error and limits at the given times (step function;
        survival 1 and standard error 0 before the first time).

        Parameters
        ----------
        times
            Times (array-like of numbers; a null or non-number is an InputError).

        Returns
        -------
        polars.DataFrame
            The `by` columns, ``time``, ``survival``, ``std_err``, ``lower``, ``upper``.
        """
        t = float_array(times, "times")
        codes, keys, n = self._groups()
        r = _core.km_at(self._columns(), codes, n, t)
        each = np.repeat(np.arange(n), t.size)
        out = self._keyed(keys, {"time": np.tile(t, n), **r}, rows=each)
        return _nan_to_null(out, ["std_err", "lower", "upper"])

    def to_polars(self) -> pl.DataFrame:
        """The curve table."""
        return self.table

    def plot(self, ax: Axes | None = None, *, ci: bool = True) -> Axes:
        """Step plot of the curves with their confidence bands.

        Parameters
        ----------
        ax
            Matplotlib Axes to draw on; None: a new figure.
        ci
            Draw the confidence bands (default True).

        Returns
        -------
        matplotlib.axes.Axes
            Needs matplotlib (``pip install 'hrh[plot]'``).
        """
        from hrh.plot import survival

        return survival(self, ax=ax, ci=ci)

    def _repr_html_(self) -> str:
        return (
            f"<b>Kaplan-Meier retention</b>: median time in post per curve, with its "
            f"{self.level:.0%} confidence interval ({self.conf_type}); the curves are in "
            "<code>.table</code>" + self.summary._repr_html_()
        )


def kaplan_meier(
    data: Any,
    *,
    duration: str,
    event: str,
    entry: str | None = None,
    by: str | Sequence[str] | None = None,
    weights: str | None = None,
    conf_type: Literal["log", "log-log", "plain"] = "log",
    level: float = 0.95,
    event_values: EventValues | None = None,
) -> KaplanMeier:
    """Kaplan-Meier estimate of retention (the probability of still being in post).

    S(t) = Π_{t_j <= t} (1 − d_j / n_j) with Greenwood's variance
    σ²(t) = Σ d_j / (n_j (n_j − d_j)); exits are counted before censorings at tied
    times; with `entry` the risk set at t is {entry < t <= duration} (delayed entry,
    counting-process data). Confidence limits as R's ``survfit``: ``"log"`` (R's
    default) S·exp(±zσ); ``"log-log"`` (lifelines' default); ``"plain"`` S ± zSσ.
    Data in which nobody has left give a curve of ones (a result, not an error).

    Parameters
    ----------
    data
        One row per person (or spell): any table hrh reads (polars, pandas, pyarrow, a
        dict of columns), or, for registers larger than memory, a polars LazyFrame, a
        Parquet path or a Dask DataFrame, reduced batch by batch to counts per group,
        duration and event (the same curve; see the guide's Data at scale page). Not
        modified.
    duration
        Column of times in post at exit or censoring (e.g. years, fractional allowed),
        numeric, >= 0; a null or NaN is an InputError.
    event
        Column of exit indicators: 1 or True = left, 0 or False = still in post
        (censored); any other value, or a null, is an InputError.
    entry
        Column of times at which each person entered observation (delayed entry,
        left truncation), same unit as `duration` and below it; None: everyone is
        observed from time 0.
    by
        Column(s) whose groups get one curve each (kept in the result); None: one curve.
    weights
        Column of case weights (> 0); None: every row counts once.
    conf_type
        Scale of the pointwise interval: ``"log"`` (default, as R), ``"log-log"``
        or ``"plain"``.
    level
        Confidence level of the interval, in (0, 1).
    event_values
        How to read an `event` column of labels: a mapping label -> code, 0 for still
        in post (censored) and a positive integer for an exit, e.g.
        ``{"resigned": 1, "retired": 2, "in post": 0}`` (every positive code counts
        as an exit here; :func:`cumulative_incidence` keeps the causes apart), with a
        ``None`` key for nulls; or a list of the labels that are exits, a null then
        meaning still in post. A value it does not map is an InputError naming the
        column, row and value. None (default): `event` holds 0/1 codes.

    Returns
    -------
    KaplanMeier
        ``.table`` (one row per group and distinct time: ``at_risk``, ``events``,
        ``censored``, ``survival``, ``std_err``, ``lower``, ``upper``), with
        ``.median()``, ``.quantile()``, ``.rmst()``, ``.at()`` and ``.plot()``.

    Raises
    ------
    InputError
        A column that `data` lacks; a null, NaN, negative or non-numeric duration; an
        event that is not 0/1 (or boolean); an entry not below its duration; a weight
        that is not > 0; `data` without rows; `conf_type` not one of its values or
        `level` outside (0, 1). The message names the column, row and value.

    References
    ----------
    Kaplan EL, Meier P (1958). Nonparametric estimation from incomplete observations.
    JASA 53:457-481.
    Greenwood M (1926). The natural duration of cancer. Reports on Public Health and
    Medical Subjects 33. London: HMSO.

    Examples
    --------
    >>> import hrh
    >>> d = {"years": [1, 2, 3, 3, 4, 5], "left": [1, 0, 1, 1, 0, 1]}
    >>> km = hrh.kaplan_meier(d, duration="years", event="left")
    >>> km.table.select("time", "at_risk", "events", "survival")
    shape: (5, 4)
    ┌──────┬─────────┬────────┬──────────┐
    │ time ┆ at_risk ┆ events ┆ survival │
    │ ---  ┆ ---     ┆ ---    ┆ ---      │
    │ f64  ┆ f64     ┆ f64    ┆ f64      │
    ╞══════╪═════════╪════════╪══════════╡
    │ 1.0  ┆ 6.0     ┆ 1.0    ┆ 0.833333 │
    │ 2.0  ┆ 5.0     ┆ 0.0    ┆ 0.833333 │
    │ 3.0  ┆ 4.0     ┆ 2.0    ┆ 0.416667 │
    │ 4.0  ┆ 2.0     ┆ 0.0    ┆ 0.416667 │
    │ 5.0  ┆ 1.0     ┆ 1.0    ┆ 0.0      │
    └──────┴─────────┴────────┴──────────┘
    >>> km.median()["time"].item()
    3.0
    """
    data, weights = _read(
        data,
        duration=duration,
        event=event,
        entry=entry,
        weights=weights,
        by=by,
        event_values=event_values,
    )
    check_level(level)
    conf, lev = str(conf_type), float(level)
    r, by_cols, keys = _curves(
        data,
        duration=duration,
        event=event,
        entry=entry,
        weights=weights,
        by=by,
        unweighted=lambda t, e, g, n: _core.kaplan_meier_unweighted(
            t, e, g, n, names=(duration, event), conf_type=conf, level=lev
        ),
        general=lambda s: _core.kaplan_meier(
            s.time,
            s.event,
            s.entry,
            s.weights,
            s.codes,
            max(s.keys.height, 1),
            conf_type=conf,
            level=lev,
        ),
    )
    table = _with_keys(r, by_cols, keys, nan_to_null=["std_err", "lower", "upper"])
    return KaplanMeier(table=table, by=by_cols, conf_type=conf, level=lev)


# --- Nelson-Aalen -----------------------------------------------------------------------


@dataclass(frozen=True)
class CumulativeHazard:
    """Cumulative hazard curves (Nelson-Aalen), from :func:`hrh.nelson_aalen`.

    Attributes
    ----------
    table : polars.DataFrame
        The `by` columns, ``time``, ``at_risk``, ``events``, ``cumulative_hazard`` and
        ``std_err``.
    by : list of str
        The grouping columns (one curve per group).
    ties : str
        ``"nelson-aalen"`` or ``"fleming-harrington"``.

    References
    ----------
    Nelson W (1972). Theory and applications of hazard plotting for censored failure
    data. Technometrics 14:945-966.
    Aalen O (1978). Nonparametric inference for a family of counting processes. Ann
    Stat 6:701-726.

    Examples
    --------
    >>> import hrh
    >>> h = hrh.nelson_aalen({"t": [1, 2, 3], "e": [1, 0, 1]}, duration="t", event="e")
    >>> h.table["cumulative_hazard"].round(4).to_list()
    [0.3333, 0.3333, 1.3333]
    """

    table: pl.DataFrame
    by: list[str]
    ties: str

    def to_polars(self) -> pl.DataFrame:
        """The curve table."""
        return self.table

    def _repr_html_(self) -> str:
        return f"<b>Cumulative hazard</b> ({self.ties})" + self.table._repr_html_()


def nelson_aalen(
    data: Any,
    *,
    duration: str,
    event: str,
    entry: str | None = None,
    by: str | Sequence[str] | None = None,
    weights: str | None = None,
    ties: Literal["nelson-aalen", "fleming-harrington"] = "nelson-aalen",
    event_values: EventValues | None = None,
) -> CumulativeHazard:
    """Cumulative hazard of leaving.

    ``ties="nelson-aalen"``: increments d/n, variance Σ d/n² (R ``ctype = 1``);
    ``"fleming-harrington"``: tied exits leave one at a time, Σ_{j<m} w̄/(n − j w̄)
    (R ``ctype = 2``).

    Parameters
    ----------
    data
        One row per person (or spell): any table hrh reads, or, for registers larger
        than memory, a polars LazyFrame, a Parquet path or a Dask DataFrame, reduced
        batch by batch to counts per group, duration and event (the same curve; see the
        guide's Data at scale page). Not modified.
    duration
        Column of times in post at exit or censoring, numeric, >= 0; a null or NaN is an
        InputError.
    event
        Column of exit indicators: 1 or True = left, 0 or False = censored; any other
        value, or a null, is an InputError.
    entry
        Column of entry times (delayed entry), below `duration`; None: from time 0.
    by
        Column(s) whose groups get one curve each; None: one curve.
    weights
        Column of case weights (> 0); None: every row counts once.
    ties
        ``"nelson-aalen"`` (default) or ``"fleming-harrington"``, as above.
    event_values
        How to read an `event` column of labels, as in :func:`kaplan_meier`: a mapping
        label -> code (0: still in post; a positive code: an exit) or a list of the
        labels that are exits. None (default): `event` holds 0/1 codes.

    Returns
    -------
    CumulativeHazard
        ``.table``: the `by` columns, ``time``, ``at_risk``, ``events``,
        ``cumulative_hazard`` and ``std_err``.

    Raises
    ------
    InputError
        A column that `data` lacks; a null, NaN, negative or non-numeric duration; an
        event that is not 0/1; an entry not below its duration; a weight that is not
        > 0; `data` without rows; `ties` not one of its values.

    References
    ----------
    Nelson W (1972). Theory and applications of hazard plotting for censored failure
    data. Technometrics 14:945-966.
    Aalen O (1978). Nonparametric inference for a family of counting processes. Ann
    Stat 6:701-726.
    Fleming TR, Harrington DP (1984). Nonparametric estimation of the survival
    distribution in censored data. Commun Stat Theory Methods 13:2469-2486.

    Examples
    --------
    >>> import hrh
    >>> d = {"t": [1, 2, 3, 3, 3], "e": [1, 0, 1, 1, 0]}
    >>> hrh.nelson_aalen(d, duration="t", event="e").table["cumulative_hazard"].to_list()
    [0.2, 0.2, 0.8666666666666667]
    """
    data, weights = _read(
        data,
        duration=duration,
        event=event,
        entry=entry,
        weights=weights,
        by=by,
        event_values=event_values,
    )
    r, by_cols, keys = _curves(
        data,
        duration=duration,
        event=event,
        entry=entry,
        weights=weights,
        by=by,
        unweighted=lambda t, e, g, n: _core.nelson_aalen_unweighted(
            t, e, g, n, names=(duration, event), ties=str(ties)
        ),
        general=lambda s: _core.nelson_aalen(
            s.time, s.event, s.entry, s.weights, s.codes, max(s.keys.height, 1), ties=str(ties)
        ),
    )
    return CumulativeHazard(table=_with_keys(r, by_cols, keys), by=by_cols, ties=str(ties))
