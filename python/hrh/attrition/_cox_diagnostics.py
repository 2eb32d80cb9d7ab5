"""Diagnostics of a fitted Cox model: its residuals (R's ``residuals.coxph``) and the
test of proportional hazards on scaled Schoenfeld residuals (R's ``cox.zph``), with
:class:`CoxZph`, the test's result. :class:`CoxResult`'s ``residuals`` and ``zph``
methods call the functions here."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

import numpy as np
import polars as pl

from hrh._frames import rows_of
from hrh.exceptions import InputError

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes

    from hrh.attrition._cox_result import CoxResult

ResidualType = Literal["martingale", "deviance", "score", "schoenfeld", "dfbeta", "dfbetas"]
ZphTransform = Literal["km", "rank", "identity", "log"]


@dataclass(frozen=True)
class CoxZph:
    """Test of proportional hazards of a Cox model (R's ``cox.zph``).

    Attributes
    ----------
    table : polars.DataFrame
        ``term`` (each covariate, then ``global``), ``statistic`` (chi-square),
        ``df``, ``p_value``.
    residuals : polars.DataFrame
        Scaled Schoenfeld residuals, one row per exit: ``row`` (of the data), (the
        strata columns), ``time``, ``transformed_time`` and one column per covariate
        (an estimate of its coefficient at that time, β̂ + V̄⁻¹ r; for a categorical
        covariate of several levels the projection on β̂, centred at 1; null where the
        covariate is constant within the exit's stratum).
    transform : str
        The time scale: ``"km"``, ``"rank"``, ``"identity"`` or ``"log"``.

    References
    ----------
    Grambsch PM, Therneau TM (1994). Proportional hazards tests and diagnostics based
    on weighted residuals. Biometrika 81:515-526.

    Examples
    --------
    >>> import hrh
    >>> d = {"t": [5, 8, 2, 9, 4, 7, 3, 6], "left": [1, 0, 1, 1, 1, 0, 1, 1],
    ...      "commune": [1, 0, 1, 0, 1, 0, 0, 1]}
    >>> z = hrh.cox(d, duration="t", event="left", covariates=["commune"]).zph("rank")
    >>> z.transform, z.residuals.columns
    ('rank', ['row', 'time', 'transformed_time', 'commune'])
    """

    table: pl.DataFrame
    residuals: pl.DataFrame
    transform: str
    _reference: dict[str, float] = field(repr=False)

    def to_polars(self) -> pl.DataFrame:
        """The test table."""
        return self.table

    def plot(self, covariate: str | None = None, ax: Axes | None = None) -> Axes:
        """Scaled Schoenfeld residuals of `covariate` against transformed time, with
        a local mean (tricube kernel over a third of the range), the fitted
        coefficient (what proportional hazards predict: a flat line) dashed and zero
        dotted.

        Parameters
        ----------
        covariate
            A covariate of the model (as named in ``.table``); None: the first.
        ax
            Matplotlib Axes to draw on; None: a new figure.

        Returns
        -------
        matplotlib.axes.Axes
            Needs matplotlib (``pip install 'hrh[plot]'``).

        Raises
        ------
        InputError
            A `covariate` the model does not have.
        """
        if covariate is None:
            covariate = next(iter(self._reference))
        if covariate not in self._reference:
            raise InputError(
                f"argument 'covariate': {covariate!r} is not a covariate of the model "
                f"({', '.join(repr(k) for k in self._reference)})"
            )
        from hrh.plot import _axes

        ax = _axes(ax)
        d = self.residuals.select("transformed_time", covariate).drop_nulls()
        x = d["transformed_time"].to_numpy()
        y = d[covariate].to_numpy()
        ax.scatter(x, y, s=10, alpha=0.6, color="C0", label="scaled Schoenfeld residual")
        if x.size > 2 and float(x.max()) > float(x.min()):
            grid = np.linspace(float(x.min()), float(x.max()), 101)
            h = (float(x.max()) - float(x.min())) / 3
            u = np.clip(np.abs(grid[:, None] - x[None, :]) / h, 0, 1)
            k = (1 - u**3) ** 3
            ok = k.sum(axis=1) > 0
            smooth = (k * y[None, :]).sum(axis=1)[ok] / k.sum(axis=1)[ok]
            ax.plot(grid[ok], smooth, color="C1", label="local mean")
        ax.axhline(self._reference[covariate], color="C2", ls="--", label="fitted coefficient")
        ax.axhline(0.0, color="0.4", ls=":", lw=1)
        ax.set_xlabel(f"time ({self.transform} scale)")
        ax.set_ylabel(f"beta(t) for {covariate}")
        row = self.table.filter(pl.col("term") == covariate).row(0, named=True)
        ax.set_title(f"{covariate}: chi² = {row['statistic']:.3g}, p = {row['p_value']:.3g}")
        ax.legend(loc="best", fontsize="small")
        return ax

    def _repr_html_(self) -> str:
        return (
            f"<b>Test of proportional hazards</b> (Schoenfeld residuals, {self.transform} "
            "time scale)" + self.table._repr_html_()
        )


def _residuals(fit: CoxResult, type: ResidualType) -> pl.DataFrame:
    """The residuals of :meth:`CoxResult.residuals`."""
    a = fit._inputs
    r = fit._model.residuals(a.fitted(), kind=type)
    row = np.asarray(r["row"]).astype(np.int64)
    values = np.asarray(r["values"])
    if type in ("martingale", "deviance"):
        return pl.DataFrame({"row": row, type: values[:, 0]})
    cols = {name: values[:, j] for j, name in enumerate(fit._design.names)}
    if type != "schoenfeld":
        return pl.DataFrame({"row": row, **cols})
    out = pl.DataFrame({"row": row, "time": np.asarray(r["time"]), **cols})
    if fit._strata:
        keys = rows_of(fit._strata_keys, a.strata[row]) if a.strata is not None else None
        if keys is not None:
            out = pl.concat([out.select("row"), keys, out.drop("row")], how="horizontal")
    return out


def _zph(fit: CoxResult, transform: ZphTransform) -> CoxZph:
    """The test of :meth:`CoxResult.zph`."""
    a = fit._inputs
    r = fit._model.zph(a.fitted(), list(a.assign), transform=transform)
    terms = list(fit._design.columns)
    table = pl.DataFrame(
        {
            "term": [*terms, "global"],
            "statistic": np.asarray(r["chisq"]),
            "df": [int(v) for v in r["df"]],
            "p_value": np.asarray(r["p"]),
        }
    )
    row = np.asarray(r["row"]).astype(np.int64)
    scaled = np.asarray(r["scaled"])
    res = pl.DataFrame(
        {
            "row": row,
            "time": np.asarray(r["time"]),
            "transformed_time": np.asarray(r["x"]),
            **{name: pl.Series(name, scaled[:, j]).fill_nan(None) for j, name in enumerate(terms)},
        }
    )
    if fit._strata and a.strata is not None:
        keys = rows_of(fit._strata_keys, a.strata[row])
        res = pl.concat([res.select("row"), keys, res.drop("row")], how="horizontal")
    coef = fit.coef
    reference = {}
    for j, name in enumerate(terms):
        idx = [k for k, g in enumerate(a.assign) if g == j]
        reference[name] = float(coef[idx[0]]) if len(idx) == 1 else 1.0
    return CoxZph(table=table, residuals=res, transform=transform, _reference=reference)
