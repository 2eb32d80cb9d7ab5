"""The HTML of a report: the document (:class:`Report`, :class:`Section`, its style
sheet), numbers as text (counts, decimals, percentages, p-values, intervals), tables
(:func:`table_html`) and key figures."""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import Any

import polars as pl

import hrh

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
