"""The phase diagram: many runs of the model, one per pair of settings. Which memorised, which went on to
generalise, and how soon; then each run's own loss curves in its cell. Drawn from a sweep file
(frames/sweep.py, found by scenes/loader.py), never from training."""

from __future__ import annotations

import math

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    Create,
    DashedVMobject,
    FadeIn,
    FadeOut,
    Indicate,
    LaggedStart,
    Rectangle,
    ReplacementTransform,
    Square,
    SurroundingRectangle,
    VGroup,
    VMobject,
    Write,
    interpolate_color,
)

from frames.sweep import (
    DIVERGED,
    GROKKED,
    MEMORISED,
    MISSING,
    NEVER_MEMORISED,
    STATE_MARKS,
    STATE_NAMES,
    PhaseGrid,
    get_column_words,
    get_default_axes,
    get_loss_decades,
    get_phase_grid,
    get_rows,
    get_settings,
    get_value_label,
    run_state,
)
from scenes import style
from scenes.loader import get_sweep
from scenes.narration import NarratedScene, count

GRID_BOX = (7.6, 5.4)  # screen units the grid of cells may take (width, height)
MAX_CELL = 1.3  # largest side of a cell
CELL_GAP = 0.08  # between cells, as a share of a cell's side
SCALE_STEPS = 24  # blocks of the colour bar
TINT = 0.35  # fill opacity of a small-multiples cell that did not grok
CURVES_BOX = (8.2, 5.4)  # the small multiples' grid (width, height)
CURVE_ASPECT = 1.3  # width / height of a small multiple
MEMORISED_SO_FAR = MISSING + 1  # how a cell looks before the story reaches generalising: its runs memorised


def get_diagram(sweep: dict) -> tuple[list[dict], PhaseGrid]:
    """The runs and their grid over the sweep's default axes (weight decay x train fraction when both vary)."""
    rows = get_rows(sweep)
    x, y = get_default_axes(rows, list(get_settings(sweep)))
    return rows, get_phase_grid(rows, x, y)


def get_cell_size(
    nx: int, ny: int, box: tuple[float, float] = GRID_BOX, gap: float = CELL_GAP, largest: float = MAX_CELL
) -> float:
    """The side of a square cell such that nx x ny of them, gaps included, fit in box."""
    return min(largest, box[0] / (nx + (nx - 1) * gap), box[1] / (ny + (ny - 1) * gap))


def get_grok_shade(grid: PhaseGrid) -> np.ndarray:
    """[ny, nx] position of each grokked cell on the colour scale: 0 the soonest grok epoch, 1 the latest,
    by log epoch; NaN where the cell did not grok."""
    logs = np.log10(np.maximum(np.where(grid.state == GROKKED, grid.grok_epoch, np.nan), 1.0))
    if np.isnan(logs).all():
        return logs
    low, high = np.nanmin(logs), np.nanmax(logs)
    return (logs - low) / (high - low) if high > low else np.where(np.isnan(logs), np.nan, 0.0)


def get_grok_color(shade: float):
    """A position 0..1 on the scale -> the colour, through style.GROK_SCALE's stops."""
    stops = style.GROK_SCALE
    at = min(max(shade, 0.0), 1.0) * (len(stops) - 1)
    n = min(int(at), len(stops) - 2)
    return interpolate_color(stops[n], stops[n + 1], at - n)


def get_trend(grid: PhaseGrid, along: str) -> tuple[int, int]:
    """(lines in which a larger value of `along` ('x' or 'y') always grokked sooner, lines with two or more
    grokked cells to compare): the rows of the diagram for x, its columns for y."""
    epochs = grid.grok_epoch if along == "x" else grid.grok_epoch.T
    states = grid.state if along == "x" else grid.state.T
    sooner = compared = 0
    for line, state in zip(epochs, states):
        grokked = line[state == GROKKED]
        if len(grokked) >= 2:
            compared += 1
            sooner += bool((np.diff(grokked) < 0).all())
    return sooner, compared


def get_runs_said(grid: PhaseGrid) -> str:
    """How the runs fill the grid, as said: one per pair, several per pair, and pairs not trained."""
    cells, trained = grid.state.size, int((grid.runs > 0).sum())
    per_cell = sorted(set(grid.runs[grid.runs > 0].tolist()))
    words = (
        f"one for each pair of {get_column_words(grid.x)} and {get_column_words(grid.y)}"
        if per_cell == [1]
        else f"{count(per_cell[0]) if len(per_cell) == 1 else f'up to {count(per_cell[-1])}'} for each pair of "
        f"{get_column_words(grid.x)} and {get_column_words(grid.y)}, other settings varied"
    )
    missing = f"; {count(cells - trained)} of the {count(cells)} pairs were not trained" if trained < cells else ""
    return words + missing


def get_values_said(column: str, values: list) -> str:
    """'weight decay 0.1 or 0.3', 'a train fraction of 20 %'."""
    labels = [get_value_label(column, v) for v in values]
    listed = labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + f" or {labels[-1]}"
    return (
        f"a {get_column_words(column)} of {listed}"
        if column == "train_frac"
        else f"{get_column_words(column)} {listed}"
    )


def get_cell(state: int, shade: float, text: str, size: float) -> VGroup:
    """One cell: a square in its state's colour (a grokked one in its shade) with its epoch or mark."""
    if state == MISSING:
        square = DashedVMobject(Square(size, color=style.MUTED, stroke_width=2), num_dashes=16)
    else:
        fill = {
            GROKKED: get_grok_color(shade) if not math.isnan(shade) else style.MUTED,
            MEMORISED: style.NEVER_GENERALISED,
            NEVER_MEMORISED: style.NEVER_MEMORISED,
            DIVERGED: style.DIVERGED,
            MEMORISED_SO_FAR: style.MEMORISED_SO_FAR,
        }[state]
        square = Square(size, stroke_width=0, fill_color=fill, fill_opacity=1)
    on_dark = state in (NEVER_MEMORISED, MISSING, MEMORISED_SO_FAR)
    label = style.text(
        text,
        style.TICK_SIZE if state in (GROKKED, MEMORISED_SO_FAR) else style.SMALL_SIZE,
        style.INK if on_dark else style.BACKGROUND,
    )
    if label.width > 0.86 * size:
        label.scale_to_fit_width(0.86 * size)
    return VGroup(square, label.move_to(square))


def get_cells(grid: PhaseGrid, size: float, memorised_only: bool = False) -> VGroup:
    """Every cell, the largest y at the top and the smallest x at the left, as on a plot. cells[j][i].
    With `memorised_only`, the story so far: a cell whose runs memorised shows that, with the epoch they did
    (median), whatever came after."""
    shade = get_grok_shade(grid)
    ny, nx = grid.state.shape
    rows = VGroup()
    for j in range(ny):
        row = VGroup()
        for i in range(nx):
            state = grid.state[j, i]
            text = f"{grid.grok_epoch[j, i]:,.0f}" if state == GROKKED else STATE_MARKS[state]
            if memorised_only and state in (GROKKED, MEMORISED):
                epoch = grid.memorise_epoch[j, i]
                state, text = MEMORISED_SO_FAR, "" if math.isnan(epoch) else f"{epoch:,.0f}"
            row.add(get_cell(state, shade[j, i], text, size))
        rows.add(row.arrange(RIGHT, buff=CELL_GAP * size))
    rows.arrange(UP, buff=CELL_GAP * size)  # row j = 0 (the smallest y) at the bottom
    return rows


def get_axis_labels(cells: VGroup, grid: PhaseGrid) -> VGroup:
    """Value labels under the columns and left of the rows, and each axis's name."""
    xs = VGroup(
        *[
            style.text(get_value_label(grid.x, v), style.SMALL_SIZE, style.MUTED).next_to(cell, DOWN, buff=0.15)
            for v, cell in zip(grid.x_values, cells[0])
        ]
    )
    ys = VGroup(
        *[
            style.text(get_value_label(grid.y, v), style.SMALL_SIZE, style.MUTED).next_to(row[0], LEFT, buff=0.15)
            for v, row in zip(grid.y_values, cells)
        ]
    )
    x_title = style.text(get_column_words(grid.x), style.SMALL_SIZE, style.INK).next_to(xs, DOWN, buff=0.15)
    y_title = (
        style.text(get_column_words(grid.y), style.SMALL_SIZE, style.INK)
        .rotate(math.pi / 2)
        .next_to(ys, LEFT, buff=0.2)
    )
    return VGroup(xs, ys, x_title, y_title)


def get_scale(grid: PhaseGrid) -> VGroup:
    """The colour bar of the grok epochs (soonest at the top), labelled with the soonest and the latest."""
    low, high = np.nanmin(grid.grok_epoch), np.nanmax(grid.grok_epoch)
    blocks = VGroup(
        *[
            Rectangle(
                width=0.35,
                height=2.2 / SCALE_STEPS,
                stroke_width=0,
                fill_color=get_grok_color(n / (SCALE_STEPS - 1)),
                fill_opacity=1,
            )
            for n in range(SCALE_STEPS)
        ]
    ).arrange(DOWN, buff=0)
    soonest = (
        style.text(f"epoch {low:,.0f}", style.TICK_SIZE, style.INK)
        .next_to(blocks, RIGHT, buff=0.15)
        .align_to(blocks, UP)
    )
    latest = (
        style.text(f"epoch {high:,.0f}", style.TICK_SIZE, style.INK)
        .next_to(blocks, RIGHT, buff=0.15)
        .align_to(blocks, DOWN)
    )
    title = style.text("grokked at", style.SMALL_SIZE, style.INK).next_to(blocks, UP, buff=0.15).align_to(blocks, LEFT)
    return VGroup(title, blocks, soonest, latest)


def get_state_keys(
    grid: PhaseGrid, states: tuple[int, ...] = (MEMORISED, NEVER_MEMORISED, DIVERGED, MISSING)
) -> VGroup:
    """A swatch with its mark and name for each of `states` that the grid shows."""
    keys = VGroup()
    for state in states:
        if (grid.state == state).any():
            swatch = get_cell(state, math.nan, STATE_MARKS[state], 0.35)
            keys.add(
                VGroup(swatch, style.text(STATE_NAMES[state], style.TICK_SIZE, style.INK)).arrange(RIGHT, buff=0.15)
            )
    return keys.arrange(DOWN, aligned_edge=LEFT, buff=0.2)


def get_memorised_key() -> VGroup:
    """The legend while the cells show only memorising: the swatch of a cell whose runs memorised, and its epoch."""
    swatch = get_cell(MEMORISED_SO_FAR, math.nan, "", 0.35)
    return VGroup(swatch, style.text("memorised, at epoch", style.TICK_SIZE, style.INK)).arrange(RIGHT, buff=0.15)


def get_title(sweep: dict, grid: PhaseGrid) -> str:
    return (
        f"{count(len(sweep['run_names']))} runs: {get_column_words(grid.y)} × {get_column_words(grid.x)}, "
        f"p = {int(sweep['p'])}"
    )


def get_trend_said(grid: PhaseGrid, along: str) -> str | None:
    """What one direction of the diagram shows, as said: whether a larger value grokked sooner along every
    row (along 'x') or column ('y') in which more than one run grokked; None where no line has two."""
    sooner, compared = get_trend(grid, along)
    if not compared:
        return None
    lines = "row" if along == "x" else "column"
    larger = f"a larger {get_column_words(grid.x if along == 'x' else grid.y)}"
    if sooner == compared:
        return f"in {'the one' if compared == 1 else 'every'} {lines} where more than one run grokked, {larger} meant grokking sooner"
    if sooner == 0:
        return f"in no {lines} where more than one run grokked did {larger} always mean grokking sooner"
    return (
        f"in {count(sooner)} of the {count(compared)} {lines}s where more than one run grokked, "
        f"{larger} always meant grokking sooner"
    )


class PhaseDiagram(NarratedScene):
    @staticmethod
    def script(sweep: dict) -> dict[str, str]:
        rows, grid = get_diagram(sweep)
        p, epochs, total = int(sweep["p"]), int(sweep["epochs"]), len(rows)
        states = np.array([run_state(row) for row in rows])
        settings = get_settings(sweep)
        ops = sorted(set(settings["op"].tolist())) if "op" in settings else []
        task = f"{count(len(ops))} operations mod {p}" if len(ops) > 1 else f"{sweep['operation']}, with p = {p}"
        lines = {
            "stage": f"We trained {count(total)} copies of the model on {task}, {count(epochs)} epochs each: "
            f"{get_runs_said(grid)}."
        }
        memorised = int((np.array([row["memorise_epoch"] for row in rows]) >= 0).sum())
        lines["memorise"] = (
            f"Every one of them memorised its training pairs, by epoch "
            f"{count(max(r['memorise_epoch'] for r in rows))} at the latest."
            if memorised == total
            else f"{count(memorised)} of them memorised their training pairs; {count(total - memorised)} never did."
        )
        grokked = [row for row, state in zip(rows, states) if state == GROKKED]

        def where(row):
            return f"{get_values_said(grid.x, [row[grid.x]])} and {get_values_said(grid.y, [row[grid.y]])}"

        if len(grokked) == 1:
            lines["grok"] = (
                f"Only one went on to generalise to the sums it never saw: at epoch "
                f"{count(grokked[0]['grok_epoch'])}, with {where(grokked[0])}."
            )
        elif grokked:
            first = min(grokked, key=lambda row: row["grok_epoch"])
            last = max(grokked, key=lambda row: row["grok_epoch"])
            lines["grok"] = (
                f"{count(len(grokked))} went on to generalise to the sums they never saw: the first at epoch "
                f"{count(first['grok_epoch'])}, with {where(first)}; the last at epoch "
                f"{count(last['grok_epoch'])}, with {where(last)}."
            )
        else:
            lines["grok"] = f"None of them generalised to the sums they never saw within {count(epochs)} epochs."
        stuck = int((states == MEMORISED).sum())
        never_x = [v for i, v in enumerate(grid.x_values) if not (grid.state[:, i] == GROKKED).any()]
        never_y = [v for j, v in enumerate(grid.y_values) if not (grid.state[j] == GROKKED).any()]
        where_not = [
            get_values_said(column, values)
            for column, values, every in ((grid.x, never_x, grid.x_values), (grid.y, never_y, grid.y_values))
            if values and len(values) < len(every)
        ]
        stuck_line = (
            f"{count(stuck)} memorised and never generalised within {count(epochs)} epochs"
            if stuck
            else f"No run was left memorised and not generalised after {count(epochs)} epochs"
        )
        if grokked and where_not:
            stuck_line += f"; no run with {' or with '.join(where_not)} generalised"
        diverged = int((states == DIVERGED).sum())
        lines["stuck"] = stuck_line + "." + (f" {count(diverged)} diverged." if diverged else "")
        across, up = get_trend_said(grid, "x"), get_trend_said(grid, "y")
        trends = [f"reading across, {across}" if across else "", f"reading up, {up}" if up else ""]
        if across or up:
            said = "; and ".join(t for t in trends if t)
            lines["trend"] = said[0].upper() + said[1:] + "."
        return lines

    def construct(self):
        sweep = get_sweep()
        lines = self.script(sweep)
        _, grid = get_diagram(sweep)
        ny, nx = grid.state.shape

        # Step 1: the stage: the grid's axes, empty, and the legend's places
        title = style.text(get_title(sweep, grid), style.LABEL_SIZE).to_edge(UP, buff=0.3)
        size = get_cell_size(nx, ny)
        cells = get_cells(grid, size)
        so_far = get_cells(grid, size, memorised_only=True)
        outlines = VGroup(
            *[Square(size, stroke_color=style.GRID, stroke_width=2).move_to(cell) for row in cells for cell in row]
        )
        labels = get_axis_labels(cells, grid)
        diagram = VGroup(cells, outlines, labels)
        legend = VGroup()
        if (grid.state == GROKKED).any():
            legend.add(get_scale(grid))
        keys = get_state_keys(grid)
        if len(keys):
            legend.add(keys)
        legend.arrange(DOWN, aligned_edge=LEFT, buff=0.5)
        VGroup(diagram, legend).arrange(RIGHT, buff=0.7).next_to(title, DOWN, buff=0.35).set_x(0)
        so_far.move_to(cells)
        so_far_key = get_memorised_key()  # where the keys of the final states come, in step 4, in its place
        if len(keys):
            so_far_key.move_to(keys, aligned_edge=UP + LEFT)
        else:
            so_far_key.next_to(legend, DOWN, buff=0.5, aligned_edge=LEFT)
        with self.narrate(lines["stage"]):
            self.play(Write(title), FadeIn(outlines), FadeIn(labels), run_time=2)

        # Step 2: every run in its cell, as far as memorising: when it did, or that it never did
        with self.narrate(lines["memorise"]):
            self.play(
                LaggedStart(*[FadeIn(so_far[j][i]) for i in range(nx) for j in range(ny)], lag_ratio=0.08),
                FadeIn(so_far_key),
                run_time=3,
            )

        # Step 3: the ones that went on to generalise, and how soon
        grokked = list(zip(*np.nonzero(grid.state == GROKKED)))
        with self.narrate(lines["grok"]):
            if grokked:
                self.play(
                    FadeIn(legend[0]),
                    LaggedStart(*[ReplacementTransform(so_far[j][i], cells[j][i]) for j, i in grokked], lag_ratio=0.1),
                    run_time=2,
                )
                soonest = np.unravel_index(np.nanargmin(grid.grok_epoch), grid.state.shape)
                latest = np.unravel_index(np.nanargmax(grid.grok_epoch), grid.state.shape)
                marks = VGroup(
                    *[SurroundingRectangle(cells[j][i], color=style.INK, buff=0.04) for j, i in {soonest, latest}]
                )
                self.play(Create(marks), run_time=1.5)
                self.play(FadeOut(marks), run_time=0.5)

        # Step 4: the ones that stayed memorised (and any that never memorised or diverged)
        rest = list(zip(*np.nonzero(grid.state != GROKKED)))
        others = [cells[j][i] for j, i in rest if grid.state[j, i] != MISSING]
        with self.narrate(lines["stuck"]):
            self.play(
                *[ReplacementTransform(so_far[j][i], cells[j][i]) for j, i in rest],
                FadeOut(so_far_key),
                *([FadeIn(keys)] if len(keys) else []),
                run_time=1.5,
            )
            if others:
                self.play(
                    LaggedStart(
                        *[Indicate(cell, color=style.INK, scale_factor=1.08) for cell in others], lag_ratio=0.05
                    ),
                    run_time=2,
                )

        # Step 5: what the grid shows, line by line
        if "trend" in lines:
            with self.narrate(lines["trend"]):
                self.play(
                    LaggedStart(*[Indicate(row, color=style.INK, scale_factor=1.03) for row in cells], lag_ratio=0.3),
                    run_time=2.5,
                )


def get_small_curve(
    epochs: np.ndarray, values: np.ndarray, box: Rectangle, last_epoch: int, decades: tuple[int, int], color
) -> VMobject:
    """One loss curve inside a cell: log epoch across (1..last_epoch), log loss up (the sweep's decades)."""
    left, bottom = box.get_corner(LEFT + DOWN)[:2]
    keep = np.isfinite(values) & (values > 0) & (epochs >= 1)
    x = np.log10(epochs[keep]) / math.log10(max(last_epoch, 10))
    y = (np.clip(np.log10(values[keep]), *decades) - decades[0]) / max(decades[1] - decades[0], 1)
    points = [[left + u * box.width, bottom + v * box.height, 0] for u, v in zip(x, y)]
    curve = VMobject(stroke_color=color, stroke_width=2)
    curve.set_points_as_corners(points if len(points) > 1 else [box.get_center()] * 2)
    return curve


class PhaseCurves(NarratedScene):
    @staticmethod
    def script(sweep: dict) -> dict[str, str]:
        rows, grid = get_diagram(sweep)
        p, epochs = int(sweep["p"]), int(sweep["epochs"])
        states = [run_state(row) for row in rows]
        lines = {
            "stage": f"Now each run's own losses, in its cell: train loss in blue, test loss in orange, "
            f"both against epoch on log axes, over {count(epochs)} epochs."
        }
        grokked = [row for row, state in zip(rows, states) if state == GROKKED and row["memorise_epoch"] > 0]
        if grokked:
            ratios = sorted(row["grok_epoch"] / row["memorise_epoch"] for row in grokked)
            span = (
                f"{ratios[0]:.0f} times"
                if round(ratios[0]) == round(ratios[-1])
                else f"between {ratios[0]:.0f} and {ratios[-1]:.0f} times"
            )
            lines["snake"] = (
                f"Where a run grokked, the test loss comes down long after the train loss: "
                f"it generalised {span} later than it memorised."
            )
        else:
            lines["snake"] = "In this grid no run's test loss came down: none grokked."
        stuck = [row for row, state in zip(rows, states) if state == MEMORISED]
        chance = math.log(p)
        if stuck:
            ends = sorted(row["final_test_loss"] for row in stuck)
            lines["stuck"] = (
                f"In the {count(len(stuck))} that only memorised, the test loss ends between {ends[0]:.1f} and "
                f"{ends[-1]:.1f}, against {chance:.1f} for a blind guess."
                if len(stuck) > 1
                else f"In the one that only memorised, the test loss ends at {ends[0]:.1f}, against {chance:.1f} "
                "for a blind guess."
            )
        never = [row for row, state in zip(rows, states) if state == NEVER_MEMORISED]
        if never:
            lines["never"] = (
                f"And in the {count(len(never))} that never memorised, even the train loss ends at "
                f"{min(r['final_train_loss'] for r in never):.1f} or more."
            )
        return lines

    def construct(self):
        sweep = get_sweep()
        lines = self.script(sweep)
        rows, grid = get_diagram(sweep)
        ny, nx = grid.state.shape
        decades = get_loss_decades(sweep)
        epochs, last_epoch = sweep["curve_epochs"], int(sweep["epochs"]) - 1

        # Step 1: the grid of cells, each an empty little plot, and how to read one
        title = style.text(get_title(sweep, grid), style.LABEL_SIZE).to_edge(UP, buff=0.3)
        size = get_cell_size(nx, ny, box=(CURVES_BOX[0] / CURVE_ASPECT, CURVES_BOX[1]), largest=MAX_CELL)
        boxes = VGroup(
            *[
                VGroup(
                    *[
                        Rectangle(width=size * CURVE_ASPECT, height=size, stroke_color=style.GRID, stroke_width=2)
                        for _ in range(nx)
                    ]
                ).arrange(RIGHT, buff=CELL_GAP * size)
                for _ in range(ny)
            ]
        )
        boxes.arrange(UP, buff=CELL_GAP * size)
        labels = get_axis_labels(boxes, grid)
        legend = VGroup(
            *[
                VGroup(
                    Rectangle(width=0.4, height=0.04, stroke_width=0, fill_color=color, fill_opacity=1),
                    style.text(name, style.SMALL_SIZE),
                ).arrange(RIGHT, buff=0.15)
                for name, color in (("train loss", style.TRAIN), ("test loss", style.TEST))
            ]
        )
        legend.add(
            style.text(
                f"in each cell: loss against\nepoch 1 to {count(last_epoch + 1)}, both log",
                style.TICK_SIZE,
                style.MUTED,
            )
        )
        legend.arrange(DOWN, aligned_edge=LEFT, buff=0.25)
        keys = get_state_keys(grid, (MEMORISED, NEVER_MEMORISED, DIVERGED))  # an empty box is a run not trained
        VGroup(VGroup(boxes, labels), VGroup(legend, keys).arrange(DOWN, aligned_edge=LEFT, buff=0.6)).arrange(
            RIGHT, buff=0.7
        ).next_to(title, DOWN, buff=0.35).set_x(0)
        with self.narrate(lines["stage"]):
            self.play(Write(title), FadeIn(boxes), FadeIn(labels), FadeIn(legend), run_time=2)

        # Step 2: every run draws its own two curves
        tints, curves = VGroup(), VGroup()
        for j, i in np.ndindex(ny, nx):
            box = boxes[j][i]
            state = grid.state[j, i]
            if state not in (GROKKED, MISSING):
                fill = {
                    MEMORISED: style.NEVER_GENERALISED,
                    NEVER_MEMORISED: style.NEVER_MEMORISED,
                    DIVERGED: style.DIVERGED,
                }[state]
                tints.add(box.copy().set_stroke(width=0).set_fill(fill, opacity=TINT))
            for index in grid.members[j][i]:
                curves.add(
                    VGroup(
                        *[
                            get_small_curve(epochs, sweep[name][index], box, last_epoch, decades, color)
                            for name, color in (("train_loss", style.TRAIN), ("test_loss", style.TEST))
                        ]
                    )
                )
        with self.narrate(lines["snake"]):
            self.play(LaggedStart(*[Create(curve) for curve in curves], lag_ratio=0.05), run_time=4)

        # Step 3: the cells that did not grok, tinted by what they did
        if "stuck" in lines or "never" in lines:
            with self.narrate(" ".join(lines[key] for key in ("stuck", "never") if key in lines)):
                self.play(FadeIn(tints), *([FadeIn(keys)] if len(keys) else []), run_time=1.5)
                self.bring_to_front(curves)
