"""Minimal, dependency-free SVG charts for the self-contained HTML report.

Every chart scales down with the page (``max-width: 100%``), puts its axis ticks at
round numbers (:func:`nice_ticks`) and names the unit of each axis.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape

PALETTE = ["#1b6ca8", "#e07a1f", "#3a9d5d", "#b23a48", "#7b5ea7", "#8c6d46"]
CHAR_W = 7.0  # rough width of one character at font-size 12, for laying out labels


def _fmt(x: float) -> str:
    return f"{x:.2f}".rstrip("0").rstrip(".")


def _finite(values: Sequence[float | None]) -> bool:
    return all(v is not None and math.isfinite(v) for v in values)


def _nice(x: float, round_: bool) -> float:
    """Heckbert's nice number: 1, 2, 5 or 10 times a power of ten near `x` (> 0)."""
    exp = math.floor(math.log10(x))
    f = x / 10.0**exp
    if round_:
        nf = 1.0 if f < 1.5 else 2.0 if f < 3 else 5.0 if f < 7 else 10.0
    else:
        nf = 1.0 if f <= 1 else 2.0 if f <= 2 else 5.0 if f <= 5 else 10.0
    return nf * 10.0**exp


def nice_ticks(lo: float, hi: float, count: int = 5, *, integer: bool = False) -> list[float]:
    """Round tick values covering [`lo`, `hi`], about `count` of them, spaced 1, 2 or 5
    times a power of ten (Heckbert's "nice numbers"); whole steps with `integer`.

    References
    ----------
    Heckbert PS (1990). Nice numbers for graph labels. In Glassner AS (ed.), Graphics
    Gems, 61-63. Academic Press.

    Examples
    --------
    >>> nice_ticks(1532, 3753)
    [1500.0, 2000.0, 2500.0, 3000.0, 3500.0, 4000.0]
    >>> nice_ticks(0, 0.55)
    [0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6]
    >>> nice_ticks(2005, 2034, 7, integer=True)
    [2005.0, 2010.0, 2015.0, 2020.0, 2025.0, 2030.0, 2035.0]
    """
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return [0.0, 1.0]
    lo, hi = min(lo, hi), max(lo, hi)
    if hi - lo < 1e-12 * max(abs(lo), abs(hi), 1.0):
        lo, hi = (lo - 1, hi + 1) if lo == 0 or integer else (lo - abs(lo) / 2, hi + abs(hi) / 2)
    step = _nice((hi - lo) / max(count - 1, 1), True)
    if integer:
        step = max(step, 1.0)
    start = math.floor(lo / step + 1e-9)
    stop = math.ceil(hi / step - 1e-9)
    digits = max(0, 1 - math.floor(math.log10(step)))
    return [round(i * step, digits) + 0.0 for i in range(start, stop + 1)]


def tick_label(v: float, ticks: Sequence[float], *, percent: bool = False) -> str:
    """`v` with as many decimals as the tick step needs (as a percentage with `percent`)."""
    step = abs(ticks[1] - ticks[0]) if len(ticks) > 1 else 1.0
    scale = 100.0 if percent else 1.0
    dec = max(0, -math.floor(math.log10(step * scale) + 1e-9)) if step > 0 else 0
    text = f"{v * scale + 0.0:,.{dec}f}"
    return text + ("\u00a0%" if percent else "")


@dataclass(frozen=True)
class _Frame:
    left: float
    top: float
    width: float
    height: float
    x0: float
    x1: float
    y0: float
    y1: float

    def px(self, v: float) -> float:
        return self.left + self.width * (v - self.x0) / ((self.x1 - self.x0) or 1.0)

    def py(self, v: float) -> float:
        return self.top + self.height * (1 - (v - self.y0) / ((self.y1 - self.y0) or 1.0))

    def pt(self, x: float, y: float) -> str:
        return f"{self.px(x):.1f},{self.py(y):.1f}"


def _open(width: float, height: float, title: str, x: float) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" role="img" aria-label="{escape(title)}" '
        'style="max-width:100%;height:auto" font-family="system-ui, sans-serif" '
        'font-size="12">',
        f'<text x="{x:.0f}" y="18" font-size="14" font-weight="600">{escape(title)}</text>',
    ]


def _axes(
    f: _Frame,
    xticks: Sequence[float],
    yticks: Sequence[float],
    *,
    xlabel: str,
    ylabel: str,
    xfmt: Callable[[float], str],
    yfmt: Callable[[float], str],
) -> list[str]:
    """Grid lines, tick labels, the plot frame and the axis titles of `f`."""
    bottom, right = f.top + f.height, f.left + f.width
    grid = "".join(f"M{f.left},{f.py(v):.1f}H{right}" for v in yticks) + "".join(
        f"M{f.px(v):.1f},{f.top}V{bottom}" for v in xticks
    )
    parts = [f'<path d="{grid}" stroke="#e3e3e3" stroke-width="1"/>']
    for v in yticks:
        parts.append(
            f'<text x="{f.left - 6}" y="{f.py(v) + 4:.1f}" text-anchor="end">'
            f"{escape(yfmt(v))}</text>"
        )
    for v in xticks:
        parts.append(
            f'<text x="{f.px(v):.1f}" y="{bottom + 16}" text-anchor="middle">'
            f"{escape(xfmt(v))}</text>"
        )
    parts.append(
        f'<rect x="{f.left}" y="{f.top}" width="{f.width}" height="{f.height}" fill="none" '
        'stroke="#444"/>'
        f'<text x="{f.left + f.width / 2:.1f}" y="{bottom + 36}" text-anchor="middle" '
        f'fill="#444">{escape(xlabel)}</text>'
        f'<text x="14" y="{f.top + f.height / 2:.1f}" fill="#444" text-anchor="middle" '
        f'transform="rotate(-90 14 {f.top + f.height / 2:.1f})">{escape(ylabel)}</text>'
    )
    return parts


def _legend(names: Sequence[str], x: float, y: float) -> list[str]:
    parts = []
    for k, name in enumerate(names):
        color = PALETTE[k % len(PALETTE)]
        yy = y + 18 * k
        parts.append(
            f'<rect x="{x:.1f}" y="{yy - 9:.1f}" width="14" height="4" fill="{color}"/>'
            f'<text x="{x + 20:.1f}" y="{yy:.1f}" fill="{color}">{escape(name)}</text>'
        )
    return parts


def _legend_width(names: Sequence[str]) -> float:
    return 40 + CHAR_W * max((len(n) for n in names), default=0)


def _ylabel_width(labels: Sequence[str]) -> float:
    return 40 + CHAR_W * max((len(t) for t in labels), default=1)


def bar_chart(
    labels: Sequence[str],
    values: Sequence[float],
    *,
    lower: Sequence[float] | None = None,
    upper: Sequence[float] | None = None,
    reference: Sequence[tuple[str, float]] = (),
    unit: str = "",
    title: str = "",
    width: int = 760,
) -> str:
    """Horizontal bars with optional interval whiskers and vertical reference lines; the
    value axis (at the bottom, titled `unit`) has round ticks."""
    row_h, top = 26, 34
    left = min(max(90.0, 16 + CHAR_W * max((len(str(s)) for s in labels), default=0)), 300.0)
    right = 60.0
    vmax = max([*values, *(upper or []), *(r[1] for r in reference), 0.0])
    ticks = nice_ticks(0.0, vmax if vmax > 0 else 1.0)
    f = _Frame(left, top, width - left - right, row_h * len(labels), 0.0, ticks[-1], 0, 1)
    height = top + f.height + 46 + 16 * len(reference)
    parts = _open(width, height, title, left)
    parts += _axes(
        f,
        ticks,
        [],
        xlabel=unit,
        ylabel="",
        xfmt=lambda v: tick_label(v, ticks),
        yfmt=str,
    )
    for i, (lab, v) in enumerate(zip(labels, values, strict=True)):
        y = top + i * row_h
        parts.append(
            f'<text x="{left - 8}" y="{y + 17}" text-anchor="end">{escape(str(lab))}</text>'
            f'<rect x="{left}" y="{y + 5}" width="{max(f.px(v) - left, 0):.1f}" '
            f'height="{row_h - 10}" fill="{PALETTE[0]}">'
            f"<title>{escape(str(lab))}: {_fmt(v)} {escape(unit)}</title></rect>"
        )
        if lower is not None and upper is not None:
            lo, hi = f.px(lower[i]), f.px(upper[i])
            ym = y + row_h / 2
            parts.append(
                f'<path d="M{lo:.1f},{ym:.1f}H{hi:.1f}M{lo:.1f},{ym - 5:.1f}V{ym + 5:.1f}'
                f'M{hi:.1f},{ym - 5:.1f}V{ym + 5:.1f}" stroke="#222" stroke-width="1.2"/>'
            )
        parts.append(
            f'<text x="{f.px(upper[i] if upper else v) + 6:.1f}" y="{y + 17}">{_fmt(v)}</text>'
        )
    bottom = top + f.height
    for j, (name, v) in enumerate(reference):
        color = PALETTE[1 + j % (len(PALETTE) - 1)]
        parts.append(
            f'<line x1="{f.px(v):.1f}" y1="{top}" x2="{f.px(v):.1f}" y2="{bottom}" '
            f'stroke="{color}" stroke-width="2" stroke-dasharray="6 4"/>'
            f'<text x="{left}" y="{bottom + 56 + 16 * j}" fill="{color}">'
            f"- - {escape(name)}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


def lorenz_chart(
    curves: Sequence[tuple[str, Sequence[float], Sequence[float]]],
    *,
    title: str = "",
    xlabel: str = "cumulative share of population (or area)",
    ylabel: str = "cumulative share of staff",
    size: int = 360,
) -> str:
    """Lorenz curves (name, population shares, value shares) in a unit square with the
    line of equality; both axes in percent."""
    ticks = [0.0, 0.25, 0.5, 0.75, 1.0]
    left, top = 70.0, 30.0
    right = _legend_width([c[0] for c in curves]) + 10
    f = _Frame(left, top, size, size, 0.0, 1.0, 0.0, 1.0)
    w, h = left + size + right, top + size + 46
    parts = _open(w, h, title, left)
    parts += _axes(
        f,
        ticks,
        ticks,
        xlabel=xlabel,
        ylabel=ylabel,
        xfmt=lambda v: f"{100 * v:.0f} %",
        yfmt=lambda v: f"{100 * v:.0f} %",
    )
    parts.append(f'<path d="M{f.pt(0, 0)}L{f.pt(1, 1)}" stroke="#999" stroke-dasharray="5 4"/>')
    for k, (_, ps, vs) in enumerate(curves):
        color = PALETTE[k % len(PALETTE)]
        pts = "L".join(f.pt(p, v) for p, v in zip(ps, vs, strict=True))
        parts.append(f'<path d="M{pts}" fill="none" stroke="{color}" stroke-width="2"/>')
    parts += _legend([c[0] for c in curves], left + size + 14, top + 14)
    parts.append("</svg>")
    return "".join(parts)


def step_chart(
    curves: Sequence[tuple[str, Sequence[float], Sequence[float]]],
    *,
    title: str = "",
    xlabel: str = "",
    ylabel: str = "",
    ymax: float = 1.0,
    percent: bool = True,
    width: int = 900,
    height: int = 440,
) -> str:
    """Right-continuous step curves (name, x, y) starting at (0, y₀) on shared axes; the
    y axis in percent with `percent`."""
    names = [c[0] for c in curves]
    xmax = max((max(xs) for _, xs, _ in curves if len(xs)), default=1.0) or 1.0
    xticks = nice_ticks(0.0, xmax)
    yticks = nice_ticks(0.0, ymax)
    ylabels = [tick_label(v, yticks, percent=percent) for v in yticks]
    left, top, bottom = _ylabel_width(ylabels), 30.0, 46.0
    right = _legend_width(names) + 10
    f = _Frame(left, top, width - left - right, height - top - bottom, 0, xticks[-1], 0, yticks[-1])
    parts = _open(width, height, title, left)
    parts += _axes(
        f,
        xticks,
        yticks,
        xlabel=xlabel,
        ylabel=ylabel,
        xfmt=lambda v: tick_label(v, xticks),
        yfmt=lambda v: tick_label(v, yticks, percent=percent),
    )
    for k, (_, xs, ys) in enumerate(curves):
        color = PALETTE[k % len(PALETTE)]
        if not len(xs):
            continue
        pts = [f.pt(0.0, ys[0])]
        prev = ys[0]
        for x, y in zip(xs, ys, strict=True):
            pts.append(f.pt(x, prev))
            pts.append(f.pt(x, y))
            prev = y
        parts.append(f'<path d="M{"L".join(pts)}" fill="none" stroke="{color}" stroke-width="2"/>')
    parts += _legend(names, f.left + f.width + 14, top + 14)
    parts.append("</svg>")
    return "".join(parts)


def fan_chart(
    observed: tuple[Sequence[float], Sequence[float]],
    forecast: tuple[Sequence[float], Sequence[float]],
    bands: Sequence[tuple[Sequence[float], Sequence[float]]] = (),
    *,
    reference: Sequence[tuple[str, float]] = (),
    lines: Sequence[tuple[str, Sequence[float], Sequence[float]]] = (),
    title: str = "",
    xlabel: str = "year",
    ylabel: str = "",
    width: int = 900,
    height: int = 400,
) -> str:
    """Observed series, forecast mean and shaded prediction bands (widest first), with
    horizontal reference lines and further labelled lines (name, xs, ys). A band with a
    missing or non-finite value (a model without intervals) is left out.

    When the forecast starts after the last observation, the forecast line and its
    bands start from that observation, so that the two lines meet.
    """
    fx, fy = list(forecast[0]), list(forecast[1])
    band_lists = [(list(lo), list(hi)) for lo, hi in bands if _finite(lo) and _finite(hi)]
    if len(observed[0]) and fx and observed[0][-1] < fx[0]:
        x_last, y_last = observed[0][-1], observed[1][-1]
        fx, fy = [x_last, *fx], [y_last, *fy]
        band_lists = [([y_last, *lo], [y_last, *hi]) for lo, hi in band_lists]
    xs = [*observed[0], *fx, *(x for line in lines for x in line[1])]
    ys = [*observed[1], *fy, *(v for lo, hi in band_lists for v in (*lo, *hi))]
    ys += [r[1] for r in reference] + [y for line in lines for y in line[2]]
    ys = [y for y in ys if y is not None and math.isfinite(y)]
    xticks = nice_ticks(min(xs), max(xs), 7, integer=True)
    yticks = nice_ticks(min(ys), max(ys))
    ylabels = [tick_label(v, yticks) for v in yticks]
    left, top, bottom, right = _ylabel_width(ylabels), 30.0, 46.0, 20.0
    f = _Frame(
        left,
        top,
        width - left - right,
        height - top - bottom,
        min(xs),
        max(xs),
        yticks[0],
        yticks[-1],
    )
    parts = _open(width, height, title, left)
    parts += _axes(
        f,
        [t for t in xticks if min(xs) <= t <= max(xs)],
        yticks,
        xlabel=xlabel,
        ylabel=ylabel,
        xfmt=lambda v: f"{v:.0f}",
        yfmt=lambda v: tick_label(v, yticks),
    )
    for k, (lo, hi) in enumerate(band_lists):
        upper = [f.pt(x, y) for x, y in zip(fx, hi, strict=True)]
        lower = [f.pt(x, y) for x, y in zip(fx, lo, strict=True)][::-1]
        parts.append(
            f'<path d="M{"L".join(upper + lower)}Z" fill="{PALETTE[0]}" '
            f'fill-opacity="{0.15 + 0.15 * k:.2f}" stroke="none"/>'
        )
    obs = "L".join(f.pt(x, y) for x, y in zip(*observed, strict=True))
    if obs:
        parts.append(f'<path d="M{obs}" fill="none" stroke="#222" stroke-width="2"/>')
    fc = "L".join(f.pt(x, y) for x, y in zip(fx, fy, strict=True))
    parts.append(f'<path d="M{fc}" fill="none" stroke="{PALETTE[0]}" stroke-width="2"/>')
    for j, (name, lx, ly) in enumerate(lines):
        color = PALETTE[1 + (len(reference) + j) % (len(PALETTE) - 1)]
        path = "L".join(f.pt(x, y) for x, y in zip(lx, ly, strict=True))
        parts.append(
            f'<path d="M{path}" fill="none" stroke="{color}" stroke-width="2"/>'
            f'<text x="{f.px(lx[-1]) - 4:.1f}" y="{f.py(ly[-1]) - 6:.1f}" fill="{color}" '
            f'text-anchor="end">{escape(name)}</text>'
        )
    for j, (name, v) in enumerate(reference):
        color = PALETTE[1 + j % (len(PALETTE) - 1)]
        parts.append(
            f'<path d="M{f.pt(f.x0, v)}L{f.pt(f.x1, v)}" stroke="{color}" '
            'stroke-dasharray="6 4" stroke-width="1.5"/>'
            f'<text x="{left + 6}" y="{f.py(v) - 4:.1f}" fill="{color}">{escape(name)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def plane_chart(
    clouds: Sequence[tuple[str, Sequence[float], Sequence[float]]],
    *,
    xlabel: str,
    ylabel: str,
    title: str = "",
    width: int = 900,
    height: float = 460,
    max_points: int = 400,
) -> str:
    """Scatter clouds (name, x draws, y draws) with each cloud's mean as a ringed dot,
    and the axes through the origin: a cost-effectiveness plane."""
    xs = [v for _, x, _ in clouds for v in x] + [0.0]
    ys = [v for _, _, y in clouds for v in y] + [0.0]
    xticks, yticks = nice_ticks(min(xs), max(xs)), nice_ticks(min(ys), max(ys))
    ylabels = [tick_label(v, yticks) for v in yticks]
    names = [c[0] for c in clouds]
    left, top, bottom = _ylabel_width(ylabels), 30.0, 46.0
    right = _legend_width(names) + 10
    below = right > 0.3 * width  # long names: the legend goes under the plot
    if below:
        right, height = 30.0, height + 18 * len(names) + 10
        bottom += 18 * len(names) + 10
    f = _Frame(
        left,
        top,
        width - left - right,
        height - top - bottom,
        xticks[0],
        xticks[-1],
        yticks[0],
        yticks[-1],
    )
    parts = _open(width, height, title, left)
    parts += _axes(
        f,
        xticks,
        yticks,
        xlabel=xlabel,
        ylabel=ylabel,
        xfmt=lambda v: tick_label(v, xticks),
        yfmt=lambda v: tick_label(v, yticks),
    )
    parts.append(
        f'<path d="M{f.px(0):.1f},{top}V{top + f.height}M{left},{f.py(0):.1f}H{left + f.width}" '
        'stroke="#777" stroke-dasharray="4 3"/>'
    )
    for k, (name, x, y) in enumerate(clouds):
        color = PALETTE[k % len(PALETTE)]
        step = max(1, len(x) // max_points)
        dots = "".join(
            f'<circle cx="{f.px(a):.1f}" cy="{f.py(b):.1f}" r="2"/>'
            for a, b in list(zip(x, y, strict=True))[::step]
        )
        parts.append(f'<g fill="{color}" fill-opacity="0.35">{dots}</g>')
        if len(x):
            mx, my = sum(x) / len(x), sum(y) / len(y)
            parts.append(
                f'<circle cx="{f.px(mx):.1f}" cy="{f.py(my):.1f}" r="6" fill="{color}" '
                f'stroke="#111" stroke-width="1.5"><title>{escape(name)}: mean '
                f"{_fmt(mx)}, {_fmt(my)}</title></circle>"
            )
    if below:
        parts += _legend(names, f.left, top + f.height + 64)
    else:
        parts += _legend(names, f.left + f.width + 14, top + 14)
    parts.append("</svg>")
    return "".join(parts)
