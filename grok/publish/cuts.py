"""The film's cuts, a vocabulary shared by the CLI and the pipeline (no heavy imports: `grok --help` reads it).

full   every beat of every scene
short  each scene's essential beats (NarratedScene.essential), 3 to 5 minutes; the beats between are passed over,
       their pictures fast-forwarded without words; a scene that declares none is left out. Written to its own
       folder under the output folder, so it never overwrites the full film.
"""

CUTS = ("full", "short")
SHORT_FOLDER = "short"  # under --out-dir
