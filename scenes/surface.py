"""Corrugated iron: one neuron and the logit of one answer c over a window of the (a, b) grid, as
surfaces through training. The neuron ends as a grid of bumps (waves in a times waves in b); the
logit ends as ridges along the diagonals, because it depends on a + b alone.

Sampling: a key frequency k puts k/p cycles between neighbouring samples (41/113 ~ 1/3), so a mesh
through the raw samples, or a decimated grid, shows false bands. The surface is the band-limited
(Fourier) interpolant of the p x p samples, exact at every sample, drawn UPSAMPLE vertices per
sample over a window of consecutive a and b.
"""
from __future__ import annotations

import numpy as np
from manim import (DEGREES, DOWN, LEFT, ORIGIN, OUT, UP, FadeIn, FadeOut, Line, ThreeDScene, ThreeDVMobject,
                   ValueTracker, VGroup, VMobject, linear)

from scenes import style
from scenes.loader import get_frames
from scenes.narration import NarratedScene, count, percent
from scenes.waves import get_interpolated

UPSAMPLE = 3            # vertices per sample: 6 per period at the highest frequency p samples can hold
WINDOW = 14             # samples across the window: 3 x 14 = 42 faces a side (frame cost measured, see README)
TARGET_PERIODS = 4      # the neuron shown is the one whose frequency fits closest to this many periods in the window
SIDE = 5.0              # screen units across the window
HEIGHT = 0.8            # screen units for the largest |value| at each checkpoint
LIGHT = np.array([-0.4, -0.6, 0.7]) / np.linalg.norm([-0.4, -0.6, 0.7])   # fixed to the surface, not the camera
AMBIENT = 0.45          # share of a face's colour that needs no light
OVERLAP = 1.04          # faces drawn slightly larger than their cell: no background seams between them
PHI = 52 * DEGREES      # camera: looking down on the window from above its (a, b) = (start, start) corner
THETA_NEURON = (-75 * DEGREES, -50 * DEGREES)   # the camera turns while the neuron trains,
THETA_LOGIT = -72 * DEGREES                       # and turns back while the logit does
ZOOM = 0.85
SCREEN_SHIFT = LEFT * 1.6 + DOWN * 0.2   # the frame centre: puts the surface right of the text column
MORPH_SECONDS = 10


# data helpers (pure numpy, unit-tested)

def get_frequencies(p: int) -> np.ndarray:
    """Signed frequency of each index of an FFT of length p (p odd): 0, 1, .., (p-1)/2, -(p-1)/2, .., -1."""
    return np.fft.fftfreq(p, 1 / p).round().astype(int)


def get_band_limited(values: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """values[..., p, p] sampled at integer (a, b) -> the unique trigonometric polynomial with frequencies
    |k| <= (p-1)/2 through those samples, evaluated at real a[n] and b[m]: [..., n, m].
    Exact at the samples; between them it is interpolation, not data."""
    p = values.shape[-1]
    spectrum = np.fft.fft2(values.astype(np.float64)) / p ** 2              # [..., p, p]
    k = get_frequencies(p)
    along_a = np.exp(2j * np.pi * np.outer(a, k) / p)                      # [n, p]
    along_b = np.exp(2j * np.pi * np.outer(b, k) / p)                      # [m, p]
    return np.real(along_a @ spectrum @ along_b.T)


def get_window(p: int, c: int, size: int = WINDOW) -> int:
    """First a (and b) of a size+1 x size+1 window of consecutive samples whose central diagonal lies
    on a + b = c (mod p): the logit of c peaks there."""
    size = min(size, p - 1)
    total = c + p if c + p - size <= 2 * (p - 1 - size) else c       # the sum at the window's centre
    return int(np.clip((total - size) // 2, 0, p - 1 - size))


def get_mesh(start: int, size: int = WINDOW, upsample: int = UPSAMPLE) -> np.ndarray:
    """Vertex coordinates along one axis: every sample start..start+size, with upsample steps each."""
    return start + np.arange(size * upsample + 1) / upsample


def get_sum_part(values: np.ndarray) -> np.ndarray:
    """values[p, p] -> the part that depends on (a + b) mod p alone: each diagonal's mean."""
    p = values.shape[-1]
    sums = np.add.outer(np.arange(p), np.arange(p)) % p                   # [p, p]
    means = np.bincount(sums.ravel(), weights=values.astype(np.float64).ravel(), minlength=p) / p
    return means[sums]


def get_sum_share(values: np.ndarray) -> float:
    """Share of values' variance (over all p x p inputs) that depends on a + b alone."""
    centred = values.astype(np.float64) - values.mean()
    part = get_sum_part(centred)
    return float((part ** 2).sum() / (centred ** 2).sum())


def get_key_share(values: np.ndarray, freqs) -> float:
    """Share of values' variance in the waves cos(w_k (a + b)), sin(w_k (a + b)) of the given frequencies."""
    p = values.shape[-1]
    power = np.abs(np.fft.fft2(values.astype(np.float64) - values.mean())) ** 2   # [p, p]
    on_sum = sum(power[k, k] + power[-k, -k] for k in freqs)
    return float(on_sum / power.sum())


def get_peak_frequency(heights: np.ndarray, upsample: int = UPSAMPLE) -> tuple[float, float]:
    """The strongest wave in a drawn height grid [n, n] (vertices 1/upsample of a sample apart), in cycles
    per sample along a and along b, signs kept: (f, f) is a ridge along a + b = const."""
    grid = heights[:-1, :-1] - heights[:-1, :-1].mean()                    # one period's worth of vertices
    power = np.abs(np.fft.fft2(grid * np.outer(*[np.hanning(len(grid))] * 2))) ** 2
    power[0, 0] = 0
    i, j = np.unravel_index(np.argmax(power), power.shape)
    freqs = np.fft.fftfreq(len(grid), 1 / upsample)
    fa, fb = freqs[i], freqs[j]
    return (fa, fb) if (fa, fb) >= (0, 0) else (-fa, -fb)                  # a real wave: (f) and (-f) are one


def get_surface_neuron(frames: dict, size: int = WINDOW) -> int:
    """Index into surface_neurons of the neuron whose frequency puts closest to TARGET_PERIODS periods
    across the window (a slow wave shows one bump, a fast one a blur)."""
    p = int(frames["p"])
    freqs = frames["neuron_freq"][frames["surface_neurons"]]
    return int(np.argmin(np.abs(freqs * size / p - TARGET_PERIODS)))


def get_heights(values: np.ndarray, centre: float) -> np.ndarray:
    """[S, n, m] values -> heights, value `centre` at 0 and each checkpoint's largest |value| at 1.
    Activations grow ~30x while the model memorises and shrink in clean-up: a fixed scale would
    hide the shape at one end or the other."""
    shifted = values - centre
    peak = np.abs(shifted).max(axis=(-2, -1), keepdims=True)
    return shifted / np.where(peak > 0, peak, 1.0)


def get_colors(heights: np.ndarray) -> np.ndarray:
    """Heights in [-1, 1] -> RGB [..., 3] along style.SURFACE_COLORS (low, zero, high)."""
    stops = np.array([color.to_rgb() for color in style.SURFACE_COLORS])   # [3, 3]
    position = np.clip(heights, -1, 1) + 1                                  # 0..2
    lower = np.minimum(position.astype(int), 1)
    weight = (position - lower)[..., None]
    return (1 - weight) * stops[lower] + weight * stops[lower + 1]


def get_faces(heights: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Heights on the vertices [n, n] -> triangles: corners [F, 3, 3] in screen units (a along x, b
    along y), centres [F, 3], upward unit normals [F, 3]; F = 2 (n-1)^2, two per cell, cells in
    row-major (a, b) order. A twisted quad drawn whole folds into a bow-tie on steep slopes, so each
    cell is cut along its diagonal of smaller height difference: along a ridge, whichever way it runs."""
    n = len(heights)
    xy = np.linspace(-SIDE / 2, SIDE / 2, n)
    x, y = np.meshgrid(xy, xy, indexing="ij")
    vertices = np.stack([x, y, HEIGHT * heights], axis=-1)                  # [n, n, 3]
    v00, v10, v11, v01 = vertices[:-1, :-1], vertices[1:, :-1], vertices[1:, 1:], vertices[:-1, 1:]   # [n-1, n-1, 3]
    cut_along_sum = (np.abs(v10[..., 2] - v01[..., 2]) <= np.abs(v00[..., 2] - v11[..., 2]))[..., None, None]
    first = np.where(cut_along_sum, np.stack([v00, v10, v01], axis=2), np.stack([v00, v10, v11], axis=2))
    second = np.where(cut_along_sum, np.stack([v10, v11, v01], axis=2), np.stack([v00, v11, v01], axis=2))
    corners = np.stack([first, second], axis=2).reshape(-1, 3, 3)
    normals = np.cross(corners[:, 1] - corners[:, 0], corners[:, 2] - corners[:, 0])
    return corners, corners.mean(axis=1), normals / np.linalg.norm(normals, axis=1, keepdims=True)


def get_face_points(corners: np.ndarray, centres: np.ndarray) -> np.ndarray:
    """[F, k, 3] corners -> [F, 4k, 3] manim points of each closed polygon (k straight cubic segments),
    grown by OVERLAP about the centre."""
    grown = centres[:, None] + OVERLAP * (corners - centres[:, None])
    start, end = grown, np.roll(grown, -1, axis=1)
    return np.stack([start, (2 * start + end) / 3, (start + 2 * end) / 3, end], axis=2).reshape(len(corners), -1, 3)


def get_shaded(colors: np.ndarray, normals: np.ndarray) -> np.ndarray:
    """Lambert shading with a light fixed to the surface, so the relief reads as the camera turns."""
    light = np.clip(normals @ LIGHT, 0, 1)[..., None]
    return colors * (AMBIENT + (1 - AMBIENT) * light)


class Face(ThreeDVMobject):
    """One triangle of the surface. The camera depth-sorts faces every frame; manim's default key (the
    bounding-box centre) cost a third of each frame, so the centre is stored with the points."""
    centre = ORIGIN

    def get_z_index_reference_point(self):
        return self.centre


class HeightField(VGroup):
    """2 (n-1)^2 triangles whose corners and colours are rewritten in place (5x faster than rebuilding)."""

    def __init__(self, n: int):
        super().__init__(*[Face(fill_opacity=1, stroke_width=0) for _ in range(2 * (n - 1) ** 2)])

    def show(self, heights: np.ndarray):
        """Vertex heights [n, n] in [-1, 1]. Each triangle is coloured by its height at its centre:
        with 6 vertices to the shortest period that is close to the value there (colouring a whole
        cell of raw samples by the mean of its corners cut the ridges' colour contrast to 17.5 %)."""
        corners, centres, normals = get_faces(heights)
        points = get_face_points(corners, centres)
        rgbas = np.concatenate([get_shaded(get_colors(centres[:, 2] / HEIGHT), normals), np.ones((len(centres), 1))], axis=1)
        for face, face_points, centre, rgba in zip(self.submobjects, points, centres, rgbas):
            face.points = face_points
            face.centre = centre
            face.fill_rgbas = rgba[None]
        return self



def get_window_values(series: np.ndarray, start: int) -> np.ndarray:
    """[S, p, p] -> the band-limited values on the window's mesh: [S, n, n]."""
    mesh = get_mesh(start)
    return get_band_limited(series, mesh, mesh)


def get_separable_share(values: np.ndarray) -> float:
    """Share of values' variance that depends on a alone or on b alone (row and column means)."""
    centred = values.astype(np.float64) - values.mean()
    part = centred.mean(axis=1, keepdims=True) + centred.mean(axis=0, keepdims=True)
    return float((part ** 2).sum() / (centred ** 2).sum())


def get_ridge_sum(p: int, c: int, start: int, size: int = WINDOW) -> int:
    """The sum a + b, equal to c mod p, closest to the window's central diagonal (see get_window)."""
    return c + p * round((2 * start + size - c) / p)


def get_corner(mobject, corner: np.ndarray):
    """to_corner in the frame the viewer sees: the camera's frame centre is shifted (the surface sits
    right of the text column), and text fixed in the frame moves with it."""
    return mobject.to_corner(corner, buff=0.45).shift(SCREEN_SHIFT)


def get_screen(coords: np.ndarray, start: int, size: int = WINDOW) -> np.ndarray:
    """a or b in start..start+size -> screen units across the window."""
    return (np.asarray(coords, dtype=np.float64) - start) / size * SIDE - SIDE / 2


def get_crest(heights: np.ndarray, start: int, total: int) -> np.ndarray:
    """The line a + b = total across the mesh's heights [n, n] -> [M, 3] screen points at the surface's
    height (its vertices on that line)."""
    steps = len(heights) - 1                                                # mesh steps across the window
    offset = round((total - 2 * start) * steps / WINDOW)                    # i + j on the line
    i = np.arange(max(0, offset - steps), min(steps, offset) + 1)
    a = start + i * WINDOW / steps
    return np.stack([get_screen(a, start), get_screen(total - a, start), HEIGHT * heights[i, offset - i]], axis=1)


class CorrugatedIron(NarratedScene, ThreeDScene):
    @staticmethod
    def script(frames: dict) -> dict[str, str]:
        p, c = int(frames["p"]), int(frames["surface_logit_c"])
        index = get_surface_neuron(frames)
        neuron = int(frames["surface_neurons"][index])
        k = int(frames["neuron_freq"][neuron])
        post, logit = frames["surface_post"][:, index], frames["surface_logit"][-1]
        keys = [int(key) for key in frames["key_freqs"]]
        ridge = get_ridge_sum(p, c, get_window(p, c))
        last = count(frames["surface_epochs"][-1])
        listed = f"{', '.join(map(str, keys[:-1]))} and {keys[-1]}" if len(keys) > 1 else str(keys[0])
        start = "silent at first, it fires in noise" if post[0].max() == 0 else "noise"
        minus = f" minus {c}" if c else ""
        mod = f", which is {c} mod {p}," if ridge != c else ""
        return {
            "neuron": f"Take one neuron of the model we trained, neuron {neuron}, and give it every pair a, b in a "
                      f"window of {WINDOW + 1} by {WINDOW + 1} numbers of the {p} by {p} table. Its activation is the height.",
            "neuron_train": f"From epoch 0 to epoch {last}, {start}, then settles into a grid of bumps: a wave of "
                            f"frequency {k} in a, times a wave in b.",
            "neuron_share": f"Only {percent(get_sum_share(post[-1]))} of this neuron's pattern depends on a + b alone; "
                            f"{percent(get_separable_share(post[-1]))} follows a alone or b alone.",
            "logit": f"Now the model's answer: its logit for c = {c}, over the same window, from epoch 0 to {last}.",
            "logit_train": "Noise again, and then corrugated iron: ridges along the diagonals.",
            "logit_share": f"{percent(get_sum_share(logit))} of the logit's pattern depends on a + b alone. "
                           f"Along each diagonal a + b stays the same, and so does the logit.",
            "why": f"The model writes this logit as waves, cos of omega times a + b{minus}, at its key frequencies "
                   f"{listed}: they hold {percent(get_key_share(logit, keys))} of it. "
                   f"A wave of a + b has one value all along a diagonal.",
            "peak": f"Where a + b = {ridge}{mod} every wave is at its peak: the highest ridge is the right answer.",
        }

    def construct(self):
        frames = get_frames()
        if len(frames["key_freqs"]) == 0:
            raise SystemExit("error: this run found no key frequency (it has not grokked): no ridges to explain")
        lines = self.script(frames)
        p, c, epochs = int(frames["p"]), int(frames["surface_logit_c"]), frames["surface_epochs"]
        index = get_surface_neuron(frames)
        neuron = int(frames["surface_neurons"][index])
        post, logit = frames["surface_post"][:, index], frames["surface_logit"]               # [S, p, p]
        start = get_window(p, c)
        ridge = get_ridge_sum(p, c, start)
        logit_means = logit.astype(np.float64).mean(axis=(1, 2))[:, None, None]               # [S, 1, 1]
        heights = np.concatenate([get_heights(get_window_values(post, start), 0.0),           # [2S, n, n]:
                                  get_heights(get_window_values(logit, start), logit_means)])  # neuron, then logit
        n_epochs = len(epochs)
        self.renderer.camera.should_apply_shading = False     # get_shaded lights the faces
        self.set_camera_orientation(phi=PHI, theta=THETA_NEURON[0], zoom=ZOOM, frame_center=SCREEN_SHIFT)

        # Step 1: the window on the floor, the neuron at initialisation
        window = f"a, b = {start}..{start + WINDOW} of 0..{p - 1}"
        interpolated = "between samples: Fourier interpolation"
        title = get_corner(style.text(f"Neuron {neuron} over a, b", style.TITLE_SIZE), UP + LEFT)
        note = style.text(f"{window}\nheight: its activation, rescaled each epoch\n{interpolated}", style.SMALL_SIZE, style.MUTED)
        note.next_to(title, DOWN, buff=0.2, aligned_edge=LEFT)
        position = ValueTracker(0.0)          # along the neuron's checkpoints, then the logit's
        surface = HeightField(WINDOW * UPSAMPLE + 1)
        def draw(field):
            return field.show(get_interpolated(heights, position.get_value()))
        draw(surface)
        self.counter = self.get_epoch_label(int(epochs[0]))
        self.pin(title, note)
        with self.narrate(lines["neuron"]):
            self.play(FadeIn(title), FadeIn(note), FadeIn(self.get_window_axes(start)), FadeIn(surface),
                      FadeIn(self.counter), run_time=2)

        # Step 2: training turns it into bumps, the camera turning
        surface.add_updater(draw)
        with self.narrate(lines["neuron_train"]):
            self.train(position, epochs, range(1, n_epochs), THETA_NEURON[1])
        k = int(frames["neuron_freq"][neuron])
        bumps = style.text(f"frequency {k} in a, times\nfrequency {k} in b: bumps\n"
                           f"{percent(get_sum_share(post[-1]))} depends on a + b alone", style.LABEL_SIZE)
        self.pin(bumps.next_to(note, DOWN, buff=0.5, aligned_edge=LEFT))
        with self.narrate(lines["neuron_share"]):
            self.play(FadeIn(bumps), run_time=1)

        # Step 3: the logit of answer c, through training
        logit_title = style.text(f"Logit of the answer {c}", style.TITLE_SIZE).move_to(title, aligned_edge=LEFT)
        logit_note = style.text(f"{window}\nheight: the logit minus its mean, rescaled\n{interpolated}",
                                style.SMALL_SIZE, style.MUTED).move_to(note, aligned_edge=UP + LEFT)
        self.pin(logit_title, logit_note)
        with self.narrate(lines["logit"]):
            self.remove(self.counter)
            self.counter = self.get_epoch_label(int(epochs[0]))
            self.play(FadeOut(title), FadeOut(note), FadeOut(bumps), FadeIn(logit_title), FadeIn(logit_note),
                      FadeIn(self.counter), position.animate.set_value(n_epochs), run_time=2)
        with self.narrate(lines["logit_train"]):
            self.train(position, epochs, range(1, n_epochs), THETA_LOGIT, offset=n_epochs)

        # Step 4: why the ridges run along a + b = const
        keys = ", ".join(str(key) for key in frames["key_freqs"])
        minus = f" − {c}" if c else ""
        why = style.text(f"{percent(get_sum_share(logit[-1]))} depends on a + b alone\n\n"
                         f"logit ≈ Σ Aₖ cos(ωₖ (a + b{minus}))\nωₖ = 2π k / {p},  k = {keys}\n"
                         f"a + b fixed: every wave fixed", style.LABEL_SIZE)
        self.pin(why.next_to(logit_note, DOWN, buff=0.5, aligned_edge=LEFT))
        with self.narrate(lines["logit_share"] + " " + lines["why"]):
            self.play(FadeIn(why), run_time=1)
        crest = VMobject(stroke_color=style.EXCLUDED, stroke_width=5)
        crest.set_points_as_corners(get_crest(heights[-1], start, ridge) + OUT * 0.02)
        mod = f" ({c} mod {p})" if ridge != c else ""
        peak = style.text(f"red: a + b = {ridge}{mod},\nevery wave at its peak", style.LABEL_SIZE, style.EXCLUDED)
        self.pin(peak.next_to(why, DOWN, buff=0.4, aligned_edge=LEFT))
        with self.narrate(lines["peak"]):
            self.play(FadeIn(crest), FadeIn(peak), run_time=1.5)
        self.wait(1)

    def train(self, position: ValueTracker, epochs: np.ndarray, stops: range, theta: float, offset: int = 0):
        """Morph the surface checkpoint by checkpoint, one play each, the camera turning to theta; the
        epoch label is swapped between plays (manim draws the mobjects a play started with, so a label
        swapped inside a play would leave the old one on screen)."""
        thetas = np.linspace(self.camera.get_theta(), theta, len(stops) + 1)[1:]
        for stop, theta_stop in zip(stops, thetas):
            self.remove(self.counter)
            self.counter = self.get_epoch_label(int(epochs[stop]))
            self.add(self.counter)
            self.move_camera(theta=theta_stop, added_anims=[position.animate.set_value(offset + stop)],
                             run_time=MORPH_SECONDS / len(stops), rate_func=linear)

    def get_epoch_label(self, epoch: int):
        return self.pin(get_corner(style.text(f"epoch {epoch:,}", style.LABEL_SIZE, style.HIGHLIGHT), DOWN + LEFT))

    def pin(self, *mobjects):
        """Fix text to the frame (without adding it to the scene)."""
        self.renderer.camera.add_fixed_in_frame_mobjects(*mobjects)
        return mobjects[0]

    def get_window_axes(self, start: int) -> VGroup:
        """The window's two edges nearest the camera, on the floor, with the first and last a and b."""
        low, high, floor, out = -SIDE / 2, SIDE / 2, -HEIGHT, 0.45
        a_edge = Line([low, low, floor], [high, low, floor], color=style.MUTED, stroke_width=2)
        b_edge = Line([high, low, floor], [high, high, floor], color=style.MUTED, stroke_width=2)
        labels = [(f"a = {start}", [low, low - out, floor]), (str(start + WINDOW), [high, low - out, floor]),
                  (f"b = {start}", [high + out * 1.6, low + 0.3, floor]), (str(start + WINDOW), [high + out, high, floor])]
        texts = [style.text(label, style.SMALL_SIZE, style.MUTED).move_to(point) for label, point in labels]
        self.renderer.camera.add_fixed_orientation_mobjects(*texts)
        return VGroup(a_edge, b_edge, *texts)
