"""The figures' look, shared by every figure and the explorer: one font, the colour scales, a plotly template
built on the scenes' palette (scenes/palette.py), and the way figures write a share and a title."""

from __future__ import annotations

import plotly.graph_objects as go

from scenes import palette

FONT = "CMU Serif, DejaVu Serif, serif"

SEQUENTIAL = [[0.0, palette.BACKGROUND], [0.45, palette.DEEP], [0.75, palette.TRAIN], [1.0, palette.HIGHLIGHT]]
DIVERGING = [[0.0, palette.TRAIN], [0.5, palette.BACKGROUND], [1.0, palette.TEST]]  # flat maps: 0 is dark
DIVERGING_LIT = [[0.0, palette.TRAIN], [0.5, palette.INK], [1.0, palette.TEST]]  # lit surfaces: 0 is light

AXIS = dict(
    gridcolor=palette.GRID,
    zerolinecolor=palette.GRID,
    linecolor=palette.MUTED,
    tickcolor=palette.MUTED,
    title_font=dict(color=palette.MUTED),
)
TEMPLATE = go.layout.Template(
    layout=dict(
        paper_bgcolor=palette.BACKGROUND,
        plot_bgcolor=palette.BACKGROUND,
        font=dict(family=FONT, color=palette.INK, size=15),
        colorway=palette.FREQUENCY_CYCLE,
        title=dict(x=0.02, xanchor="left", font=dict(size=22)),
        xaxis=AXIS,
        yaxis=AXIS,
        legend=dict(bgcolor="rgba(0,0,0,0)"),
        hoverlabel=dict(font=dict(family=FONT)),
        margin=dict(l=80, r=40, t=110, b=70),
    )
)


def percent(share: float) -> str:
    """0.875 -> '88 %' (as the narration writes it)."""
    return f"{round(100 * share)} %"


def get_title(headline: str, detail: str) -> str:
    return f"{headline}<br><span style='font-size:15px;color:{palette.MUTED}'>{detail}</span>"
