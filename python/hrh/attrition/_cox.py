"""Cox proportional-hazards models of who leaves."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from statistics import NormalDist
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import numpy.typing as npt
import polars as pl

from hrh import _core
from hrh._frames import (
    as_list,
    check_level,
    check_no_nulls,
    check_numeric,
    float_array,
    group_codes,
    require_columns,
    to_frame,
)
from hrh.attrition._common import EventValues, _surv, _with_events
from hrh.attrition._life_table import _chisq_sf
from hrh.exceptions import InputError

if TYPE_CHECKING:  # pragma: no cover
    pass

# --- Cox --------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Design:
    names: list[str]
    numeric: list[str]
    levels: dict[str, list[Any]]
    columns: list[str]

    def matrix(self, df: pl.DataFrame, *, table: str = "data") -> npt.NDArray[np.float64]:
        parts: list[npt.NDArray[np.float64]] = []
        for col in self.columns:
            require_columns(df, [col], role="covariates", table=table)
            check_no_nulls(df, col, table=table)
            if col in self.levels:
                s = df.get_column(col)
                s = s.cast(pl.String)
                lv = [str(v) for v in self.levels[col]]
                bad = (~s.is_in(lv)).arg_true()
                if len(bad):
                    row = int(bad[0])
                    raise InputError(
                        f"column '{col}', row {row}: level {s[row]!r} was not seen when fitting"
                    )
                for level in lv[1:]:
                    parts.append((s == level).cast(pl.Float64).to_numpy())
            else:
                check_numeric(df, col, minimum="any", table=table)
                parts.append(df.get_column(col).cast(pl.Float64).to_numpy())
        return np.ascontiguousarray(np.column_stack(parts), dtype=np.float64)


def _level_text(v: Any) -> str:
    """A category level as text, as polars casts it (True -> "true")."""
    return str(v).lower() if isinstance(v, bool | np.bool_) else str(v)


def _design(
    df: pl.DataFrame, covariates: Sequence[str], reference: Mapping[str, Any] | None
) -> _Design:
    names: list[str] = []
    levels: dict[str, list[Any]] = {}
    numeric: list[str] = []
    reference = dict(reference or {})
    for col in covariates:
        s = df.get_column(col)
        if s.dtype.is_numeric():
            numeric.append(col)
            names.append(col)
            continue
        if s.dtype not in (pl.String, pl.Categorical, pl.Boolean) and not isinstance(
            s.dtype, pl.Enum
        ):
            raise InputError(f"column '{col}' has type {s.dtype}; expected numbers or categories")
        # Levels as polars writes them as text (booleans are "false" and "true"), the form
        # `matrix` compares with.
        lv = sorted(s.drop_nulls().cast(pl.String).unique().to_list())
        if col in reference:
            ref = _level_text(reference[col])
            if ref not in lv:
                raise InputError(f"reference: level {ref!r} is not in column '{col}' ({lv})")
            lv = [ref] + [v for v in lv if v != ref]
        if len(lv) < 2:
            raise InputError(
                f"column '{col}': has a single level {lv!r}, so its effect cannot be "
                "estimated; drop it"
            )
        levels[col] = lv
        names.extend(f"{col}[{v}]" for v in lv[1:])
    for k in reference:
        if k not in levels:
            raise InputError(f"reference: column '{k}' is not a categorical covariate")
    return _Design(names=names, numeric=numeric, levels=levels, columns=list(covariates))


@dataclass(frozen=True)
class CoxResult:
    """A fitted Cox proportional-hazards model.

    Attributes
    ----------
    summary : polars.DataFrame
        ``term``, ``coef``, ``se``, ``z``, ``p``, ``hazard_ratio``, ``lower``, ``upper``
        (interval of the hazard ratio at `level`).
    loglik : tuple of float
        Log partial likelihood at β = 0 and at the estimate.
    tests : polars.DataFrame
        Likelihood-ratio, Wald and score tests: ``test``, ``statistic``, ``df``, ``p``.
    concordance, concordance_std_err : float or None
        Harrell's C and its infinitesimal-jackknife standard error, as R's
        ``concordance`` computes them; ``None`` when no pair of rows can be compared.
    baseline_hazard : polars.DataFrame
        Cumulative hazard at covariates 0 (reference levels): (strata,) ``time``,
        ``hazard`` (R's ``basehaz(fit, centered = FALSE)``).
    n, n_events : int, float
        Rows used, and the (weighted) number of exits.
    iterations : int
        Newton-Raphson iterations to convergence.

    References
    ----------
    Cox DR (1972). Regression models and life-tables. JRSS B 34:187-220.
    Harrell FE, Califf RM, Pryor DB, Lee KL, Rosati RA (1982). Evaluating the yield of
    medical tests. JAMA 247:2543-2546 (concordance).
    Breslow NE (1972). Discussion of the paper by D. R. Cox. JRSS B 34:216-217
    (baseline hazard).

    Examples
    --------
    >>> import hrh
    >>> d = {"t": [5, 8, 2, 9, 4, 7, 3, 6], "left": [1, 0, 1, 1, 1, 0, 1, 1],
    ...      "commune": [1, 0, 1, 0, 1, 0, 0, 1]}
    >>> m = hrh.cox(d, duration="t", event="left", covariates=["commune"])
    >>> m.n, m.n_events, m.tests["test"].to_list()
    (8, 6.0, ['likelihood_ratio', 'wald', 'score'])
    >>> m.predict_survival({"commune": [0, 1]}, times=[5])["survival"].round(3).to_list()
    [0.823, 0.309]
    """

    summary: pl.DataFrame
    loglik: tuple[float, float]
    tests: pl.DataFrame
    concordance: float | None
    concordance_std_err: float | None
    baseline_hazard: pl.DataFrame
    n: int
    n_events: float
    iterations: int
    ties: str
    variance: npt.NDArray[np.float64] = field(repr=False)
    _design: _Design = field(repr=False)
    _strata: list[str] = field(repr=False)
    _strata_keys: pl.DataFrame = field(repr=False)
    _core_fit: dict[str, Any] = field(repr=False)

    @property
    def coef(self) -> npt.NDArray[np.float64]:
        """Coefficients (log hazard ratios)."""
        return self.summary["coef"].to_numpy()

    def predict_survival(self, new_data: Any, times: Any) -> pl.DataFrame:
        """Survival S(t | x) = exp(−H₀(t) e^{xβ}) of each row of `new_data` at `times`.

        Parameters
        ----------
        new_data
            Any table hrh reads with the model's covariate columns (and strata
            columns, if the model has strata); categorical levels must be ones the
            model knows.
        times
            Times at which to evaluate the survival (array-like of numbers).

        Returns
        -------
        polars.DataFrame
            ``row`` (the row of `new_data`), (the strata columns), ``time``,
            ``survival``.
        """
        df = to_frame(new_data, name="new_data")
        x = self._design.matrix(df, table="new_data")
        t = float_array(times, "times")
        fit = self._core_fit
        frames = []
        if self._strata:
            for c in self._strata:
                require_columns(df, [c], role="strata", table="new_data")
            keyed = self._strata_keys.with_row_index("__s")
            codes = df.select(self._strata).join(
                keyed, on=self._strata, how="left", maintain_order="left"
            )["__s"]
            if codes.null_count():
                row = int(codes.is_null().arg_true()[0])
                raise InputError(f"new_data, row {row}: stratum not seen when fitting")
            stratum_of = codes.to_list()
        else:
            stratum_of = [0] * df.height
        for r in range(df.height):
            s = _core.cox_predict(
                fit["coef"],
                fit["baseline_stratum"],
                fit["baseline_time"],
                fit["baseline_hazard"],
                np.ascontiguousarray(x[r : r + 1]),
                int(stratum_of[r]),
                t,
            )
            f = pl.DataFrame({"row": np.full(t.size, r), "time": t, "survival": s[0]})
            if self._strata:
                f = f.with_columns(pl.lit(df[r, c]).alias(c) for c in self._strata)
            frames.append(f)
        return pl.concat(frames).select(["row", *self._strata, "time", "survival"])

    def to_polars(self) -> pl.DataFrame:
        """The coefficient table."""
        return self.summary

    def _repr_html_(self) -> str:
        lr = self.tests.row(0, named=True)
        c = self.concordance
        return (
            f"<b>Cox model</b> ({self.ties} ties): n = {self.n}, exits = {self.n_events:g}, "
            f"concordance = {'undefined' if c is None else f'{c:.3f}'}, "
            f"LR chi² = {lr['statistic']:.4g} on "
            f"{lr['df']} df (p = {lr['p']:.3g})" + self.summary._repr_html_()
        )


def _finite_or_none(x: Any) -> float | None:
    v = float(x)
    return v if math.isfinite(v) else None


def cox(
    data: Any,
    *,
    duration: str,
    event: str,
    covariates: Sequence[str],
    entry: str | None = None,
    strata: str | Sequence[str] | None = None,
    weights: str | None = None,
    ties: Literal["efron", "breslow"] = "efron",
    robust: bool = False,
    reference: Mapping[str, Any] | None = None,
    level: float = 0.95,
    event_values: EventValues | None = None,
) -> CoxResult:
    """Cox proportional-hazards model of who leaves.

    Newton-Raphson on the partial likelihood from β = 0 with step halving, converged
    when the log-likelihood changes by less than 1e-9 relative (R's ``coxph``
    defaults). Numeric covariates enter as they are; categorical (string, categorical,
    boolean) ones by treatment contrasts against the first level in sorted order, or
    the level `reference` names.

    With ``robust=True`` the standard errors, z, p, intervals and the Wald test use the
    sandwich variance V (Σ (w r)(w r)ᵀ) V built from score residuals r (Efron-weighted
    at ties), as R's ``coxph(robust = TRUE)``; ``se_model`` keeps the model-based ones
    and ``tests`` gains R's robust score test.

    Parameters
    ----------
    data
        One row per person (or spell): any table hrh reads. Not modified.
    duration
        Column of times in post at exit or censoring, numeric, >= 0; a null or NaN is an
        InputError.
    event
        Column of exit indicators: 1 or True = left, 0 or False = censored.
    covariates
        Columns entering the model: numeric ones as they are, string, categorical or
        boolean ones as treatment contrasts (one term per non-reference level, named
        ``column[level]``). A null in a covariate is an InputError.
    entry
        Column of entry times (delayed entry), below `duration`; None: from time 0.
    strata
        Column(s) of strata, each with its own baseline hazard; None: one stratum.
    weights
        Column of case weights (> 0); None: every row counts once.
    ties
        ``"efron"`` (default, as R) or ``"breslow"`` handling of tied exit times.
    robust
        Sandwich (robust) standard errors, as above.
    reference
        Reference level of categorical covariates, by column (e.g.
        ``{"facility_level": "commune"}``); default the first level in sorted order.
    level
        Confidence level of the hazard-ratio intervals, in (0, 1).
    event_values
        How to read an `event` column of labels, as in :func:`kaplan_meier`: a mapping
        label -> code (0: still in post; a positive code: an exit) or a list of the
        labels that are exits. None (default): `event` holds 0/1 codes.

    Returns
    -------
    CoxResult
        ``.summary`` (``term``, ``coef``, ``se``, ``z``, ``p``, ``hazard_ratio``,
        ``lower``, ``upper``), ``.tests``, ``.loglik``, ``.concordance``,
        ``.baseline_hazard`` and ``.predict_survival()``.

    Raises
    ------
    InputError
        A column that `data` lacks; constant or collinear covariates (also a covariate
        constant within every stratum), fewer rows than covariates, a data set in which
        nobody leaves, bad durations, event codes or weights, a `reference` level the
        column does not have, `level` outside (0, 1).
    ConvergenceError
        A coefficient that runs off to infinity (monotone likelihood, e.g. a level in
        which nobody or everybody leaves), naming the covariate.

    References
    ----------
    Cox DR (1972). Regression models and life-tables. JRSS B 34:187-220.
    Efron B (1977). The efficiency of Cox's likelihood function for censored data.
    JASA 72:557-565.
    Therneau TM, Grambsch PM (2000). Modeling Survival Data: Extending the Cox Model.
    New York: Springer.

    Examples
    --------
    >>> import hrh
    >>> d = {"t": [5, 8, 2, 9, 4, 7, 3, 6], "left": [1, 0, 1, 1, 1, 0, 1, 1],
    ...      "commune": [1, 0, 1, 0, 1, 0, 0, 1]}
    >>> m = hrh.cox(d, duration="t", event="left", covariates=["commune"])
    >>> m.summary.select("term", "hazard_ratio").with_columns(
    ...     hazard_ratio=m.summary["hazard_ratio"].round(3))
    shape: (1, 2)
    ┌─────────┬──────────────┐
    │ term    ┆ hazard_ratio │
    │ ---     ┆ ---          │
    │ str     ┆ f64          │
    ╞═════════╪══════════════╡
    │ commune ┆ ...          │
    └─────────┴──────────────┘
    """
    check_level(level)
    data = _with_events(data, event, event_values)
    covs = as_list(covariates, "covariates")
    if not covs:
        raise InputError("covariates: give at least one covariate column")
    st_cols = as_list(strata, "strata")
    s = _surv(data, duration=duration, event=event, entry=entry, weights=weights)
    df = s.df
    require_columns(df, covs, role="covariates")
    for c in covs:
        check_no_nulls(df, c)
    require_columns(df, st_cols, role="strata")
    for c in st_cols:
        check_no_nulls(df, c)
    design = _design(df, covs, reference)
    x = design.matrix(df)
    st_codes, st_keys = group_codes(df, st_cols) if st_cols else (None, pl.DataFrame())
    r = _core.cox(
        s.time,
        s.event,
        x,
        design.names,
        s.entry,
        st_codes,
        s.weights,
        ties=str(ties),
        robust=bool(robust),
    )
    z = NormalDist().inv_cdf(1 - (1 - level) / 2)
    coef, se = np.asarray(r["coef"]), np.asarray(r["se"])
    summary = pl.DataFrame(
        {
            "term": design.names,
            "coef": coef,
            "se": se,
            **({"se_model": r["se_model"]} if robust else {}),
            "z": r["z"],
            "p": r["p"],
            "hazard_ratio": np.exp(coef),
            "lower": np.exp(coef - z * se),
            "upper": np.exp(coef + z * se),
        }
    )
    pv = r["test_p_values"]
    tests = pl.DataFrame(
        {
            "test": ["likelihood_ratio", "wald", "score"],
            "statistic": [r["lr_test"], r["wald_test"], r["score_test"]],
            "df": [int(r["df"])] * 3,
            "p": pv,
        }
    )
    if robust:
        rs = float(r["robust_score_test"])
        tests = pl.concat(
            [
                tests,
                pl.DataFrame(
                    {
                        "test": ["robust_score"],
                        "statistic": [rs],
                        "df": [int(r["df"])],
                        "p": [_chisq_sf(rs, int(r["df"]))],
                    }
                ),
            ]
        )
    base = pl.DataFrame({"time": r["baseline_time"], "hazard": r["baseline_hazard"]})
    if st_cols:
        base = pl.concat(
            [st_keys[np.asarray(r["baseline_stratum"]).tolist()], base], how="horizontal"
        )
    return CoxResult(
        summary=summary,
        loglik=(float(r["loglik_null"]), float(r["loglik"])),
        tests=tests,
        # Null where no pair of rows is comparable (e.g. every duration tied).
        concordance=_finite_or_none(r["concordance"]),
        concordance_std_err=_finite_or_none(r["concordance_std_err"]),
        baseline_hazard=base,
        n=df.height,
        n_events=float(r["n_events"]),
        iterations=int(r["iterations"]),
        ties=str(ties),
        variance=np.asarray(r["var"]),
        _design=design,
        _strata=st_cols,
        _strata_keys=st_keys,
        _core_fit=r,
    )
