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
import math
import re
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import Any

import polars as pl

import hrh
from hrh._frames import to_frame
from hrh.equity import BOOTSTRAP_MIN_UNITS
from hrh.exceptions import InputError
from hrh.report._svg import bar_chart, fan_chart, lorenz_chart, plane_chart, step_chart

__all__ = [
    "Report",
    "Section",
    "aggregate_report",
    "attrition_section",
    "demo",
    "density_section",
    "equity_section",
    "projection_section",
    "register_report",
    "table_html",
    "trend_section",
]

_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;max-width:1120px;
margin:2rem auto;padding:0 1rem;color:#1d1d1f;line-height:1.45}
p,h1,h2,h3,.meta{overflow-wrap:anywhere}
h1{font-size:1.7rem;margin-bottom:.2rem}h2{margin-top:2.2rem;border-bottom:2px solid #1b6ca8;
padding-bottom:.2rem}.scroll{overflow-x:auto;max-width:100%;margin:.8rem 0}
table{border-collapse:collapse;font-size:.88rem}
th,td{padding:.25rem .5rem;border-bottom:1px solid #ddd;text-align:right;vertical-align:top}
th{background:#f1f4f8;font-weight:600;max-width:12rem}
td.t,th.t{text-align:left}
svg{display:block;margin:1rem 0}
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


NBSP = "\u00a0"  # keeps "12.3 %", "< 0.001" and "3.0 to 4.6" on one line


def _missing(v: Any) -> bool:
    return v is None or (isinstance(v, float) and not math.isfinite(v))


def count(v: Any) -> str:
    """A head count (or any quantity of people) as a whole number: ``1,234``."""
    return "" if _missing(v) else f"{round(float(v)):,}"


def number(v: Any, digits: int = 2) -> str:
    """A number with `digits` decimals and thousands separators; a value that rounds to
    zero prints without a minus sign.

    >>> number(-1.1e-16, 4), number(-0.0), number(-0.004, 2), number(-0.006, 2)
    ('0.0000', '0.00', '0.00', '-0.01')
    """
    return "" if _missing(v) else _unsigned_zero(f"{float(v):,.{digits}f}")


def _unsigned_zero(text: str) -> str:
    """``-0.00`` (a tiny negative or negative zero, rounded) as ``0.00``."""
    return text[1:] if text.startswith("-") and not text.strip("-0.,") else text


def percent(v: Any, digits: int = 1) -> str:
    """A probability or share as a percentage: ``0.1234`` is ``12.3 %`` (with a
    no-break space)."""
    return "" if _missing(v) else f"{_unsigned_zero(f'{100 * float(v):.{digits}f}')}{NBSP}%"


def p_value(v: Any) -> str:
    """A p-value with three decimals; below 0.001 as ``< 0.001``.

    >>> p_value(0.0000012) == "<" + NBSP + "0.001", p_value(0.0123)
    (True, '0.012')
    """
    if _missing(v):
        return ""
    return f"<{NBSP}0.001" if float(v) < 0.001 else f"{float(v):.3f}"


def interval(est: Any, lower: Any, upper: Any, fmt: Callable[[Any], str] = number) -> str:
    """An estimate with its interval in one cell: ``3.74 (3.01 to 4.59)``; a narrow
    column breaks the line only before the parenthesis."""
    if _missing(est):
        return ""
    if _missing(lower) or _missing(upper):
        return fmt(est)
    return f"{fmt(est)} ({span(lower, upper, fmt)})"


def span(lower: Any, upper: Any, fmt: Callable[[Any], str] = number) -> str:
    """An interval alone: ``3.01 to 4.59`` (empty when either end is missing)."""
    if _missing(lower) or _missing(upper):
        return ""
    return f"{fmt(lower)}{NBSP}to{NBSP}{fmt(upper)}"


_Format = Callable[[Any], str]


def _column_format(s: pl.Series, digits: int) -> _Format:
    """Whole numbers for float columns that hold only whole values (counts), `digits`
    decimals for other floats, integers as they are (years stay ``2024``)."""
    if s.dtype.is_float():
        vals = s.drop_nulls().drop_nans()
        if vals.len() and bool((vals % 1 == 0).all()):
            return count
        return lambda v: number(v, digits)
    if s.dtype.is_integer():
        return lambda v: "" if v is None else (f"{v:,}" if abs(v) >= 10_000 else str(v))
    return lambda v: "" if v is None else str(v)


_NUMERIC_TEXT = re.compile(r"^(< ?)?[-−]?[\d.,]+")


def table_html(
    df: pl.DataFrame,
    *,
    digits: int = 2,
    max_rows: int = 200,
    labels: Mapping[str, str] | None = None,
    formats: Mapping[str, _Format] | None = None,
) -> str:
    """A polars DataFrame as an HTML table, in a box that scrolls sideways when the
    table is wider than the page.

    `labels` maps column names to the headers shown (words with units); `formats` maps
    column names to functions that turn a value into text (:func:`count`,
    :func:`percent`, :func:`p_value`, ...). Other float columns whose values are all
    whole numbers (counts) print without decimals, the rest with `digits` decimals. Text
    columns are left-aligned, numbers right-aligned; every header and cell is escaped.
    At most `max_rows` rows are shown.

    >>> import polars as pl
    >>> html = table_html(pl.DataFrame({"p": [0.0001]}), labels={"p": "p-value"},
    ...                   formats={"p": p_value})
    >>> "<th>p-value</th>" in html and "<td>&lt;" + NBSP + "0.001</td>" in html
    True
    >>> html.startswith("<div class='scroll'><table>")
    True
    """
    labels = labels or {}
    formats = formats or {}
    shown = df.head(max_rows)
    fmts = [formats.get(c) or _column_format(shown[c], digits) for c in shown.columns]
    cells = [[f(v) for v in shown[c].to_list()] for c, f in zip(shown.columns, fmts, strict=True)]
    text = [
        (shown.schema[c] == pl.String and not all(_NUMERIC_TEXT.match(v) for v in col if v))
        or (i == 0 and not shown.schema[c].is_numeric())
        for i, (c, col) in enumerate(zip(shown.columns, cells, strict=True))
    ]
    cls = [" class='t'" if t else "" for t in text]
    head = "".join(
        f"<th{k}>{escape(labels.get(c, c))}</th>" for c, k in zip(df.columns, cls, strict=True)
    )
    rows = "".join(
        "<tr>"
        + "".join(f"<td{cls[j]}>{escape(col[i])}</td>" for j, col in enumerate(cells))
        + "</tr>"
        for i in range(shown.height)
    )
    more = (
        f"<p class='note'>{df.height - max_rows:,} more rows not shown.</p>"
        if df.height > max_rows
        else ""
    )
    return (
        f"<div class='scroll'><table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody>"
        f"</table></div>{more}"
    )


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


_ENTRY_NAMES = ("hire_date", "entry_date", "start_date", "date_hired", "hired")
_EXIT_NAMES = ("exit_date", "end_date", "leave_date", "date_left", "separation_date")
_REASON_NAMES = ("exit_reason", "reason", "leave_reason", "separation_reason")


def _date_column(
    df: pl.DataFrame, given: str | None, names: Sequence[str], what: str
) -> str | None:
    """The column named `given` (which must hold dates), or the first of `names` that
    the table has with a date type."""
    if given is not None:
        if given not in df.columns:
            raise InputError(f"column {given!r} ({what}) is not in the register")
        empty = df[given].null_count() == df.height  # a CSV column with no exit yet
        if not (isinstance(df.schema[given], pl.Date | pl.Datetime) or empty):
            raise InputError(
                f"column {given!r} ({what}) holds {df.schema[given]}, not dates; "
                "write dates as YYYY-MM-DD"
            )
        return given
    return next(
        (c for c in names if c in df.columns and isinstance(df.schema[c], pl.Date | pl.Datetime)),
        None,
    )


def _equity_of_units(units: pl.DataFrame, *, by: str, area: str | None) -> Section:
    """The equity section over the rows of a :func:`hrh.density` table by `by`."""
    return equity_section(
        units,
        staff="staff",
        population="population",
        unit=by,
        area="area" if area is not None else None,
    )


def register_report(
    register: Any,
    population: Any,
    *,
    by: str,
    cadre: str | None = None,
    core_cadres: Sequence[str] | None = None,
    area: str | None = None,
    entry: str | None = None,
    exit: str | None = None,
    reason: str | None = None,
    reference_date: dt.date | None = None,
    title: str = "Health workforce report",
    subtitle: str = "",
) -> Report:
    """A report on a register: density always, and every other section the register
    has the columns for.

    `register` has one row per worker (those who left included, when it has an exit
    date); `population` a table with `by`, ``population`` (and `area`).

    - **Density** of the staff in post (rows whose `exit` is empty).
    - **Equity** of the staff in post across the `by` units, when there are at least
      three.
    - **Attrition** (exit rates, retention, the reasons for leaving and a Cox model by
      `cadre`), when the register has hire dates (`entry`) and exit dates (`exit`);
      the reasons need `reason`.
    - **Trend** of the head count at each year end, with a forecast, when the hire
      dates span at least 11 complete years (the ARIMA model needs eight
      points before its three held-out ones).

    `entry`, `exit` and `reason` default to the first column of the register named
    like ``hire_date``/``entry_date``/``start_date``, ``exit_date``/``end_date``/
    ``leave_date`` and ``exit_reason``/``reason`` (dates must be of Date type).
    `reference_date`, the date the register describes, defaults to the latest hire or
    exit date in it.
    """
    reg = to_frame(register, name="register")
    entry = _date_column(reg, entry, _ENTRY_NAMES, "hire date")
    exit = _date_column(reg, exit, _EXIT_NAMES, "exit date")
    if reason is None:
        reason = next((c for c in _REASON_NAMES if c in reg.columns), None) if exit else None
    elif reason not in reg.columns:
        raise InputError(f"column {reason!r} (exit reason) is not in the register")
    dates = [c for c in (entry, exit) if c is not None]
    reg = reg.with_columns(pl.col(c).cast(pl.Date) for c in dates)
    in_post = reg.filter(pl.col(exit).is_null()) if exit is not None else reg
    report = Report(title, subtitle)
    skipped: list[str] = []
    report.add(
        density_section(in_post, population, by=by, cadre=cadre, core_cadres=core_cadres, area=area)
    )
    units = hrh.density(in_post, population=population, by=by, area=area)
    if units.height >= 3:
        report.add(_equity_of_units(units, by=by, area=area))
    else:
        skipped.append(f"equity (needs at least three {by} units; the register has {units.height})")
    if entry is not None and exit is not None:
        dates = reg.select(pl.max_horizontal(pl.col(entry).max(), pl.col(exit).max())).item()
        ref = reference_date or dates
        if isinstance(ref, dt.datetime):
            ref = ref.date()
        report.add(
            attrition_section(
                reg,
                entry=entry,
                exit=exit,
                reason=reason,
                group=cadre,
                reference_date=ref,
                covariates=[cadre] if cadre is not None else [],
            )
        )
        first_year = reg.select(pl.col(entry).min().dt.year()).item()
        last_year = ref.year if (ref.month, ref.day) == (12, 31) else ref.year - 1
        start_year = max(last_year if first_year is None else first_year + 1, last_year - 19)
        if last_year - start_year + 1 >= 11:
            headcount = hrh.person_time(
                reg,
                entry=entry,
                exit=exit,
                start=dt.date(start_year, 1, 1),
                end=dt.date(last_year + 1, 1, 1),
            ).select(
                pl.col("period_start").dt.year().alias("year"),
                pl.col("headcount_end").alias("staff"),
            )
            report.add(
                trend_section(
                    headcount, time="year", value="staff", label="staff in post at year end"
                )
            )
        else:
            skipped.append("trend (needs hire dates spanning at least 11 complete years)")
    else:
        skipped.append(
            "attrition and trend (need hire and exit dates: columns such as hire_date and "
            "exit_date)"
        )
    if skipped:
        report.subtitle += " Sections left out: " + "; ".join(skipped) + "."
    return report


def aggregate_report(
    table: Any,
    *,
    by: str,
    staff: str,
    population: str = "population",
    cadre: str | None = None,
    core_cadres: Sequence[str] | None = None,
    area: str | None = None,
    title: str = "Health workforce report",
    subtitle: str = "",
) -> Report:
    """A report on published counts: one row per `by` unit (and `cadre`), with the
    unit's count of staff in `staff` and its `population` (and `area`), as statistical
    yearbooks print them (e.g. doctors and nurses by province of Beijing, Tianjin and
    Hebei).

    The population and area of a unit are repeated on each of its cadre rows; they must
    be the same on each (an :class:`hrh.InputError` names the unit otherwise). Sections:
    density by unit and cadre with the WHO thresholds, and the equity of the staff
    across units when there are at least three.
    """
    df = to_frame(table, name="table")
    for option, col in (("by", by), ("staff", staff), ("population", population)):
        if col not in df.columns:
            raise InputError(f"column {col!r} ({option}) is not in the table")
    if area is not None and area not in df.columns:
        raise InputError(f"column {area!r} (area) is not in the table")
    if cadre is not None and cadre not in df.columns:
        raise InputError(f"column {cadre!r} (cadre) is not in the table")
    keep = [population] + ([area] if area is not None else [])
    spread = df.group_by(by, maintain_order=True).agg(
        *(pl.col(c).n_unique().alias(c) for c in keep)
    )
    for c in keep:
        bad = spread.filter(pl.col(c) > 1)
        if bad.height:
            raise InputError(
                f"column {c!r}: unit {bad[by][0]!r} of column {by!r} has {bad[c][0]} different "
                f"values; each unit's {c} must be the same on all its rows"
            )
    units = df.group_by(by, maintain_order=True).agg(pl.col(c).first() for c in keep)
    pop = units.rename({population: "population"}) if population != "population" else units
    counts = df.drop(keep)
    report = Report(title, subtitle)
    report.add(
        density_section(
            counts, pop, by=by, cadre=cadre, core_cadres=core_cadres, area=area, staff=staff
        )
    )
    if units.height >= 3:
        totals = hrh.density(counts, staff=staff, population=pop, by=by, area=area)
        report.add(_equity_of_units(totals, by=by, area=area))
    else:
        report.subtitle += f" Equity left out: it needs at least three {by} units."
    return report


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
    total = hrh.density(in_post, population=pop, population_sum_over="district")
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
        reference=[("WHO SDG threshold 4.45", hrh.norms.SDG_THRESHOLD)],
        unit="doctors and nurses per 1,000 population",
        title="Doctors and nurses per 1,000: Beijing, Tianjin, Hebei",
    )
    labels = {c: f"{c.replace('_', ' ')} per 1,000" for c in wide.columns if c != "region"}
    labels["ratio_to_sdg_threshold"] = "doctors and nurses as a multiple of the SDG threshold"
    report.add(
        Section(
            "Beijing-Tianjin-Hebei: the polarization of health staff",
            "<p>Published densities per 1,000 population (see "
            "<code>hrh.datasets.jingjinji_density</code> for the source). Hebei has half "
            "Beijing's density of doctors and nurses.</p>"
            + chart
            + table_html(
                wide,
                labels=labels,
                formats=dict.fromkeys(labels, lambda v: number(v, 1))
                | {"ratio_to_sdg_threshold": lambda v: number(v, 2)},
            ),
        )
    )
    return report
