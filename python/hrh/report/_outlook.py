"""Report sections on the years ahead: a series extrapolated by the trend model that
backtests best (:func:`trend_section`), and a scenario projected with its policies,
their shortages and costs compared (:func:`projection_section`)."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import Any

import polars as pl

import hrh
from hrh._frames import to_frame
from hrh.report._html import (
    NBSP,
    Section,
    _Format,
    _kpis,
    count,
    interval,
    number,
    percent,
    span,
    table_html,
)
from hrh.report._svg import fan_chart, plane_chart

_MODEL_NAMES = {
    "linear": "linear trend",
    "loglinear": "log-linear trend",
    "ses": "simple exponential smoothing",
    "holt": "Holt's linear trend",
    "damped": "damped trend (Holt)",
    "gm11": "grey model GM(1,1)",
    "arima": "ARIMA (automatic order)",
}


def trend_section(
    series: Any,
    *,
    time: str,
    value: str,
    label: str,
    horizon: int = 10,
    models: Sequence[str] = ("linear", "holt", "damped", "gm11", "arima"),
    holdout: int = 3,
    reference: Sequence[tuple[str, float]] = (),
) -> Section:
    """Extrapolate one series: rolling-origin backtest of several trend models, then a
    forecast fan from the model with the smallest backtest RMSE."""
    df = to_frame(series, name="series")
    bt = hrh.backtest(df, time=time, value=value, models=list(models), holdout=holdout)
    best = str(bt.sort("rmse")["model"][0])
    f = hrh.trend(df, time=time, value=value, model=best, horizon=horizon)  # type: ignore[arg-type]
    fc = f.forecast
    observed = df[value].cast(pl.Float64)
    whole = bool((observed.drop_nulls() % 1 == 0).all())
    fmt: _Format = count if whole else (lambda v: number(v, 2))
    has_intervals = bool(
        fc.select(pl.col("lower_95", "upper_95").is_not_null().all()).row(0) == (True, True)
    )
    chart = fan_chart(
        (df[time].cast(pl.Float64).to_list(), observed.to_list()),
        (fc[time].cast(pl.Float64).to_list(), fc["mean"].to_list()),
        [
            (fc["lower_95"].to_list(), fc["upper_95"].to_list()),
            (fc["lower_80"].to_list(), fc["upper_80"].to_list()),
        ],
        reference=reference,
        title=f"{label}: observed (black) and {_MODEL_NAMES.get(best, best)} forecast"
        + (", 80 % and 95 % intervals" if has_intervals else " (no intervals)"),
        xlabel=str(time),
        ylabel=label,
    )
    table = fc.select(
        time,
        "mean",
        pl.Series(
            "i80", [span(lo, hi, fmt) for lo, hi in fc.select("lower_80", "upper_80").rows()]
        ),
        pl.Series(
            "i95", [span(lo, hi, fmt) for lo, hi in fc.select("lower_95", "upper_95").rows()]
        ),
    )
    bt = bt.with_columns(pl.col("model").replace(_MODEL_NAMES))
    parts = [
        f"<p>Rolling-origin backtest over the last {holdout} points: from each origin, "
        f"forecasts 1 to {holdout} steps ahead, pooled. The model with the smallest RMSE, "
        f"<b>{escape(_MODEL_NAMES.get(best, best))}</b>, gives the forecast for the next "
        f"{horizon} periods"
        + ("." if has_intervals else "; it has no prediction intervals.")
        + "</p>",
        table_html(
            bt,
            labels={
                "model": "model",
                "n_forecasts": "forecasts compared",
                "rmse": f"RMSE ({label})",
                "mae": f"MAE ({label})",
                "mape": "MAPE (%)",
            },
        ),
        chart,
        table_html(
            table,
            labels={
                "mean": f"forecast: {label}",
                "i80": "80 % interval",
                "i95": "95 % interval",
            },
            formats={"mean": fmt},
        ),
    ]
    return Section(f"Trend forecast: {label}", "".join(parts))


def projection_section(
    scenario: Any,
    *,
    policies: Sequence[str | Sequence[str]] = (),
    draws: int = 1000,
    seed: int = 1,
) -> Section:
    """Project a scenario (baseline and each policy): supply against demand with
    uncertainty for all cadres, the final year by cadre and region, and the policies
    compared with their cost."""
    doc = hrh.load_scenario(scenario)  # read a file once for every run
    base = hrh.simulate(doc, draws=draws, seed=seed)
    runs = [base] + [hrh.simulate(doc, policy=p, draws=draws, seed=seed) for p in policies]
    t = base.totals.filter(pl.col("cadre") == "all")
    last = t.row(t.height - 1, named=True)
    first = t.row(0, named=True)
    has_demand = last["demand"] is not None
    kpis = [
        (f"staff {first['year']}", count(first["supply"])),
        (f"staff {last['year']} (median)", count(last["supply_median"])),
        (
            f"90 % interval {last['year']}",
            span(last["supply_lower_90"], last["supply_upper_90"], count),
        ),
    ]
    worst = ""
    if has_demand:
        kpis += [
            (f"need {last['year']}", count(last["demand"])),
            (f"shortage {last['year']}", count(last["shortage"])),
            (f"P(some region short) {last['year']}", percent(last["p_shortage"], 0)),
        ]
        short = (
            base.table.filter((pl.col("year") == last["year"]) & (pl.col("shortage") > 0.5))
            .sort("shortage", descending=True)
            .head(3)
        )
        if short.height:
            cells = ", ".join(
                f"{escape(str(r['region']))} {escape(str(r['cadre']))} "
                f"{interval(r['shortage'], r['shortage_lower_90'], r['shortage_upper_90'], count)}"
                for r in short.iter_rows(named=True)
            )
            worst = (
                f"<p><b>Largest shortages in {last['year']}</b> (mean, 90 % interval): "
                f"{cells}. The shortage adds each region's and cadre's unmet need; a surplus "
                f"elsewhere ({count(last['surplus'])} in all) does not offset it "
                f"(net gap {count(last['net_gap'])}).</p>"
            )
    years = [float(y) for y in t["year"]]
    chart = fan_chart(
        ([years[0]], [first["supply"]]),
        (years, t["supply_median"].to_list()),
        [
            (t["supply_lower_90"].to_list(), t["supply_upper_90"].to_list()),
            (t["supply_lower_50"].to_list(), t["supply_upper_50"].to_list()),
        ],
        lines=[("demand", years, t["demand"].to_list())] if has_demand else [],
        title=f"{base.name}: staff in post (median, 50 % and 90 % bands) and need",
        ylabel="staff in post (head count)",
    )
    final = base.table.filter(pl.col("year") == last["year"])
    rows = final.select(
        "region",
        "cadre",
        pl.Series(
            "supply",
            [
                interval(r[0], r[1], r[2], count)
                for r in final.select("supply", "supply_lower_90", "supply_upper_90").rows()
            ],
        ),
        "demand",
        pl.Series(
            "shortage",
            [
                interval(r[0], r[1], r[2], count)
                for r in final.select("shortage", "shortage_lower_90", "shortage_upper_90").rows()
            ],
        ),
        "surplus",
        "p_gap_positive",
    )
    if has_demand:
        chart += fan_chart(
            ([years[0]], [first["shortage"]]),
            (years, t["shortage_median"].to_list()),
            [
                (t["shortage_lower_90"].to_list(), t["shortage_upper_90"].to_list()),
                (t["shortage_lower_50"].to_list(), t["shortage_upper_50"].to_list()),
            ],
            title=f"{base.name}: shortage, region by region (median, 50 %, 90 %)",
            ylabel="staff short (head count)",
        )
    parts = [
        _kpis(kpis),
        worst,
        f"<p>{draws:,} Monte Carlo draws (seed {seed}) of the scenario's uncertain parameters; "
        "yearly stock and flow by region, cadre, grade and age.</p>",
        chart,
        f"<h3>{last['year']} by region and cadre</h3>",
        table_html(
            rows,
            labels={
                "supply": "staff in post, mean (90 % interval)",
                "demand": "need",
                "shortage": "shortage, mean (90 % interval)",
                "surplus": "surplus, mean",
                "p_gap_positive": "P(shortage)",
            },
            formats={"demand": count, "surplus": count, "p_gap_positive": lambda v: percent(v, 0)},
        ),
    ]
    if len(runs) > 1:
        c = hrh.compare(runs)
        ct = c.table

        def iv(col: str, fmt: _Format = count) -> pl.Series:
            return pl.Series(
                col,
                [
                    interval(r[0], r[1], r[2], fmt)
                    for r in ct.select(col, f"{col}_lower", f"{col}_upper").rows()
                ],
            )

        cmp = ct.select(
            pl.col("projection")
            .str.replace(f"{base.name} + ", f"+{NBSP}", literal=True)
            .replace({base.name: "baseline"}),
            iv("shortage"),
            iv("shortage_years_averted"),
            iv("incremental_cost"),
            iv("cost_per_shortage_year_averted", lambda v: number(v, 1)),
            "extra_person_years",
            "cost_per_person_year",
            "frontier",
        )
        unit = f" ({escape(base.currency)})" if base.currency else ""
        money = f" ({base.currency})" if base.currency else ""
        parts += [
            f"<h3>Policies against the baseline{unit}</h3>",
            f"<p>Paired draw by draw (same seed); costs and outcomes over {years[1]:.0f}-"
            f"{years[-1]:.0f} discounted at {c.discount_rate:.0%} a year from "
            f"{c.base_year}. Shortage-years averted add each year's reduction in unmet need; "
            "a ratio's interval is shown only where every draw's effect is positive. "
            "<i>frontier</i>: on the efficiency frontier, or dominated (another option "
            "gives more for less) or extendedly dominated (a mix of two others would). "
            f"<i>+ policy</i>: {escape(base.name)} with that policy.</p>",
            table_html(
                cmp,
                labels={
                    "shortage": f"shortage {last['year']} (90 % interval)",
                    "shortage_years_averted": "shortage-years averted (90 % interval)",
                    "incremental_cost": f"incremental cost{money} (90 % interval)",
                    "cost_per_shortage_year_averted": (
                        f"cost per shortage-year averted{money} (90 % interval)"
                    ),
                    "extra_person_years": "extra person-years in post",
                    "cost_per_person_year": f"cost per extra person-year{money}",
                },
                formats={
                    "extra_person_years": count,
                    "cost_per_person_year": lambda v: number(v, 1),
                },
            ),
        ]
        if c.draws.height:
            clouds = [
                (
                    str(name[0]),
                    d["shortage_years_averted"].to_list(),
                    d["incremental_cost"].to_list(),
                )
                for name, d in c.draws.group_by("projection", maintain_order=True)
            ]
            parts.append(
                plane_chart(
                    clouds,
                    xlabel="shortage-years averted (discounted)",
                    ylabel=f"incremental cost{money}",
                    title="Cost-effectiveness plane (each dot a draw; ringed: the mean)",
                )
            )
    return Section(f"Projection: {base.name}", "".join(parts))
