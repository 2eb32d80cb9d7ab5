"""Inputs of the province scenario from the bundled synthetic register.

Writes `stock.csv` (staff in post on 2024-12-31 by cadre, qualification and age) and
prints the register's 2015-2024 figures that the scenario's rates and entrant numbers
were rounded from: exits by resignation or transfer per person-year, deaths per
person-year, hires per year and the age of new hires, per cadre.

Run from the repository root: python examples/province/make_inputs.py
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl

import hrh

HERE = Path(__file__).parent
START, END = dt.date(2015, 1, 1), dt.date(2024, 12, 31)


def main() -> None:
    reg = hrh.datasets.synthetic_register()
    stock = hrh.stock_table(reg, at=END, cadre="cadre", grade="qualification", default_region="Province")
    stock.write_csv(HERE / "stock.csv")
    print(f"stock.csv: {stock['count'].sum()} staff in {stock.height} rows")
    pt = hrh.person_time(
        reg, entry="hire_date", exit="exit_date", reason="exit_reason", by="cadre", start=START, end=END
    )
    rates = (
        pt.group_by("cadre")
        .agg(
            pl.col("person_years").sum(),
            (pl.col("exits_resignation") + pl.col("exits_transfer")).sum().alias("leavers"),
            pl.col("exits_death").sum().alias("deaths"),
            pl.col("entrants").sum(),
        )
        .with_columns(
            attrition=pl.col("leavers") / pl.col("person_years"),
            death_rate=pl.col("deaths") / pl.col("person_years"),
            entrants_per_year=pl.col("entrants") / 10,
        )
        .sort("cadre")
    )
    hires = reg.filter(pl.col("hire_date").is_between(START, END))
    age = hires.group_by("cadre").agg(
        ((pl.col("hire_date") - pl.col("birth_date")).dt.total_days() / 365.25).mean().alias("entry_age_mean"),
        ((pl.col("hire_date") - pl.col("birth_date")).dt.total_days() / 365.25).std().alias("entry_age_sd"),
    )
    with pl.Config(tbl_cols=-1, tbl_width_chars=200):
        print(rates.join(age, on="cadre"))


if __name__ == "__main__":
    main()
