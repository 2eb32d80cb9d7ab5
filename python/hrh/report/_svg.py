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
    row_h, left, right, top = 26, 170, 70, 40
    height = top + row_h * len(labels) + 46
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
            f'fill="{color}">{escape(name)} ({_fmt(v)})</text>'
        )
    parts.append(
        f'<text x="{width - right}" y="{bottom + 18}" text-anchor="end" fill="#555">'
        f"{escape(unit)}</text></svg>"
    )
    return "".join(parts)
