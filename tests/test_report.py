"""The HTML report: user strings escaped, numbers formatted for people (head counts whole,
probabilities as percentages, small p-values as "< 0.001"), round axis ticks, and the
sections a register or a table of published counts can support."""

from __future__ import annotations

import datetime as dt
import math
import re
from pathlib import Path

import polars as pl
import pytest

import hrh
import hrh.report as R
from hrh.report._svg import fan_chart, nice_ticks, step_chart, tick_label

EVIL = "<script>alert('x')</script>&"
EVIL2 = '<img src=x onerror="alert(1)">'  # a cadre
ROOT = Path(__file__).resolve().parents[1]


def _text(html: str) -> str:
    """The text of `html`, tags as bars and no-break spaces as spaces."""
    return re.sub(r"<[^>]+>", "|", html).replace("\xa0", " ")


def test_formats() -> None:
    assert R.count(1234.4) == "1,234" and R.count(None) == "" and R.count(float("nan")) == ""
    assert R.count(-0.2) == "0" and R.count(-8063.7) == "-8,064"
    nb = "\xa0"  # units and "to" stay on the line of their number
    assert R.percent(0.1234) == f"12.3{nb}%" and R.percent(1.0, 0) == f"100{nb}%"
    assert R.p_value(0.0) == f"<{nb}0.001" and R.p_value(0.00099) == f"<{nb}0.001"
    assert R.p_value(0.001) == "0.001" and R.p_value(0.5512) == "0.551"
    assert R.interval(3.744, 3.01, 4.59) == f"3.74 (3.01{nb}to{nb}4.59)"
    assert R.interval(5.0, None, 6.0, R.count) == "5"
    assert R.span(1.0, 2.0, R.count) == f"1{nb}to{nb}2"


def test_nice_ticks_are_round_and_cover_the_data() -> None:
    for lo, hi in [(1532, 3753), (0, 0.55), (-218, 220), (-18789, 65986), (0, 39), (3, 3)]:
        ticks = nice_ticks(lo, hi)
        assert ticks[0] <= lo and ticks[-1] >= hi
        assert 3 <= len(ticks) <= 12
        step = ticks[1] - ticks[0]
        mantissa = step / 10 ** math.floor(math.log10(step))
        assert round(mantissa, 9) in (1, 2, 5), (lo, hi, ticks)
        assert all(abs(t / step - round(t / step)) < 1e-9 for t in ticks)
    assert nice_ticks(2024, 2034, 7, integer=True) == [2024, 2026, 2028, 2030, 2032, 2034]
    assert tick_label(0.3, [0.0, 0.1], percent=True) == "30\xa0%"
    assert tick_label(20000, [0, 20000]) == "20,000"


def test_table_headers_in_words_and_cells_formatted() -> None:
    df = pl.DataFrame(
        {"term": ["a", "b"], "hr": [0.5, 2.0], "p": [1e-9, 0.2], "share": [0.25, 0.5]}
    )
    html = R.table_html(
        df,
        labels={"hr": "hazard ratio", "p": "p-value", "share": "P(shortage)"},
        formats={"p": R.p_value, "share": R.percent},
    )
    text = _text(html)
    assert "|hazard ratio|" in text and "|p-value|" in text and "|P(shortage)|" in text
    assert "|&lt; 0.001|" in text and "|25.0 %|" in text and "|0.200|" in text
    assert "<div class='scroll'>" in html  # a wide table scrolls in its own box
    counts = R.table_html(pl.DataFrame({"staff": [1434.0, 12000.0], "year": [2024, 2025]}))
    assert "|1,434|" in _text(counts) and "|12,000|" in _text(counts) and "|2024|" in _text(counts)


def test_user_strings_are_escaped_everywhere() -> None:
    # Region, cadre and column names, titles and chart labels all come from the user.
    reg = pl.DataFrame(
        {
            EVIL: ["A", "A", "B", "C", "C", "C"],
            "cadre": [EVIL2, "nurse", "nurse", EVIL2, "nurse", "nurse"],
        }
    ).with_columns(pl.col(EVIL).replace({"A": EVIL}))
    pop = pl.DataFrame({EVIL: [EVIL, "B", "C"], "population": [1000, 2000, 3000]})
    report = R.register_report(reg, pop, by=EVIL, cadre="cadre", title=EVIL, subtitle=EVIL)
    report.add(R.Section(EVIL, ""))
    html = report.to_html()
    assert "<script" not in html and "alert('x')" not in html and "<img" not in html
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in html
    assert html.count("&lt;script&gt;") >= 8
    chart = step_chart([(EVIL, [1.0], [0.5])], title=EVIL, xlabel=EVIL, ylabel=EVIL)
    chart += fan_chart(([1.0], [1.0]), ([2.0], [2.0]), reference=[(EVIL, 1.5)], ylabel=EVIL)
    # title (twice: aria-label and text), axis titles, legend; then y axis title, reference
    assert "<script" not in chart and chart.count("&lt;script&gt;") == 7


def test_register_report_has_every_section_its_columns_allow() -> None:
    reg = hrh.datasets.synthetic_register(seed=2, n_active=300)
    pop = hrh.datasets.synthetic_population().select("district", "population", "area_km2")
    full = R.register_report(reg, pop, by="district", cadre="cadre", area="area_km2")
    titles = [s.title for s in full.sections]
    assert titles == [
        "Health workforce density",
        "Distribution equity",
        "Attrition and retention",
        "Trend forecast: staff in post at year end",
    ]
    html = full.to_html()
    density = hrh.density(reg.filter(pl.col("exit_date").is_null()), population=pop, by="district")
    assert f"|{density['staff'][0]:,.0f}|" in _text(html)  # a head count, whole
    assert "exits per 100 person-years (95 % CI)" in html and "years in post" in html
    assert "exits: resignation" in html and "p-value" in html
    # Without hire and exit dates: density and equity only, and the subtitle says why.
    only = R.register_report(
        reg.drop("hire_date", "exit_date", "exit_reason"), pop, by="district", cadre="cadre"
    )
    assert [s.title for s in only.sections] == ["Health workforce density", "Distribution equity"]
    assert "need hire and exit dates" in only.subtitle
    # Named columns that are not dates are an error naming the column.
    with pytest.raises(hrh.InputError, match="column 'cadre' \\(hire date\\) holds String"):
        R.register_report(reg, pop, by="district", entry="cadre")


def test_aggregate_report_from_published_counts(tmp_path: Path) -> None:
    counts = pl.read_csv(ROOT / "examples" / "beijing_tianjin_hebei" / "counts.csv")
    report = R.aggregate_report(
        counts, by="region", staff="count", cadre="cadre", area="area_km2", title="BTH"
    )
    assert [s.title for s in report.sections] == [
        "Health workforce density",
        "Distribution equity",
    ]
    text = _text(report.to_html())
    # Beijing: 118,222 doctors and 133,548 nurses for 21,893,095 people: 11.51 per 1,000,
    # the published 5.4 + 6.1 (hrh.datasets.jingjinji_density).
    assert "|251,770|" in text and "|21,893,095|" in text and "|11.50 (11.46 to 11.54)|" in text
    # A population that differs between a unit's rows is named, not summed.
    bad = counts.with_columns(
        pl.when(pl.col("cadre") == "nurses")
        .then(pl.col("population") + 1)
        .otherwise(pl.col("population"))
        .alias("population")
    )
    with pytest.raises(hrh.InputError, match="column 'population': unit 'Beijing'"):
        R.aggregate_report(bad, by="region", staff="count", cadre="cadre")


def test_forecast_line_meets_the_observed_line() -> None:
    svg = fan_chart(([2020.0, 2021.0], [10.0, 12.0]), ([2022.0, 2023.0], [13.0, 14.0]))
    paths = re.findall(r'<path d="M([^"]+)" fill="none"', svg)
    observed_end = paths[0].split("L")[-1]
    forecast_start = paths[1].split("L")[0]
    assert observed_end == forecast_start


def test_report_dates_default_to_the_latest_in_the_register() -> None:
    reg = pl.DataFrame(
        {
            "district": ["A", "B", "C"] * 4,
            "hire_date": [dt.date(2000 + i, 1, 1) for i in range(12)],
            "exit_date": [None, dt.date(2015, 6, 1), None] * 4,
        }
    )
    pop = pl.DataFrame({"district": ["A", "B", "C"], "population": [1000, 1000, 1000]})
    r = R.register_report(reg, pop, by="district")
    assert "to 2015-06-01" in r.to_html()
    # An exit column read from a CSV in which nobody has left yet holds no dates at all.
    none_left = reg.with_columns(pl.lit(None, dtype=pl.String).alias("exit_date"))
    r = R.register_report(none_left, pop, by="district", exit="exit_date")
    assert [s.title for s in r.sections][:2] == ["Health workforce density", "Distribution equity"]


def test_command_line_counts_report_and_its_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from hrh.cli import main

    counts = ROOT / "examples" / "beijing_tianjin_hebei" / "counts.csv"
    out = tmp_path / "counts.html"
    args = ["report", "--counts", str(counts), "--by", "region", "--cadre", "cadre"]
    assert main([*args, "--staff", "count", "--area", "area_km2", "-o", str(out)]) == 0
    assert "Distribution equity" in out.read_text(encoding="utf-8")
    assert main([*args, "-o", str(out)]) == 2
    assert "--counts FILE needs --by COLUMN and --staff COLUMN" in capsys.readouterr().err
    assert main([*args, "--staff", "doctors", "-o", str(out)]) == 2
    assert "column 'doctors' (staff) is not in the table" in capsys.readouterr().err
    assert main(["report", "--demo", "--counts", str(counts), "-o", str(out)]) == 2
    assert "--demo cannot be combined with --counts" in capsys.readouterr().err
