"""How much of a film stands still: the measure the film's review used. One frame a second is sampled;
a second is still when its frame differs from the previous sample by under STILL_CHANGE (mean absolute
change over pixels and channels, 0-255); a still stretch is STILL_STRETCH seconds or more of still
seconds in a row. The share is the time in still stretches over the running time, cards included."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from grok.publish.video import read_frames

STILL_CHANGE = 0.5  # mean absolute change per pixel and channel, of 255
STILL_STRETCH = 5  # seconds: a hold shorter than this reads as a pause, not as a picture that stopped
SAMPLE_WIDTH = 320  # pixels: enough to see any motion, small enough to decode a 10-minute film quickly


@dataclass(frozen=True)
class Stillness:
    seconds: int  # running time, in samples (one a second)
    still_seconds: int  # seconds inside still stretches
    stretches: list[tuple[int, int]]  # (start, length) of each still stretch, seconds

    @property
    def share(self) -> float:
        return self.still_seconds / self.seconds if self.seconds else 0.0


def get_changes(path: Path) -> np.ndarray:
    """[n - 1] mean absolute change between consecutive one-a-second samples of the film."""
    previous, changes = None, []
    for image in read_frames(path, fps=1, width=SAMPLE_WIDTH):
        pixels = np.asarray(image, dtype=np.float32)
        if previous is not None:
            changes.append(float(np.abs(pixels - previous).mean()))
        previous = pixels
    return np.array(changes)


def get_stillness(changes: np.ndarray) -> Stillness:
    """The still stretches of a film from its per-second changes (change i: from second i to i + 1)."""
    still = np.append(changes < STILL_CHANGE, False)  # sentinel ends a stretch that runs to the end
    stretches, start = [], None
    for second, is_still in enumerate(still):
        if is_still and start is None:
            start = second
        elif not is_still and start is not None:
            if second - start >= STILL_STRETCH:
                stretches.append((start, second - start))
            start = None
    return Stillness(len(changes) + 1, sum(length for _, length in stretches), stretches)
