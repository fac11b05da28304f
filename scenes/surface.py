"""Corrugated iron: one neuron and the logit of one answer c over a window of the (a, b) grid, as
surfaces through training. The neuron ends as a grid of bumps (mostly a wave in a plus a wave in b);
the logit, where every neuron adds up, ends as ridges along the diagonals, because it depends on
a + b alone.

Sampling: a key frequency k puts k/p cycles between neighbouring samples (41/113 ~ 1/3), so a mesh
through the raw samples, or a decimated grid, shows false bands. The surface is the band-limited
(Fourier) interpolant of the p x p samples, exact at every sample, drawn UPSAMPLE vertices per
sample over a window of consecutive a and b.
"""

from __future__ import annotations

import itertools

import numpy as np
from manim import (
    DEGREES,
    DOWN,
    LEFT,
    ORIGIN,
    OUT,
    RIGHT,
    UP,
    Animation,
    FadeIn,
    FadeOut,
    Line,
    ThreeDCamera,
    ThreeDScene,
    ThreeDVMobject,
    VGroup,
    VMobject,
    config,
    linear,
    smooth,
    squish_rate_func,
)

from scenes import narration, style  # narration.Line: the name Line is manim's, drawing the window's edges
from scenes.helpers import get_interpolated, get_key_list
from scenes.loader import get_frames, not_shown, require_series
from scenes.narration import NarratedScene, count, get_said_at, joined, line_seconds, percent, say
from scenes.operation import require_addition
from scenes.wave_parts import get_basis, get_product_split, get_share, get_share_words, get_wave_shares

UPSAMPLE = 3  # vertices per sample: 6 per period at the highest frequency p samples can hold
WINDOW = 14  # samples across the window: 3 x 14 = 42 cells a side, 3,528 triangles (frame cost measured)
TARGET_PERIODS = 4  # the neuron shown is the one whose frequency fits closest to this many periods in the window
RIDGE_SHARE = 0.5  # the logit "has become ridges" at the first sampled epoch where this share depends on a + b alone
SIDE = 5.0  # screen units across the window
HEIGHT = 0.8  # screen units for the largest |value| at each checkpoint
LIGHT = np.array([-0.4, -0.6, 0.7]) / np.linalg.norm([-0.4, -0.6, 0.7])  # fixed to the surface, not the camera
AMBIENT = 0.45  # share of a face's colour that needs no light
OVERLAP = 1.1  # faces drawn slightly larger than their cell: no background seams between them
PHI = 52 * DEGREES  # camera: looking down on the window from above its (a, b) = (start, start) corner
THETA_NEURON = (-75 * DEGREES, -50 * DEGREES)  # the camera turns while the neuron trains,
THETA_LOGIT = -72 * DEGREES  # and turns back while the logit does;
ALONG_RIDGES = (66 * DEGREES, -48 * DEGREES)  # then it looks almost along the diagonals: the ridges' profile
ZOOM = 0.85
FOCAL_DISTANCE = 20  # manim's own: the window in mild perspective
SCREEN_SHIFT = LEFT * 1.6 + DOWN * 0.2  # the frame centre: puts the surface right of the text column
TABLE_WIDTH = 6.0  # screen units across the whole p x p table, seen first, before the camera closes in on the window


# data helpers (pure numpy, unit-tested)


def get_window(p: int, c: int, size: int = WINDOW) -> int:
    """First a (and b) of a size+1 x size+1 window of consecutive samples whose central diagonal lies
    on a + b = c (mod p): the logit of c peaks there."""
    size = min(size, p - 1)
    total = c + p if c + p - size <= 2 * (p - 1 - size) else c  # the sum at the window's centre
    return int(np.clip((total - size) // 2, 0, p - 1 - size))


def get_ridge_sum(p: int, c: int, start: int, size: int = WINDOW) -> int:
    """The sum a + b, equal to c mod p, closest to the window's central diagonal (see get_window)."""
    return c + p * round((2 * start + size - c) / p)


def get_window_values(series: np.ndarray, start: int, size: int = WINDOW, upsample: int = UPSAMPLE) -> np.ndarray:
    """[S, p, p] samples -> [S, n, n] on the window's mesh, n = size * upsample + 1: the trigonometric
    polynomial through the samples (frequencies up to (p-1)/2), evaluated upsample times per sample.
    Exact at every sample; between them it is interpolation, not data."""
    p = series.shape[-1]
    basis = get_basis(p)  # [p, p] orthonormal
    mesh = get_basis(p, upsample)[:, start * upsample : (start + size) * upsample + 1]  # [p, n]
    coefficients = basis @ series.astype(np.float64) @ basis.T  # [S, p, p]
    return mesh.T @ coefficients @ mesh


def get_sum_part(values: np.ndarray) -> np.ndarray:
    """values[p, p] -> the part that depends on (a + b) mod p alone: each diagonal's mean."""
    p = values.shape[-1]
    sums = np.add.outer(np.arange(p), np.arange(p)) % p  # [p, p]
    means = np.bincount(sums.ravel(), weights=values.astype(np.float64).ravel(), minlength=p) / p
    return means[sums]


def get_sum_share(values: np.ndarray) -> float:
    """Share of values' variance (over all p x p inputs) that depends on a + b alone."""
    centred = values.astype(np.float64) - values.mean()
    return float((get_sum_part(centred) ** 2).sum() / (centred**2).sum())


def get_separable_part(values: np.ndarray) -> np.ndarray:
    """values[p, p] -> the part (its mean taken off) that depends on a alone or on b alone: row and column means."""
    centred = values.astype(np.float64) - values.mean()
    return centred.mean(axis=1, keepdims=True) + centred.mean(axis=0, keepdims=True)


def get_separable_share(values: np.ndarray) -> float:
    """Share of values' variance that depends on a alone or on b alone (row and column means)."""
    centred = values.astype(np.float64) - values.mean()
    return float((get_separable_part(values) ** 2).sum() / (centred**2).sum())


def get_crest_heights(values: np.ndarray, freqs, c: int) -> np.ndarray:
    """For each frequency k, the height on the diagonal a + b = c of values' wave of a + b,
    A cos(w_k (a + b) - phase), as a share of its peak A: 1 where it crests exactly there."""
    p = values.shape[-1]
    spectrum = np.fft.fft2(values.astype(np.float64))  # [p, p]
    freqs = np.asarray(freqs, dtype=int)
    return np.cos(np.angle(spectrum[freqs, freqs] * np.exp(2j * np.pi * freqs * c / p)))


def get_highest_sum(values: np.ndarray, start: int, size: int = WINDOW) -> int:
    """The sum a + b whose diagonal in the window has the highest mean value (values[p, p], the whole grid)."""
    window = values[start : start + size + 1, start : start + size + 1].astype(np.float64)
    sums = np.add.outer(np.arange(size + 1), np.arange(size + 1))
    means = np.bincount(sums.ravel(), weights=window.ravel()) / np.bincount(sums.ravel())
    return 2 * start + int(np.argmax(means))


def get_ridge_epoch(frames: dict) -> int | None:
    """The first sampled epoch at which RIDGE_SHARE of the logit depends on a + b alone (None if never)."""
    shares = [get_sum_share(logit) for logit in frames["surface_logit"]]
    index = next((i for i, share in enumerate(shares) if share >= RIDGE_SHARE), None)
    return None if index is None else int(frames["surface_epochs"][index])


def get_surface_neuron(frames: dict, size: int = WINDOW) -> int:
    """Index into surface_neurons of the neuron whose frequency puts closest to TARGET_PERIODS periods
    across the window (a slow wave shows one bump, a fast one a blur)."""
    p = int(frames["p"])
    freqs = frames["neuron_freq"][frames["surface_neurons"]]
    return int(np.argmin(np.abs(freqs * min(size, p - 1) / p - TARGET_PERIODS)))


def get_part_heights(parts: list[np.ndarray], whole: np.ndarray, centre: float, start: int) -> np.ndarray:
    """Heights [k, n, n] of the window's mesh through each of `parts` ([p, p] each), on the scale get_heights gives
    `whole` (value `centre` at 0, its largest |value| in the window at 1): parts drawn at their true size beside it."""
    peak = np.abs(get_window_values(whole[None], start)[0] - centre).max()
    return (get_window_values(np.stack(parts), start) - centre) / (peak if peak > 0 else 1.0)


def get_heights(values: np.ndarray, centre) -> np.ndarray:
    """[S, n, m] values -> heights, value `centre` at 0 and each checkpoint's largest |value| at 1.
    Activations grow ~30x while the model memorises and shrink in clean-up: a fixed scale would
    hide the shape at one end or the other."""
    shifted = values - centre
    peak = np.abs(shifted).max(axis=(-2, -1), keepdims=True)
    return shifted / np.where(peak > 0, peak, 1.0)


def get_colors(heights: np.ndarray) -> np.ndarray:
    """Heights in [-1, 1] -> RGB [..., 3] along style.SURFACE_COLORS (low, zero, high)."""
    stops = np.array([color.to_rgb() for color in style.SURFACE_COLORS])  # [3, 3]
    position = np.clip(heights, -1, 1) + 1  # 0..2
    lower = np.minimum(position.astype(int), 1)
    weight = (position - lower)[..., None]
    return (1 - weight) * stops[lower] + weight * stops[lower + 1]


def get_vertices(heights: np.ndarray) -> np.ndarray:
    """Heights [n, n] -> vertices [n * n, 3] in screen units, a along x, b along y, row-major (a, b)."""
    n = len(heights)
    x, y = np.meshgrid(*[np.linspace(-SIDE / 2, SIDE / 2, n)] * 2, indexing="ij")
    return np.stack([x, y, HEIGHT * heights], axis=-1).reshape(-1, 3)


def get_vertex_normals(heights: np.ndarray) -> np.ndarray:
    """Unit normals of the smooth surface at each vertex [n * n, 3], from its slopes: shading faces with
    their corners' normals hides the facets (a triangle's own normal jumps from one to the next)."""
    step = SIDE / (len(heights) - 1)
    slope_a, slope_b = np.gradient(HEIGHT * heights, step)
    normals = np.stack([-slope_a, -slope_b, np.ones_like(slope_a)], axis=-1).reshape(-1, 3)
    return normals / np.linalg.norm(normals, axis=1, keepdims=True)


def get_triangles(heights: np.ndarray) -> np.ndarray:
    """Heights [n, n] -> triangles [2 (n-1)^2, 3] as indices into get_vertices, two per cell, cells in
    row-major (a, b) order, each triangle's corner off the cut first. A twisted quad drawn whole folds
    into a bow-tie on steep slopes, so each cell is cut along its diagonal of smaller height
    difference: along a ridge, whichever way it runs."""
    n = len(heights)
    index = np.arange(n * n).reshape(n, n)
    i00, i10, i11, i01 = index[:-1, :-1], index[1:, :-1], index[1:, 1:], index[:-1, 1:]  # [n-1, n-1]
    z = heights.ravel()
    cut_along_sum = (np.abs(z[i10] - z[i01]) <= np.abs(z[i00] - z[i11]))[..., None]
    first = np.where(cut_along_sum, np.stack([i00, i10, i01], axis=-1), np.stack([i10, i00, i11], axis=-1))
    second = np.where(cut_along_sum, np.stack([i11, i10, i01], axis=-1), np.stack([i01, i00, i11], axis=-1))
    return np.stack([first, second], axis=2).reshape(-1, 3)


def get_face_points(corners: np.ndarray) -> np.ndarray:
    """[F, k, 3] corners -> [F, 4k, 3] manim points of each closed polygon (k straight cubic segments),
    grown by OVERLAP about its centre."""
    centres = corners.mean(axis=1, keepdims=True)
    grown = centres + OVERLAP * (corners - centres)
    start, end = grown, np.roll(grown, -1, axis=1)
    return np.stack([start, (2 * start + end) / 3, (start + 2 * end) / 3, end], axis=2).reshape(len(corners), -1, 3)


def get_shaded(colors: np.ndarray, normals: np.ndarray) -> np.ndarray:
    """Lambert shading with a light fixed to the surface, so the relief reads as the camera turns."""
    light = np.clip(normals @ LIGHT, 0, 1)[..., None]
    return colors * (AMBIENT + (1 - AMBIENT) * light)


def get_face_colors(heights: np.ndarray, triangles: np.ndarray) -> np.ndarray:
    """RGB [F, 3] of each triangle, from its corners' heights and normals weighted 1/2 (the corner off
    the cut), 1/4, 1/4: the value halfway between the cut and that corner. Along a ridge the cuts run
    with it, and the two triangles between neighbouring cuts (one pointing each way) get one colour;
    weighting the corners equally made them alternate, a sawtooth along every slope."""
    weights = np.array([0.5, 0.25, 0.25])
    normals = np.einsum("k,fkd->fd", weights, get_vertex_normals(heights)[triangles])
    normals /= np.linalg.norm(normals, axis=1, keepdims=True)
    return get_shaded(get_colors(heights.ravel()[triangles] @ weights), normals)


def get_screen(coords, start: int, size: int = WINDOW) -> np.ndarray:
    """a or b in start..start+size -> screen units across the window."""
    return (np.asarray(coords, dtype=np.float64) - start) / size * SIDE - SIDE / 2


def get_crest(heights: np.ndarray, start: int, total: int) -> np.ndarray:
    """The line a + b = total across the mesh's heights [n, n] -> [M, 3] screen points at the surface's
    height (its vertices on that line)."""
    steps = len(heights) - 1  # mesh steps across the window
    size = steps // UPSAMPLE
    offset = round((total - 2 * start) * UPSAMPLE)  # i + j on the line
    i = np.arange(max(0, offset - steps), min(steps, offset) + 1)
    a = start + i / UPSAMPLE
    return np.stack(
        [get_screen(a, start, size), get_screen(total - a, start, size), HEIGHT * heights[i, offset - i]], axis=1
    )


class Face(ThreeDVMobject):
    """One triangle of the surface. The camera depth-sorts faces and splits each into subpaths every
    frame; manim's general methods for both cost half of each frame, so a face stores its centre and
    says it is one closed path."""

    centre = ORIGIN

    def get_z_index_reference_point(self):
        return self.centre

    def get_subpath_split_indices_from_points(self, points, n_dims=3):
        return np.array([[0, len(points)]])


class SurfaceCamera(ThreeDCamera):
    """manim's 3-D camera, drawing each run of surface faces at once: one projection of all their corners and a
    straight-edged path each (manim projects and paths every face on its own: 70 % of the scene's render time).
    The same picture: faces are flat-coloured (shading is off, get_face_colors lights them) and straight-edged."""

    def display_multiple_non_background_colored_vmobjects(self, vmobjects, pixel_array):
        ctx = self.get_cairo_context(pixel_array)
        for is_face, run in itertools.groupby(vmobjects, lambda vmobject: type(vmobject) is Face):
            if is_face:
                self.display_faces([face for face in run if face.has_points()], ctx)
            else:
                for vmobject in run:
                    self.display_vectorized(vmobject, ctx)

    def display_faces(self, faces: list[Face], ctx) -> None:
        if not faces:
            return
        corners = [face.points[::4] for face in faces]  # each face's straight edges' starts
        screen = self.project_points(np.concatenate(corners))[:, :2].tolist()  # [sum of k, 2]
        ends = np.cumsum([len(face_corners) for face_corners in corners]).tolist()
        for face, start, end in zip(faces, [0, *ends], ends):
            polygon, rgba = screen[start:end], face.fill_rgbas[0]
            ctx.new_path()
            ctx.move_to(*polygon[0])
            for x, y in polygon[1:]:
                ctx.line_to(x, y)
            ctx.close_path()
            ctx.set_source_rgba(rgba[2], rgba[1], rgba[0], rgba[3])  # reversed, as manim does: cairo stores BGRA
            ctx.fill()


class HeightField(VGroup):
    """2 (n-1)^2 triangles whose corners and colours are rewritten in place (5x faster than rebuilding)."""

    def __init__(self, n: int):
        super().__init__(*[Face(fill_opacity=1, stroke_width=0) for _ in range(2 * (n - 1) ** 2)])

    def show(self, heights: np.ndarray):
        """Vertex heights [n, n] in [-1, 1]."""
        self.heights = heights
        triangles = get_triangles(heights)
        corners = get_vertices(heights)[triangles]  # [F, 3, 3]
        rgbas = np.concatenate([get_face_colors(heights, triangles), np.ones((len(triangles), 1))], axis=1)
        for face, points, centre, rgba in zip(self.submobjects, get_face_points(corners), corners.mean(axis=1), rgbas):
            face.points = points
            face.centre = centre
            face.fill_rgbas = rgba[None]
        return self


class Morph(Animation):
    """The surface drawn along `series` [k, n, n] from position `start` to `end` (between neighbours, linearly).
    Redrawn in place, never copied as an animation's mobject is (3,528 faces cost more to copy than to draw);
    and only while it plays: a still surface stays in the frame manim caches while text fades in."""

    def __init__(self, field: HeightField, series: np.ndarray, start: float, end: float, **kwargs):
        super().__init__(field, **kwargs)
        self.series, self.start, self.end = series, start, end

    def create_starting_mobject(self):
        return self.mobject

    def interpolate_mobject(self, alpha: float):
        position = self.start + self.rate_func(alpha) * (self.end - self.start)
        self.mobject.show(get_interpolated(self.series, position))


def get_corner(mobject, corner: np.ndarray):
    """to_corner in the frame the viewer sees: the camera's frame centre is shifted (the surface sits
    right of the text column), and text fixed in the frame moves with it."""
    return mobject.to_corner(corner, buff=0.45).shift(SCREEN_SHIFT)


class CorrugatedIron(NarratedScene, ThreeDScene):
    def __init__(self, **kwargs):
        super().__init__(camera_class=SurfaceCamera, **kwargs)

    @staticmethod
    def script(frames: dict) -> dict[str, narration.Line]:
        require_addition(frames, "surface")
        if len(frames["key_freqs"]) == 0:
            not_shown("this run found no key frequency (it has not grokked): no ridges to explain")
        require_series(frames, "a neuron and a logit taking shape over training")
        p, c = int(frames["p"]), int(frames["surface_logit_c"])
        index = get_surface_neuron(frames)
        neuron = int(frames["surface_neurons"][index])
        k = int(frames["neuron_freq"][neuron])
        post = frames["surface_post"][-1, index].astype(np.float64)  # [p, p], the end of training
        logit = frames["surface_logit"][-1].astype(np.float64)
        keys = [int(key) for key in frames["key_freqs"]]
        start = get_window(p, c)
        ridge = get_ridge_sum(p, c, start)
        last_epoch = count(frames["surface_epochs"][-1])
        ridge_epoch = get_ridge_epoch(frames)
        crest = percent(get_crest_heights(logit, keys, c).min())
        on_ridge = (
            say(
                "On the diagonal a + b = {ridge_sum}, which is {logit_answer} mod {p},",
                ridge_sum=ridge,
                logit_answer=c,
                p=p,
            )
            if ridge != c
            else say("On the diagonal a + b = {logit_answer}", logit_answer=c)
        )
        ending = (
            ": the highest ridge is where the right answer is {logit_answer}."
            if get_highest_sum(logit, start) == ridge
            else "."
        )
        crested = (
            say("every one at its peak" + ending, logit_answer=c)
            if crest == "100 %"
            else say(
                "each at {lowest_crest_share} of its peak or more" + ending, lowest_crest_share=crest, logit_answer=c
            )
        )
        return {
            "neuron": say(
                "Take one neuron of the model we trained, neuron {neuron}, and give it every pair a, b in a "
                "window of {window_side} by {window_side} numbers from the {p} by {p} table. "
                "The height is how strongly it fires.",
                neuron=neuron,
                window_side=WINDOW + 1,
                p=p,
            ),
            "neuron_train": joined(
                say("From epoch 0 to epoch {last_epoch}:", last_epoch=last_epoch),
                "silent at first, then noise," if frames["surface_post"][0, index].max() == 0 else "noise,",
                say(
                    "then a grid of bumps, a wave of frequency {neuron_freq} along a and another along b.",
                    neuron_freq=k,
                ),
            ),
            "neuron_share": say(
                "These bumps are not ridges along the diagonals: {neuron_share_a_or_b_alone} of this neuron's "
                "pattern follows a alone or b alone, only {neuron_share_a_plus_b} depends on a + b.",
                neuron_share_a_or_b_alone=percent(get_separable_share(post)),
                neuron_share_a_plus_b=percent(get_sum_share(post)),
            ),
            "logit": say(
                "Now add up all {n_neurons} neurons the way the model does to score the answer {logit_answer}: its "
                "logit, over the same window, from epoch 0 to {last_epoch}.",
                n_neurons=count(len(frames["neuron_freq"])),
                logit_answer=c,
                last_epoch=last_epoch,
            ),
            "logit_train": (
                say(
                    "Noise at first; by epoch {ridge_epoch} more than half of it depends on a + b alone, "
                    "and it settles into corrugated iron: ridges along the diagonals.",
                    ridge_epoch=count(ridge_epoch),
                )
                if ridge_epoch is not None
                else say("It stays mostly noise: this run's logit never became ridges.")
            ),
            "logit_share": say(
                "In the sum, the waves in a alone and in b alone all but cancel, leaving {logit_share_a_or_b_alone}; "
                "{logit_share_a_plus_b} of the logit depends on a + b alone.",
                logit_share_a_or_b_alone=get_share_words(get_separable_share(logit)),
                logit_share_a_plus_b=percent(get_sum_share(logit)),
            ),
            "why": say(
                "Why diagonals? The model writes this logit as waves of a + b, at its key frequencies "
                "{key_freqs}: together they hold {logit_share_key_waves} of it. "
                "Along a diagonal a + b stays the same, so every wave does, and the logit runs level: a ridge.",
                key_freqs=get_key_list(keys),
                logit_share_key_waves=percent(get_wave_shares(logit, keys)[0]),
            ),
            "peak": joined(on_ridge, "the waves crest together,", crested),
        }

    def at(self, line: str, phrase: str) -> float:
        """When `phrase` is said in `line`, the line being narrated."""
        return get_said_at(line, phrase, self.line_end)

    def construct(self):
        frames = get_frames()
        lines = self.script(frames)  # exits with one line if the run has no key frequency
        p, c, epochs = int(frames["p"]), int(frames["surface_logit_c"]), frames["surface_epochs"]
        index = get_surface_neuron(frames)
        neuron = int(frames["surface_neurons"][index])
        k = int(frames["neuron_freq"][neuron])
        keys = [int(key) for key in frames["key_freqs"]]
        post, logit = frames["surface_post"][:, index], frames["surface_logit"]  # [S, p, p]
        start = get_window(p, c)
        ridge = get_ridge_sum(p, c, start)
        logit_means = logit.astype(np.float64).mean(axis=(1, 2))[:, None, None]  # [S, 1, 1]
        neuron_heights = get_heights(get_window_values(post, start), 0.0)  # [S, n, n]
        logit_heights = get_heights(get_window_values(logit, start), logit_means)
        last = len(epochs) - 1
        # the final neuron and logit taken apart, each part drawn on the scale of the whole
        final, final_logit = post[-1].astype(np.float64), logit[-1].astype(np.float64) - logit_means[-1]
        mean = final.mean()
        neuron_parts = get_part_heights(
            [mean + get_separable_part(final), mean + get_sum_part(final - mean)], final, 0.0, start
        )
        logit_parts = get_part_heights(
            [get_separable_part(final_logit), get_sum_part(final_logit)], final_logit, 0.0, start
        )
        waves = [get_product_split(final_logit, key).sum_wave for key in keys]  # the logit's wave of a + b at each k
        wave_heights = get_part_heights(waves, final_logit, 0.0, start)
        built = get_part_heights(list(np.cumsum(waves, axis=0)), final_logit, 0.0, start)  # k by k
        built_shares = [get_share(part, final_logit) for part in np.cumsum(waves, axis=0)]
        shares = [get_sum_share(values) for values in logit]  # per checkpoint

        self.renderer.camera.should_apply_shading = False  # get_face_colors lights the faces
        self.surface = HeightField(WINDOW * UPSAMPLE + 1)
        self.surface.show(neuron_heights[0])

        # Step 1: the whole p x p table, the neuron at initialisation on its window; the camera closes in
        line = lines["neuron"]
        window = f"a, b = {start} … {start + WINDOW} of 0 … {p - 1}"
        interpolated = "between whole a, b: Fourier interpolation"
        title = get_corner(style.text(f"Neuron {neuron} over (a, b)", style.TITLE_SIZE), UP + LEFT)
        note = style.text(
            f"{window}\nheight: its activation, rescaled each epoch\n{interpolated}", style.SMALL_SIZE, style.MUTED
        )
        note.next_to(title, DOWN, buff=0.2, aligned_edge=LEFT)
        self.set_camera_orientation(phi=PHI, theta=THETA_NEURON[0], frame_center=SCREEN_SHIFT)
        table = self.get_table(p, start)
        self.set_camera_orientation(**self.get_table_view(table[0]))
        self.labels = [self.get_epoch_label(int(epochs[0]))]
        self.pin(title, note)
        axes = self.get_window_axes(start)
        with self.narrate(line):
            self.paced(
                [FadeIn(self.surface), FadeIn(table), FadeIn(title), FadeIn(note), FadeIn(self.labels[0])],
                until=self.at(line, "and give it"),
            )
            closer = self.at(line, "The height")
            leave = FadeOut(table, rate_func=squish_rate_func(smooth, 0.3, 0.8))  # gone before it fills the screen
            self.move_camera(
                zoom=ZOOM, focal_distance=FOCAL_DISTANCE, added_anims=[leave], run_time=closer - self.time - 0.5
            )
            self.hold_until(closer)
            self.paced(FadeIn(axes))

        # Step 2: training turns it into bumps, the camera turning
        with self.narrate(lines["neuron_train"]):
            self.train(epochs, neuron_heights, 0, last, self.line_end, THETA_NEURON[1])

        # Step 3: the bumps taken apart as the line names them: the part in a or b alone, then in a + b
        line = lines["neuron_share"]
        separable, summed = percent(get_separable_share(final)), percent(get_sum_share(final))
        bumps = [
            style.text(f"a grid of bumps: waves of\nfrequency {k} in a and in b", style.LABEL_SIZE),
            style.text(f"{separable} follows a alone or b alone", style.LABEL_SIZE),
            style.text(f"{summed} depends on a + b alone", style.LABEL_SIZE),
        ]
        self.pin(
            *VGroup(*bumps).arrange(DOWN, buff=0.3, aligned_edge=LEFT).next_to(note, DOWN, buff=0.5, aligned_edge=LEFT)
        )
        drawn = [
            self.get_drawn_label("its mean + its part in a alone or b alone"),
            self.get_drawn_label("its mean + its part in a + b alone"),
        ]
        with self.narrate(line):
            morphs = self.get_morphs(*neuron_parts)
            self.paced(FadeIn(bumps[0]), until=self.at(line, f"{separable} of"))
            self.paced([morphs[0], FadeIn(bumps[1]), FadeIn(drawn[0])], until=self.at(line, "only"))
            self.paced([morphs[1], FadeIn(bumps[2]), FadeOut(drawn[0]), FadeIn(drawn[1])])

        # Step 4: the logit of answer c, where every neuron adds up; its training starts as the line names the epochs,
        # and passes the epoch the next line names as it is said
        line = lines["logit"]
        logit_title = style.text(f"Logit of the answer {c}", style.TITLE_SIZE).move_to(title, aligned_edge=LEFT)
        logit_note = style.text(
            f"{window}\nheight: the logit minus its mean, rescaled\n{interpolated}", style.SMALL_SIZE, style.MUTED
        ).move_to(note, aligned_edge=UP + LEFT)
        self.pin(logit_title, logit_note)
        ridge_epoch = get_ridge_epoch(frames)
        ridge_index = None if ridge_epoch is None else int(np.flatnonzero(epochs == ridge_epoch)[0])

        def get_logit_labels(i: int) -> list:
            share = style.text(f"{percent(shares[i])} depends on a + b alone", style.LABEL_SIZE)
            return [
                self.get_epoch_label(int(epochs[i])),
                self.pin(share.next_to(logit_note, DOWN, buff=0.5, aligned_edge=LEFT)),
            ]

        with self.narrate(line):
            begin = self.at(line, "from epoch 0")
            self.play(FadeOut(VGroup(title, note, *bumps, drawn[1], *self.labels)), run_time=0.7)
            self.labels = get_logit_labels(0)
            self.paced(
                [
                    FadeIn(VGroup(logit_title, logit_note, *self.labels)),
                    self.get_morphs(logit_heights[0], run_time=begin - self.time - 0.5)[0],
                ],
                until=begin,
            )
            following = lines["logit_train"]
            if ridge_index is None:  # no epoch to meet: one pace through both lines
                ridge_index, ridged = last, self.line_end + line_seconds(following)
            else:
                ridged = get_said_at(following, f"epoch {count(ridge_epoch)}", self.line_end + line_seconds(following))
            reached = ridge_index * (self.line_end - self.time) / (ridged - self.time)  # at one pace until then

            def get_theta(position: float) -> float:  # the camera turns back as the logit trains
                return np.interp(position, [0, last], [THETA_NEURON[1], THETA_LOGIT])

            self.train(epochs, logit_heights, 0, reached, self.line_end, get_theta(reached), get_logit_labels)
        with self.narrate(following):
            self.train(epochs, logit_heights, reached, ridge_index, ridged, get_theta(ridge_index), get_logit_labels)
            self.train(epochs, logit_heights, ridge_index, last, self.line_end, THETA_LOGIT, get_logit_labels)

        # Step 5: the logit taken apart like the neuron: its part in a or b alone all but gone, its part in a + b all
        line = lines["logit_share"]
        leaving = style.text(
            f"{get_share_words(get_separable_share(logit[-1])).replace('under ', '< ')} follows a alone or b alone",
            style.LABEL_SIZE,
        )
        self.pin(leaving.next_to(self.labels[1], DOWN, buff=0.3, aligned_edge=LEFT))
        drawn = [
            self.get_drawn_label("its part in a alone or b alone"),
            self.get_drawn_label("its part in a + b alone"),
        ]
        with self.narrate(line):
            morphs = self.get_morphs(*logit_parts)
            self.paced([morphs[0], FadeIn(leaving), FadeIn(drawn[0])], until=self.at(line, f"{percent(shares[-1])} of"))
            self.paced([morphs[1], FadeOut(drawn[0]), FadeIn(drawn[1])])

        # Step 6: why the ridges run along a + b = const: the logit built from its waves of a + b, one key frequency
        # as each is named, then seen along the diagonals
        line = lines["why"]
        minus = f" − {c}" if c else ""
        formula = style.text(
            f"logit ≈ Σₖ Aₖ cos(ωₖ(a + b{minus}))\nωₖ = 2πk / {p},  k = {', '.join(map(str, keys))}", style.LABEL_SIZE
        )
        along = style.text("along a diagonal a + b is fixed:\nevery wave fixed, the logit level", style.LABEL_SIZE)
        self.pin(
            *VGroup(formula, along)
            .arrange(DOWN, buff=0.4, aligned_edge=LEFT)
            .next_to(leaving, DOWN, buff=0.4, aligned_edge=LEFT)
        )
        sums = [
            self.get_drawn_label(f"its waves of a + b at k = {', '.join(map(str, keys[: i + 1]))}: {percent(share)}")
            for i, share in enumerate(built_shares)
        ]
        with self.narrate(line):
            morphs = self.get_morphs(*built, logit_heights[-1])
            steps = [[morphs[0], FadeIn(formula), FadeOut(drawn[1]), FadeIn(sums[0])]]
            steps += [
                [morph, FadeOut(before), FadeIn(after)] for morph, before, after in zip(morphs[1:], sums, sums[1:])
            ]
            self.paced(*steps, until=self.at(line, "together"))
            self.paced([morphs[-1], FadeOut(sums[-1])], until=self.at(line, "Along a diagonal"))
            self.move_camera(
                phi=ALONG_RIDGES[0],
                theta=ALONG_RIDGES[1],
                added_anims=[FadeIn(along)],
                run_time=max(self.line_end - self.time - 1, 1),
            )

        # Step 7: on the answer's diagonal every wave crests: each alone, then all together, the crest line riding them
        line = lines["peak"]
        crest = VMobject(stroke_color=style.EXCLUDED, stroke_width=5)
        crest.add_updater(lambda m: m.set_points_as_corners(get_crest(self.surface.heights, start, ridge) + OUT * 0.02))
        crest.update()  # its points before it fades in
        mod = f" ({c} mod {p})" if ridge != c else ""
        lowest = percent(get_crest_heights(logit[-1], frames["key_freqs"], c).min())
        together = "every wave at its crest" if lowest == "100 %" else f"every wave ≥ {lowest} of its crest"
        peak = style.text(f"red: a + b = {ridge}{mod},\n{together}", style.LABEL_SIZE, style.EXCLUDED)
        self.pin(peak.next_to(along, DOWN, buff=0.4, aligned_edge=LEFT))
        alone = [self.get_drawn_label(f"its wave of a + b at k = {key} alone") for key in keys]
        with self.narrate(line):
            self.paced([FadeIn(crest), FadeIn(peak)], until=self.at(line, "the waves crest"))
            morphs = self.get_morphs(*wave_heights, logit_heights[-1])
            steps = [[morphs[0], FadeIn(alone[0])]]
            steps += [
                [morph, FadeOut(before), FadeIn(after)] for morph, before, after in zip(morphs[1:], alone, alone[1:])
            ]
            self.paced(*steps, [morphs[-1], FadeOut(alone[-1])])
        self.wait(1)

    def get_morphs(self, *shapes, **kwargs) -> list:
        """Animations taking the surface from what it shows now through `shapes` (heights [n, n]), one each."""
        series = np.stack([self.surface.heights, *shapes])
        return [Morph(self.surface, series, i - 1, i, **kwargs) for i in range(1, len(shapes) + 1)]

    def train(
        self,
        epochs: np.ndarray,
        series: np.ndarray,
        start: float,
        to: float,
        until: float,
        theta: float,
        get_labels=None,
    ):
        """Morph the surface along its checkpoints `series` from position `start` to `to`, by `until` on the scene's
        clock, the camera turning to theta. One play per stretch where one checkpoint is the nearest, so the
        labels (the epoch's, or get_labels(i)), swapped between plays (manim draws the mobjects a play started
        with), name the checkpoint on screen."""
        if to <= start:
            return
        theta_start, fps = self.camera.get_theta(), config.frame_rate
        bounds = [start, *np.arange(np.floor(start + 0.5) + 0.5, to, 1.0), to]  # cut half-way between checkpoints
        ends = np.interp(bounds[1:], [start, to], [self.time, until])
        low = start
        for high, end in zip(bounds[1:], ends):
            # manim plays ceil(run_time x fps) frames: whole frames, so that many stretches don't add up past `until`;
            # a stretch shorter than a frame goes with the next
            frames = round((end - self.time) * fps)
            if frames < 1 and high < to:
                continue
            checkpoint = int(np.floor((low + high) / 2 + 0.5))
            self.remove(*self.labels)
            self.labels = get_labels(checkpoint) if get_labels else [self.get_epoch_label(int(epochs[checkpoint]))]
            self.add(*self.labels)
            self.move_camera(
                theta=np.interp(high, [start, to], [theta_start, theta]),
                added_anims=[Morph(self.surface, series, low, high)],
                run_time=max(frames - 0.5, 1) / fps,
                rate_func=linear,
            )
            low = high

    def get_table(self, p: int, start: int) -> VGroup:
        """The whole p x p table, a faint floor where the window's surface starts, named at its near edge. Its
        depth is taken far below, so the camera draws it under every face."""
        low, high = get_screen([0, p - 1], start)
        floor = Face(fill_color=style.GRID, fill_opacity=0.4, stroke_color=style.MUTED, stroke_width=2)
        floor.set_points_as_corners([[low, low, 0], [high, low, 0], [high, high, 0], [low, high, 0], [low, low, 0]])
        floor.centre = np.array([0, 0, -1000.0])
        label = style.text(f"the whole table: a, b = 0 … {p - 1}", style.SMALL_SIZE, style.MUTED)
        label.move_to([(low + high) / 2, low - 0.12 * (high - low), 0])
        self.renderer.camera.add_fixed_orientation_mobjects(label)
        return VGroup(floor, label)

    def get_table_view(self, floor: Face) -> dict:
        """Zoom and focal distance at which the table spans TABLE_WIDTH across the screen, in the perspective the
        window is drawn in."""
        corners = floor.points[::4]
        across = np.ptp(corners @ self.renderer.camera.generate_rotation_matrix()[0])
        return dict(zoom=TABLE_WIDTH / across, focal_distance=FOCAL_DISTANCE * np.ptp(corners[:, 0]) / SIDE)

    def get_drawn_label(self, words: str):
        """What the surface shows when it is not a checkpoint as trained (a part of it), pinned above it."""
        return self.pin(get_corner(style.text(f"drawn: {words}", style.SMALL_SIZE, style.HIGHLIGHT), UP + RIGHT))

    def get_epoch_label(self, epoch: int):
        return self.pin(get_corner(style.text(f"epoch {epoch:,}", style.LABEL_SIZE, style.HIGHLIGHT), DOWN + LEFT))

    def pin(self, *mobjects):
        """Fix text to the frame (without adding it to the scene)."""
        self.renderer.camera.add_fixed_in_frame_mobjects(*mobjects)
        return mobjects[0]

    def get_window_axes(self, start: int) -> VGroup:
        """The window's two edges nearest the camera, on the floor, each labelled at its middle."""
        low, high, floor, out = -SIDE / 2, SIDE / 2, -HEIGHT, 0.9
        a_edge = Line([low, low, floor], [high, low, floor], color=style.MUTED, stroke_width=2)
        b_edge = Line([high, low, floor], [high, high, floor], color=style.MUTED, stroke_width=2)
        span = f"{start} … {start + WINDOW}"
        labels = [
            style.text(f"a = {span}", style.SMALL_SIZE, style.MUTED).move_to([0, low - out, floor]),
            style.text(f"b = {span}", style.SMALL_SIZE, style.MUTED).move_to([high + 1.2 * out, 0, floor]),
        ]
        self.renderer.camera.add_fixed_orientation_mobjects(*labels)
        return VGroup(a_edge, b_edge, *labels)
