"""The task: a tiny transformer sees "a b =" and must answer (a + b) mod p (or the run's operation),
after seeing only a fraction of the p x p table."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    Arrow,
    FadeIn,
    FadeOut,
    Group,
    GrowArrow,
    ImageMobject,
    Indicate,
    Rectangle,
    RoundedRectangle,
    Square,
    Transform,
    ValueTracker,
    VGroup,
    Write,
    config,
    linear,
)
from manim.constants import RESAMPLING_ALGORITHMS

from frames import get_formula
from scenes import style
from scenes.helpers import get_clock_frequency, get_logged_at, get_turn_example, is_narrow, is_tall, redrawn, wrapped
from scenes.loader import get_frames
from scenes.narration import Line, NarratedScene, count, joined, percent, say
from scenes.operation import get_instance, get_spoken
from scenes.shapes import SHAPES

TABLE_HEIGHT = 5.0  # screen units for the p x p table (16:9; a narrow frame sizes it by its width)
PIXELS_PER_CELL = 4  # the table image is drawn nearest-neighbour, so cells stay crisp
WAFFLE_SIDE = 10  # a 10 x 10 waffle: one square per 1 % of the table
LIT_DIMMING = 0.8  # how far toward the background the cells of other answers fade while one answer is lit
UNLIT = 0.25  # fill opacity of a waffle square whose questions are not yet answered right
EVEN_ANSWERS = 0.99  # label evenness (op_label_evenness) from which every answer is said to be about as common


def get_split_counts(frames: dict) -> tuple[int, int]:
    """(train pairs, test pairs) of the split the frames were measured on: the data set's pairs are
    p², less those the operation leaves out (b = 0 under div)."""
    n_pairs, n_train = int((frames["op_labels"] >= 0).sum()), int(frames["train_pairs"])
    return n_train, n_pairs - n_train


def get_table_image(p: int, answers: np.ndarray | None = None, lit: int | None = None) -> np.ndarray:
    """[p * PIXELS_PER_CELL, p * PIXELS_PER_CELL, 3] uint8: cell (a, b) (row a, column b) coloured
    by the answer (answers [p, p], default (a + b) mod p) in the clock's colours (style.rainbow);
    a pair left out of the data set (answer -1) in the background's. With `lit`, only the cells whose
    answer is `lit` keep their colour; the rest fade toward the background."""
    background = np.array(style.BACKGROUND.to_rgb())
    palette = np.array([color.to_rgb() for color in style.rainbow(p)] + [background])  # [p + 1, 3]
    answers = (np.arange(p)[:, None] + np.arange(p)[None, :]) % p if answers is None else answers  # [p, p]
    colors = palette[answers]  # [p, p, 3]: -1 picks the background
    if lit is not None:
        colors = np.where((answers == lit)[..., None], colors, colors + LIT_DIMMING * (background - colors))
    cells = (colors * 255).round().astype(np.uint8)
    return np.repeat(np.repeat(cells, PIXELS_PER_CELL, axis=0), PIXELS_PER_CELL, axis=1)


def get_waffle(train_frac: float) -> VGroup:
    """WAFFLE_SIDE^2 squares, the first round(train_frac * 100) lit as train, the rest dimmed as test."""
    lit = round(train_frac * WAFFLE_SIDE**2)
    squares = VGroup(
        *[
            Square(
                side_length=0.24,
                stroke_width=0,
                fill_opacity=1,
                fill_color=style.TRAIN if i < lit else style.TEST.interpolate(style.BACKGROUND, style.DIMMED),
            )
            for i in range(WAFFLE_SIDE**2)
        ]
    )
    return squares.arrange_in_grid(rows=WAFFLE_SIDE, buff=0.05)


@dataclass
class AccuracySweep:
    """The waffle replaying the run: a square is lit while the share of its split answered right covers it
    (train squares by the train accuracy, test squares by the test accuracy), on a log clock of epochs."""

    frames: dict
    waffle: VGroup  # get_waffle's squares: the first n_train_squares are the train ones
    n_train_squares: int
    log_epoch: ValueTracker = field(default_factory=lambda: ValueTracker(0.0))  # log10 of the epoch shown

    @property
    def shown(self) -> bool:
        return bool(len(self.frames["train_acc"]) and len(self.frames["test_acc"]))

    @property
    def end(self) -> float:
        return math.log10(max(1, int(self.frames["train_acc_epochs"][-1]), int(self.frames["test_acc_epochs"][-1])))

    def get_epoch(self) -> int:
        return int(round(10 ** self.log_epoch.get_value()))

    def get_lit(self) -> np.ndarray:
        """[WAFFLE_SIDE**2] bool: which squares are answered right at the epoch shown."""
        shares = [
            get_logged_at(epochs, values, self.get_epoch())
            for epochs, values in (
                (self.frames["train_acc_epochs"], self.frames["train_acc"]),
                (self.frames["test_acc_epochs"], self.frames["test_acc"]),
            )
        ]
        index, n_train = np.arange(WAFFLE_SIDE**2), self.n_train_squares
        n_test = WAFFLE_SIDE**2 - n_train
        return np.where(
            index < n_train, index < round(shares[0] * n_train), index - n_train < round(shares[1] * n_test)
        )

    def get_colors(self) -> list:
        return [style.TRAIN if i < self.n_train_squares else style.TEST for i in range(WAFFLE_SIDE**2)]

    def light(self, waffle: VGroup):
        for square, color, on in zip(waffle, self.get_colors(), self.get_lit()):
            square.set_fill(color, opacity=1.0 if on else UNLIT)

    def start(self) -> Transform:
        """The waffle going over to the epoch shown (one Transform of the whole waffle: animating its
        squares one by one would have the scene take them out of it)."""
        target = self.waffle.copy()
        self.light(target)
        return Transform(self.waffle, target)


def get_model_parts(config: dict, p: int) -> VGroup:
    """The model's parts top to bottom, named as in TransformerLens, each with what it holds in this run."""
    rows = [
        ("embed  W_E", f"each number becomes {config['d_model']} values"),
        ("attention", f"{config['n_heads']} heads move a and b to the = position"),
        ("MLP", f"{config['d_mlp']} neurons, each a ReLU: max(0, x)"),
        ("unembed  W_U", f"{p} scores (logits), one per answer"),
    ]
    parts = VGroup()
    for name, what in rows:
        label = VGroup(style.text(name, style.LABEL_SIZE), style.text(what, style.SMALL_SIZE, style.MUTED))
        label.arrange(DOWN, buff=0.1)
        box = RoundedRectangle(
            corner_radius=0.1, width=6.2, height=label.height + 0.3, stroke_color=style.INK, stroke_width=2
        )
        parts.add(VGroup(box, label.move_to(box)))
    return parts.arrange(DOWN, buff=0.25)


def get_token(content: str, color=style.INK) -> VGroup:
    label = style.text(content, style.TITLE_SIZE, color)
    box = RoundedRectangle(
        corner_radius=0.1, width=max(0.75, label.width + 0.3), height=0.75, stroke_color=style.MUTED, stroke_width=2
    )
    return VGroup(box, label)


class TheTask(NarratedScene):
    essential = ("question", "grokking")  # the short cut: what is asked, and what grokking is
    shapes = tuple(SHAPES)

    @staticmethod
    def script(frames: dict) -> dict[str, Line]:
        p = int(frames["p"])
        a, b, total = get_turn_example(frames, get_clock_frequency(frames)[0] if len(frames["key_freqs"]) else 1)[:3]
        n_train, n_test = get_split_counts(frames)
        n_pairs = n_train + n_test
        shared = {"p": p, "n_train": count(n_train), "train_share": percent(n_train / n_pairs)}
        split = (
            say("In training, the model sees only {n_train} of them, {train_share}, picked at random.", **shared)
            if frames["split_recorded"]
            else say(
                "Its file does not record which of them the model trained on; this analysis assumes a random "
                "{train_share}, {n_train} of them.",
                **shared,
            )
        )
        add = str(frames["operation"]) == "add"
        evenness = float(frames["op_label_evenness"])
        spread = (
            say("Colour shows the answer.")
            if evenness > EVEN_ANSWERS
            else say(
                "Colour shows the answer, and some answers are far more common than others: their spread is "
                "{answer_evenness} of an even one's.",
                answer_evenness=percent(evenness),
            )
        )
        left_out = (
            say(
                "Every question fits in one table, {p} by {p}, less the {n_undefined} that would divide by 0.",
                p=p,
                n_undefined=count(p * p - n_pairs),
            )
            if n_pairs < p * p
            else say("Every question fits in one table, {p} by {p}.", p=p)
        )
        why = (
            "one of the few cases where the algorithm a trained network uses has been worked out step by step. "
            "Let's watch ours learn."
            if add
            else "This task is addition too, once the numbers are renamed. Let's watch ours learn it."
            if frames["op_relabelled"]
            else "No renaming of the numbers turns this task into addition, so their picture may not apply. Let's watch ours learn it."
        )
        return {
            "question": say(
                "A small transformer sees a, b and an equals sign, and must answer {question}, mod {p}: for {example_a} "
                "and {example_b}, that is {example_answer}.",
                question=get_spoken(get_instance(frames, "a", "b")),
                p=p,
                example_a=a,
                example_b=b,
                example_answer=total,
            ),
            "table": (
                say(
                    "Every question fits in one table, {p} by {p}: {n_pairs} sums. "
                    "Colour shows the answer, which wraps round at {p}, so the table is striped.",
                    p=p,
                    n_pairs=count(p * p),
                )
                if add
                else joined(left_out, spread)
            ),
            "split": joined(split, say("The other {n_test} are held back to test it.", n_test=count(n_test))),
            "grokking": say(
                "A model like this can get every training question right long before it answers the "
                "held-back ones, and then, suddenly, answer them too. That late leap is called grokking."
            ),
            "why": say(
                "Nanda and colleagues took a model like this apart and found exactly how it adds"
                + (": " if add else ". ")
                + why
            ),
        }

    def construct(self):
        frames = get_frames()
        lines = self.script(frames)
        p = int(frames["p"])
        model_config = json.loads(str(frames["config_json"]))
        a, b, total = get_turn_example(frames, get_clock_frequency(frames)[0] if len(frames["key_freqs"]) else 1)[:3]
        n_train, n_test = get_split_counts(frames)
        square = is_narrow() and not is_tall()  # 1:1: too short for the tall frame's stack, too narrow for 16:9's row

        # Step 1: the question, "a b =", and the answer the model must give
        title = style.text(f"The task: {get_formula(frames)}", style.TITLE_SIZE).to_edge(UP, buff=0.3)
        tokens = VGroup(get_token(str(a), style.HIGHLIGHT), get_token(str(b), style.TRAIN), get_token("=")).arrange(
            RIGHT, buff=0.15
        )
        model_label = style.text(
            f"transformer\n{model_config['n_heads']} heads\n{model_config['d_mlp']} neurons", style.SMALL_SIZE
        )
        model = VGroup(
            RoundedRectangle(
                corner_radius=0.15,
                width=model_label.width + 0.5,
                height=model_label.height + 0.4,
                stroke_color=style.INK,
                stroke_width=2,
            ),
            model_label,
        )
        answer = get_token(str(total), style.RESTRICTED)
        pipeline = VGroup(tokens, model, answer)
        body_y = (title.get_bottom()[1] - config.frame_height / 2) / 2  # the middle of the frame below the title
        if is_tall():  # a row under the title: the table and the split stack below it
            room = config.frame_width - 0.8 - sum(part.width for part in pipeline)
            pipeline.arrange(RIGHT, buff=min(0.8, room / 2)).next_to(title, DOWN, buff=0.4)
        elif square:  # a column at the left, the table beside it
            pipeline.arrange(DOWN, buff=0.45)
        else:
            pipeline.arrange(DOWN, buff=0.5).to_edge(LEFT, buff=0.6).shift(DOWN * 0.2)
        caption = style.text(
            f"({get_instance(frames, a, b)}) mod {p} = {total}", style.SMALL_SIZE, style.MUTED
        ).next_to(pipeline, DOWN, buff=0.3)
        if square:
            VGroup(pipeline, caption).to_edge(LEFT, buff=0.4).set_y(body_y)
        ends = (
            [(tokens.get_right(), model.get_left()), (model.get_right(), answer.get_left())]
            if is_tall()
            else [(tokens.get_bottom(), model.get_top()), (model.get_bottom(), answer.get_top())]
        )
        arrows = VGroup(*[Arrow(start, end, buff=0.08, color=style.MUTED) for start, end in ends])
        with self.narrate(lines["question"]):  # each part as the sentence reaches it
            self.paced(
                [Write(title), FadeIn(tokens, lag_ratio=0.3)],
                [GrowArrow(arrows[0]), FadeIn(model)],
                [GrowArrow(arrows[1]), FadeIn(answer)],
                FadeIn(caption),
            )

        # Step 2: every question at once, the p x p table coloured by its answer
        table = ImageMobject(get_table_image(p, frames["op_labels"])).set_resampling_algorithm(
            RESAMPLING_ALGORITHMS["nearest"]
        )
        if is_tall():  # the frame's width less the margins and a's labels, the waffle below clear of captions' place
            table.height = config.frame_width - 2.7
            table.next_to(caption, DOWN, buff=0.6).set_x(0.25)  # 0.25 right: a's labels at its left
        elif square:  # the pipeline column, and the split in its place, keep ~4 units at the left
            table.height = config.frame_width - 4.5
            table.to_edge(RIGHT, buff=0.35).set_y(body_y)
        else:
            table.height = TABLE_HEIGHT
            table.to_edge(RIGHT, buff=0.6).shift(DOWN * 0.3)
        cell = table.height / p
        frame = Rectangle(width=table.width, height=table.height, stroke_color=style.MUTED, stroke_width=1).move_to(
            table
        )
        corner = table.get_corner(UP + LEFT)
        b_label = VGroup(
            style.text("0", style.TICK_SIZE, style.MUTED).next_to(corner, UP, buff=0.08).align_to(table, LEFT),
            style.text("b", style.SMALL_SIZE, style.MUTED).next_to(table, UP, buff=0.08),
            style.text(str(p - 1), style.TICK_SIZE, style.MUTED).next_to(table, UP, buff=0.08).align_to(table, RIGHT),
        )
        a_label = VGroup(
            style.text("0", style.TICK_SIZE, style.MUTED).next_to(corner, LEFT, buff=0.08).align_to(table, UP),
            style.text("a", style.SMALL_SIZE, style.MUTED).next_to(table, LEFT, buff=0.08),
            style.text(str(p - 1), style.TICK_SIZE, style.MUTED).next_to(table, LEFT, buff=0.08).align_to(table, DOWN),
        )
        example = Square(side_length=max(cell, 0.12), stroke_color=style.INK, stroke_width=3)
        example.move_to(corner + RIGHT * cell * (b + 0.5) + DOWN * cell * (a + 0.5))
        # the cells that share the example's answer, the rest of the table dimmed: the stripes are answers
        same = ImageMobject(get_table_image(p, frames["op_labels"], lit=total)).set_resampling_algorithm(
            RESAMPLING_ALGORITHMS["nearest"]
        )
        same.replace(table)
        with self.narrate(lines["table"]):
            self.paced(
                [FadeIn(table), FadeIn(frame), FadeIn(a_label), FadeIn(b_label)],
                [FadeIn(example), Indicate(answer)],
                FadeIn(same),
                FadeOut(same),
            )

        # Step 3: the split, as counts: which pairs are train is the run's, not drawn here
        share = n_train / (n_train + n_test)
        waffle = get_waffle(share)
        how = "picked at random" if frames["split_recorded"] else "assumed: not recorded"
        train_line = style.text(
            f"train: {count(n_train)} pairs ({percent(share)}),\n{how}", style.SMALL_SIZE, style.TRAIN
        )
        test_line = style.text(f"test: {count(n_test)} pairs,\nnever trained on", style.SMALL_SIZE, style.TEST)
        unit = style.text(f"each square: {percent(1 / WAFFLE_SIDE**2)} of the table", style.TICK_SIZE, style.MUTED)
        split = VGroup(waffle, VGroup(train_line, test_line, unit).arrange(DOWN, aligned_edge=LEFT, buff=0.15))
        if is_tall():  # a row below the table, with room above the waffle for its key
            split.arrange(RIGHT, buff=0.4).next_to(table, DOWN, buff=0.7).set_x(0)
        else:  # between the pipeline and the table; in a square, in the pipeline's place
            split.arrange(DOWN, aligned_edge=LEFT, buff=0.3)
            left = -config.frame_width / 2 if square else pipeline.get_right()[0]
            split.move_to([(left + a_label.get_left()[0]) / 2, table.get_center()[1], 0])
        sweep = AccuracySweep(frames, waffle, round(share * WAFFLE_SIDE**2))
        sweep_key = style.text("lit: answered right, at", style.TICK_SIZE, style.INK)
        # in a square the split's column is too narrow for the key and the epoch in one row: the epoch goes below
        below = style.text("epoch 0", style.TICK_SIZE).height + 0.1 if square else 0
        sweep_key.next_to(waffle, UP, buff=0.15 + below).align_to(waffle, LEFT)
        made = {}  # Text is slow to make: each epoch once

        def get_counter():
            words = f"epoch {sweep.get_epoch():,}"
            made.setdefault(words, style.text(words, style.TICK_SIZE, style.HIGHLIGHT))
            if square:
                return made[words].copy().next_to(sweep_key, DOWN, aligned_edge=LEFT, buff=0.1)
            return made[words].copy().next_to(sweep_key, RIGHT, buff=0.12)

        counter = redrawn(get_counter)
        with self.narrate(lines["split"]):
            if square:  # the split takes the pipeline's place
                self.play(FadeOut(VGroup(pipeline, arrows, caption)), run_time=0.5)
            self.paced(FadeIn(waffle, lag_ratio=0.01), [FadeIn(train_line), FadeIn(test_line), FadeIn(unit)])
        # Step 3b: the run itself, as it trained: every training answer right long before the held-back ones
        with self.narrate(lines["grokking"]) as seconds:
            if sweep.shown:  # a file without accuracy curves has nothing to light
                self.play(FadeIn(sweep_key), FadeIn(counter), sweep.start(), run_time=1)
                waffle.add_updater(sweep.light)
                self.play(
                    sweep.log_epoch.animate.set_value(sweep.end), run_time=max(3.0, seconds - 2), rate_func=linear
                )
                waffle.remove_updater(sweep.light)

        # Step 4: why this task
        source = style.text(
            wrapped(
                "Nanda, Chan, Lieberum, Smith, Steinhardt (2023):",
                "Progress measures for grokking",
                "via mechanistic interpretability",
            ),
            style.TICK_SIZE,
            style.MUTED,
        ).to_edge(DOWN, buff=0.25)
        parts = get_model_parts(model_config, p)
        if square:  # the pipeline has gone: the parts fill the frame between the title and the source
            parts.move_to([0, (title.get_bottom()[1] + source.get_top()[1]) / 2, 0])
        else:
            parts.move_to(Group(table, split))
        with self.narrate(lines["why"]):  # the model taken apart, a part at a time, where the table was
            self.paced(
                [
                    FadeOut(Group(table, frame, a_label, b_label, example, waffle, train_line, test_line, unit)),
                    FadeOut(sweep_key),
                    FadeOut(counter),
                    FadeIn(source),
                ],
                *[FadeIn(part, shift=0.2 * DOWN) for part in parts],
            )
