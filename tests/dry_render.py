"""Scenes built without drawing a pixel: manim's dry run plays every animation, so tests can read
the mobjects a viewer would see."""

from manim import tempconfig


def dry_render(scene_class, frame_rate: int = 3):
    """Build and play scene_class at low quality, writing nothing; the scene after its last step."""
    with tempconfig({"dry_run": True, "quality": "low_quality", "frame_rate": frame_rate, "disable_caching": True}):
        scene = scene_class()
        scene.render()
    return scene


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
