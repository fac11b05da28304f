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
