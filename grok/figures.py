"""`grok figures`: plotly figures of one frames file, as interactive HTML and PNG stills.

Four figures, one idea each: the logit over the (a, b) grid (diagonal ridges), the loss curves with
the progress measures, the Fourier spectrum of W_E over training, the neurons' frequency clusters.
From a sweep file (frames/sweep.py), the phase diagram: which runs of a grid of two settings grokked,
and when; and, on request, each run's own loss curves as small multiples.
The HTML pages share one plotly.min.js written beside them (they open from file://, offline); the
PNGs come from kaleido, which drives an installed Chrome or Chromium. Reads frames only (numpy and
plotly): never training or torch.
"""
from __future__ import annotations

import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio
from plotly.offline import get_plotlyjs
from plotly.subplots import make_subplots

from frames import CLUSTER_THRESHOLD, NOT_RECORDED, get_formula, get_not_applicable, milestones
from frames.sweep import (DIVERGED, GROKKED, MEMORISED, MISSING, NEVER_MEMORISED, STATE_MARKS, STATE_NAMES,
                          get_column_words, get_default_axes, get_loss_decades, get_phase_grid, get_rows,
                          get_settings, get_value_label)
from frames.files import atomic_write_text
from scenes import palette
from scenes.operation import get_coordinate, get_group_tokens, is_plain_addition

FONT = "CMU Serif, DejaVu Serif, serif"
STILL_SIZE = (1280, 800)         # PNG width, height in px
SURFACE_UPSAMPLING = 3           # points per sample along a and b; odd, so every sample is a grid point
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")
INSTALL_HINT = "install Chromium (Debian/Ubuntu: apt-get install chromium) or set BROWSER_PATH to a Chrome"
HTML_CONFIG = {"displaylogo": False}

SEQUENTIAL = [[0.0, palette.BACKGROUND], [0.45, palette.DEEP], [0.75, palette.TRAIN], [1.0, palette.HIGHLIGHT]]
DIVERGING = [[0.0, palette.TRAIN], [0.5, palette.BACKGROUND], [1.0, palette.TEST]]    # flat maps: 0 is dark
DIVERGING_LIT = [[0.0, palette.TRAIN], [0.5, palette.INK], [1.0, palette.TEST]]       # lit surfaces: 0 is light

AXIS = dict(gridcolor=palette.GRID, zerolinecolor=palette.GRID, linecolor=palette.MUTED, tickcolor=palette.MUTED,
            title_font=dict(color=palette.MUTED))
TEMPLATE = go.layout.Template(layout=dict(
    paper_bgcolor=palette.BACKGROUND, plot_bgcolor=palette.BACKGROUND,
    font=dict(family=FONT, color=palette.INK, size=15), colorway=palette.FREQUENCY_CYCLE,
    title=dict(x=0.02, xanchor="left", font=dict(size=22)),
    xaxis=AXIS, yaxis=AXIS, legend=dict(bgcolor="rgba(0,0,0,0)"),
    hoverlabel=dict(font=dict(family=FONT)), margin=dict(l=80, r=40, t=110, b=70),
))


# data helpers (pure, unit-tested)

def get_frequency_norms(spectrum: np.ndarray) -> np.ndarray:
    """[C, M] Fourier-component norms in basis order (const, cos 1, sin 1, ...) -> [C, F] norm of
    each frequency k = 1..F, the cos and sin parts together (an even M's last, Nyquist, has no sin)."""
    body = spectrum[:, 1:]
    if body.shape[1] % 2:
        body = np.concatenate([body, np.zeros_like(body[:, :1])], axis=1)
    pairs = body.reshape(len(spectrum), -1, 2)                  # [C, F, 2]
    return np.sqrt((pairs.astype(np.float64) ** 2).sum(axis=-1))


def get_upsampled(grid: np.ndarray, factor: int) -> np.ndarray:
    """[p, p] -> [factor p, factor p] by zero-padding the 2-D spectrum (factor odd; an even p, a group of
    order p - 1, keeps its Nyquist term on one side, which still passes through every sample): the
    trigonometric polynomial through the samples, equal to them at every factor-th point."""
    p = grid.shape[0]
    pad = (factor - 1) * p // 2
    centred = np.fft.fftshift(np.fft.fft2(grid.astype(np.float64)))
    padded = np.pad(centred, pad)
    return np.fft.ifft2(np.fft.ifftshift(padded)).real * factor ** 2


def get_cluster_counts(neuron_freq: np.ndarray, neuron_share: np.ndarray, n_freqs: int) -> tuple[np.ndarray, np.ndarray]:
    """Neurons per frequency k = 1..F: ([F] clustered, [F] the rest)."""
    clustered = neuron_share >= CLUSTER_THRESHOLD
    count = lambda mask: np.bincount(neuron_freq[mask], minlength=n_freqs + 1)[1:n_freqs + 1]  # noqa: E731
    return count(clustered), count(~clustered)


def get_phase_spans(phase_starts: np.ndarray, last_epoch: int) -> list[tuple[str, int, int]]:
    """(name, first epoch, last epoch) of each phase the data found; epoch 0 becomes 1 on a log axis."""
    found = [(name, max(int(start), 1)) for name, start in zip(palette.PHASE_NAMES, phase_starts) if start >= 0]
    ends = [start for _, start in found[1:]] + [last_epoch]
    return [(name, start, end) for (name, start), end in zip(found, ends) if end > start]


def get_sum_share(grid: np.ndarray) -> float:
    """[p, p] indexed [a, b] -> the share of its variance that is a function of (a + b) mod p."""
    p = grid.shape[0]
    values = grid.astype(np.float64)
    sums = (np.arange(p)[:, None] + np.arange(p)[None, :]) % p                      # [p, p]
    means = np.bincount(sums.ravel(), weights=values.ravel(), minlength=p) / p     # [p]: mean along each diagonal
    centred = values - values.mean()
    return float(((means[sums] - values.mean()) ** 2).sum() / max((centred ** 2).sum(), 1e-30))


def get_surface_grid(f: dict) -> tuple[np.ndarray, str, str, str]:
    """The last surface logit and how to read it: ([n, n] indexed [u, v], the two axes' names, the
    sum it should depend on). In the operation's coordinates (the group's numbers in the order of u
    and v) where it has a relabelling; over the numbers themselves for add, and where it has none."""
    logit = f["surface_logit"][-1]                                                  # [p, p] indexed [a, b]
    if is_plain_addition(f) or not f["op_relabelled"]:
        return logit, "a", "b", f"(a + b) mod {int(f['p'])}"
    u, v = get_coordinate(f, "a", "a"), get_coordinate(f, "b", "b")
    grid = logit[get_group_tokens(f, "a")][:, get_group_tokens(f, "b")]            # [M, M] indexed [u, v]
    return grid, u, v, f"({u} + {v}) mod {int(f['op_group_order'])}"


def get_losses_note(f: dict) -> str:
    """When the restricted and test losses fall below 1 (to stay), from the data; what does not apply, said."""
    m = milestones(f)
    if get_not_applicable(f):
        return (f"restricted and excluded loss, the Gini of W_E and the phases do not apply: no relabelling makes "
                f"{get_formula(f)} addition")
    restricted, test = m["restricted_loss_below_1_epoch"], m["test_loss_below_1_epoch"]
    when = lambda epoch: NOT_RECORDED if epoch is None else f"epoch {epoch:,}" if epoch >= 0 else "never"  # noqa: E731
    note = f"below 1 to stay: restricted loss from {when(restricted)}, test loss from {when(test)}"
    return note + (": the circuit forms under the plateau" if None not in (restricted, test) and 0 <= restricted < test else "")


def percent(share: float) -> str:
    """0.875 -> '88 %' (as the narration writes it)."""
    return f"{round(100 * share)} %"


def get_title(headline: str, detail: str) -> str:
    return f"{headline}<br><span style='font-size:15px;color:{palette.MUTED}'>{detail}</span>"


# the figures

def surface_figure(f: dict) -> go.Figure:
    """Appendix-A style: the logit of one answer c over every input (a, b), as a 3-D surface."""
    c, epoch = int(f["surface_logit_c"]), int(f["surface_epochs"][-1])
    grid, x_name, y_name, total = get_surface_grid(f)
    n, share = len(grid), get_sum_share(grid)
    z = get_upsampled(grid, SURFACE_UPSAMPLING).astype(np.float32)          # [3n, 3n] indexed [x, y]
    ticks = np.arange(len(z)) / SURFACE_UPSAMPLING                           # x (and y) of each row
    how = (f"{percent(share)} of its variance is a function of {total} (ridges along {x_name} + {y_name} = const)"
           if f["op_relabelled"] else f"no relabelling makes {get_formula(f)} addition, so no ridges are expected")
    fig = go.Figure(go.Surface(
        x=ticks, y=ticks, z=z.T, colorscale=DIVERGING_LIT, cmid=0.0,   # plotly's z is [y, x]: b down, a across
        colorbar=dict(title=dict(text="logit", side="right"), thickness=14, len=0.7),
        lighting=dict(ambient=0.55, diffuse=0.7, specular=0.15, roughness=0.6),
        hovertemplate=f"{x_name} %{{x:.2f}}<br>{y_name} %{{y:.2f}}<br>logit %{{z:.2f}}<extra></extra>"))
    axis = dict(backgroundcolor=palette.BACKGROUND, gridcolor=palette.GRID, showbackground=True,
                zerolinecolor=palette.GRID, color=palette.MUTED)
    fig.update_layout(
        template=TEMPLATE,
        title=get_title(f"The logit of c = {c} over every input ({x_name}, {y_name}), epoch {epoch:,}",
                    f"{how}. Between the {n} × {n} samples: band-limited (Fourier) interpolation ×{SURFACE_UPSAMPLING}"),
        scene=dict(xaxis=dict(title=x_name, range=[0, n - 1], **axis), yaxis=dict(title=y_name, range=[0, n - 1], **axis),
                   zaxis=dict(title="logit", **axis), aspectratio=dict(x=1, y=1, z=0.45),
                   camera=dict(eye=dict(x=1.05, y=-1.15, z=0.8))),
        margin=dict(l=10, r=10, t=100, b=10))
    return fig


def losses_figure(f: dict) -> go.Figure:
    """Loss curves with the progress measures under them, on a log epoch axis."""
    ckpt = f["checkpoint_epochs"]
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, row_heights=[0.66, 0.34], vertical_spacing=0.05,
                        specs=[[{}], [{"secondary_y": True}]])
    lines = [
        (f["train_loss_epochs"], f["train_loss"], "train loss", palette.TRAIN, 2.5),
        (f["test_loss_epochs"], f["test_loss"], "test loss", palette.TEST, 2.5),
        (ckpt, f["progress_restricted_loss"], "restricted loss (key frequencies only, all pairs)", palette.RESTRICTED, 2),
        (ckpt, f["progress_excluded_loss"], "excluded loss (key frequencies removed, train pairs)", palette.EXCLUDED, 2),
    ]
    absent = get_not_applicable(f)
    lines = [line for line, key in zip(lines, ("train_loss", "test_loss", "progress_restricted_loss",
                                                "progress_excluded_loss")) if key not in absent]
    for x, y, name, color, width in lines:
        keep = x >= 1                               # each curve at its own epochs; epoch 0 has no place on a log axis
        x, y = x[keep], y[keep]
        fig.add_trace(go.Scatter(x=x, y=y, name=name, mode="lines", line=dict(color=color, width=width),
                                 hovertemplate="epoch %{x:,}<br>%{y:.3g}<extra>" + name.split(" (")[0] + "</extra>"),
                      row=1, col=1)
    measures = [
        (f["progress_gini_W_E"][1:], "Gini of W_E's Fourier norms", palette.LILAC, False),
        (f["progress_gini_W_L"][1:], "Gini of W_L's Fourier norms", palette.TEAL, False),
        (f["progress_sum_sq_weights"][1:], "sum of squared weights (right axis)", palette.HIGHLIGHT, True),
    ]
    measures = [measure for measure, key in zip(measures, ("progress_gini_W_E", "progress_gini_W_L", ""))
                if key not in absent]
    for y, name, color, right in measures:
        fig.add_trace(go.Scatter(x=ckpt[1:], y=y, name=name, mode="lines", line=dict(color=color, width=2),
                                 hovertemplate="epoch %{x:,}<br>%{y:.3g}<extra></extra>"),
                      row=2, col=1, secondary_y=right)
    spans = [] if "phase_starts" in absent else get_phase_spans(f["phase_starts"], int(ckpt[-1]))
    for (name, start, end), color in zip(spans, palette.PHASE_COLORS):
        fig.add_vrect(x0=start, x1=end, fillcolor=color, opacity=0.35, line_width=0, layer="below")
        fig.add_annotation(x=np.log10(start), y=1, xref="x", yref="y domain", text=name, showarrow=False,
                           xanchor="left", yanchor="top", font=dict(color=palette.INK, size=13))
    fig.update_xaxes(type="log", row=1, col=1)
    fig.update_xaxes(type="log", title="epoch", row=2, col=1)
    fig.update_yaxes(type="log", title="loss", exponentformat="power", row=1, col=1)
    fig.update_yaxes(title="Gini", range=[0, 1], row=2, col=1, secondary_y=False)
    fig.update_yaxes(title="Σ w²", showgrid=False, tickmode="auto", nticks=4, row=2, col=1, secondary_y=True)
    fig.update_layout(
        template=TEMPLATE,
        title=get_title(f"Memorise, then generalise: {get_formula(f)}", get_losses_note(f)),
        legend=dict(orientation="h", y=-0.13, x=0, font=dict(size=13)),
        margin=dict(b=130))
    return fig


def spectrum_figure(f: dict) -> go.Figure:
    """Norm of each frequency of the embedding W_E at every checkpoint: a few bright rows emerge."""
    norms = get_frequency_norms(f["embed_spectrum"])          # [C, F]
    freqs = np.arange(1, norms.shape[1] + 1)
    keys = [int(k) for k in f["key_freqs"]]
    fig = go.Figure(go.Heatmap(
        x=f["checkpoint_epochs"], y=freqs, z=norms.T.astype(np.float32), colorscale=SEQUENTIAL,
        colorbar=dict(title=dict(text="norm", side="right"), thickness=14),
        hovertemplate="epoch %{x:,}<br>frequency %{y}<br>norm %{z:.3g}<extra></extra>"))
    for k in keys:
        fig.add_annotation(x=1.0, xref="paper", xanchor="left", y=k, text=f" k = {k}", showarrow=False,
                           font=dict(color=palette.HIGHLIGHT, size=13))
    fig.update_xaxes(title="epoch", showgrid=False)
    fig.update_yaxes(title="frequency k", showgrid=False)
    fig.update_layout(
        template=TEMPLATE,
        title=get_title("The embedding's Fourier spectrum over training",
                    f"norm of W_E's cos k and sin k components (over d_model) at each checkpoint; "
                    f"key frequencies {', '.join(map(str, keys)) or 'none'}"),
        margin=dict(r=150))
    fig.update_traces(colorbar=dict(x=1.09))
    return fig


def neurons_figure(f: dict) -> go.Figure:
    """How many MLP neurons put their activity on each frequency."""
    n_freqs = len(f["logit_freq_share"])
    clustered, rest = get_cluster_counts(f["neuron_freq"], f["neuron_share"], n_freqs)
    freqs = np.arange(1, n_freqs + 1)
    colors = palette.frequency_colors(f["key_freqs"].tolist())
    total, n_clustered = len(f["neuron_freq"]), int(clustered.sum())
    fig = go.Figure([
        go.Bar(x=freqs, y=clustered, name="clustered",
               marker_color=[colors.get(int(k), palette.MUTED) for k in freqs],
               hovertemplate="frequency %{x}<br>%{y} clustered neurons<extra></extra>"),
        go.Bar(x=freqs, y=rest, name="not clustered", marker_color=palette.GRID,
               marker_line=dict(color=palette.MUTED, width=0.5),
               hovertemplate="frequency %{x}<br>%{y} other neurons<extra></extra>"),
    ])
    for k in f["key_freqs"]:
        fig.add_annotation(x=int(k), y=int(clustered[k - 1] + rest[k - 1]),
                           text=f"k = {k}<br>{clustered[k - 1]} of {clustered[k - 1] + rest[k - 1]}",
                           showarrow=False, yshift=22, font=dict(color=colors[int(k)], size=13))
    fig.update_xaxes(title="frequency k (largest share of the neuron's variance over (a, b))", range=[0.3, n_freqs + 0.7])
    fig.update_yaxes(title="neurons")
    fig.update_layout(
        template=TEMPLATE, barmode="stack", bargap=0.15, showlegend=False,
        title=get_title(f"{n_clustered} of {total} MLP neurons ({percent(n_clustered / total)}) are clustered on one frequency",
                    f"each neuron at the frequency with the largest share of its activation's variance over (a, b), "
                    f"final checkpoint. Coloured: clustered (that share ≥ {percent(CLUSTER_THRESHOLD)}); grey: the rest"))
    return fig


# A cell's colour where it did not grok, and the mark written in it (a grokked cell shows its epoch)
STATE_STYLE = {MEMORISED: (palette.NEVER_GENERALISED, STATE_MARKS[MEMORISED]),
               NEVER_MEMORISED: (palette.NEVER_MEMORISED, STATE_MARKS[NEVER_MEMORISED]),
               DIVERGED: (palette.DIVERGED, STATE_MARKS[DIVERGED]), MISSING: (palette.BACKGROUND, STATE_MARKS[MISSING])}
GROK_SCALE = [[n / (len(palette.GROK_SCALE) - 1), c] for n, c in enumerate(palette.GROK_SCALE)]   # sooner is brighter


TICK_GAP = 0.07   # least distance between two labels of the colour bar, as a share of its length


def get_epoch_ticks(low: float, high: float) -> list[int]:
    """Round epochs (1, 2, 5 x 10^k; over a long span 1 x 10^k only) between low and high for a log colour
    bar, the ends included; no two labels nearer than TICK_GAP of the bar (2,000 is left out beside 2,052)."""
    log_low, log_high = np.log10(max(low, 1)), np.log10(max(high, 1))
    apart = TICK_GAP * max(log_high - log_low, 1e-9)
    mantissas = (1, 2, 5) if np.log10(2) >= apart else (1,)       # 1, 2, 5, 10 are 0.3 decades apart at the least
    ticks = [m * 10 ** e for e in range(int(np.floor(log_low)), int(np.ceil(log_high)) + 1) for m in mantissas
             if log_low + apart <= np.log10(m * 10 ** e) <= log_high - apart]
    return sorted({int(round(low)), *ticks, int(round(high))})


def get_phase_note(sweep: dict, grid) -> str:
    counts = {name: int((grid.state == state).sum()) for state, name in STATE_NAMES.items()}
    told = [f"{n} {name}" for name, n in counts.items() if n]
    return (f"{len(sweep['run_names'])} runs, p = {int(sweep['p'])}, {int(sweep['epochs']):,} epochs each; colour: the epoch "
            "test accuracy first reached 99 % (log scale)<br>Cells: " + ", ".join(told))


def phase_figure(sweep: dict, x: str, y: str) -> go.Figure:
    """The phase diagram: a cell per pair of values of x and y, coloured by the epoch its runs grokked.
    Cells sit at integer positions (a category axis would read a label such as "1" as a position)."""
    rows = get_rows(sweep)
    grid = get_phase_grid(rows, x, y)
    ny, nx = grid.state.shape
    xs, ys = list(range(nx)), list(range(ny))
    names = [[", ".join(rows[i]["name"] for i in cell) or "no run" for cell in line] for line in grid.members]
    hover = np.array([[f"{get_column_words(x)} {get_value_label(x, grid.x_values[i])}, "
                       f"{get_column_words(y)} {get_value_label(y, grid.y_values[j])}<br>{STATE_NAMES[grid.state[j, i]]}"
                       + (f" at epoch {grid.grok_epoch[j, i]:,.0f}" if grid.state[j, i] == GROKKED else "")
                       + (f"<br>{grid.grokked[j, i]} of {grid.runs[j, i]} runs grokked" if grid.runs[j, i] > 1 else "")
                       + f"<br>{names[j][i]}" for i in xs] for j in ys])
    cell = dict(x=xs, y=ys, xgap=3, ygap=3, customdata=hover, hoverongaps=False,
                hovertemplate="%{customdata}<extra></extra>")
    fig = go.Figure()
    for state, (color, _) in STATE_STYLE.items():
        if state != MISSING and (grid.state == state).any():
            fig.add_trace(go.Heatmap(z=np.where(grid.state == state, 1.0, np.nan), colorscale=[[0, color], [1, color]],
                                     showscale=False, **cell))
    grokked = grid.state == GROKKED
    if grokked.any():
        low, high = np.nanmin(grid.grok_epoch), np.nanmax(grid.grok_epoch)
        ticks = get_epoch_ticks(low, high)
        log_low = np.log10(max(low, 1))
        fig.add_trace(go.Heatmap(
            z=np.where(grokked, np.log10(np.maximum(np.nan_to_num(grid.grok_epoch, nan=1.0), 1.0)), np.nan),
            colorscale=GROK_SCALE, zmin=log_low, zmax=max(np.log10(max(high, 1)), log_low + 1e-6),
            colorbar=dict(title=dict(text="grokked at epoch", side="right"), thickness=14,
                          tickvals=np.log10(np.maximum(ticks, 1)), ticktext=[f"{t:,}" for t in ticks]), **cell))
    for j, i in np.ndindex(ny, nx):
        state = grid.state[j, i]
        text = f"{grid.grok_epoch[j, i]:,.0f}" if state == GROKKED else STATE_STYLE[state][1]
        on_dark = state in (NEVER_MEMORISED, MISSING)
        fig.add_annotation(x=i, y=j, text=text, showarrow=False,
                           font=dict(size=15, color=palette.INK if on_dark else palette.BACKGROUND))
        if state == MISSING:
            fig.add_shape(type="rect", x0=i - 0.45, x1=i + 0.45, y0=j - 0.45, y1=j + 0.45,
                          line=dict(color=palette.MUTED, dash="dot", width=1))
    for state in (MEMORISED, NEVER_MEMORISED, DIVERGED, MISSING):     # a legend entry for each state present
        if (grid.state == state).any():
            color, mark = STATE_STYLE[state]
            fig.add_trace(go.Scatter(x=[None], y=[None], mode="markers", name=f"{mark} {STATE_NAMES[state]}".strip(),
                                     marker=dict(symbol="square", size=14, color=color,
                                                 line=dict(color=palette.MUTED, width=1))))
    fig.update_xaxes(title=get_column_words(x), tickvals=xs, ticktext=[get_value_label(x, v) for v in grid.x_values],
                     range=[-0.5, nx - 0.5], showgrid=False, zeroline=False)
    fig.update_yaxes(title=get_column_words(y), tickvals=ys, ticktext=[get_value_label(y, v) for v in grid.y_values],
                     range=[-0.5, ny - 0.5], showgrid=False, zeroline=False)
    fig.update_layout(template=TEMPLATE, showlegend=True, legend=dict(orientation="h", yref="container", y=0.02, yanchor="bottom", x=0),
                      title=get_title(f"Which runs grokked? {get_column_words(y).capitalize()} × {get_column_words(x)}",
                                      get_phase_note(sweep, grid)),
                      margin=dict(t=130, b=120))
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
    fig = make_subplots(rows=ny, cols=nx, shared_xaxes=True, shared_yaxes=True,
                        horizontal_spacing=0.012, vertical_spacing=0.02,
                        column_titles=[get_value_label(x, v) for v in grid.x_values],
                        row_titles=[get_value_label(y, v) for v in reversed(grid.y_values)])
    for j, i in np.ndindex(ny, nx):
        row, col = ny - j, i + 1                      # the lowest value of y at the bottom, as in the diagram
        for index in grid.members[j][i]:
            for curve, color in (("train_loss", palette.TRAIN), ("test_loss", palette.TEST)):
                fig.add_trace(go.Scatter(x=epochs, y=sweep[curve][index], mode="lines", showlegend=False,
                                         line=dict(color=color, width=1.2),
                                         hovertemplate=f"{rows[index]['name']}<br>epoch %{{x:,}}<br>{curve.replace('_', ' ')} "
                                                       "%{y:.3g}<extra></extra>"), row=row, col=col)
        if grid.state[j, i] == MISSING:
            axis = (row - 1) * nx + col                          # subplots are numbered row by row, from 1 ('x', 'x2', ...)
            suffix = "" if axis == 1 else str(axis)
            fig.add_annotation(text="not trained", showarrow=False, xref="paper", yref="paper",   # an empty subplot's
                               x=np.mean(fig.layout[f"xaxis{suffix}"].domain),                  # domain refs are not drawn
                               y=np.mean(fig.layout[f"yaxis{suffix}"].domain), xanchor="center", yanchor="middle",
                               font=dict(color=palette.MUTED))
        elif grid.state[j, i] != GROKKED:
            color = STATE_STYLE[grid.state[j, i]][0]
            fig.add_shape(type="rect", xref="x domain", yref="y domain", x0=0, x1=1, y0=0, y1=1, layer="below",
                          fillcolor=color, opacity=0.25, line_width=0, row=row, col=col)
    for name, color in (("train loss", palette.TRAIN), ("test loss", palette.TEST)):   # legend only: no data
        fig.add_trace(go.Scatter(x=[epochs[0]], y=[np.nan], mode="lines", name=name, line=dict(color=color, width=2)))
    low, high = get_loss_decades(sweep)
    fig.update_xaxes(type="log", range=[0, np.log10(max(int(sweep["epochs"]) - 1, 10))], showticklabels=False, showgrid=False)
    fig.update_yaxes(type="log", range=[low, high], showticklabels=False, showgrid=False)
    fig.update_layout(template=TEMPLATE, legend=dict(orientation="h", y=-0.05, x=0),
                      title=get_title(f"Each run's own losses: {get_column_words(y)} (rows) × {get_column_words(x)} (columns)",
                                      "train and test loss against epoch, both axes log" + get_tints_said(grid)))
    return fig


def write_sweep_figures(sweep: dict, out_dir: Path, x: str | None = None, y: str | None = None,
                        curves: bool = False) -> Written:
    """The phase diagram of columns x (across) and y (up), by default the sweep's (frames/sweep.py), and with
    `curves` the small multiples, as HTML pages and PNG stills, into out_dir."""
    default_x, default_y = get_default_axes(get_rows(sweep), list(get_settings(sweep)))
    x, y = x or (default_x if y != default_x else default_y), y or (default_y if x != default_y else default_x)
    figures = {"phase": phase_figure(sweep, x, y)}
    if curves:
        figures["phase-curves"] = phase_curves_figure(sweep, x, y)
    paths = write_html(figures, out_dir)
    pngs, problem = write_pngs(figures, out_dir)
    return Written(paths + pngs, problem)


def make_figures(frames_file: Path | None, sweep_file: Path | None, out_dir: Path, x: str | None = None,
                 y: str | None = None, curves: bool = False, log=print) -> Written:
    """`grok figures`: a run's figures and explorer.html from `frames_file` (the loader's default where None),
    or with `sweep_file` the sweep's phase diagram; into out_dir, made if missing."""
    from frames import load_frames
    from frames.files import check_writable_folder
    from frames.sweep import load_sweep
    from grok.explorer import write_explorer     # it imports this module
    from scenes.loader import frames_path
    from frames.errors import GrokError

    frames = Path(frames_file) if frames_file else frames_path()
    f = load_frames(frames) if sweep_file is None else load_sweep(sweep_file)
    check_writable_folder(out_dir, f"figures to {out_dir}")
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise GrokError(f"cannot write figures to {out_dir}: {e.strerror}") from None
    if sweep_file is not None:
        return write_sweep_figures(f, out_dir, x, y, curves)
    written = write_figures(f, out_dir, log=log)
    return Written([*written.paths, write_explorer(f, frames, out_dir / "explorer.html")], written.png_problem)


FIGURES = {"surface": surface_figure, "losses": losses_figure, "spectrum": spectrum_figure, "neurons": neurons_figure}


def get_figures(f: dict) -> dict:
    """The figures that apply to the frames' operation: the embedding's spectrum needs a relabelling."""
    return {name: build for name, build in FIGURES.items()
            if not (name == "spectrum" and "embed_spectrum" in get_not_applicable(f))}


# writing

@dataclass
class Written:
    paths: list[Path]             # every file written, in order
    png_problem: str | None       # one line when the PNG stills could not be made, else None


def find_browser() -> str | None:
    """The Chrome/Chromium kaleido would drive: $BROWSER_PATH, else the first one on PATH."""
    if os.environ.get("BROWSER_PATH"):
        return os.environ["BROWSER_PATH"] if os.access(os.environ["BROWSER_PATH"], os.X_OK) else None
    return next((path for name in BROWSERS if (path := shutil.which(name))), None)


def write_atomic(path: Path, text: str) -> Path:
    """Write under a partial name, then rename: readers never see half a file."""
    atomic_write_text(text, path)
    return path


def write_html(figures: dict[str, go.Figure], out_dir: Path) -> list[Path]:
    """One page per figure; they share one plotly.min.js written beside them."""
    paths = [write_atomic(out_dir / "plotly.min.js", get_plotlyjs())]
    for name, fig in figures.items():
        html = pio.to_html(fig, include_plotlyjs="directory", full_html=True, config=HTML_CONFIG)
        paths.append(write_atomic(out_dir / f"{name}.html", html))
    return paths


def write_pngs(figures: dict[str, go.Figure], out_dir: Path,
               size: tuple[int, int] = STILL_SIZE) -> tuple[list[Path], str | None]:
    """All stills in one kaleido batch (one browser start); ([], one line) when that cannot be done."""
    if find_browser() is None:
        return [], f"PNG stills skipped: no Chrome or Chromium found; {INSTALL_HINT}"
    targets = [out_dir / f"{name}.png" for name in figures]
    tmps = [target.with_name(f".{target.stem}.tmp.png") for target in targets]
    try:
        pio.write_images(list(figures.values()), tmps, format="png", width=size[0], height=size[1])
    except Exception as e:  # kaleido's failures (browser start, timeouts) have no common base class
        for tmp in tmps:
            tmp.unlink(missing_ok=True)
        reason = str(e).splitlines()[0] if str(e) else ""
        return [], f"PNG stills failed ({type(e).__name__}: {reason}); the HTML pages are written"
    for tmp, target in zip(tmps, targets):
        os.replace(tmp, target)
    return targets, None


def write_figures(f: dict, out_dir: Path, log=print) -> Written:
    """Every figure as an HTML page and a PNG still, into out_dir."""
    start = time.perf_counter()
    builders = get_figures(f)
    for name in set(FIGURES) - set(builders):
        log(f"{name}: not drawn, it does not apply to {get_formula(f)}")
    figures = {name: build(f) for name, build in builders.items()}
    paths = write_html(figures, out_dir)
    log(f"HTML pages in {time.perf_counter() - start:.1f} s")
    start = time.perf_counter()
    pngs, problem = write_pngs(figures, out_dir)
    if pngs:
        log(f"PNG stills in {time.perf_counter() - start:.1f} s (one browser, one batch)")
    return Written(paths + pngs, problem)
