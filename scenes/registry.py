"""The one list of scenes, in the order the explainer tells them.

The CLI (`grok render NAME`, its help), the README table, the benchmarks and publishing all read
this list; adding a scene touches its own file and one entry here. Scenes that draw a sweep rather
than one run are listed apart (SWEEP_SCENES): `grok render` draws them from a sweep file, and the
explainer, which tells one run, leaves them out. Pure data: no manim import, so
reading it is instant.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SceneEntry:
    name: str  # what `grok render NAME` takes; also the name of its render files
    module: str  # file under scenes/, without .py
    cls: str  # the Scene class in that file
    idea: str  # the one idea a viewer takes away, one line
    chapter: str  # chapter title in the published video; neighbours with one title share a chapter
    source: str = ""  # the published work whose figure or finding the scene rebuilds: cited on the end card


# The exit code of a scene whose idea the run does not show (scenes/loader.py not_shown): it is left out of the
# film as something the run does not show, not reported as a failure
NOT_SHOWN = 3

GURNEE = "Gurnee et al. (2025), When Models Manipulate Manifolds: The Geometry of a Counting Task, Transformer Circuits"


SCENES: tuple[SceneEntry, ...] = (
    SceneEntry(
        "task",
        "task",
        "TheTask",
        "a tiny transformer must answer (a + b) mod p (or the run's operation) after seeing only a fraction of the p x p table",
        "The task",
    ),
    SceneEntry(
        "snake",
        "snake",
        "SnakeCurve",
        "train loss falls at once, test loss waits, then crashes; restricted and excluded losses show the circuit forming underneath",
        "Memorise, then generalise",
    ),
    SceneEntry(
        "spectrum",
        "spectrum",
        "FourierSpectrum",
        "the embedding's Fourier spectrum goes from a flat spread to a few spikes at the key frequencies; its Gini rises",
        "Sparsity in Fourier space",
    ),
    SceneEntry(
        "clock",
        "clock",
        "EmbeddingClock",
        "the embedding puts the numbers on a circle at angle 2 pi k a / p",
        "The clock",
    ),
    SceneEntry(
        "waves",
        "waves",
        "NeuronWaves",
        "MLP neurons' activations over a resolve from noise into rectified waves of the key frequencies",
        "Neurons become waves",
    ),
    SceneEntry(
        "ring",
        "waves",
        "NeuronRing",
        "two neurons of one frequency, one against the other, trace a ring",
        "Neurons become waves",
    ),
    SceneEntry(
        "identity",
        "identity",
        "TrigIdentity",
        "a neuron's products of a-waves and b-waves are, by cos x cos y - sin x sin y = cos(x + y), a wave of a + b; the logit keeps only that",
        "Products of waves",
    ),
    SceneEntry(
        "surface",
        "surface",
        "CorrugatedIron",
        "one neuron becomes a grid of bumps; the logit of one answer becomes ridges along a + b = const, because it depends on a + b alone",
        "Corrugated iron",
    ),
    SceneEntry(
        "clock-add",
        "clock",
        "ClockAddition",
        "adding b is a turn of the clock; the hand lands on a + b",
        "Addition as a turn",
    ),
    SceneEntry(
        "helix",
        "helix",
        "HelixTwist",
        "illustration of Gurnee et al. 2025: character counts on a helix; an attention head twists it so count i meets line width i + 10",
        "Beyond toys",
        GURNEE,
    ),
)

# Scenes that draw a sweep (a sweep file, scenes/loader.py) rather than one run: not part of the explainer
SWEEP_SCENES: tuple[SceneEntry, ...] = (
    SceneEntry(
        "phase",
        "phase",
        "PhaseDiagram",
        "many runs, one per pair of settings: which memorised, which went on to generalise, and how soon",
        "Many runs",
    ),
    SceneEntry(
        "phase-curves",
        "phase",
        "PhaseCurves",
        "each run's own train and test loss, laid out as the phase diagram: the snake where a run grokked",
        "Many runs",
    ),
)

NAMES = tuple(entry.name for entry in SCENES)
SWEEP_NAMES = tuple(entry.name for entry in SWEEP_SCENES)


def get_scene(name: str) -> SceneEntry:
    for entry in SCENES + SWEEP_SCENES:
        if entry.name == name:
            return entry
    raise KeyError(f"unknown scene {name!r}; known: {', '.join(NAMES + SWEEP_NAMES)}")


def markdown_table() -> str:
    """The README's table of scenes, made from this list (a test checks the README carries it)."""
    rows = [f"| `{e.name}` | {e.chapter} | `scenes/{e.module}.py` {e.cls} | {e.idea} |" for e in SCENES]
    sweeps = [f"| `{e.name}` | (a sweep) | `scenes/{e.module}.py` {e.cls} | {e.idea} |" for e in SWEEP_SCENES]
    return "\n".join(["| name | chapter | scene | the one idea |", "|---|---|---|---|", *rows, *sweeps])
