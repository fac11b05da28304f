"""The film's cuts, a vocabulary shared by the CLI and the pipeline (no heavy imports: `grok --help` reads it).

full   every beat of every scene
short  each scene's essential beats (NarratedScene.essential), 3 to 5 minutes; the beats between are passed over,
       their pictures fast-forwarded without words; a scene that declares none is left out. Written to its own
       folder under the output folder, so it never overwrites the full film.
"""

from scenes.shapes import WIDE

CUTS = ("full", "short")
SHORT_FOLDER = "short"  # under --out-dir


def get_cut_folder(cut: str, shape: str = WIDE) -> str | None:
    """Where under renders/ a cut goes by default, so that it never overwrites another: None for the film itself
    (full, 16:9); 'short', '9x16', 'short-9x16', '1x1', ..."""
    names = ([SHORT_FOLDER] if cut == "short" else []) + ([shape.replace(":", "x")] if shape != WIDE else [])
    return "-".join(names) or None
