"""Minimal, dependency-free SVG charts for the self-contained HTML report."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

PALETTE = ["#1b6ca8", "#e07a1f", "#3a9d5d", "#b23a48", "#7b5ea7", "#8c6d46"]


def _fmt(x: float) -> str:
    return f"{x:.2f}".rstrip("0").rstrip(".")


def bar_chart(
    labels: Sequence[str],
    values: Sequence[float],
    *,
    lower: Sequence[float] | None = None,
    upper: Sequence[float] | None = None,
    reference: Sequence[tuple[str, float]] = (),
    unit: str = "",
    title: str = "",
    width: int = 720,
) -> str:
    """Horizontal bars with optional interval whiskers and vertical reference lines."""
    row_h, left, right, top = 26, 170, 70, 48
    height = top + row_h * len(labels) + 30 + 14 * len(reference)
    vmax = max([*values, *(upper or []), *(r[1] for r in reference), 1e-12]) * 1.08
    plot_w = width - left - right

    def x(v: float) -> float:
        return left + plot_w * v / vmax

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}" '
        'font-family="system-ui, sans-serif" font-size="12">',
        f'<text x="{left}" y="20" font-size="14" font-weight="600">{escape(title)}</text>',
    ]
    for i, (lab, v) in enumerate(zip(labels, values, strict=True)):
        y = top + i * row_h
        parts.append(
            f'<text x="{left - 8}" y="{y + 16}" text-anchor="end">{escape(str(lab))}</text>'
            f'<rect x="{left}" y="{y + 4}" width="{max(x(v) - left, 0):.1f}" '
            f'height="{row_h - 8}" fill="{PALETTE[0]}">'
            f"<title>{escape(str(lab))}: {_fmt(v)} {escape(unit)}</title></rect>"
        )
        if lower is not None and upper is not None:
            lo, hi = x(lower[i]), x(upper[i])
            ym = y + row_h / 2
            parts.append(
                f'<path d="M{lo:.1f},{ym:.1f}H{hi:.1f}M{lo:.1f},{ym - 5:.1f}V{ym + 5:.1f}'
                f'M{hi:.1f},{ym - 5:.1f}V{ym + 5:.1f}" stroke="#222" stroke-width="1.2"/>'
            )
        parts.append(
            f'<text x="{x(upper[i] if upper else v) + 6:.1f}" y="{y + 16}">{_fmt(v)}</text>'
        )
    bottom = top + row_h * len(labels)
    parts.append(f'<line x1="{left}" y1="{top}" x2="{left}" y2="{bottom}" stroke="#444"/>')
    for j, (name, v) in enumerate(reference):
        color = PALETTE[1 + j % (len(PALETTE) - 1)]
        parts.append(
            f'<line x1="{x(v):.1f}" y1="{top - 4}" x2="{x(v):.1f}" y2="{bottom + 4}" '
            f'stroke="{color}" stroke-width="2" stroke-dasharray="6 4"/>'
            f'<text x="{x(v):.1f}" y="{bottom + 18 + 14 * j}" text-anchor="middle" '
            f'fill="{color}">{escape(name)}</text>'
        )
    parts.append(f'<text x="{left}" y="36" fill="#555">{escape(unit)}</text></svg>')
    return "".join(parts)


def lorenz_chart(
    curves: Sequence[tuple[str, Sequence[float], Sequence[float]]],
    *,
    title: str = "",
    size: int = 360,
) -> str:
    """Lorenz curves (name, population shares, value shares) in a unit square with the
    line of equality."""
    pad_l, pad_b, pad_t, pad_r = 50, 40, 30, 150
    w, h = size + pad_l + pad_r, size + pad_t + pad_b

    def xy(p: float, v: float) -> str:
        return f"{pad_l + p * size:.1f},{pad_t + (1 - v) * size:.1f}"

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" '
        f'viewBox="0 0 {w} {h}" role="img" aria-label="{escape(title)}" '
        'font-family="system-ui, sans-serif" font-size="12">',
        f'<text x="{pad_l}" y="18" font-size="14" font-weight="600">{escape(title)}</text>',
        f'<rect x="{pad_l}" y="{pad_t}" width="{size}" height="{size}" fill="none" stroke="#444"/>',
        f'<path d="M{xy(0, 0)}L{xy(1, 1)}" stroke="#999" stroke-dasharray="5 4"/>',
    ]
    for k, (name, ps, vs) in enumerate(curves):
        color = PALETTE[k % len(PALETTE)]
        pts = "L".join(xy(p, v) for p, v in zip(ps, vs, strict=True))
        parts.append(f'<path d="M{pts}" fill="none" stroke="{color}" stroke-width="2"/>')
        parts.append(
            f'<text x="{pad_l + size + 10}" y="{pad_t + 16 + 18 * k}" fill="{color}">'
            f"{escape(name)}</text>"
        )
    for t in (0, 0.5, 1):
        parts.append(
            f'<text x="{pad_l + t * size:.1f}" y="{pad_t + size + 16}" text-anchor="middle">'
            f"{t:g}</text>"
            f'<text x="{pad_l - 6}" y="{pad_t + (1 - t) * size + 4:.1f}" text-anchor="end">'
            f"{t:g}</text>"
        )
    parts.append(
        f'<text x="{pad_l + size / 2}" y="{h - 6}" text-anchor="middle" fill="#555">'
        "cumulative share of population (or area)</text></svg>"
    )
    return "".join(parts)


def step_chart(
    curves: Sequence[tuple[str, Sequence[float], Sequence[float]]],
    *,
    title: str = "",
    xlabel: str = "",
    ylabel: str = "",
    ymax: float = 1.0,
    width: int = 560,
    height: int = 320,
) -> str:
    """Right-continuous step curves (name, x, y) starting at (0, y₀) on shared axes."""
    pad_l, pad_b, pad_t, pad_r = 50, 42, 30, 150
    pw, ph = width - pad_l - pad_r, height - pad_t - pad_b
    xmax = max((max(xs) for _, xs, _ in curves if len(xs)), default=1.0) or 1.0

    def xy(x: float, y: float) -> str:
        return f"{pad_l + pw * x / xmax:.1f},{pad_t + ph * (1 - y / ymax):.1f}"

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}" '
        'font-family="system-ui, sans-serif" font-size="12">',
        f'<text x="{pad_l}" y="18" font-size="14" font-weight="600">{escape(title)}</text>',
        f'<rect x="{pad_l}" y="{pad_t}" width="{pw}" height="{ph}" fill="none" stroke="#444"/>',
    ]
    for k, (name, xs, ys) in enumerate(curves):
        color = PALETTE[k % len(PALETTE)]
        if not len(xs):
            continue
        pts = [xy(0.0, ys[0])]
        for x, y in zip(xs, ys, strict=True):
            prev = pts[-1].split(",")[1]
            pts.append(f"{pad_l + pw * x / xmax:.1f},{prev}")
            pts.append(xy(x, y))
        parts.append(f'<path d="M{"L".join(pts)}" fill="none" stroke="{color}" stroke-width="2"/>')
        parts.append(
            f'<text x="{pad_l + pw + 10}" y="{pad_t + 16 + 18 * k}" fill="{color}">'
            f"{escape(name)}</text>"
        )
    for f in (0.0, 0.5, 1.0):
        parts.append(
            f'<text x="{pad_l - 6}" y="{pad_t + ph * (1 - f) + 4:.1f}" text-anchor="end">'
            f"{f * ymax:.2g}</text>"
            f'<text x="{pad_l + pw * f:.1f}" y="{pad_t + ph + 16}" text-anchor="middle">'
            f"{f * xmax:.0f}</text>"
        )
    parts.append(
        f'<text x="{pad_l + pw / 2}" y="{height - 6}" text-anchor="middle" fill="#555">'
        f"{escape(xlabel)}</text>"
        f'<text x="14" y="{pad_t + ph / 2}" fill="#555" text-anchor="middle" '
        f'transform="rotate(-90 14 {pad_t + ph / 2})">{escape(ylabel)}</text></svg>'
    )
    return "".join(parts)


def fan_chart(
    observed: tuple[Sequence[float], Sequence[float]],
    forecast: tuple[Sequence[float], Sequence[float]],
    bands: Sequence[tuple[Sequence[float], Sequence[float]]] = (),
    *,
    reference: Sequence[tuple[str, float]] = (),
    lines: Sequence[tuple[str, Sequence[float], Sequence[float]]] = (),
    title: str = "",
    ylabel: str = "",
    width: int = 640,
    height: int = 320,
) -> str:
    """Observed series, forecast mean and shaded prediction bands (widest first), with
    horizontal reference lines and further labelled lines (name, xs, ys)."""
    pad_l, pad_b, pad_t, pad_r = 60, 36, 30, 20
    pw, ph = width - pad_l - pad_r, height - pad_t - pad_b
    xs = [*observed[0], *forecast[0]]
    ys = [*observed[1], *forecast[1], *(v for b in bands for v in (*b[0], *b[1]))]
    ys += [r[1] for r in reference]
    xs += [x for line in lines for x in line[1]]
    ys += [y for line in lines for y in line[2]]
    x0, x1 = min(xs), max(xs)
    y0, y1 = min(ys), max(ys)
    pad = 0.05 * (y1 - y0 or 1.0)
    y0, y1 = y0 - pad, y1 + pad

    def pt(x: float, y: float) -> str:
        px = pad_l + pw * (x - x0) / (x1 - x0 or 1)
        py = pad_t + ph * (1 - (y - y0) / (y1 - y0))
        return f"{px:.1f},{py:.1f}"

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}" '
        'font-family="system-ui, sans-serif" font-size="12">',
        f'<text x="{pad_l}" y="18" font-size="14" font-weight="600">{escape(title)}</text>',
        f'<rect x="{pad_l}" y="{pad_t}" width="{pw}" height="{ph}" fill="none" stroke="#444"/>',
    ]
    for k, (lo, hi) in enumerate(bands):
        upper = [pt(x, y) for x, y in zip(forecast[0], hi, strict=True)]
        lower = [pt(x, y) for x, y in zip(forecast[0], lo, strict=True)][::-1]
        parts.append(
            f'<path d="M{"L".join(upper + lower)}Z" fill="{PALETTE[0]}" '
            f'fill-opacity="{0.15 + 0.15 * k:.2f}" stroke="none"/>'
        )
    obs = "L".join(pt(x, y) for x, y in zip(*observed, strict=True))
    parts.append(f'<path d="M{obs}" fill="none" stroke="#222" stroke-width="2"/>')
    fc = "L".join(pt(x, y) for x, y in zip(*forecast, strict=True))
    parts.append(f'<path d="M{fc}" fill="none" stroke="{PALETTE[0]}" stroke-width="2"/>')
    for j, (name, lx, ly) in enumerate(lines):
        color = PALETTE[1 + (len(reference) + j) % (len(PALETTE) - 1)]
        path = "L".join(pt(x, y) for x, y in zip(lx, ly, strict=True))
        end = pt(lx[-1], ly[-1]).split(",")
        parts.append(
            f'<path d="M{path}" fill="none" stroke="{color}" stroke-width="2"/>'
            f'<text x="{float(end[0]) - 4:.1f}" y="{float(end[1]) - 6:.1f}" fill="{color}" '
            f'text-anchor="end">{escape(name)}</text>'
        )
    for j, (name, v) in enumerate(reference):
        color = PALETTE[1 + j % (len(PALETTE) - 1)]
        a, b = pt(x0, v), pt(x1, v)
        parts.append(
            f'<path d="M{a}L{b}" stroke="{color}" stroke-dasharray="6 4" stroke-width="1.5"/>'
            f'<text x="{pad_l + 6}" y="{float(a.split(",")[1]) - 4:.1f}" fill="{color}">'
            f"{escape(name)}</text>"
        )
    for f in (0.0, 0.5, 1.0):
        parts.append(
            f'<text x="{pad_l - 6}" y="{pad_t + ph * (1 - f) + 4:.1f}" text-anchor="end">'
            f"{y0 + f * (y1 - y0):,.0f}</text>"
            f'<text x="{pad_l + pw * f:.1f}" y="{pad_t + ph + 16}" text-anchor="middle">'
            f"{x0 + f * (x1 - x0):.0f}</text>"
        )
    parts.append(
        f'<text x="14" y="{pad_t + ph / 2}" fill="#555" text-anchor="middle" '
        f'transform="rotate(-90 14 {pad_t + ph / 2})">{escape(ylabel)}</text></svg>'
    )
    return "".join(parts)


def plane_chart(
    clouds: Sequence[tuple[str, Sequence[float], Sequence[float]]],
    *,
    xlabel: str,
    ylabel: str,
    title: str = "",
    width: int = 640,
    height: int = 420,
    max_points: int = 400,
) -> str:
    """Scatter clouds (name, x draws, y draws) with each cloud's mean as a ringed dot,
    and the axes through the origin: a cost-effectiveness plane."""
    left, right, top, bottom = 80, 170, 34, 48
    pw, ph = width - left - right, height - top - bottom
    xs = [v for _, x, _ in clouds for v in x] + [0.0]
    ys = [v for _, _, y in clouds for v in y] + [0.0]
    x0, x1 = min(xs), max(xs)
    y0, y1 = min(ys), max(ys)
    dx, dy = (x1 - x0) or 1.0, (y1 - y0) or 1.0
    x0, x1, y0, y1 = x0 - 0.05 * dx, x1 + 0.05 * dx, y0 - 0.05 * dy, y1 + 0.05 * dy

    def px(v: float) -> float:
        return left + pw * (v - x0) / (x1 - x0)

    def py(v: float) -> float:
        return top + ph * (1 - (v - y0) / (y1 - y0))

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}" '
        'font-family="system-ui, sans-serif" font-size="12">',
        f'<text x="{left}" y="20" font-size="14" font-weight="600">{escape(title)}</text>',
        f'<rect x="{left}" y="{top}" width="{pw}" height="{ph}" fill="none" stroke="#444"/>',
        f'<path d="M{px(0):.1f},{top}V{top + ph}M{left},{py(0):.1f}H{left + pw}" '
        'stroke="#999" stroke-dasharray="4 3"/>',
    ]
    for k, (name, x, y) in enumerate(clouds):
        color = PALETTE[k % len(PALETTE)]
        step = max(1, len(x) // max_points)
        dots = "".join(
            f'<circle cx="{px(a):.1f}" cy="{py(b):.1f}" r="2"/>'
            for a, b in list(zip(x, y, strict=True))[::step]
        )
        parts.append(f'<g fill="{color}" fill-opacity="0.35">{dots}</g>')
        if len(x):
            mx, my = sum(x) / len(x), sum(y) / len(y)
            parts.append(
                f'<circle cx="{px(mx):.1f}" cy="{py(my):.1f}" r="6" fill="{color}" '
                f'stroke="#111" stroke-width="1.5"><title>{escape(name)}: mean '
                f"{_fmt(mx)}, {_fmt(my)}</title></circle>"
            )
        parts.append(
            f'<text x="{left + pw + 10}" y="{top + 16 + 18 * k}" fill="{color}">'
            f"{escape(name)}</text>"
        )
    for v, anchor in ((x0, "start"), (x1, "end")):
        parts.append(
            f'<text x="{px(v):.1f}" y="{top + ph + 16}" text-anchor="{anchor}">{v:,.0f}</text>'
        )
    for v in (y0, y1):
        parts.append(f'<text x="{left - 6}" y="{py(v) + 4:.1f}" text-anchor="end">{v:,.0f}</text>')
    parts.append(
        f'<text x="{left + pw / 2}" y="{height - 8}" text-anchor="middle" fill="#555">'
        f"{escape(xlabel)}</text>"
        f'<text x="14" y="{top + ph / 2}" fill="#555" transform="rotate(-90 14 {top + ph / 2})" '
        f'text-anchor="middle">{escape(ylabel)}</text></svg>'
    )
    return "".join(parts)
