"""The task: a tiny transformer sees "a b =" and must answer (a + b) mod p (or the run's operation),
after seeing only a fraction of the p x p table."""

from __future__ import annotations

import json

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    Arrow,
    FadeIn,
    GrowArrow,
    ImageMobject,
    Indicate,
    Rectangle,
    RoundedRectangle,
    Square,
    VGroup,
    Write,
)
from manim.constants import RESAMPLING_ALGORITHMS

from frames import get_formula
from scenes import style
from scenes.helpers import get_clock_frequency, get_turn_example
from scenes.loader import get_frames
from scenes.narration import NarratedScene, count, percent
from scenes.operation import get_instance, get_spoken

TABLE_HEIGHT = 5.0  # screen units for the p x p table
PIXELS_PER_CELL = 4  # the table image is drawn nearest-neighbour, so cells stay crisp
WAFFLE_SIDE = 10  # a 10 x 10 waffle: one square per 1 % of the table
EVEN_ANSWERS = 0.99  # label evenness (op_label_evenness) from which every answer is said to be about as common


def get_split_counts(frames: dict) -> tuple[int, int]:
    """(train pairs, test pairs) of the split the frames were measured on: the data set's pairs are
    p², less those the operation leaves out (b = 0 under div)."""
    n_pairs, n_train = int((frames["op_labels"] >= 0).sum()), int(frames["train_pairs"])
    return n_train, n_pairs - n_train


def get_table_image(p: int, answers: np.ndarray | None = None) -> np.ndarray:
    """[p * PIXELS_PER_CELL, p * PIXELS_PER_CELL, 3] uint8: cell (a, b) (row a, column b) coloured
    by the answer (answers [p, p], default (a + b) mod p) in the clock's colours (style.rainbow);
    a pair left out of the data set (answer -1) in the background's."""
    palette = np.array([color.to_rgb() for color in style.rainbow(p)] + [style.BACKGROUND.to_rgb()])  # [p + 1, 3]
    answers = (np.arange(p)[:, None] + np.arange(p)[None, :]) % p if answers is None else answers  # [p, p]
    cells = (palette[answers] * 255).round().astype(np.uint8)  # [p, p, 3]: -1 picks the background
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


def get_token(content: str, color=style.INK) -> VGroup:
    label = style.text(content, style.TITLE_SIZE, color)
    box = RoundedRectangle(
        corner_radius=0.1, width=max(0.75, label.width + 0.3), height=0.75, stroke_color=style.MUTED, stroke_width=2
    )
    return VGroup(box, label)


class TheTask(NarratedScene):
    @staticmethod
    def script(frames: dict) -> dict[str, str]:
        p = int(frames["p"])
        a, b, total = get_turn_example(frames, get_clock_frequency(frames)[0] if len(frames["key_freqs"]) else 1)[:3]
        n_train, n_test = get_split_counts(frames)
        n_pairs = n_train + n_test
        share = percent(n_train / n_pairs)
        split = (
            f"In training, the model sees only {count(n_train)} of them, {share}, picked at random. "
            if frames["split_recorded"]
            else f"Its file does not record which of them the model trained on; this analysis assumes a random "
            f"{share}, {count(n_train)} of them. "
        )
        add = str(frames["operation"]) == "add"
        evenness = float(frames["op_label_evenness"])
        spread = (
            "."
            if evenness > EVEN_ANSWERS
            else f", and some answers are far more common than others: their spread is "
            f"{percent(evenness)} of an even one's."
        )
        left_out = f", less the {count(p * p - n_pairs)} that would divide by 0" if n_pairs < p * p else ""
        why = (
            "one of the few cases where the algorithm a trained network uses has been worked out step by step. "
            "Let's watch ours learn."
            if add
            else "This task is addition too, once the numbers are renamed. Let's watch ours learn it."
            if frames["op_relabelled"]
            else "No renaming of the numbers turns this task into addition, so their picture may not apply. Let's watch ours learn it."
        )
        return {
            "question": f"A small transformer sees a, b and an equals sign, and must answer "
            f"{get_spoken(get_instance(frames, 'a', 'b'))}, mod {p}: for {a} and {b}, that is {total}.",
            "table": (
                f"Every question fits in one table, {p} by {p}: {count(p * p)} sums. "
                f"Colour shows the answer, which wraps round at {p}, so the table is striped."
                if add
                else f"Every question fits in one table, {p} by {p}{left_out}. Colour shows the answer{spread}"
            ),
            "split": split + f"The other {count(n_test)} are held back to test it. A model like this can get every "
            "training question right long before it answers the held-back ones, and then, suddenly, answer them too. "
            "That late leap is called grokking.",
            "why": "Nanda and colleagues took a model like this apart and found exactly how it adds"
            + (": " if add else ". ")
            + why,
        }

    def construct(self):
        frames = get_frames()
        lines = self.script(frames)
        p = int(frames["p"])
        config = json.loads(str(frames["config_json"]))
        a, b, total = get_turn_example(frames, get_clock_frequency(frames)[0] if len(frames["key_freqs"]) else 1)[:3]
        n_train, n_test = get_split_counts(frames)

        # Step 1: the question, "a b =", and the answer the model must give
        title = style.text(f"The task: {get_formula(frames)}", style.TITLE_SIZE).to_edge(UP, buff=0.3)
        tokens = VGroup(get_token(str(a), style.HIGHLIGHT), get_token(str(b), style.TRAIN), get_token("=")).arrange(
            RIGHT, buff=0.15
        )
        model_label = style.text(f"transformer\n{config['n_heads']} heads\n{config['d_mlp']} neurons", style.SMALL_SIZE)
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
        pipeline = VGroup(tokens, model, answer).arrange(DOWN, buff=0.5).to_edge(LEFT, buff=0.6).shift(DOWN * 0.2)
        arrows = VGroup(
            Arrow(tokens.get_bottom(), model.get_top(), buff=0.08, color=style.MUTED),
            Arrow(model.get_bottom(), answer.get_top(), buff=0.08, color=style.MUTED),
        )
        caption = style.text(
            f"({get_instance(frames, a, b)}) mod {p} = {total}", style.SMALL_SIZE, style.MUTED
        ).next_to(pipeline, DOWN, buff=0.3)
        with self.narrate(lines["question"]):
            self.play(Write(title), FadeIn(tokens, lag_ratio=0.3), run_time=1.5)
            self.play(GrowArrow(arrows[0]), FadeIn(model), run_time=1)
            self.play(GrowArrow(arrows[1]), FadeIn(answer), FadeIn(caption), run_time=1)

        # Step 2: every question at once, the p x p table coloured by its answer
        table = ImageMobject(get_table_image(p, frames["op_labels"])).set_resampling_algorithm(
            RESAMPLING_ALGORITHMS["nearest"]
        )
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
        with self.narrate(lines["table"]):
            self.play(FadeIn(table), FadeIn(frame), FadeIn(a_label), FadeIn(b_label), run_time=1.5)
            self.play(FadeIn(example), Indicate(answer), run_time=1.5)

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
        split.arrange(DOWN, aligned_edge=LEFT, buff=0.3)
        split.move_to([(pipeline.get_right()[0] + a_label.get_left()[0]) / 2, table.get_center()[1], 0])
        with self.narrate(lines["split"]):
            self.play(FadeIn(waffle, lag_ratio=0.01), run_time=1.5)
            self.play(FadeIn(train_line), FadeIn(test_line), FadeIn(unit), run_time=1)

        # Step 4: why this task
        source = style.text(
            "Nanda, Chan, Lieberum, Smith, Steinhardt (2023): Progress measures for grokking "
            "via mechanistic interpretability",
            style.TICK_SIZE,
            style.MUTED,
        ).to_edge(DOWN, buff=0.25)
        with self.narrate(lines["why"]):
            self.play(FadeIn(source), run_time=1)
