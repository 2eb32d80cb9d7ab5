"""Self-contained HTML reports.

A :class:`Report` is a title and a list of sections; each section is HTML built from
hrh results (tables and inline SVG charts), so the written file needs nothing but a
browser: no scripts, no network, no external files.

Examples
--------
>>> import hrh.report
>>> html = hrh.report.demo().to_html()
>>> "Health workforce density" in html and "<svg" in html
True
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import Any

import polars as pl

import hrh
from hrh._frames import to_frame
from hrh.exceptions import InputError
from hrh.report._svg import bar_chart, fan_chart, lorenz_chart, plane_chart, step_chart

__all__ = [
    "Report",
    "Section",
    "attrition_section",
    "demo",
    "density_section",
    "equity_section",
    "projection_section",
    "table_html",
    "trend_section",
]

_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;max-width:1000px;
margin:2rem auto;padding:0 1rem;color:#1d1d1f;line-height:1.45}
h1{font-size:1.7rem;margin-bottom:.2rem}h2{margin-top:2.2rem;border-bottom:2px solid #1b6ca8;
padding-bottom:.2rem}table{border-collapse:collapse;margin:.8rem 0;font-size:.88rem}
th,td{padding:.25rem .6rem;border-bottom:1px solid #ddd;text-align:right}
th{background:#f1f4f8}td:first-child,th:first-child{text-align:left}
.meta{color:#666;font-size:.9rem}.kpi{display:flex;gap:1rem;flex-wrap:wrap;margin:1rem 0}
.kpi div{background:#f1f4f8;border-radius:8px;padding:.6rem 1rem;min-width:9rem}
.kpi b{display:block;font-size:1.4rem}.note{font-size:.85rem;color:#555}
"""


@dataclass(frozen=True)
class Section:
    """One titled part of a report."""

    title: str
    html: str


@dataclass
class Report:
    """An HTML report: a title, a subtitle and sections."""

    title: str
    subtitle: str = ""
    sections: list[Section] = field(default_factory=list)

    def add(self, section: Section) -> Report:
        """Append a section and return the report."""
        self.sections.append(section)
        return self

    def to_html(self) -> str:
        """The whole report as one self-contained HTML document."""
        generated = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
        body = "".join(
            f"<section><h2>{escape(s.title)}</h2>{s.html}</section>" for s in self.sections
        )
        return (
            "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
            f"<meta name='viewport' content='width=device-width, initial-scale=1'>"
            f"<title>{escape(self.title)}</title><style>{_CSS}</style></head><body>"
            f"<h1>{escape(self.title)}</h1><p class='meta'>{escape(self.subtitle)}"
            f"<br>Generated {generated} by hrh {escape(hrh.__version__)}.</p>"
            f"{body}</body></html>"
        )

    def write(self, path: str | Path) -> Path:
        """Write the report to `path` (UTF-8) and return the path."""
        p = Path(path)
        p.write_text(self.to_html(), encoding="utf-8")
        return p


def _cell(v: Any, digits: int, whole: bool) -> str:
    if v is None:
        return ""
    if isinstance(v, float):
        if v != v:  # NaN
            return ""
        return f"{v:,.0f}" if whole else f"{v:,.{digits}f}"
    if isinstance(v, int) and not isinstance(v, bool):
        return f"{v:,}" if abs(v) >= 10_000 else str(v)
    return escape(str(v))


def table_html(df: pl.DataFrame, *, digits: int = 2, max_rows: int = 200) -> str:
    """A polars DataFrame as an HTML table (numbers formatted, at most `max_rows`).

    Float columns whose values are all whole numbers (counts) print without decimals.
    """
    shown = df.head(max_rows)
    whole = [
        shown.schema[c].is_float()
        and bool(shown.select((pl.col(c).drop_nans().drop_nulls() % 1 == 0).all()).item())
        for c in shown.columns
    ]
    head = "".join(f"<th>{escape(c)}</th>" for c in df.columns)
    rows = "".join(
        "<tr>"
        + "".join(f"<td>{_cell(v, digits, w)}</td>" for v, w in zip(row, whole, strict=True))
        + "</tr>"
        for row in shown.iter_rows()
    )
    more = (
        f"<p class='note'>{df.height - max_rows} more rows not shown.</p>"
        if df.height > max_rows
        else ""
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>{more}"


def _kpis(items: Sequence[tuple[str, str]]) -> str:
    return (
        "<div class='kpi'>"
        + "".join(f"<div><b>{escape(v)}</b>{escape(k)}</div>" for k, v in items)
        + "</div>"
    )


def density_section(
    register: Any,
    population: Any,
    *,
    by: str,
    cadre: str | None = None,
    core_cadres: Sequence[str] | None = None,
    area: str | None = None,
    per: float = 1000,
) -> Section:
    """Density by `by` (and `cadre`), with a chart of the core cadres' density against
    the WHO thresholds.

    `register` has one row per worker in post; `population` is a table with `by` and
    ``population`` (and `area`). `core_cadres` (e.g. doctors, nurses, midwives) are the
    cadres counted against the WHO thresholds; all cadres when ``None``.
    """
    reg = to_frame(register, name="register")
    overall = hrh.density(reg, population=population, by=by, area=area, per=per)
    parts = [
        f"<p>Health workers in post per {per:,.0f} population, with exact 95 % Poisson "
        "intervals; the dashed lines are the WHO thresholds of 4.45 (SDG index, 2016) and "
        "2.28 (World Health Report 2006) doctors, nurses and midwives per 1,000.</p>"
    ]
    if cadre is not None:
        counted = reg
        if core_cadres is not None:
            counted = reg.filter(pl.col(cadre).is_in(list(core_cadres)))
        core = hrh.density(counted, population=population, by=by, per=per)
        label = ", ".join(core_cadres) if core_cadres else "all cadres"
        parts.append(
            bar_chart(
                core[by].cast(pl.String).to_list(),
                core["density"].to_list(),
                lower=core["density_low"].to_list(),
                upper=core["density_high"].to_list(),
                reference=[
                    ("WHO SDG 4.45", hrh.norms.SDG_THRESHOLD),
                    ("WHR 2006 2.28", hrh.norms.WHR2006_THRESHOLD),
                ],
                unit=f"per {per:,.0f} population",
                title=f"Density of {label} by {by}",
            )
        )
        by_cadre = hrh.density(reg, population=population, by=[by, cadre], per=per)
        if by in set(by_cadre[cadre].cast(pl.String).to_list()):
            raise InputError(
                f"column {cadre!r}: value {by!r} is also the name of the column {by!r}, and "
                "the table by cadre needs one column per cadre: rename one of them"
            )
        wide = by_cadre.pivot(on=cadre, index=by, values="density", sort_columns=True)
        parts.append(f"<h3>Density per {per:,.0f} by {escape(by)} and {escape(cadre)}</h3>")
        parts.append(table_html(wide))
    cols = [by, "staff", "population", "density", "density_low", "density_high"]
    if area is not None:
        cols += ["area", "density_per_km2", "hrdi"]
    parts.append(f"<h3>All staff by {escape(by)}</h3>")
    parts.append(table_html(overall.select(cols)))
    return Section("Health workforce density", "".join(parts))


def equity_section(
    units: Any,
    *,
    staff: str,
    population: str,
    unit: str,
    area: str | None = None,
    groups: str | None = None,
    bootstrap: int = 1000,
    seed: int = 20241231,
) -> Section:
    """How evenly `staff` are spread over `units` (one row per unit): Lorenz curves by
    population and by area, the measures of :func:`hrh.equity` with bootstrap
    intervals, and the Theil decomposition over `groups`."""
    df = to_frame(units, name="units")
    s = df[staff].cast(pl.Float64)
    pop = df[population].cast(pl.Float64)
    curves = [("by population", *_lorenz_points(s / pop, pop))]
    if area is not None:
        a = df[area].cast(pl.Float64)
        curves.append(("by area", *_lorenz_points(s / a, a)))
    table = hrh.equity(
        df,
        staff=staff,
        population=population,
        area=area,
        groups=groups,
        bootstrap=bootstrap,
        seed=seed,
    )
    rows = []
    for basis in ["population"] + (["area"] if area is not None else []):
        for m in ("gini", "theil_t", "theil_l", "atkinson", "cv"):
            col = f"{m}_by_{basis}"
            rows.append(
                {
                    "basis": basis,
                    "measure": m,
                    "value": table[col].item(),
                    "lower": table[f"{col}_lower"].item(),
                    "upper": table[f"{col}_upper"].item(),
                }
            )
    parts = [
        f"<p>Inequality of {escape(staff)} across {df.height} {escape(unit)} units, "
        "by population (levels per person, weighted by population) and by area (per km², "
        f"weighted by area); 95 % percentile intervals from {bootstrap:,} bootstrap "
        f"resamples of the units (seed {seed}). Gini 0 means perfect equality.</p>",
        lorenz_chart(curves, title=f"Lorenz curves of {staff}"),
        table_html(pl.DataFrame(rows), digits=4),
    ]
    if groups is not None:
        t = hrh.theil(s / pop, pop, groups=df[groups])
        parts.append(
            f"<h3>Theil T by population, decomposed by {escape(groups)}</h3>"
            f"<p>Between groups {t.between:.4f} ({t.between_share:.1%} of the total "
            f"{t.total:.4f}); within groups {t.within:.4f}.</p>"
        )
        if t.groups is not None:
            parts.append(table_html(t.groups, digits=4))
    return Section("Distribution equity", "".join(parts))


def attrition_section(
    register: Any,
    *,
    entry: str,
    exit: str,
    reason: str,
    group: str,
    reference_date: Any,
    covariates: Sequence[str] = (),
    training_end: str | None = None,
    years: int = 10,
) -> Section:
    """Who leaves, when and why: exit rates by year, Kaplan-Meier retention by
    `group`, cumulative incidence of each exit reason, a Cox model of resignation and,
    with `training_end`, retention after training."""
    import datetime as dt

    reg = to_frame(register, name="register")
    ref = reference_date
    start = dt.date(ref.year - years + 1, 1, 1)
    end = ref + dt.timedelta(days=1)
    pt = hrh.person_time(reg, entry=entry, exit=exit, reason=reason, start=start, end=end)
    rates = pt.select(
        pl.col("period_start").dt.year().alias("year"),
        "headcount_start",
        "entrants",
        "exits",
        pl.col("^exits_.*$"),
        "person_years",
        "exit_rate",
        "exit_rate_lower",
        "exit_rate_upper",
        "turnover",
    )
    years_in_post = ((pl.col(exit).fill_null(ref) - pl.col(entry)).dt.total_days() / 365.25).alias(
        "years_in_post"
    )
    d = reg.with_columns(
        years_in_post,
        pl.col(exit).is_not_null().cast(pl.Int8).alias("left"),
        (pl.col(reason) == "resignation").fill_null(False).cast(pl.Int8).alias("resigned"),
    ).filter(pl.col("years_in_post") > 0)
    km = hrh.kaplan_meier(d, duration="years_in_post", event="left", by=group)
    curves = [
        (str(k[0]), part["time"].to_list(), part["survival"].to_list())
        for k, part in km.table.group_by(group, maintain_order=True)
    ]
    med = km.median().rename({"time": "median_years"})
    ci = hrh.cumulative_incidence(d, duration="years_in_post", cause=reason)
    inc = [
        (str(k[0]), part["time"].to_list(), part["cumulative_incidence"].to_list())
        for k, part in ci.table.group_by("cause", maintain_order=True)
    ]
    at10 = ci.at([5.0, 10.0, 20.0])
    parts = [
        f"<p>Exit rates per 100 person-years (exact 95 % Poisson intervals) and turnover "
        f"(exits / mean headcount) for the last {years} calendar years.</p>",
        table_html(rates, digits=2),
        step_chart(
            curves,
            title=f"Retention by {group} (Kaplan-Meier)",
            xlabel="years since hire",
            ylabel="share still in post",
        ),
        table_html(med, digits=1),
        step_chart(
            inc,
            title="Cumulative incidence of leaving, by reason (Aalen-Johansen)",
            xlabel="years since hire",
            ylabel="cumulative incidence",
            ymax=max(0.05, ci.table.select(pl.col("cumulative_incidence").max()).item() * 1.1),
        ),
        table_html(at10.pivot(on="time", index="cause", values="cumulative_incidence"), digits=3),
    ]
    if covariates:
        m = hrh.cox(d, duration="years_in_post", event="resigned", covariates=list(covariates))
        parts.append(
            f"<h3>Who resigns: Cox model (Efron ties)</h3><p>n = {m.n:,}, resignations = "
            f"{m.n_events:,.0f}, concordance "
            + (
                "undefined (no comparable pair)"
                if m.concordance is None or m.concordance_std_err is None
                else f"{m.concordance:.3f} (se {m.concordance_std_err:.3f})"
            )
            + ". Hazard ratios against the first level.</p>"
        )
        parts.append(
            table_html(m.summary.select("term", "hazard_ratio", "lower", "upper", "p"), digits=3)
        )
    if training_end is not None:
        trained = reg.filter(pl.col(training_end).is_not_null() & (pl.col(training_end) <= ref))
        trained = trained.filter(pl.col(exit).is_null() | (pl.col(exit) > pl.col(training_end)))
        if trained.height:
            t = trained.with_columns(
                (
                    (pl.col(exit).fill_null(ref) - pl.col(training_end)).dt.total_days() / 365.25
                ).alias("years_after_training"),
                (pl.col(reason) == "resignation").fill_null(False).cast(pl.Int8).alias("resigned"),
            ).filter(pl.col("years_after_training") > 0)
            kt = hrh.kaplan_meier(t, duration="years_after_training", event="resigned")
            at = kt.at([1.0, 2.0, 3.0, 5.0])
            parts.append(
                f"<h3>Retention after postgraduate training</h3><p>{t.height} staff returned "
                "from training; share not yet resigned by years since training ended "
                "(resignation as the event, other exits censored).</p>"
            )
            parts.append(table_html(at, digits=3))
    return Section("Attrition and retention", "".join(parts))


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
    chart = fan_chart(
        (df[time].cast(pl.Float64).to_list(), df[value].cast(pl.Float64).to_list()),
        (fc[time].cast(pl.Float64).to_list(), fc["mean"].to_list()),
        [
            (fc["lower_95"].to_list(), fc["upper_95"].to_list()),
            (fc["lower_80"].to_list(), fc["upper_80"].to_list()),
        ],
        reference=reference,
        title=f"{label}: {best} forecast, 80 % and 95 % intervals",
        ylabel=label,
    )
    parts = [
        f"<p>Rolling-origin backtest over the last {holdout} points (one-step-ahead "
        f"errors); the model with the smallest RMSE, <b>{escape(best)}</b>, gives the "
        f"forecast for the next {horizon} periods.</p>",
        table_html(bt, digits=2),
        chart,
        table_html(fc, digits=1),
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
        (f"staff {first['year']}", f"{first['supply']:,.0f}"),
        (f"staff {last['year']} (median)", f"{last['supply_p50']:,.0f}"),
        (f"90 % interval {last['year']}", f"{last['supply_p5']:,.0f} to {last['supply_p95']:,.0f}"),
    ]
    worst = ""
    if has_demand:
        kpis += [
            (f"need {last['year']}", f"{last['demand']:,.0f}"),
            (f"shortage {last['year']}", f"{last['shortage']:,.0f}"),
            (f"P(some region short) {last['year']}", f"{100 * last['p_shortage']:.0f} %"),
        ]
        short = (
            base.table.filter((pl.col("year") == last["year"]) & (pl.col("shortage") > 0.5))
            .sort("shortage", descending=True)
            .head(3)
        )
        if short.height:
            cells = ", ".join(
                f"{escape(r['region'])} {escape(r['cadre'])} {r['shortage']:,.0f} "
                f"({r['shortage_p5']:,.0f} to {r['shortage_p95']:,.0f})"
                for r in short.iter_rows(named=True)
            )
            worst = (
                f"<p><b>Largest shortages in {last['year']}</b> (mean, 90 % interval): "
                f"{cells}. The shortage adds each region's and cadre's unmet need; a surplus "
                f"elsewhere ({last['surplus']:,.0f} in all) does not offset it "
                f"(net gap {last['net_gap']:,.0f}).</p>"
            )
    years = [float(y) for y in t["year"]]
    chart = fan_chart(
        ([years[0]], [first["supply"]]),
        (years, t["supply_p50"].to_list()),
        [
            (t["supply_p5"].to_list(), t["supply_p95"].to_list()),
            (t["supply_p25"].to_list(), t["supply_p75"].to_list()),
        ],
        lines=[("demand", years, t["demand"].to_list())] if has_demand else [],
        title=f"{base.name}: staff in post (median, 50 % and 90 % bands) and need",
        ylabel="staff",
    )
    final = base.table.filter(pl.col("year") == last["year"]).select(
        "region",
        "cadre",
        "supply",
        "supply_p5",
        "supply_p95",
        "demand",
        "shortage",
        "surplus",
        "p_gap_positive",
    )
    if has_demand:
        chart += fan_chart(
            ([years[0]], [first["shortage"]]),
            (years, t["shortage_p50"].to_list()),
            [
                (t["shortage_p5"].to_list(), t["shortage_p95"].to_list()),
                (t["shortage_p25"].to_list(), t["shortage_p75"].to_list()),
            ],
            title=f"{base.name}: shortage, region by region (median, 50 %, 90 %)",
            ylabel="staff short",
        )
    parts = [
        _kpis(kpis),
        worst,
        f"<p>{draws:,} Monte Carlo draws (seed {seed}) of the scenario's uncertain parameters; "
        "yearly stock and flow by region, cadre, grade and age.</p>",
        chart,
        f"<h3>{last['year']} by region and cadre</h3>",
        table_html(final, digits=1),
    ]
    if len(runs) > 1:
        c = hrh.compare(runs)
        cmp = c.table.select(
            "projection",
            "shortage",
            "shortage_p5",
            "shortage_p95",
            "shortage_years_averted",
            "shortage_years_averted_p5",
            "shortage_years_averted_p95",
            "incremental_cost",
            "incremental_cost_p5",
            "incremental_cost_p95",
            "cost_per_shortage_year_averted",
            "cost_per_shortage_year_averted_p5",
            "cost_per_shortage_year_averted_p95",
            "extra_person_years",
            "cost_per_person_year",
            "frontier",
        )
        unit = f" ({escape(base.currency)})" if base.currency else ""
        parts += [
            f"<h3>Policies against the baseline{unit}</h3>",
            f"<p>Paired draw by draw (same seed); costs and outcomes over {years[1]:.0f}-"
            f"{years[-1]:.0f} discounted at {c.discount_rate:.0%} a year from "
            f"{c.base_year}. Shortage-years averted add each year's reduction in unmet need; "
            "a ratio's interval is shown only where every draw's effect is positive. "
            "<i>frontier</i>: on the efficiency frontier, or dominated (another option "
            "gives more for less) or extendedly dominated (a mix of two others would).</p>",
            table_html(cmp, digits=1),
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
                    xlabel="shortage-years averted",
                    ylabel=f"incremental cost{unit}",
                    title="Cost-effectiveness plane (each dot a draw; ringed: the mean)",
                )
            )
    return Section(f"Projection: {base.name}", "".join(parts))


def _lorenz_points(values: pl.Series, weights: pl.Series) -> tuple[list[float], list[float]]:
    curve = hrh.lorenz(values, weights)
    return curve["population_share"].to_list(), curve["value_share"].to_list()


def demo() -> Report:
    """The demo report on the bundled data: the synthetic province's register, its
    planning scenario (:func:`hrh.datasets.province_scenario`) projected ten years with
    its policies, and the Beijing-Tianjin-Hebei densities."""
    reg = hrh.datasets.synthetic_register()
    in_post = reg.filter(pl.col("exit_date").is_null())
    pop = hrh.datasets.synthetic_population()
    staffing = dict(
        zip(
            hrh.datasets.province_staffing()["indicator"],
            hrh.datasets.province_staffing()["value"],
            strict=True,
        )
    )
    gap = hrh.quota_gap(
        {"staff": [in_post.height], "quota": [staffing["quota"]]}, staff="staff", quota="quota"
    )
    total = hrh.density(in_post, population=pop)
    report = Report(
        "Health workforce report: demo province",
        "Synthetic register of a provincial health workforce (invented rows shaped after a "
        "real province: 3,087 staff in post against a quota of 3,364) at 2024-12-31, with "
        "district populations; its projection to 2034 under three policies; and published "
        "densities of the Beijing-Tianjin-Hebei region.",
    )
    kpis = _kpis(
        [
            ("staff in post", f"{in_post.height:,}"),
            ("staffing quota", f"{staffing['quota']:,}"),
            ("fill rate", f"{100 * gap['fill_rate'].item():.1f} %"),
            ("vacancies", f"{gap['vacancies'].item():,.0f}"),
            ("staff per 1,000", f"{total['density'].item():.2f}"),
        ]
    )
    section = density_section(
        in_post,
        pop.select("district", "population", pl.col("area_km2").alias("area")),
        by="district",
        cadre="cadre",
        core_cadres=["doctor", "nurse", "midwife"],
        area="area",
    )
    report.add(Section(section.title, kpis + section.html))

    by_district = hrh.density(in_post, population=pop, by="district").join(
        pop.select("district", "area_km2", "zone"), on="district"
    )
    report.add(
        equity_section(
            by_district,
            staff="staff",
            population="population",
            unit="district",
            area="area_km2",
            groups="zone",
        )
    )

    report.add(
        attrition_section(
            reg,
            entry="hire_date",
            exit="exit_date",
            reason="exit_reason",
            group="cadre",
            reference_date=dt.date(2024, 12, 31),
            covariates=["facility_level", "cadre", "sex"],
            training_end="training_end",
        )
    )

    headcount = hrh.person_time(
        reg, entry="hire_date", exit="exit_date", start="2005-01-01", end="2025-01-01"
    ).select(pl.col("period_start").dt.year().alias("year"), pl.col("headcount_end").alias("staff"))
    report.add(
        trend_section(
            headcount,
            time="year",
            value="staff",
            label="staff in post at year end",
            reference=[("staffing quota 3,364", float(staffing["quota"]))],
        )
    )

    province = hrh.datasets.province_scenario()
    report.add(
        projection_section(
            province, policies=[p["name"] for p in province["policies"]], draws=1000, seed=1
        )
    )

    jjj = hrh.datasets.jingjinji_density()
    wide = jjj.pivot(on="cadre", index="region", values="density_per_1000")
    wide = wide.with_columns(
        (pl.col("doctors") + pl.col("nurses")).alias("doctors_and_nurses"),
    ).with_columns(
        (pl.col("doctors_and_nurses") / hrh.norms.SDG_THRESHOLD).alias("ratio_to_sdg_threshold")
    )
    chart = bar_chart(
        wide["region"].to_list(),
        wide["doctors_and_nurses"].to_list(),
        reference=[("WHO SDG 4.45", hrh.norms.SDG_THRESHOLD)],
        unit="per 1,000 population",
        title="Doctors and nurses per 1,000: Beijing, Tianjin, Hebei",
    )
    report.add(
        Section(
            "Beijing-Tianjin-Hebei: the polarization of health staff",
            "<p>Published densities per 1,000 population (see "
            "<code>hrh.datasets.jingjinji_density</code> for the source). Hebei has half "
            "Beijing's density of doctors and nurses.</p>" + chart + table_html(wide),
        )
    )
    return report
