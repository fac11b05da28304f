"""A sweep's figures (frames/sweep.py): the phase diagram, which runs of a grid of two settings grokked and
when, and each run's own loss curves as small multiples."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from frames.sweep import (
    DIVERGED,
    GROKKED,
    MEMORISED,
    MISSING,
    NEVER_MEMORISED,
    STATE_MARKS,
    STATE_NAMES,
    get_column_words,
    get_loss_decades,
    get_phase_grid,
    get_rows,
    get_value_label,
)
from grok.figures.style import TEMPLATE, get_title
from scenes import palette

# A cell's colour where it did not grok, and the mark written in it (a grokked cell shows its epoch)
STATE_STYLE = {
    MEMORISED: (palette.NEVER_GENERALISED, STATE_MARKS[MEMORISED]),
    NEVER_MEMORISED: (palette.NEVER_MEMORISED, STATE_MARKS[NEVER_MEMORISED]),
    DIVERGED: (palette.DIVERGED, STATE_MARKS[DIVERGED]),
    MISSING: (palette.BACKGROUND, STATE_MARKS[MISSING]),
}
GROK_SCALE = [[n / (len(palette.GROK_SCALE) - 1), c] for n, c in enumerate(palette.GROK_SCALE)]  # sooner is brighter


TICK_GAP = 0.07  # least distance between two labels of the colour bar, as a share of its length


def get_epoch_ticks(low: float, high: float) -> list[int]:
    """Round epochs (1, 2, 5 x 10^k; over a long span 1 x 10^k only) between low and high for a log colour
    bar, the ends included; no two labels nearer than TICK_GAP of the bar (2,000 is left out beside 2,052)."""
    log_low, log_high = np.log10(max(low, 1)), np.log10(max(high, 1))
    apart = TICK_GAP * max(log_high - log_low, 1e-9)
    mantissas = (1, 2, 5) if np.log10(2) >= apart else (1,)  # 1, 2, 5, 10 are 0.3 decades apart at the least
    ticks = [
        m * 10**e
        for e in range(int(np.floor(log_low)), int(np.ceil(log_high)) + 1)
        for m in mantissas
        if log_low + apart <= np.log10(m * 10**e) <= log_high - apart
    ]
    return sorted({int(round(low)), *ticks, int(round(high))})


def get_phase_note(sweep: dict, grid) -> str:
    counts = {name: int((grid.state == state).sum()) for state, name in STATE_NAMES.items()}
    told = [f"{n} {name}" for name, n in counts.items() if n]
    return (
        f"{len(sweep['run_names'])} runs, p = {int(sweep['p'])}, {int(sweep['epochs']):,} epochs each; colour: the epoch "
        "test accuracy first reached 99 % (log scale)<br>Cells: " + ", ".join(told)
    )


def phase_figure(sweep: dict, x: str, y: str) -> go.Figure:
    """The phase diagram: a cell per pair of values of x and y, coloured by the epoch its runs grokked.
    Cells sit at integer positions (a category axis would read a label such as "1" as a position)."""
    rows = get_rows(sweep)
    grid = get_phase_grid(rows, x, y)
    ny, nx = grid.state.shape
    xs, ys = list(range(nx)), list(range(ny))
    names = [[", ".join(rows[i]["name"] for i in cell) or "no run" for cell in line] for line in grid.members]
    hover = np.array(
        [
            [
                f"{get_column_words(x)} {get_value_label(x, grid.x_values[i])}, "
                f"{get_column_words(y)} {get_value_label(y, grid.y_values[j])}<br>{STATE_NAMES[grid.state[j, i]]}"
                + (f" at epoch {grid.grok_epoch[j, i]:,.0f}" if grid.state[j, i] == GROKKED else "")
                + (f"<br>{grid.grokked[j, i]} of {grid.runs[j, i]} runs grokked" if grid.runs[j, i] > 1 else "")
                + f"<br>{names[j][i]}"
                for i in xs
            ]
            for j in ys
        ]
    )
    cell = dict(
        x=xs, y=ys, xgap=3, ygap=3, customdata=hover, hoverongaps=False, hovertemplate="%{customdata}<extra></extra>"
    )
    fig = go.Figure()
    for state, (color, _) in STATE_STYLE.items():
        if state != MISSING and (grid.state == state).any():
            fig.add_trace(
                go.Heatmap(
                    z=np.where(grid.state == state, 1.0, np.nan),
                    colorscale=[[0, color], [1, color]],
                    showscale=False,
                    **cell,
                )
            )
    grokked = grid.state == GROKKED
    if grokked.any():
        low, high = np.nanmin(grid.grok_epoch), np.nanmax(grid.grok_epoch)
        ticks = get_epoch_ticks(low, high)
        log_low = np.log10(max(low, 1))
        fig.add_trace(
            go.Heatmap(
                z=np.where(grokked, np.log10(np.maximum(np.nan_to_num(grid.grok_epoch, nan=1.0), 1.0)), np.nan),
                colorscale=GROK_SCALE,
                zmin=log_low,
                zmax=max(np.log10(max(high, 1)), log_low + 1e-6),
                colorbar=dict(
                    title=dict(text="grokked at epoch", side="right"),
                    thickness=14,
                    tickvals=np.log10(np.maximum(ticks, 1)),
                    ticktext=[f"{t:,}" for t in ticks],
                ),
                **cell,
            )
        )
    for j, i in np.ndindex(ny, nx):
        state = grid.state[j, i]
        text = f"{grid.grok_epoch[j, i]:,.0f}" if state == GROKKED else STATE_STYLE[state][1]
        on_dark = state in (NEVER_MEMORISED, MISSING)
        fig.add_annotation(
            x=i,
            y=j,
            text=text,
            showarrow=False,
            font=dict(size=15, color=palette.INK if on_dark else palette.BACKGROUND),
        )
        if state == MISSING:
            fig.add_shape(
                type="rect",
                x0=i - 0.45,
                x1=i + 0.45,
                y0=j - 0.45,
                y1=j + 0.45,
                line=dict(color=palette.MUTED, dash="dot", width=1),
            )
    for state in (MEMORISED, NEVER_MEMORISED, DIVERGED, MISSING):  # a legend entry for each state present
        if (grid.state == state).any():
            color, mark = STATE_STYLE[state]
            fig.add_trace(
                go.Scatter(
                    x=[None],
                    y=[None],
                    mode="markers",
                    name=f"{mark} {STATE_NAMES[state]}".strip(),
                    marker=dict(symbol="square", size=14, color=color, line=dict(color=palette.MUTED, width=1)),
                )
            )
    fig.update_xaxes(
        title=get_column_words(x),
        tickvals=xs,
        ticktext=[get_value_label(x, v) for v in grid.x_values],
        range=[-0.5, nx - 0.5],
        showgrid=False,
        zeroline=False,
    )
    fig.update_yaxes(
        title=get_column_words(y),
        tickvals=ys,
        ticktext=[get_value_label(y, v) for v in grid.y_values],
        range=[-0.5, ny - 0.5],
        showgrid=False,
        zeroline=False,
    )
    fig.update_layout(
        template=TEMPLATE,
        showlegend=True,
        legend=dict(orientation="h", yref="container", y=0.02, yanchor="bottom", x=0),
        title=get_title(
            f"Which runs grokked? {get_column_words(y).capitalize()} × {get_column_words(x)}",
            get_phase_note(sweep, grid),
        ),
        margin=dict(t=130, b=120),
    )
    return fig


TINT_WORDS = {MEMORISED: "red", NEVER_MEMORISED: "grey", DIVERGED: "lilac"}


def get_tints_said(grid) -> str:
    """'; tinted: a cell that did not grok (red: memorised, never generalised)', for the states the grid shows."""
    told = [f"{TINT_WORDS[state]}: {STATE_NAMES[state]}" for state in TINT_WORDS if (grid.state == state).any()]
    return f"; tinted: a cell that did not grok ({'; '.join(told)})" if told else ""


def phase_curves_figure(sweep: dict, x: str, y: str) -> go.Figure:
    """Small multiples: each cell of the phase diagram with its runs' own train and test loss (log axes)."""
    rows = get_rows(sweep)
    grid = get_phase_grid(rows, x, y)
    ny, nx = grid.state.shape
    epochs = sweep["curve_epochs"]
    fig = make_subplots(
        rows=ny,
        cols=nx,
        shared_xaxes=True,
        shared_yaxes=True,
        horizontal_spacing=0.012,
        vertical_spacing=0.02,
        column_titles=[get_value_label(x, v) for v in grid.x_values],
        row_titles=[get_value_label(y, v) for v in reversed(grid.y_values)],
    )
    for j, i in np.ndindex(ny, nx):
        row, col = ny - j, i + 1  # the lowest value of y at the bottom, as in the diagram
        for index in grid.members[j][i]:
            for curve, color in (("train_loss", palette.TRAIN), ("test_loss", palette.TEST)):
                fig.add_trace(
                    go.Scatter(
                        x=epochs,
                        y=sweep[curve][index],
                        mode="lines",
                        showlegend=False,
                        line=dict(color=color, width=1.2),
                        hovertemplate=f"{rows[index]['name']}<br>epoch %{{x:,}}<br>{curve.replace('_', ' ')} "
                        "%{y:.3g}<extra></extra>",
                    ),
                    row=row,
                    col=col,
                )
        if grid.state[j, i] == MISSING:
            axis = (row - 1) * nx + col  # subplots are numbered row by row, from 1 ('x', 'x2', ...)
            suffix = "" if axis == 1 else str(axis)
            fig.add_annotation(
                text="not trained",
                showarrow=False,
                xref="paper",
                yref="paper",  # an empty subplot's
                x=np.mean(fig.layout[f"xaxis{suffix}"].domain),  # domain refs are not drawn
                y=np.mean(fig.layout[f"yaxis{suffix}"].domain),
                xanchor="center",
                yanchor="middle",
                font=dict(color=palette.MUTED),
            )
        elif grid.state[j, i] != GROKKED:
            color = STATE_STYLE[grid.state[j, i]][0]
            fig.add_shape(
                type="rect",
                xref="x domain",
                yref="y domain",
                x0=0,
                x1=1,
                y0=0,
                y1=1,
                layer="below",
                fillcolor=color,
                opacity=0.25,
                line_width=0,
                row=row,
                col=col,
            )
    for name, color in (("train loss", palette.TRAIN), ("test loss", palette.TEST)):  # legend only: no data
        fig.add_trace(go.Scatter(x=[epochs[0]], y=[np.nan], mode="lines", name=name, line=dict(color=color, width=2)))
    low, high = get_loss_decades(sweep)
    fig.update_xaxes(
        type="log", range=[0, np.log10(max(int(sweep["epochs"]) - 1, 10))], showticklabels=False, showgrid=False
    )
    fig.update_yaxes(type="log", range=[low, high], showticklabels=False, showgrid=False)
    fig.update_layout(
        template=TEMPLATE,
        legend=dict(orientation="h", y=-0.05, x=0),
        title=get_title(
            f"Each run's own losses: {get_column_words(y)} (rows) × {get_column_words(x)} (columns)",
            "train and test loss against epoch, both axes log" + get_tints_said(grid),
        ),
    )
    return fig
