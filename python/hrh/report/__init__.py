"""Self-contained HTML reports.

A :class:`Report` is a title and a list of sections; each section is HTML built from
hrh results (tables and inline SVG charts), so the written file needs nothing but a
browser: no scripts, no network, no external files.

The document, the number formats and the tables are rendered in ``_html``, the charts
in ``_svg``; the sections on the workforce as it is (density, equity, attrition) are
built in ``_workforce``, those on the years ahead (a trend forecast, a scenario
projection) in ``_outlook``; whole reports from a register, from published counts or
from the bundled data (:func:`demo`) are assembled in ``_reports``.

Examples
--------
>>> import hrh.report
>>> html = hrh.report.demo().to_html()
>>> "Health workforce density" in html and "<svg" in html
True
"""

from __future__ import annotations

from hrh.report._html import NBSP as NBSP
from hrh.report._html import Report, Section, table_html
from hrh.report._html import count as count
from hrh.report._html import interval as interval
from hrh.report._html import number as number
from hrh.report._html import p_value as p_value
from hrh.report._html import percent as percent
from hrh.report._html import span as span
from hrh.report._outlook import projection_section, trend_section
from hrh.report._reports import aggregate_report, demo, register_report
from hrh.report._workforce import attrition_section, density_section, equity_section

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
