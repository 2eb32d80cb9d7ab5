"""The result of a projection (:class:`Projection`), built from the core's arrays."""

from __future__ import annotations

from dataclasses import dataclass, field
from html import escape
from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl

from hrh import _core
from hrh.exceptions import InputError

# The core's quantiles over draws (5, 25, 50, 75 and 95 %) as the result contract names
# them: the central interval at level L % runs from the (100 - L) / 2 % quantile,
# `_lower_L`, to the (100 + L) / 2 % quantile, `_upper_L`; the 50 % quantile is `_median`.
_Q = ["lower_90", "lower_50", "median", "upper_50", "upper_90"]


def _summary_columns(raw: dict[str, Any], key: str, out: str) -> dict[str, Any]:
    q = np.asarray(raw[f"{key}_quantiles"]).reshape(-1, len(_Q))
    cols: dict[str, Any] = {f"{out}": raw[f"{key}_mean"]}
    for j, name in enumerate(_Q):
        cols[f"{out}_{name}"] = q[:, j]
    return cols


@dataclass(frozen=True)
class PairedDraws:
    """Every draw's totals, kept for paired comparisons (see `hrh.compare`).

    `shortage` and `supply` are (draws, years, cells) over the cells of `cells` (cadre,
    grade; cadre "all" last); `cost` is (draws, projected years, cadres, items); `after`,
    with `horizon_value=True`, is (draws, years after the horizon, cadres, 2): the expected
    person-years in post of the staff at the horizon, and their salaries.
    """

    years: list[int]
    cells: list[tuple[str, str | None]]
    shortage: npt.NDArray[np.float64]
    supply: npt.NDArray[np.float64]
    cadres: list[str]
    items: list[str]
    cost: npt.NDArray[np.float64]
    after: npt.NDArray[np.float64] | None = None


@dataclass(frozen=True)
class Projection:
    """A simulated scenario: supply, demand and gap by year, region and cadre.

    Attributes
    ----------
    name, policies
        The scenario's name and the policies switched on.
    draws, seed
        Monte Carlo draws (0 = the deterministic path at parameter means) and
        the seed that reproduces them.
    quantiles
        "exact" (type-7 quantiles of all draws) or "streaming" (extended P²).
    table
        Per year, region and cadre: `supply`, `demand`, `gap` (demand - supply),
        `shortage` (max(gap, 0)) and `surplus` (max(-gap, 0)), each the mean over draws
        with the median over draws (`_median`, e.g. `supply_median`) and the central
        50 % and 90 % intervals over draws (`_lower_50` / `_upper_50`, the 25 % and
        75 % quantiles; `_lower_90` / `_upper_90`, the 5 % and 95 % quantiles), and
        `p_gap_positive` (share of draws in which demand exceeds supply).
    totals
        Per year and cadre over all regions, and for all cadres (`cadre` = "all"):
        `supply` and `demand` (sums); `shortage`, the sum over cells (region x cadre) of
        each cell's shortage, and `surplus`, the sum of each cell's surplus, so that a
        surplus in one region never hides a shortage in another; `net_gap` = shortage -
        surplus = demand - supply (netted, named so); each with quantiles over draws (of
        the sums, not sums of quantiles); `p_shortage`, the share of draws in which some
        cell is short, and `p_net_gap_positive`, the share in which the net gap is
        positive.
    grade_table, grade_totals
        The same as `table` and `totals` per grade (column
        `grade`) of every cadre with several grades: supply by grade always; demand,
        shortage and surplus where the cadre's demand is given by grade
        (`demand_by_grade`), else null. A cadre with demand by grade counts its shortage
        grade by grade in `totals`: 10 specialists short and 10 general doctors over
        is a shortage of 10, not a net gap of 0.
    shortage_draws
        Every draw's total `shortage` and `supply` per year, cadre and grade
        (null grade: the cadre; cadre "all": every cadre), which `compare` pairs draw by
        draw with every draw's costs; None when these would need over 128 MiB.
    flows
        Mean flows per projected year, region and cadre (`stock_start`, `deaths`,
        `attrition`, `to_training`, `out_migration`, `in_migration`, `retirements`,
        `returns`, `entrants`, `stock_end`, `in_training`, `training_losses`, and
        `promotions` between grades of the cadre, which do not change its total).
    costs
        Mean cost per projected year, region, cadre and item. Items: `salary` (each
        grade's salary times its staff in post, the mean of the year's start and end),
        `training` (per trainee-year and one-off per trainee sent), `bond_buyout`
        (buy-outs repaid by those who leave during a bond: negative), then the items of
        the policies switched on.
    cost_totals
        The cost over all regions and cadres per projected year and item (item
        "all": every item), the mean over draws with its median and 50 % and 90 %
        intervals over draws (`cost_median`, `cost_lower_50` ... `cost_upper_90`).
    draws_table
        With `keep_draws=True`, supply and demand of every draw.

    References
    ----------
    World Health Organization (2016). Global strategy on human resources for health:
    Workforce 2030. Geneva: WHO (supply, need and the gap between them).
    Hyndman RJ, Fan Y (1996). Sample quantiles in statistical packages. The American
    Statistician 50:361-365 (type-7 quantiles).
    Jain R, Chlamtac I (1985). The P² algorithm for dynamic calculation of quantiles
    and histograms without storing observations. CACM 28:1076-1085 (streaming).

    Examples
    --------
    >>> import hrh
    >>> doc = {"start_year": 2024, "horizon": 2, "regions": ["A", "B"],
    ...        "cadres": [{"name": "nurse", "retirement_age": 60, "attrition": {"rate": 0.1},
    ...                    "demand": {"method": "quota", "quota": {"A": 100, "B": 50}}}],
    ...        "stock": [{"region": "A", "cadre": "nurse", "age": 30, "count": 90},
    ...                  {"region": "B", "cadre": "nurse", "age": 30, "count": 70}]}
    >>> p = hrh.simulate(doc, draws=0)
    >>> p.totals.filter(year=2024, cadre="all").select("shortage", "surplus", "net_gap").rows()
    [(10.0, 20.0, -10.0)]
    """

    name: str
    policies: tuple[str, ...]
    draws: int
    seed: int
    quantiles: str
    currency: str
    table: pl.DataFrame
    totals: pl.DataFrame
    flows: pl.DataFrame
    costs: pl.DataFrame
    draws_table: pl.DataFrame | None
    shortage_draws: pl.DataFrame | None
    grade_table: pl.DataFrame
    grade_totals: pl.DataFrame
    cost_totals: pl.DataFrame = field(default_factory=pl.DataFrame)
    _draws: PairedDraws | None = field(default=None, repr=False, compare=False)
    _source: tuple[str, Any] | None = field(default=None, repr=False, compare=False)

    @property
    def label(self) -> str:
        """The scenario name with its policies, e.g. "province + incentive"."""
        return " + ".join([self.name, *self.policies]) if self.policies else self.name

    def parameter_draws(self) -> pl.DataFrame:
        """Every draw's values of the scenario's uncertain parameters: a `draw` column
        and one column per parameter, named by its scenario key (e.g.
        `cadres[0].attrition.rate`), exactly as the draws sampled them (they are
        regenerated from the seed, not stored).

        Raises
        ------
        InputError
            A projection without draws.
        """
        if self.draws == 0 or self._source is None:
            raise InputError("parameter_draws needs a projection with draws (draws > 0)")
        js, stock = self._source
        paths, values = _core.param_draws(js, stock=stock, seed=self.seed, draws=self.draws)
        x = np.asarray(values).reshape(self.draws, len(paths))
        return pl.DataFrame(
            {"draw": np.arange(self.draws, dtype=np.int32)}
            | {p: x[:, j] for j, p in enumerate(paths)}
        )

    def to_polars(self) -> pl.DataFrame:
        return self.table

    def _repr_html_(self) -> str:
        last = self.totals.filter(pl.col("year") == self.totals["year"].max())
        return (
            f"<b>Projection</b> {escape(self.label)}: {self.draws} draws (seed {self.seed})"
            + last._repr_html_()
        )

    def plot(self, *, region: str | None = None, cadre: str | None = None, ax: Any = None) -> Any:
        """Fan chart of supply against demand (all regions and cadres unless named).

        Parameters
        ----------
        region
            Only this region; None: the sum over regions.
        cadre
            Only this cadre; None: every cadre.
        ax
            Matplotlib Axes to draw on; None: a new figure.

        Returns
        -------
        matplotlib.axes.Axes
            Needs matplotlib (``pip install 'hrh[plot]'``).
        """
        from hrh.plot import projection

        return projection(self, region=region, cadre=cadre, ax=ax)


_POPULATION = "\0population"  # the core's population cell (never a cadre name: NUL)


def _with_population(totals: pl.DataFrame, raw: dict[str, Any], height: int) -> pl.DataFrame:
    """Totals with the population of their regions and, from every draw's Theil index,
    the share of draws in which it is below the start year's; the population cell's own
    rows dropped."""
    is_pop = pl.col("cadre") == _POPULATION
    pop = totals.filter(is_pop).select("year", population="supply")
    out = totals.filter(~is_pop).join(pop, on="year", maintain_order="left")
    theil = np.asarray(raw["draws_theil"])
    if len(theil):
        per_year = theil.reshape(-1, len(raw["years"]), height // len(raw["years"]))
        below = (per_year < per_year[:, :1, :]).mean(axis=0).ravel()
        p = pl.Series("p_theil_below_start", below, dtype=pl.Float64)
        frame = totals.select("year", "cadre", "grade").with_columns(p)
        out = out.join(frame, on=["year", "cadre", "grade"], how="left", nulls_equal=True)
    else:
        out = out.with_columns(p_theil_below_start=pl.lit(None, dtype=pl.Float64))
    return out.with_columns(
        pl.when(pl.col("theil").is_null())
        .then(None)
        .otherwise(pl.col("p_theil_below_start"))
        .alias("p_theil_below_start")
    )


def _projection(
    raw: dict[str, Any],
    policies: list[str],
    draws: int,
    seed: int,
    quantiles: str,
    source: tuple[str, Any] | None = None,
) -> Projection:
    years, regions, cadres = raw["years"], raw["regions"], raw["cadres"]
    ny, nr, nc = len(years), len(regions), len(cadres)
    # The core's cells per year and region: the cadres, then the grades of each cadre with
    # several grades.
    cell_cadre = list(cadres)
    cell_grade: list[str | None] = [None] * nc
    for c, grades in zip(cadres, raw["grades"], strict=True):
        if len(grades) > 1:
            cell_cadre += [c] * len(grades)
            cell_grade += grades
    density = len(raw["density_mean"]) > 0
    if density:  # the population's cell, last
        cell_cadre.append(_POPULATION)
        cell_grade.append(None)
    nw = len(cell_cadre)
    year_col = np.asarray(years, dtype=np.int32)
    idx = pl.DataFrame(
        [
            pl.Series("year", np.repeat(year_col, nr * nw)),
            pl.Series("region", regions, dtype=pl.String).gather(
                np.tile(np.repeat(np.arange(nr), nw), ny)
            ),
            pl.Series("cadre", cell_cadre, dtype=pl.String).gather(np.tile(np.arange(nw), ny * nr)),
            pl.Series("grade", cell_grade, dtype=pl.String).gather(np.tile(np.arange(nw), ny * nr)),
        ]
    )
    cols: dict[str, Any] = {}
    for key in ("supply", "demand", "gap", "shortage", "surplus"):
        cols |= _summary_columns(raw, key, key)
    if density:
        cols |= _summary_columns(raw, "density", "density_per_1000")
    cells = idx.with_columns(
        *[pl.Series(k, v, dtype=pl.Float64) for k, v in cols.items()],
        pl.Series("p_gap_positive", raw["p_gap"], dtype=pl.Float64),
    ).with_columns(pl.selectors.float().fill_nan(None))
    if density:
        is_pop = pl.col("cadre") == _POPULATION
        pop = cells.filter(is_pop).select("year", "region", population="supply")
        cells = cells.filter(~is_pop).join(pop, on=["year", "region"], maintain_order="left")
        cells = cells.select(
            *cells.columns[:4], "population", pl.exclude(cells.columns[:4], "population")
        )
    table = cells.filter(pl.col("grade").is_null()).drop("grade")
    grade_table = cells.filter(pl.col("grade").is_not_null())
    tidx = pl.DataFrame(
        {
            "year": np.repeat(year_col, nw + 1),
            "cadre": [*cell_cadre, "all"] * ny,
            "grade": [*cell_grade, None] * ny,
        },
        schema={"year": pl.Int32, "cadre": pl.String, "grade": pl.String},
    )
    tcols: dict[str, Any] = {}
    for key, out in (
        ("supply", "supply"),
        ("demand", "demand"),
        ("shortage", "shortage"),
        ("surplus", "surplus"),
        ("gap", "net_gap"),
    ):
        tcols |= _summary_columns(raw, f"total_{key}", out)
    if density:
        tcols |= _summary_columns(raw, "total_density", "density_per_1000")
        tcols |= _summary_columns(raw, "total_theil", "theil")
    all_totals = tidx.with_columns(
        *[pl.Series(k, v, dtype=pl.Float64) for k, v in tcols.items()],
        pl.Series("p_shortage", raw["total_p_short"], dtype=pl.Float64),
        pl.Series("p_net_gap_positive", raw["total_p_gap"], dtype=pl.Float64),
    ).with_columns(pl.selectors.float().fill_nan(None))
    if density:
        all_totals = _with_population(all_totals, raw, tidx.height)
    totals = all_totals.filter(pl.col("grade").is_null()).drop("grade")
    grade_totals = all_totals.filter(pl.col("grade").is_not_null())
    shortage_draws = None
    if len(raw["draws_shortage"]):
        n = len(raw["draws_shortage"]) // tidx.height
        shortage_draws = (
            tidx[np.tile(np.arange(tidx.height), n)]
            .with_columns(
                pl.Series("draw", np.repeat(np.arange(n, dtype=np.int32), tidx.height)),
                pl.Series("shortage", raw["draws_shortage"], dtype=pl.Float64).fill_nan(None),
            )
            .filter(pl.col("cadre") != _POPULATION)
        )
    idx = idx.filter(pl.col("grade").is_null() & (pl.col("cadre") != _POPULATION)).drop("grade")
    pidx = idx.filter(pl.col("year") > years[0])
    fl = np.asarray(raw["flows"]).reshape(-1, len(raw["flow_names"]))
    flows = pidx.with_columns(
        *[pl.Series(n, fl[:, j], dtype=pl.Float64) for j, n in enumerate(raw["flow_names"])]
    )
    items = raw["cost_items"]
    co = np.asarray(raw["costs"]).reshape(-1, len(items))
    ni = len(items)
    costs = pidx[np.repeat(np.arange(pidx.height), ni)].with_columns(
        pl.Series("item", items, dtype=pl.String).gather(np.tile(np.arange(ni), pidx.height)),
        pl.Series("cost", co.ravel(), dtype=pl.Float64),
    )
    ct = len(items) + 1
    cost_totals = pl.DataFrame(
        {
            "year": np.repeat(year_col[1:], ct),
            "item": [*items, "all"] * (ny - 1),
        },
        schema={"year": pl.Int32, "item": pl.String},
    ).with_columns(
        *[
            pl.Series(k, v, dtype=pl.Float64)
            for k, v in _summary_columns(raw, "total_cost", "cost").items()
        ]
    )
    paired = None
    if len(raw["draws_shortage"]):
        keep = [i for i, c in enumerate([*cell_cadre, "all"]) if c != _POPULATION]
        n = len(raw["draws_shortage"]) // tidx.height
        shape = (n, ny, nw + 1)
        paired = PairedDraws(
            years=list(years),
            cells=[([*cell_cadre, "all"][i], [*cell_grade, None][i]) for i in keep],
            shortage=np.asarray(raw["draws_shortage"]).reshape(shape)[:, :, keep],
            supply=np.asarray(raw["draws_total_supply"]).reshape(shape)[:, :, keep],
            cadres=list(cadres),
            items=list(items),
            cost=np.asarray(raw["draws_cost"]).reshape(n, ny - 1, nc, len(items)),
            after=np.asarray(raw["draws_after"]).reshape(n, -1, nc, 2)
            if len(raw["draws_after"])
            else None,
        )
        shortage_draws = (
            shortage_draws.with_columns(
                pl.Series(
                    "supply",
                    np.asarray(raw["draws_total_supply"]).reshape(shape)[:, :, keep].ravel(),
                    dtype=pl.Float64,
                )
            )
            if shortage_draws is not None
            else None
        )
    draws_table = None
    if len(raw["draws_supply"]):
        n = len(raw["draws_supply"]) // (ny * nr * nc)
        draws_table = pl.concat([idx] * n).with_columns(
            pl.Series("draw", np.repeat(np.arange(n, dtype=np.int32), ny * nr * nc)),
            pl.Series("supply", raw["draws_supply"]),
            pl.Series("demand", raw["draws_demand"]).fill_nan(None),
        )
    return Projection(
        name=raw["name"],
        policies=tuple(policies),
        draws=draws,
        seed=seed,
        quantiles=quantiles,
        currency=raw["currency"],
        table=table,
        totals=totals,
        flows=flows,
        costs=costs,
        draws_table=draws_table,
        shortage_draws=shortage_draws,
        grade_table=grade_table,
        grade_totals=grade_totals,
        cost_totals=cost_totals,
        _draws=paired,
        _source=source,
    )


def _shortage_draws(
    p: Projection, cadre: str, grade: str | None, region: str | None
) -> npt.NDArray[np.float64] | None:
    """Every draw's shortage per year (draws x years) of a cadre ("all": every cadre) or
    one of its grades over all regions, or of one region's cadre; None when the draws
    were not kept."""
    if region is None:
        if p.shortage_draws is None:
            return None
        same_grade = pl.col("grade").is_null() if grade is None else pl.col("grade") == grade
        d = p.shortage_draws.filter((pl.col("cadre") == cadre) & same_grade)
        x = d["shortage"].fill_null(float("nan")).to_numpy()
    else:
        if p.draws_table is None or grade is not None:
            return None
        d = p.draws_table.filter((pl.col("region") == region) & (pl.col("cadre") == cadre))
        gap = (d["demand"] - d["supply"]).fill_null(float("nan")).to_numpy()
        x = np.where(np.isnan(gap), np.nan, np.maximum(gap, 0.0))
    years = d["year"].n_unique()
    return np.asarray(x, dtype=np.float64).reshape(-1, years)
