"""Scenes built without drawing a pixel: manim's dry run plays every animation, so tests can read
the mobjects a viewer would see."""

from manim import tempconfig

from scenes.shapes import WIDE, get_frame_size, get_pixels


def dry_render(scene_class, frame_rate: int = 3, shape: str = WIDE):
    """Build and play scene_class at low quality in a frame of `shape`, writing nothing; the scene after its last
    step."""
    width, height = get_pixels(shape, 480)
    frame_width, frame_height = get_frame_size(width, height)
    settings = {"dry_run": True, "quality": "low_quality", "frame_rate": frame_rate, "disable_caching": True}
    size = {"pixel_width": width, "pixel_height": height, "frame_width": frame_width, "frame_height": frame_height}
    with tempconfig({**settings, **size}):
        scene = scene_class()
        scene.render()
    return scene


def outside_frame(scene_class, monkeypatch, shape: str = WIDE) -> tuple[list[str], tuple[float, str]]:
    """Play scene_class (dry) in a frame of `shape`: what reached past the frame's edge after any animation (texts
    by their words, pictures and boxes by their kind), and the smallest text seen (font size, its words)."""
    from manim import ImageMobject, Rectangle, Scene, Text

    outside, smallest = {}, [(float("inf"), "")]
    original_play = Scene.play

    def play(scene, *args, **kwargs):
        original_play(scene, *args, **kwargs)
        half_width, half_height = scene.camera.frame_width / 2, scene.camera.frame_height / 2
        for top in scene.mobjects:
            for m in top.get_family():
                if not isinstance(m, (Text, ImageMobject, Rectangle)) or m.width == 0:
                    continue
                if isinstance(m, Text) and m.text.strip() and m.font_size > 0.5 and m.get_fill_opacity() > 0:
                    smallest[0] = min(smallest[0], (round(m.font_size, 2), m.text))
                x, y = m.get_center()[:2]
                if abs(x) + m.width / 2 > half_width + 1e-3 or abs(y) + m.height / 2 > half_height + 1e-3:
                    outside.setdefault(id(m), m.text if isinstance(m, Text) else type(m).__name__)

    monkeypatch.setattr(Scene, "play", play)
    dry_render(scene_class, shape=shape)
    return list(outside.values()), smallest[0]


def all_of(scene, kind) -> list:
    """Every mobject of the given kind on stage at the end, nested ones included."""
    return [m for top in scene.mobjects for m in top.get_family() if isinstance(m, kind)]


def smallest_text(scene_class, monkeypatch) -> tuple[float, str]:
    """Play scene_class (dry) and return the smallest Text seen on stage after any animation or pause, as
    (font size, its words): a Text scaled down after it was made counts at the size it is shown; one shrunk
    to nothing or faded out is not seen."""
    from manim import Scene, Text

    smallest = [(float("inf"), "")]
    original_play, original_wait = Scene.play, Scene.wait

    def measure(scene):
        for top in scene.mobjects:
            for mobject in top.get_family():
                if not isinstance(mobject, Text) or not mobject.text.strip() or not mobject.initial_height:
                    continue
                if mobject.font_size > 0.5 and mobject.get_fill_opacity() > 0:  # shrunk to nothing or faded out: unseen
                    smallest[0] = min(smallest[0], (round(mobject.font_size, 2), mobject.text))

    def play(scene, *args, **kwargs):
        original_play(scene, *args, **kwargs)
        measure(scene)

    def wait(scene, *args, **kwargs):
        original_wait(scene, *args, **kwargs)
        measure(scene)

    monkeypatch.setattr(Scene, "play", play)
    monkeypatch.setattr(Scene, "wait", wait)
    dry_render(scene_class)
    return smallest[0]


def seen_on_stage(scene_class, monkeypatch, kind) -> list:
    """Play scene_class (dry) and return every mobject of `kind` that was on stage after some animation, in the
    order first seen: what a viewer saw along the way, not only what is left at the end."""
    from manim import Scene

    seen = {}
    original_play = Scene.play

    def play(scene, *args, **kwargs):
        original_play(scene, *args, **kwargs)
        for top in scene.mobjects:
            for mobject in top.get_family():
                if isinstance(mobject, kind):
                    seen.setdefault(id(mobject), mobject)

    monkeypatch.setattr(Scene, "play", play)
    dry_render(scene_class)
    return list(seen.values())
