"""One run's figures, one idea each: the logit over the (a, b) grid (diagonal ridges), the loss curves with the
progress measures, the Fourier spectrum of W_E over training, the neurons' frequency clusters. Frames only."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from frames import CLUSTER_THRESHOLD, NOT_RECORDED, get_formula, get_not_applicable, milestones
from grok.figures.style import DIVERGING_LIT, SEQUENTIAL, TEMPLATE, get_title, percent
from scenes import palette
from scenes.operation import get_coordinate, get_group_tokens, is_plain_addition

SURFACE_UPSAMPLING = 3  # points per sample along a and b; odd, so every sample is a grid point


# data helpers (pure, unit-tested)


def get_frequency_norms(spectrum: np.ndarray) -> np.ndarray:
    """[C, M] Fourier-component norms in basis order (const, cos 1, sin 1, ...) -> [C, F] norm of
    each frequency k = 1..F, the cos and sin parts together (an even M's last, Nyquist, has no sin)."""
    body = spectrum[:, 1:]
    if body.shape[1] % 2:
        body = np.concatenate([body, np.zeros_like(body[:, :1])], axis=1)
    pairs = body.reshape(len(spectrum), -1, 2)  # [C, F, 2]
    return np.sqrt((pairs.astype(np.float64) ** 2).sum(axis=-1))


def get_upsampled(grid: np.ndarray, factor: int) -> np.ndarray:
    """[p, p] -> [factor p, factor p] by zero-padding the 2-D spectrum (factor odd; an even p, a group of
    order p - 1, keeps its Nyquist term on one side, which still passes through every sample): the
    trigonometric polynomial through the samples, equal to them at every factor-th point."""
    p = grid.shape[0]
    pad = (factor - 1) * p // 2
    centred = np.fft.fftshift(np.fft.fft2(grid.astype(np.float64)))
    padded = np.pad(centred, pad)
    return np.fft.ifft2(np.fft.ifftshift(padded)).real * factor**2


def get_cluster_counts(
    neuron_freq: np.ndarray, neuron_share: np.ndarray, n_freqs: int
) -> tuple[np.ndarray, np.ndarray]:
    """Neurons per frequency k = 1..F: ([F] clustered, [F] the rest)."""
    clustered = neuron_share >= CLUSTER_THRESHOLD
    count = lambda mask: np.bincount(neuron_freq[mask], minlength=n_freqs + 1)[1 : n_freqs + 1]  # noqa: E731
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
    sums = (np.arange(p)[:, None] + np.arange(p)[None, :]) % p  # [p, p]
    means = np.bincount(sums.ravel(), weights=values.ravel(), minlength=p) / p  # [p]: mean along each diagonal
    centred = values - values.mean()
    return float(((means[sums] - values.mean()) ** 2).sum() / max((centred**2).sum(), 1e-30))


def get_surface_grid(f: dict) -> tuple[np.ndarray, str, str, str]:
    """The last surface logit and how to read it: ([n, n] indexed [u, v], the two axes' names, the
    sum it should depend on). In the operation's coordinates (the group's numbers in the order of u
    and v) where it has a relabelling; over the numbers themselves for add, and where it has none."""
    logit = f["surface_logit"][-1]  # [p, p] indexed [a, b]
    if is_plain_addition(f) or not f["op_relabelled"]:
        return logit, "a", "b", f"(a + b) mod {int(f['p'])}"
    u, v = get_coordinate(f, "a", "a"), get_coordinate(f, "b", "b")
    grid = logit[get_group_tokens(f, "a")][:, get_group_tokens(f, "b")]  # [M, M] indexed [u, v]
    return grid, u, v, f"({u} + {v}) mod {int(f['op_group_order'])}"


def get_losses_note(f: dict) -> str:
    """When the restricted and test losses fall below 1 (to stay), from the data; what does not apply, said."""
    m = milestones(f)
    if get_not_applicable(f):
        return (
            f"restricted and excluded loss, the Gini of W_E and the phases do not apply: no relabelling makes "
            f"{get_formula(f)} addition"
        )
    restricted, test = m["restricted_loss_below_1_epoch"], m["test_loss_below_1_epoch"]
    when = lambda epoch: NOT_RECORDED if epoch is None else f"epoch {epoch:,}" if epoch >= 0 else "never"  # noqa: E731
    note = f"below 1 to stay: restricted loss from {when(restricted)}, test loss from {when(test)}"
    return note + (
        ": the circuit forms under the plateau" if None not in (restricted, test) and 0 <= restricted < test else ""
    )


# the figures


def surface_figure(f: dict) -> go.Figure:
    """Appendix-A style: the logit of one answer c over every input (a, b), as a 3-D surface."""
    c, epoch = int(f["surface_logit_c"]), int(f["surface_epochs"][-1])
    grid, x_name, y_name, total = get_surface_grid(f)
    n, share = len(grid), get_sum_share(grid)
    z = get_upsampled(grid, SURFACE_UPSAMPLING).astype(np.float32)  # [3n, 3n] indexed [x, y]
    ticks = np.arange(len(z)) / SURFACE_UPSAMPLING  # x (and y) of each row
    how = (
        f"{percent(share)} of its variance is a function of {total} (ridges along {x_name} + {y_name} = const)"
        if f["op_relabelled"]
        else f"no relabelling makes {get_formula(f)} addition, so no ridges are expected"
    )
    fig = go.Figure(
        go.Surface(
            x=ticks,
            y=ticks,
            z=z.T,
            colorscale=DIVERGING_LIT,
            cmid=0.0,  # plotly's z is [y, x]: b down, a across
            colorbar=dict(title=dict(text="logit", side="right"), thickness=14, len=0.7),
            lighting=dict(ambient=0.55, diffuse=0.7, specular=0.15, roughness=0.6),
            hovertemplate=f"{x_name} %{{x:.2f}}<br>{y_name} %{{y:.2f}}<br>logit %{{z:.2f}}<extra></extra>",
        )
    )
    axis = dict(
        backgroundcolor=palette.BACKGROUND,
        gridcolor=palette.GRID,
        showbackground=True,
        zerolinecolor=palette.GRID,
        color=palette.MUTED,
    )
    fig.update_layout(
        template=TEMPLATE,
        title=get_title(
            f"The logit of c = {c} over every input ({x_name}, {y_name}), epoch {epoch:,}",
            f"{how}. Between the {n} × {n} samples: band-limited (Fourier) interpolation ×{SURFACE_UPSAMPLING}",
        ),
        scene=dict(
            xaxis=dict(title=x_name, range=[0, n - 1], **axis),
            yaxis=dict(title=y_name, range=[0, n - 1], **axis),
            zaxis=dict(title="logit", **axis),
            aspectratio=dict(x=1, y=1, z=0.45),
            camera=dict(eye=dict(x=1.05, y=-1.15, z=0.8)),
        ),
        margin=dict(l=10, r=10, t=100, b=10),
    )
    return fig


def losses_figure(f: dict) -> go.Figure:
    """Loss curves with the progress measures under them, on a log epoch axis."""
    ckpt = f["checkpoint_epochs"]
    fig = make_subplots(
        rows=2,
        cols=1,
        shared_xaxes=True,
        row_heights=[0.66, 0.34],
        vertical_spacing=0.05,
        specs=[[{}], [{"secondary_y": True}]],
    )
    lines = [
        (f["train_loss_epochs"], f["train_loss"], "train loss", palette.TRAIN, 2.5),
        (f["test_loss_epochs"], f["test_loss"], "test loss", palette.TEST, 2.5),
        (
            ckpt,
            f["progress_restricted_loss"],
            "restricted loss (key frequencies only, all pairs)",
            palette.RESTRICTED,
            2,
        ),
        (
            ckpt,
            f["progress_excluded_loss"],
            "excluded loss (key frequencies removed, train pairs)",
            palette.EXCLUDED,
            2,
        ),
    ]
    absent = get_not_applicable(f)
    lines = [
        line
        for line, key in zip(lines, ("train_loss", "test_loss", "progress_restricted_loss", "progress_excluded_loss"))
        if key not in absent
    ]
    for x, y, name, color, width in lines:
        keep = x >= 1  # each curve at its own epochs; epoch 0 has no place on a log axis
        x, y = x[keep], y[keep]
        fig.add_trace(
            go.Scatter(
                x=x,
                y=y,
                name=name,
                mode="lines",
                line=dict(color=color, width=width),
                hovertemplate="epoch %{x:,}<br>%{y:.3g}<extra>" + name.split(" (")[0] + "</extra>",
            ),
            row=1,
            col=1,
        )
    measures = [
        (f["progress_gini_W_E"][1:], "Gini of W_E's Fourier norms", palette.LILAC, False),
        (f["progress_gini_W_L"][1:], "Gini of W_L's Fourier norms", palette.TEAL, False),
        (f["progress_sum_sq_weights"][1:], "sum of squared weights (right axis)", palette.HIGHLIGHT, True),
    ]
    measures = [
        measure for measure, key in zip(measures, ("progress_gini_W_E", "progress_gini_W_L", "")) if key not in absent
    ]
    for y, name, color, right in measures:
        fig.add_trace(
            go.Scatter(
                x=ckpt[1:],
                y=y,
                name=name,
                mode="lines",
                line=dict(color=color, width=2),
                hovertemplate="epoch %{x:,}<br>%{y:.3g}<extra></extra>",
            ),
            row=2,
            col=1,
            secondary_y=right,
        )
    spans = [] if "phase_starts" in absent else get_phase_spans(f["phase_starts"], int(ckpt[-1]))
    for (name, start, end), color in zip(spans, palette.PHASE_COLORS):
        fig.add_vrect(x0=start, x1=end, fillcolor=color, opacity=0.35, line_width=0, layer="below")
        fig.add_annotation(
            x=np.log10(start),
            y=1,
            xref="x",
            yref="y domain",
            text=name,
            showarrow=False,
            xanchor="left",
            yanchor="top",
            font=dict(color=palette.INK, size=13),
        )
    fig.update_xaxes(type="log", row=1, col=1)
    fig.update_xaxes(type="log", title="epoch", row=2, col=1)
    fig.update_yaxes(type="log", title="loss", exponentformat="power", row=1, col=1)
    fig.update_yaxes(title="Gini", range=[0, 1], row=2, col=1, secondary_y=False)
    fig.update_yaxes(title="Σ w²", showgrid=False, tickmode="auto", nticks=4, row=2, col=1, secondary_y=True)
    fig.update_layout(
        template=TEMPLATE,
        title=get_title(f"Memorise, then generalise: {get_formula(f)}", get_losses_note(f)),
        legend=dict(orientation="h", y=-0.13, x=0, font=dict(size=13)),
        margin=dict(b=130),
    )
    return fig


def spectrum_figure(f: dict) -> go.Figure:
    """Norm of each frequency of the embedding W_E at every checkpoint: a few bright rows emerge."""
    norms = get_frequency_norms(f["embed_spectrum"])  # [C, F]
    freqs = np.arange(1, norms.shape[1] + 1)
    keys = [int(k) for k in f["key_freqs"]]
    fig = go.Figure(
        go.Heatmap(
            x=f["checkpoint_epochs"],
            y=freqs,
            z=norms.T.astype(np.float32),
            colorscale=SEQUENTIAL,
            colorbar=dict(title=dict(text="norm", side="right"), thickness=14),
            hovertemplate="epoch %{x:,}<br>frequency %{y}<br>norm %{z:.3g}<extra></extra>",
        )
    )
    for k in keys:
        fig.add_annotation(
            x=1.0,
            xref="paper",
            xanchor="left",
            y=k,
            text=f" k = {k}",
            showarrow=False,
            font=dict(color=palette.HIGHLIGHT, size=13),
        )
    fig.update_xaxes(title="epoch", showgrid=False)
    fig.update_yaxes(title="frequency k", showgrid=False)
    fig.update_layout(
        template=TEMPLATE,
        title=get_title(
            "The embedding's Fourier spectrum over training",
            f"norm of W_E's cos k and sin k components (over d_model) at each checkpoint; "
            f"key frequencies {', '.join(map(str, keys)) or 'none'}",
        ),
        margin=dict(r=150),
    )
    fig.update_traces(colorbar=dict(x=1.09))
    return fig


def neurons_figure(f: dict) -> go.Figure:
    """How many MLP neurons put their activity on each frequency."""
    n_freqs = len(f["logit_freq_share"])
    clustered, rest = get_cluster_counts(f["neuron_freq"], f["neuron_share"], n_freqs)
    freqs = np.arange(1, n_freqs + 1)
    colors = palette.frequency_colors(f["key_freqs"].tolist())
    total, n_clustered = len(f["neuron_freq"]), int(clustered.sum())
    fig = go.Figure(
        [
            go.Bar(
                x=freqs,
                y=clustered,
                name="clustered",
                marker_color=[colors.get(int(k), palette.MUTED) for k in freqs],
                hovertemplate="frequency %{x}<br>%{y} clustered neurons<extra></extra>",
            ),
            go.Bar(
                x=freqs,
                y=rest,
                name="not clustered",
                marker_color=palette.GRID,
                marker_line=dict(color=palette.MUTED, width=0.5),
                hovertemplate="frequency %{x}<br>%{y} other neurons<extra></extra>",
            ),
        ]
    )
    for k in f["key_freqs"]:
        fig.add_annotation(
            x=int(k),
            y=int(clustered[k - 1] + rest[k - 1]),
            text=f"k = {k}<br>{clustered[k - 1]} of {clustered[k - 1] + rest[k - 1]}",
            showarrow=False,
            yshift=22,
            font=dict(color=colors[int(k)], size=13),
        )
    fig.update_xaxes(
        title="frequency k (largest share of the neuron's variance over (a, b))", range=[0.3, n_freqs + 0.7]
    )
    fig.update_yaxes(title="neurons")
    fig.update_layout(
        template=TEMPLATE,
        barmode="stack",
        bargap=0.15,
        showlegend=False,
        title=get_title(
            f"{n_clustered} of {total} MLP neurons ({percent(n_clustered / total)}) are clustered on one frequency",
            f"each neuron at the frequency with the largest share of its activation's variance over (a, b), "
            f"final checkpoint. Coloured: clustered (that share ≥ {percent(CLUSTER_THRESHOLD)}); grey: the rest",
        ),
    )
    return fig


FIGURES = {"surface": surface_figure, "losses": losses_figure, "spectrum": spectrum_figure, "neurons": neurons_figure}


def get_figures(f: dict) -> dict:
    """The figures that apply to the frames' operation: the embedding's spectrum needs a relabelling."""
    return {
        name: build
        for name, build in FIGURES.items()
        if not (name == "spectrum" and "embed_spectrum" in get_not_applicable(f))
    }
