"""Whole reports: on a register (:func:`register_report`, every section its columns
allow), on published counts by unit (:func:`aggregate_report`), and the demo report on
the bundled data (:func:`demo`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import polars as pl

import hrh
from hrh._frames import to_frame
from hrh.exceptions import InputError
from hrh.report._html import Report, Section, _kpis, number, table_html
from hrh.report._outlook import projection_section, trend_section
from hrh.report._svg import bar_chart
from hrh.report._workforce import attrition_section, density_section, equity_section

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
