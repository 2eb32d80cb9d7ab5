"""Report sections on the workforce as it is: density against the WHO thresholds
(:func:`density_section`), how evenly staff are spread (:func:`equity_section`) and
who leaves, when and why (:func:`attrition_section`)."""

from __future__ import annotations

import datetime as dt
import warnings
from collections.abc import Sequence
from html import escape
from typing import Any

import polars as pl

import hrh
from hrh._equity import BOOTSTRAP_MIN_UNITS
from hrh._frames import to_frame
from hrh.exceptions import InputError
from hrh.report._html import Section, count, interval, number, p_value, percent, table_html
from hrh.report._svg import bar_chart, lorenz_chart, step_chart


def density_section(
    register: Any,
    population: Any,
    *,
    by: str,
    cadre: str | None = None,
    core_cadres: Sequence[str] | None = None,
    area: str | None = None,
    per: float = 1000,
    staff: str | None = None,
) -> Section:
    """Density by `by` (and `cadre`), with a chart of the core cadres' density against
    the WHO thresholds.

    `register` has one row per worker in post, or, with `staff`, one row per unit (and
    cadre) with its count of staff in the column `staff`; `population` is a table with
    `by` and ``population`` (and `area`). `core_cadres` (e.g. doctors, nurses, midwives)
    are the cadres counted against the WHO thresholds; all cadres when ``None``.
    """
    reg = to_frame(register, name="register")
    overall = hrh.density(reg, staff=staff, population=population, by=by, area=area, per=per)
    per_text = f"{per:,.0f}"
    parts = [
        f"<p>Health workers in post per {per_text} population, with exact 95 % Poisson "
        "intervals; the dashed lines are the WHO thresholds of 4.45 (SDG index, 2016) and "
        "2.28 (World Health Report 2006) doctors, nurses and midwives per 1,000.</p>"
    ]
    if cadre is not None:
        counted = reg
        if core_cadres is not None:
            counted = reg.filter(pl.col(cadre).is_in(list(core_cadres)))
        core = hrh.density(counted, staff=staff, population=population, by=by, per=per)
        label = ", ".join(core_cadres) if core_cadres else "all cadres"
        parts.append(
            bar_chart(
                core[by].cast(pl.String).to_list(),
                core["density"].to_list(),
                lower=core["lower"].to_list(),
                upper=core["upper"].to_list(),
                reference=[
                    ("WHO SDG threshold 4.45", hrh.norms.SDG_THRESHOLD),
                    ("World Health Report 2006 threshold 2.28", hrh.norms.WHR2006_THRESHOLD),
                ],
                unit=f"{label} per {per_text} population",
                title=f"Density of {label} by {by}",
            )
        )
        by_cadre = hrh.density(reg, staff=staff, population=population, by=[by, cadre], per=per)
        if by in set(by_cadre[cadre].cast(pl.String).to_list()):
            raise InputError(
                f"column {cadre!r}: value {by!r} is also the name of the column {by!r}, and "
                "the table by cadre needs one column per cadre: rename one of them"
            )
        wide = by_cadre.pivot(on=cadre, index=by, values="density", sort_columns=True)
        parts.append(
            f"<h3>Staff per {per_text} population by {escape(by)} and {escape(cadre)}</h3>"
        )
        parts.append(table_html(wide))
    cols = [by, "staff", "population", "density"]
    shown = overall.with_columns(
        pl.Series(
            "density",
            [
                interval(d, lo, hi)
                for d, lo, hi in overall.select("density", "lower", "upper").rows()
            ],
        )
    )
    labels = {
        "staff": "staff (head count)" if staff is None else f"staff ({staff})",
        "population": "population",
        "density": f"staff per {per_text} population (95 % CI)",
        "area": "area (km²)",
        "density_per_km2": "staff per km²",
        "hrdi": f"HRDI (√ of per {per_text} × per km²)",
    }
    if area is not None:
        cols += ["area", "density_per_km2", "hrdi"]
    parts.append(f"<h3>All staff by {escape(by)}</h3>")
    parts.append(table_html(shown.select(cols), labels=labels, formats={"staff": count}))
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
    few = df.height < BOOTSTRAP_MIN_UNITS
    with warnings.catch_warnings():
        # The text below says it when the units are few; no warning on top.
        if few:
            warnings.filterwarnings("ignore", "bootstrap intervals on few units", UserWarning)
        table = hrh.equity(
            df,
            staff=staff,
            population=population,
            area=area,
            groups=groups,
            bootstrap=bootstrap,
            seed=seed,
        )
    names = {
        "gini": "Gini",
        "theil_t": "Theil T",
        "theil_l": "Theil L (mean log deviation)",
        "atkinson": "Atkinson (ε = 0.5)",
        "cv": "coefficient of variation",
    }
    bases = ["population"] + (["area"] if area is not None else [])
    measures: dict[str, list[str]] = {"measure": list(names.values())}
    for basis in bases:
        measures[f"by {basis}"] = [
            interval(
                table[f"{m}_by_{basis}"].item(),
                table[f"{m}_by_{basis}_lower"].item(),
                table[f"{m}_by_{basis}_upper"].item(),
                lambda v: number(v, 3),
            )
            for m in names
        ]
    labels = {f"by {b}": f"by {b} (95 % interval)" for b in bases}
    parts = [
        f"<p>Inequality of {escape(staff)} across {df.height} {escape(unit)} units, "
        "by population (levels per person, weighted by population) and by area (per km², "
        f"weighted by area); 95 % percentile intervals from {bootstrap:,} bootstrap "
        f"resamples of the units (seed {seed}). Each measure is 0 when every unit has the "
        "same level; higher is more unequal."
        + (
            f" With only {df.height} units there are few distinct resamples: read the "
            "intervals as a rough guide, not as confidence intervals."
            if few
            else ""
        )
        + "</p>",
        lorenz_chart(
            curves,
            title=f"Lorenz curves of {staff}",
            ylabel=f"cumulative share of {staff}",
        ),
        table_html(pl.DataFrame(measures), labels=labels),
    ]
    if groups is not None:
        t = hrh.theil(s / pop, pop, groups=df[groups])
        parts.append(
            f"<h3>Theil T by population, decomposed by {escape(groups)}</h3>"
            f"<p>Between groups {t.between:.4f} ({t.between_share:.1%} of the total "
            f"{t.total:.4f}); within groups {t.within:.4f}.</p>"
        )
        if t.groups is not None:
            g = t.groups.with_columns(pl.col("mean") * 1000)
            parts.append(
                table_html(
                    g,
                    digits=4,
                    labels={
                        "group": str(groups),
                        "population_share": "share of population",
                        "value_share": f"share of {staff}",
                        "mean": f"{staff} per 1,000 population",
                        "index": "Theil T within the group",
                        "within": "contribution to within",
                        "between": "contribution to between",
                    },
                    formats={
                        "population_share": percent,
                        "value_share": percent,
                        "mean": lambda v: number(v, 2),
                    },
                )
            )
    return Section("Distribution equity", "".join(parts))


def attrition_section(
    register: Any,
    *,
    entry: str,
    exit: str,
    reason: str | None = None,
    group: str | None = None,
    reference_date: Any,
    covariates: Sequence[str] = (),
    training_end: str | None = None,
    years: int = 10,
    resignation: str = "resignation",
) -> Section:
    """Who leaves, when and why: exit rates by year, Kaplan-Meier retention by
    `group`, cumulative incidence of each exit reason (with `reason`), a Cox model of
    resignation (the `reason` value `resignation`; any exit when the register has no
    such value) and, with `training_end`, retention after training."""
    reg = to_frame(register, name="register")
    ref = reference_date
    start = dt.date(ref.year - years + 1, 1, 1)
    end = ref + dt.timedelta(days=1)
    pt = hrh.person_time(reg, entry=entry, exit=exit, reason=reason, start=start, end=end)
    by_reason = [c for c in pt.columns if c.startswith("exits_")]
    rates = pt.select(
        pl.col("period_start").dt.year().alias("year"),
        "headcount_start",
        "entrants",
        "exits",
        *by_reason,
        "person_years",
        pl.Series(
            "exit_rate",
            [interval(r, lo, hi) for r, lo, hi in pt.select("exit_rate", "lower", "upper").rows()],
        ),
        "turnover",
    )
    rate_labels = {
        "year": "year",
        "headcount_start": "staff on 1 January",
        "entrants": "hires",
        "exits": "exits",
        "person_years": "person-years",
        "exit_rate": "exits per 100 person-years (95 % CI)",
        "turnover": "turnover (exits per mean head count)",
    }
    rate_labels |= {c: f"exits: {c.removeprefix('exits_')}" for c in by_reason}
    rate_formats = dict.fromkeys(["headcount_start", "entrants", "exits", *by_reason], count)
    rate_formats |= {"person_years": count, "turnover": percent}
    years_in_post = ((pl.col(exit).fill_null(ref) - pl.col(entry)).dt.total_days() / 365.25).alias(
        "years_in_post"
    )
    reasons = (
        set(reg[reason].cast(pl.String).drop_nulls().to_list()) if reason is not None else set()
    )
    resigned = (
        (pl.col(reason).cast(pl.String) == resignation).fill_null(False)
        if reason is not None and resignation in reasons
        else pl.col(exit).is_not_null()
    )
    event_name = "resignation" if reason is not None and resignation in reasons else "any exit"
    d = reg.with_columns(
        years_in_post,
        pl.col(exit).is_not_null().cast(pl.Int8).alias("left"),
        resigned.cast(pl.Int8).alias("resigned"),
    ).filter(pl.col("years_in_post") > 0)
    km = hrh.kaplan_meier(d, duration="years_in_post", event="left", by=group)
    if group is None:
        curves = [("all staff", km.table["time"].to_list(), km.table["survival"].to_list())]
    else:
        curves = [
            (str(k[0]), part["time"].to_list(), part["survival"].to_list())
            for k, part in km.table.group_by(group, maintain_order=True)
        ]
    med = km.median()
    med = med.select(
        pl.exclude("time", "lower", "upper"),
        pl.Series(
            "median",
            [
                interval(m, lo, hi, lambda v: number(v, 1))
                for m, lo, hi in med.select("time", "lower", "upper").rows()
            ],
        ),
    )
    parts = [
        f"<p>Exits per 100 person-years (exact 95 % Poisson intervals) and turnover "
        f"(exits over the mean head count) for the last {years} calendar years, to "
        f"{escape(str(ref))}.</p>",
        table_html(rates, labels=rate_labels, formats=rate_formats),
        step_chart(
            curves,
            title="Retention (Kaplan-Meier)" + (f" by {group}" if group else ""),
            xlabel="years in post",
            ylabel="share still in post",
        ),
        table_html(
            med,
            labels={"median": "median years in post (95 % CI)"},
        ),
    ]
    if reason is not None:
        ci = hrh.cumulative_incidence(d, duration="years_in_post", cause=reason)
        inc = [
            (str(k[0]), part["time"].to_list(), part["cumulative_incidence"].to_list())
            for k, part in ci.table.group_by("cause", maintain_order=True)
        ]
        at = ci.at([5.0, 10.0, 20.0]).pivot(on="time", index="cause", values="cumulative_incidence")
        at = at.rename({c: f"after {float(c):g} years" for c in at.columns if c != "cause"})
        parts += [
            step_chart(
                inc,
                title="Cumulative incidence of leaving, by reason (Aalen-Johansen)",
                xlabel="years in post",
                ylabel="share who left for this reason",
                ymax=max(0.05, ci.table.select(pl.col("cumulative_incidence").max()).item()),
            ),
            table_html(
                at,
                labels={"cause": "reason for leaving"},
                formats={c: percent for c in at.columns if c != "cause"},
            ),
        ]
    if covariates:
        m = hrh.cox(d, duration="years_in_post", event="resigned", covariates=list(covariates))
        cox = m.summary.select(
            "term",
            pl.Series(
                "exp_coef",
                [
                    interval(h, lo, hi, lambda v: number(v, 2))
                    for h, lo, hi in m.summary.select("exp_coef", "lower", "upper").rows()
                ],
            ),
            "p_value",
        )
        parts.append(
            f"<h3>Who leaves ({event_name}): Cox model (Efron ties)</h3><p>n = {m.n:,}, "
            f"events = {m.n_events:,.0f}, concordance "
            + (
                "undefined (no comparable pair)"
                if m.concordance is None or m.concordance_std_err is None
                else f"{m.concordance:.3f} (standard error {m.concordance_std_err:.3f})"
            )
            + ". Hazard ratios against the first level of each covariate; above 1 means "
            "leaving sooner.</p>"
        )
        parts.append(
            table_html(
                cox,
                labels={
                    "term": "covariate [level]",
                    "exp_coef": "hazard ratio (95 % CI)",
                    "p_value": "p-value",
                },
                formats={"p_value": p_value},
            )
        )
    if training_end is not None:
        trained = reg.filter(pl.col(training_end).is_not_null() & (pl.col(training_end) <= ref))
        trained = trained.filter(pl.col(exit).is_null() | (pl.col(exit) > pl.col(training_end)))
        if trained.height:
            t = trained.with_columns(
                (
                    (pl.col(exit).fill_null(ref) - pl.col(training_end)).dt.total_days() / 365.25
                ).alias("years_after_training"),
                resigned.cast(pl.Int8).alias("resigned"),
            ).filter(pl.col("years_after_training") > 0)
            kt = hrh.kaplan_meier(t, duration="years_after_training", event="resigned")
            at = kt.at([1.0, 2.0, 3.0, 5.0])
            at = at.select(
                pl.col("time").cast(pl.Int64),
                pl.Series(
                    "survival",
                    [
                        interval(v, lo, hi, percent)
                        for v, lo, hi in at.select("survival", "lower", "upper").rows()
                    ],
                ),
            )
            parts.append(
                f"<h3>Retention after postgraduate training</h3><p>{t.height:,} staff returned "
                f"from training; share who have not left ({event_name}; other exits "
                "censored) by years since training ended.</p>"
            )
            parts.append(
                table_html(
                    at,
                    labels={
                        "time": "years since training",
                        "survival": "share not left (95 % CI)",
                    },
                )
            )
    return Section("Attrition and retention", "".join(parts))


def _lorenz_points(values: pl.Series, weights: pl.Series) -> tuple[list[float], list[float]]:
    curve = hrh.lorenz(values, weights)
    return curve["population_share"].to_list(), curve["value_share"].to_list()
