"""The snake: train loss falls at once, test loss stays high for thousands of epochs, then crashes.
Below the surface, the restricted and excluded losses show the circuit forming all along."""

from __future__ import annotations

import math

import numpy as np
from manim import (
    DOWN,
    LEFT,
    ORIGIN,
    RIGHT,
    UP,
    Axes,
    Create,
    DashedLine,
    Dot,
    FadeIn,
    FadeOut,
    Line,
    LogBase,
    Rectangle,
    ValueTracker,
    VGroup,
    VMobject,
    Write,
    config,
    linear,
)

from frames import ACCURACY_BAR, first_epoch_below, get_formula, get_not_applicable, milestones
from scenes import narration, palette, style  # narration.Line: manim has a Line too
from scenes.helpers import get_logged_at, is_narrow, is_tall, redrawn, wrapped
from scenes.loader import get_frames, not_shown
from scenes.narration import NarratedScene, count, joined, percent, power_of_ten, say
from scenes.operation import get_question_word
from scenes.shapes import SHAPES

CURVE_POINTS = 400  # buckets along the log epoch axis; a curve is drawn with at most twice as many points
SETTLED_FACTOR = 10  # the collapse ends when the test loss stays within this factor of its final value
LABEL_GAP = 0.15  # screen units between phase labels in one row
LABEL_PAD = 0.08  # around a phase label's text, inside its chip
FIRST_MOVE = 0.1  # the share of its first value the train loss must lose before the stage's line hands over
GAP_OPACITY = 0.22  # the tint between the train and the test loss: visible, and the curves stay on top


def get_log_envelope(epochs: np.ndarray, values: np.ndarray, n: int = CURVE_POINTS) -> tuple[np.ndarray, np.ndarray]:
    """The points of a curve worth drawing on a log epoch axis: in each of n buckets of equal width in
    log epoch, its lowest and its highest value at their own epochs, in epoch order. A spike or a dip
    narrower than a bucket survives, where one sample per bucket would miss it; a long curve (the
    paper's runs: 107,791 epochs) costs no more to draw than a short one. Epoch 0 has no place on
    the axis."""
    keep = (epochs >= 1) & np.isfinite(values)
    epochs, values = epochs[keep], values[keep]
    if len(epochs) <= 2 * n:
        return epochs, values
    edges = np.geomspace(1, epochs[-1] + 1, n + 1)
    bucket = np.searchsorted(edges, epochs, side="right") - 1  # [points]
    order = np.lexsort((values, bucket))  # by bucket, then by value
    firsts = np.flatnonzero(np.r_[True, np.diff(bucket[order]) != 0])
    lasts = np.r_[firsts[1:], len(order)] - 1
    chosen = np.unique(np.concatenate([order[firsts], order[lasts]]))  # each bucket's min and max, epoch order
    return epochs[chosen], values[chosen]


def get_decade_range(values: np.ndarray) -> tuple[int, int]:
    """Whole decades that contain every finite positive value."""
    finite = values[np.isfinite(values) & (values > 0)]
    return math.floor(np.log10(finite.min())), math.ceil(np.log10(finite.max()))


def get_last_epoch(frames: dict) -> int:
    """The last epoch the loss curves reach (each curve at its own epochs)."""
    return int(max(frames["train_loss_epochs"][-1], frames["test_loss_epochs"][-1]))


def get_phase_spans(phase_starts: np.ndarray, last_epoch: int) -> list[tuple[str, int, int]]:
    """(name, first epoch, last epoch) of each phase the data found; memorisation starts at 1 on a log axis."""
    found = [(name, max(int(start), 1)) for name, start in zip(style.PHASE_NAMES, phase_starts) if start >= 0]
    ends = [start for _, start in found[1:]] + [last_epoch]
    return [(name, start, end) for (name, start), end in zip(found, ends) if end > start]


def get_phases_line(spans: list[tuple[str, int, int]]) -> narration.Line:
    """The plateau split into the phases the progress measures found, each said with the epoch it ends: a field
    per phase (memorisation_end_epoch, circuit_formation_end_epoch), as a run may skip one."""
    if len(spans) < 2:
        return say("The plateau looks idle, and the progress measures find no phase after memorisation in this run.")
    ends = {
        f"{name.replace(' ', '_').replace('-', '_')}_end_epoch": count(following[1])
        for (name, _, _), following in zip(spans, spans[1:])
    }
    listed = ", ".join(f"{name} until epoch {{{field}}}" for (name, _, _), field in zip(spans, ends))
    return say(
        "The plateau looks idle, but the progress measures, gauges of the circuit forming inside, split it: "
        f"{listed}, then {spans[-1][0]}.",
        **ends,
    )


def get_label_layout(
    spans: list[tuple[float, float]], widths: list[float], x_min: float, x_max: float, gap: float = LABEL_GAP
) -> list[tuple[float, int]]:
    """(centre x, row) of each band's label: centred on its band, kept between x_min and x_max, and
    moved down a row whenever it would touch a label already placed in that row. Narrow bands
    (a short phase on a log axis) get a label beside their band instead of on top of another's."""
    rows: list[list[tuple[float, float]]] = []  # per row, the (left, right) extents taken
    layout = []
    for (left, right), width in zip(spans, widths):
        centre = (left + right) / 2
        centre = (
            min(max(centre, x_min + width / 2), x_max - width / 2) if width <= x_max - x_min else (x_min + x_max) / 2
        )
        extent = (centre - width / 2 - gap, centre + width / 2 + gap)
        row = next(
            (r for r, taken in enumerate(rows) if all(extent[1] <= a or b <= extent[0] for a, b in taken)), len(rows)
        )
        if row == len(rows):
            rows.append([])
        rows[row].append(extent)
        layout.append((centre, row))
    return layout


def get_collapse(epochs: np.ndarray, test_loss: np.ndarray, p: int) -> tuple[int, int, int] | None:
    """(start, end, orders of magnitude) of the test loss's collapse: from the last epoch it is at or
    above ln p (what a uniform guess scores) to the first epoch from which it stays within
    SETTLED_FACTOR of its final value. None if it never came down from above ln p, or came down by
    less than an order of magnitude."""
    chance = math.log(p)
    above = np.nonzero(test_loss >= chance)[0]
    if len(above) == 0 or above[-1] >= len(test_loss) - 1:
        return None
    start = int(epochs[above[-1]])
    after = epochs > start
    end = first_epoch_below(epochs[after], test_loss[after], SETTLED_FACTOR * float(test_loss[-1]))
    orders = round(math.log10(chance / float(test_loss[epochs == end][0])))
    return (start, end, orders) if orders >= 1 else None  # less than a factor of ~3 below a guess: no collapse


def get_axes(n_epochs: int, y_decades: tuple[int, int]) -> VGroup:
    x_max = math.log10(n_epochs)
    axes = Axes(
        x_range=[0, x_max, 1],
        y_range=[y_decades[0], y_decades[1], 1],
        # with the chart shifted left, the blind guess label fits the right margin; a narrow frame keeps its y labels
        # room at the left and the label's (in three lines there) at the right
        x_length=10.5 if not is_narrow() else config.frame_width - 2.7,
        # leaves the title a clear row above the legend, counter and accuracy readout; a narrow frame keeps the rows
        # above (title, stacked legend, readout, counter) and the tick labels below, a tall one the bottom too, where
        # captions go
        y_length=5.25 if not is_narrow() else config.frame_height - (5.7 if is_tall() else 4.15),
        tips=False,
        x_axis_config={"scaling": LogBase(custom_labels=False), "color": style.MUTED},
        y_axis_config={"scaling": LogBase(custom_labels=False), "color": style.MUTED},
    )
    x_labels = VGroup(
        *[
            style.text(f"{10**e:,}", style.TICK_SIZE, style.MUTED).next_to(axes.c2p(10**e, 10 ** y_decades[0]), DOWN)
            for e in range(0, math.floor(x_max) + 1)
        ]
    )
    y_labels = VGroup(
        *[
            style.text(style.power_label(e), style.TICK_SIZE, style.MUTED).next_to(axes.c2p(1, 10**e), LEFT)
            for e in range(y_decades[0], y_decades[1] + 1, 2 if y_decades[1] - y_decades[0] > 6 else 1)
        ]
    )
    x_title = style.text("epoch", style.SMALL_SIZE, style.MUTED).next_to(x_labels, DOWN, buff=0.15)
    y_title = style.text("loss", style.SMALL_SIZE, style.MUTED).rotate(math.pi / 2).next_to(y_labels, LEFT, buff=0.2)
    return VGroup(axes, x_labels, y_labels, x_title, y_title)


def get_curve(axes: Axes, xs: np.ndarray, ys: np.ndarray, color, floor: float, width: float = 4) -> VMobject:
    points = [axes.c2p(x, max(y, floor)) for x, y in zip(xs, ys) if np.isfinite(y)]
    curve = VMobject(stroke_color=color, stroke_width=width)
    curve.set_points_as_corners(points if len(points) > 1 else points * 2)
    return curve


def get_first_move(train: tuple[np.ndarray, np.ndarray]) -> float:
    """log10 of the epoch the train loss has first fallen by a tenth: before it the curves lie flat on a
    blind guess's loss, so the stage's line draws them up to there and the next line starts with the fall."""
    epochs, values = train
    fallen = np.flatnonzero(values < (1 - FIRST_MOVE) * values[0])
    return math.log10(max(1, int(epochs[fallen[0]] if len(fallen) else epochs[-1])))


def get_gap(axes: Axes, train: tuple, test: tuple, last_epoch: float, floor: float) -> VMobject:
    """The area between the train and the test loss up to `last_epoch`, tinted: what the model answers on the
    questions it saw and not on the others. It widens as the model memorises and closes as it generalises."""
    xs = test[0][test[0] <= last_epoch]
    if len(xs) < 2:
        return VMobject()
    test_ys = np.maximum(test[1][: len(xs)], floor)
    train_ys = np.maximum(np.exp(np.interp(np.log(xs), np.log(train[0]), np.log(np.maximum(train[1], floor)))), floor)
    outline = [axes.c2p(x, y) for x, y in zip(xs, test_ys)] + [axes.c2p(x, y) for x, y in zip(xs[::-1], train_ys[::-1])]
    gap = VMobject(stroke_width=0, fill_color=style.TEST, fill_opacity=GAP_OPACITY)
    gap.set_points_as_corners(outline + outline[:1])
    return gap


def get_legend(entries: list[tuple[str, object]]) -> VGroup:
    """The entries in a row; stacked in a narrow frame, where two of them would not fit beside each other."""
    rows = [
        VGroup(Line(LEFT * 0.2, RIGHT * 0.2, color=color, stroke_width=5), style.text(name, style.SMALL_SIZE)).arrange(
            RIGHT, buff=0.15
        )
        for name, color in entries
    ]
    legend = VGroup(*rows)
    return legend.arrange(DOWN, aligned_edge=LEFT, buff=0.12) if is_narrow() else legend.arrange(RIGHT, buff=0.5)


def get_phase_bands(axes: Axes, spans: list[tuple[str, int, int]], floor: float) -> VGroup:
    """A tinted band per phase and a label chip of the same tint; a chip that sits beside its band
    (the band too narrow for it) is tied to the band by a short line."""
    bands, chips = VGroup(), VGroup()
    for (name, start, end), color in zip(spans, style.PHASE_COLORS):
        left, right = axes.c2p(start, floor), axes.c2p(end, floor)
        band = Rectangle(
            width=right[0] - left[0],
            height=axes.y_length,
            stroke_width=0,
            fill_color=color,
            fill_opacity=palette.PHASE_BAND_OPACITY,
        )
        bands.add(band.move_to((left + right) / 2, aligned_edge=DOWN))
        label = style.text(name, style.SMALL_SIZE, style.INK)
        chip = Rectangle(
            width=label.width + 2 * LABEL_PAD,
            height=label.height + 2 * LABEL_PAD,
            stroke_width=0,
            fill_color=color,
            fill_opacity=1,
        )
        chips.add(VGroup(chip, label.move_to(chip)))
    layout = get_label_layout(
        [(band.get_left()[0], band.get_right()[0]) for band in bands],
        [chip.width for chip in chips],
        axes.get_left()[0] + 0.1,
        axes.get_right()[0] - 0.1,
    )
    top = axes.get_top()[1] - 0.1
    groups = VGroup()
    for band, chip, (x, row) in zip(bands, chips, layout):
        step = row * (chip.height + 0.1)
        # a narrow chart has no room inside for the labels clear of the curves: they stack up from its top instead
        chip.move_to([x, top + 0.2 + chip.height / 2 + step if is_narrow() else top - chip.height / 2 - step, 0])
        group = VGroup(band, chip)
        band_x = band.get_center()[0]
        if not chip.get_left()[0] <= band_x <= chip.get_right()[0]:
            near = chip.get_left() if band_x < chip.get_left()[0] else chip.get_right()
            group.add(Line(near, [band_x, near[1], 0], color=style.MUTED, stroke_width=2))
        groups.add(group)
    return groups


def get_clear_height(axes: Axes, label: VMobject, curves: list[tuple[np.ndarray, np.ndarray]], floor: float) -> float:
    """The height (screen y) nearest the label's own at which, over its width, it crosses none of the curves
    ((epochs, values) each); its own where there is none."""
    first, last = axes.p2c(label.get_left())[0], axes.p2c(label.get_right())[0]  # the epochs it spans
    pad = label.height / 2 + 0.08
    taken = []  # per curve, the (low, high) heights a label's centre must keep out of
    for epochs, values in curves:
        keep = (epochs >= 1) & np.isfinite(values)
        if not keep.any():
            continue
        logs = np.log10(np.maximum(values[keep], floor))
        ends = np.interp(np.log10([first, last]), np.log10(epochs[keep]), logs)
        span = np.concatenate([logs[(epochs[keep] >= first) & (epochs[keep] <= last)], ends])
        taken.append((axes.c2p(1, 10 ** span.min())[1] - pad, axes.c2p(1, 10 ** span.max())[1] + pad))
    own, bottom, top = label.get_y(), axes.get_bottom()[1] + pad, axes.get_top()[1] - pad
    edges = sorted([own, *[edge for extent in taken for edge in extent]], key=lambda y: abs(y - own))
    return next((y for y in edges if bottom <= y <= top and not any(low < y < high for low, high in taken)), own)


def get_lead(axes: Axes, frames: dict, floor: float, curves: list[tuple[np.ndarray, np.ndarray]]) -> VGroup:
    """A band from the epoch the restricted loss falls below 1 to the epoch the test loss does, and how many
    epochs that is: how far the circuit runs ahead of what the test loss shows. Empty when it does not lead.
    `curves` (epochs, values) are those drawn: a narrow chart keeps the label off them."""
    m = milestones(frames)
    start, end = m["restricted_loss_below_1_epoch"], m["test_loss_below_1_epoch"]
    if start < 1 or end <= start:
        return VGroup()
    left, right = axes.c2p(start, floor), axes.c2p(end, floor)
    band = Rectangle(
        width=right[0] - left[0], height=axes.y_length, stroke_width=0, fill_color=style.RESTRICTED, fill_opacity=0.25
    ).move_to((left + right) / 2, aligned_edge=DOWN)
    label = style.text(f"{count(end - start)} epochs ahead", style.SMALL_SIZE, style.RESTRICTED)
    label.next_to(band, LEFT, buff=0.1)  # mid-height: above the train loss, below the test loss
    if is_narrow():  # where the curves lie closer together than the label is long
        label.set_y(get_clear_height(axes, label, curves, floor))
    return VGroup(band, label)


def get_weight_inset(epochs: np.ndarray, weights: np.ndarray, n_epochs: int) -> VGroup:
    """A small plot of the sum of squared weights against epoch (log axis, as the main chart)."""
    axes = Axes(
        x_range=[0, math.log10(n_epochs), 1],
        y_range=[0, float(weights.max()) * 1.1, float(weights.max())],
        x_length=3.2 if not is_narrow() else 2.2,
        y_length=1.2 if not is_narrow() else 1.0,
        tips=False,
        x_axis_config={"scaling": LogBase(custom_labels=False), "color": style.MUTED, "include_ticks": False},
        y_axis_config={"color": style.MUTED, "include_ticks": False},
    )
    keep = epochs >= 1
    curve = VMobject(stroke_color=style.WEIGHTS, stroke_width=3)
    curve.set_points_as_corners([axes.c2p(x, y) for x, y in zip(epochs[keep], weights[keep])])
    peak = int(np.argmax(weights))
    marker = Dot(axes.c2p(max(int(epochs[peak]), 1), float(weights[peak])), radius=0.05, color=style.WEIGHTS)
    title = style.text(
        wrapped("sum of", "squared weights", f"(peak: epoch {int(epochs[peak]):,})"),
        style.TICK_SIZE,
        style.WEIGHTS,
    )  # in lines as wide as the small plot in a narrow frame, where the inset must keep off the curves
    title.next_to(axes, UP, buff=0.08).align_to(axes, LEFT)
    backing = Rectangle(
        width=max(axes.width, title.width) + 0.3,
        height=axes.height + title.height + 0.35,
        stroke_color=style.GRID,
        stroke_width=1,
        fill_color=style.BACKGROUND,
        fill_opacity=0.85,
    )
    backing.move_to(VGroup(axes, title))
    return VGroup(backing, axes, curve, title, marker)


def get_losses(frames: dict) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """(epochs, values) of the train and test loss, each at its own epochs; stop with one line when the
    file lacks one: the scene is the two of them."""
    missing = [name for name in ("train_loss", "test_loss") if not len(frames[name])]
    if missing:
        not_shown(
            f"this file records no {' and no '.join(n.replace('_', ' ') for n in missing)}: "
            "the snake draws the train and test losses"
        )
    return (
        (frames["train_loss_epochs"], frames["train_loss"].astype(np.float64)),
        (frames["test_loss_epochs"], frames["test_loss"].astype(np.float64)),
    )


def get_accuracy_readout(
    frames: dict, log_epoch: ValueTracker, place: np.ndarray, aligned_edge: np.ndarray = ORIGIN
) -> VMobject:
    """'test accuracy 12 %' at the epoch the tracker (log10 epoch) is on, centred on `place` (off the curves), or
    with its `aligned_edge` there; nothing for a file with no accuracy curve."""
    epochs, values = frames["test_acc_epochs"], frames["test_acc"]
    if not len(values):
        return VMobject()
    made = {}  # Text is slow to make: each percentage once

    def readout():
        words = f"test accuracy {percent(get_logged_at(epochs, values, 10 ** log_epoch.get_value()))}"
        if words not in made:
            made[words] = style.text(words, style.LABEL_SIZE, style.TEST)
        return made[words].copy().move_to(place, aligned_edge=aligned_edge)

    return redrawn(readout)


class SnakeCurve(NarratedScene):
    essential = ("stage", "memorise", "collapse")  # the short cut: memorised, then the collapse
    shapes = tuple(SHAPES)

    @staticmethod
    def script(frames: dict) -> dict[str, narration.Line]:
        (train_epochs, _), (test_epochs, test) = get_losses(frames)
        m, p = milestones(frames), int(frames["p"])
        questions, n_pairs = get_question_word(frames), int((frames["op_labels"] >= 0).sum())
        accuracy_bar, blind_guess_loss = percent(ACCURACY_BAR), math.log(p)
        lines = {
            "stage": say(
                "The model we trained sees {train_share} of the {questions} mod {p}. Here are its losses.",
                train_share=percent(int(frames["train_pairs"]) / n_pairs),
                questions=questions,
                p=p,
            )
            if frames["split_recorded"]
            else say(
                "The model we trained sees some of the {questions} mod {p}; its file does not record which. "
                "Here are its losses.",
                questions=questions,
                p=p,
            )
        }
        memorised = m["train_acc_99_epoch"]
        collapse = get_collapse(test_epochs, test, p)
        if memorised is None:
            memorise = [say("Its file records losses but no accuracy, so when it gets them right is not known.")]
        elif memorised >= 0:
            memorise = [
                say(
                    "By epoch {memorised_epoch} it gets {accuracy_bar} of them right.",
                    memorised_epoch=count(memorised),
                    accuracy_bar=accuracy_bar,
                )
            ]
        else:
            memorise = [say("It never gets {accuracy_bar} of them right.", accuracy_bar=accuracy_bar)]
        if collapse and collapse[0] > max(memorised or 0, 0):
            climb = {"questions": questions, "test_loss_peak": f"{m['test_loss_peak']:.0f}"}
            memorise.append(
                say(
                    "On unseen {questions} the test loss climbs to {test_loss_peak} and stays worse than a blind "
                    "guess until epoch {collapse_epoch}.",
                    collapse_epoch=count(collapse[0]),
                    **climb,
                )
                if memorised is None
                else say(
                    "On unseen {questions} the test loss climbs to {test_loss_peak} and stays worse than a blind "
                    "guess for {epochs_memorised_to_collapse} more epochs.",
                    epochs_memorised_to_collapse=count(collapse[0] - max(memorised, 0)),
                    **climb,
                )
            )
        lines["memorise"] = joined(*memorise)
        if collapse:
            start, end, orders = collapse
            lines["collapse"] = joined(
                say(
                    "Then, from epoch {collapse_epoch}, it collapses: about {collapse_orders} orders of magnitude, "
                    "to {test_loss_after_collapse}, in {collapse_duration} epochs.",
                    collapse_epoch=count(start),
                    collapse_orders=orders,
                    test_loss_after_collapse=power_of_ten(test[test_epochs == end][0]),
                    collapse_duration=count(end - start),
                ),
                say("The model has grokked: it now answers questions it never saw.")
                if bool(frames["grokked"])
                else say(
                    "Yet it never answers {accuracy_bar} of the unseen questions: it has not fully grokked.",
                    accuracy_bar=accuracy_bar,
                ),
            )
        else:
            final = float(test[-1])
            lines["collapse"] = (
                say("By the end of the run the test loss has still not come down: this run has not generalised.")
                if final >= blind_guess_loss / 3
                else say(
                    "By the end of the run the test loss is down to {final_test_loss}, below a blind guess's "
                    "{blind_guess_loss}, but it has not collapsed as a run that generalises does.",
                    final_test_loss=f"{final:.2g}",
                    blind_guess_loss=f"{blind_guess_loss:.1f}",
                )
            )
        if len(frames["checkpoint_epochs"]) < 2:
            lines["phases"] = say(
                "The plateau looks idle. What happened underneath it is not recorded here: "
                "this file holds only the final weights."
            )
            return lines
        weights = frames["progress_sum_sq_weights"]
        drop = 1 - weights[-1] / weights.max()
        if get_not_applicable(frames):  # no relabelling makes the task addition: no circuit measures, only the weights
            lines["weights"] = say(
                "The measures that show a circuit forming underneath need a task that is addition in some "
                "coordinates, and {formula} is not. What we can show: weight decay cuts the sum of squared weights "
                "{squared_weights_drop} below its peak.",
                formula=get_formula(frames),
                squared_weights_drop=percent(drop),
            )
            return lines
        lines["phases"] = get_phases_line(get_phase_spans(frames["phase_starts"], get_last_epoch(frames)))
        restricted, test_below = m["restricted_loss_below_1_epoch"], m["test_loss_below_1_epoch"]
        keep = "Keep only the few waves the model ends up using, its key frequencies:"
        if restricted >= 0 and test_below > restricted:
            lines["restricted"] = joined(
                keep,
                say(
                    "that loss falls below 1 at epoch {restricted_loss_below_1_epoch}, {restricted_loss_lead_epochs} "
                    "epochs before the test loss does.",
                    restricted_loss_below_1_epoch=count(restricted),
                    restricted_loss_lead_epochs=count(test_below - restricted),
                ),
            )
        elif restricted >= 0:
            lines["restricted"] = joined(
                keep,
                say(
                    "that loss falls below 1 at epoch {restricted_loss_below_1_epoch}, in this run no earlier than "
                    "the test loss.",
                    restricted_loss_below_1_epoch=count(restricted),
                ),
            )
        else:
            lines["restricted"] = joined(keep, say("in this run that loss never falls below 1."))
        peak = m["excluded_loss_peak_epoch"]
        if peak == int(frames["checkpoint_epochs"][-1]):  # still rising when the run ends: no clean-up seen
            undone = say(
                "Remove them, and the train loss rises to the end of the run: the memorised part is not yet gone."
            )
        elif collapse and peak > 0:
            undone = say(
                "Remove them, and the train loss rises until epoch {excluded_peak_epoch}: memorisation is undone.",
                excluded_peak_epoch=count(peak),
            )
        else:
            undone = say("Remove them, and in this run nothing shows memorisation being undone.")
        decay = (
            say(
                "Weight decay cuts the sum of squared weights {squared_weights_drop} below its peak.",
                squared_weights_drop=percent(drop),
            )
            if drop >= 0.005
            else say("The sum of squared weights has not come down from its peak.")
        )
        if not len(frames["key_freqs"]):  # nothing to keep or remove: say what the two curves are in this run
            kept = frames["progress_restricted_loss"]
            none_kept = {
                "restricted_loss_start": f"{kept[0]:.1f}",
                "restricted_loss_end": f"{kept[-1]:.1f}",
                "blind_guess_loss": f"{blind_guess_loss:.1f}",
            }
            lines["restricted"] = (
                say(
                    "This run found no key frequencies. Keep none, and the loss goes from {restricted_loss_start} to "
                    "{restricted_loss_end}, above a blind guess's {blind_guess_loss}: no circuit formed underneath.",
                    **none_kept,
                )
                if kept[-1] >= blind_guess_loss
                else say(
                    "This run found no key frequencies. Keep none, and the loss goes from {restricted_loss_start} to "
                    "{restricted_loss_end}, below a blind guess's {blind_guess_loss}: no circuit formed underneath.",
                    **none_kept,
                )
            )
            undone = say("Remove none, and the train loss is unchanged: the memorised answers are all there is.")
        lines["excluded"] = joined(undone, decay)
        return lines

    def construct(self):
        frames = get_frames()
        lines = self.script(frames)
        p, n_epochs = int(frames["p"]), get_last_epoch(frames) + 1
        train, test = (get_log_envelope(epochs, values) for epochs, values in get_losses(frames))  # (epochs, values)
        series = len(frames["checkpoint_epochs"]) > 1  # the measures underneath need a checkpoint series
        underneath = (
            [frames["progress_restricted_loss"], frames["progress_excluded_loss"]]
            if series and not get_not_applicable(frames)
            else []
        )  # NaN where they do not apply
        y_decades = get_decade_range(np.concatenate([train[1], test[1], *underneath]))
        floor = 10.0 ** y_decades[0]

        # Step 1: the stage
        chart = get_axes(n_epochs, y_decades)
        if is_narrow():  # the chart as wide as the frame; in a tall one, above where captions go
            chart.to_edge(DOWN, buff=1.7 if is_tall() else 0.2).to_edge(LEFT, buff=0.2)
        else:
            chart.to_edge(DOWN, buff=0.3).shift(LEFT * 0.25)
        axes = chart[0]
        bands = get_phase_bands(axes, get_phase_spans(frames["phase_starts"], n_epochs - 1), floor)
        title = style.text(f"Learning {get_formula(frames)}", style.TITLE_SIZE).to_edge(UP, buff=0.25)
        legend = get_legend([("train loss", style.TRAIN), ("test loss", style.TEST)])
        # a narrow frame stacks them above the chart: the legend, then the accuracy readout and the epoch counter in
        # rows of their own, which the phase labels take over once training has played
        above = (
            max([1.0] + [band[1].get_top()[1] - axes.get_top()[1] + 0.15 for band in bands]) if is_narrow() else 0.15
        )
        legend.next_to(axes, UP, buff=above).align_to(axes, LEFT).shift(RIGHT * 0.3)

        # Step 2: training unfolds, an epoch counter running on a log clock, a blind guess's loss for scale
        log_epoch = ValueTracker(0.0)

        def drawn(curve, color):
            xs, ys = curve

            def redraw():
                shown = xs <= 10 ** log_epoch.get_value()
                return get_curve(axes, xs[shown], ys[shown], color, floor) if shown.sum() > 1 else VMobject()

            return redrawn(redraw)

        counter = redrawn(
            lambda: (
                style.text(f"epoch {int(round(10 ** log_epoch.get_value())):,}", style.LABEL_SIZE, style.HIGHLIGHT)
                .next_to(axes, UP, buff=0.2)
                .align_to(axes, RIGHT)
            )
        )
        train_curve, test_curve = drawn(train, style.TRAIN), drawn(test, style.TEST)
        gap = redrawn(lambda: get_gap(axes, train, test, 10 ** log_epoch.get_value(), floor))
        chance = DashedLine(
            axes.c2p(1, math.log(p)), axes.c2p(n_epochs, math.log(p)), color=style.MUTED, stroke_width=2
        )
        chance_label = style.text(f"{wrapped('a blind', 'guess')}\n(ln {p})", style.TICK_SIZE, style.MUTED).next_to(
            chance.get_end(), RIGHT, buff=0.1
        )  # in the margin: every curve starts on this line
        end = math.log10(max(train[0][-1], test[0][-1]))
        collapse = get_collapse(*get_losses(frames)[1], p)  # (start, end, orders): drawn slowly, as it is said
        pause = math.log10(max(collapse[0], 1)) if collapse else end
        # the readout sits above the chart, left of the epoch counter (a narrow frame: above it, the two too wide for
        # one row): inside the chart, some run's curve is always under it
        if is_narrow():
            accuracy = get_accuracy_readout(frames, log_epoch, axes.get_corner(UP + RIGHT) + UP * 0.72, RIGHT)
        else:
            readout_place = axes.get_corner(UP + RIGHT) + UP * 0.35 + LEFT * 3.9
            accuracy = get_accuracy_readout(frames, log_epoch, readout_place)
        with self.narrate(lines["stage"]):
            self.play(FadeIn(chart), Write(title), FadeIn(legend), run_time=1.5)
            self.add(gap, train_curve, test_curve, counter)
            self.play(
                FadeIn(chance),
                FadeIn(chance_label),
                log_epoch.animate.set_value(get_first_move(train)),
                run_time=3.5,
                rate_func=linear,
            )
        with self.narrate(lines["memorise"]) as seconds:  # the plateau drawn as long as its line is said
            self.play(log_epoch.animate.set_value(pause), run_time=max(6.5, seconds - 0.5), rate_func=linear)
        with self.narrate(lines["collapse"]) as seconds:
            if collapse:  # the collapse itself slowly, with the test accuracy climbing beside the epoch
                self.add(accuracy)
                settled = math.log10(collapse[1])
                self.play(log_epoch.animate.set_value(settled), run_time=max(2.0, 0.6 * seconds), rate_func=linear)
                self.play(log_epoch.animate.set_value(end), run_time=max(1.0, 0.2 * seconds - 1.5), rate_func=linear)
            self.remove(gap, train_curve, test_curve, counter, accuracy)
            gap = get_gap(axes, train, test, math.inf, floor)
            train_curve = get_curve(axes, *train, style.TRAIN, floor)
            test_curve = get_curve(axes, *test, style.TEST, floor)
            self.add(gap, train_curve, test_curve)
            self.play(test_curve.animate.set_stroke(width=7), rate_func=lambda t: 1 - abs(2 * t - 1), run_time=1.5)

        epochs = frames["checkpoint_epochs"]
        inset = get_weight_inset(epochs, frames["progress_sum_sq_weights"], n_epochs)
        inset.next_to(axes.c2p(1, floor), UP + RIGHT, buff=0.15)
        if "weights" in lines:  # an operation with no circuit measures: the weights are what we can show
            with self.narrate(lines["weights"]):
                self.play(FadeIn(inset[0:2]), FadeIn(inset[3]), Create(inset[2]), run_time=2)
                self.play(FadeIn(inset[4], scale=2), run_time=0.5)
            return

        # Step 3: the phases, where the data puts them (none without a checkpoint series)
        with self.narrate(lines["phases"]):
            if len(bands):  # each phase as its name is said, the gap giving way to the bands
                self.play(FadeOut(gap), run_time=1)
                self.paced(*[FadeIn(band) for band in bands], until=self.line_end - 0.5)
                self.bring_to_front(chance, train_curve, test_curve)
        if not series:
            return

        # Step 4: what was happening underneath
        keep = epochs >= 1
        restricted = get_curve(axes, epochs[keep], frames["progress_restricted_loss"][keep], style.RESTRICTED, floor, 3)
        excluded = get_curve(axes, epochs[keep], frames["progress_excluded_loss"][keep], style.EXCLUDED, floor, 3)
        formed = len(frames["key_freqs"]) > 0
        caption = style.text(
            wrapped("underneath, all along:", "the Fourier circuit forms")
            if formed
            else "underneath: no Fourier circuit forms",
            style.LABEL_SIZE,
            style.INK,
        ).move_to(title)
        more = get_legend(
            [
                (
                    "restricted loss: key frequencies only" if formed else "restricted loss: none to keep",
                    style.RESTRICTED,
                ),
                ("excluded loss: all but them (train)", style.EXCLUDED),
            ]
        )
        more.move_to(legend, aligned_edge=LEFT)
        with self.narrate(lines["restricted"]):
            self.play(
                test_curve.animate.set_stroke(opacity=0.3),
                train_curve.animate.set_stroke(opacity=0.3),
                FadeOut(title),
                FadeIn(caption),
                FadeOut(legend),
                FadeIn(more),
                run_time=1.5,
            )
            blind_guess = (np.array([1, n_epochs]), np.full(2, math.log(p)))  # the dashed line, as a curve
            lead = get_lead(
                axes, frames, floor, [train, test, (epochs, frames["progress_restricted_loss"]), blind_guess]
            )
            self.paced(Create(restricted, rate_func=linear, run_time=4), *([FadeIn(lead)] if len(lead) else []))
        with self.narrate(lines["excluded"]):
            self.paced(
                [*([FadeOut(lead)] if len(lead) else []), Create(excluded, rate_func=linear, run_time=4)],
                [FadeIn(inset[0:2]), FadeIn(inset[3]), Create(inset[2])],
                FadeIn(inset[4], scale=2),
            )
