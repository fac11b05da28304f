"""The pipeline from a frames file to a published set (needs no torch):

pipeline.py    `grok publish`: renders, cards, narration and captions assembled into the explainer, GIFs,
               records
render.py      manim in subprocesses, one scene per file; quality names and output names
cards.py       title, chapter and end cards (Pillow)
captions.py    caption files (.srt, .vtt) and their timing
narration.py   the spoken narration (piper, run as its own process) and the sound track
read_aloud.py  numbers and symbols written as they are to be read
video.py       decoding, joining and muxing with PyAV; chapters
gif.py         the gallery's GIFs
provenance.py  what a video was made from: end card, records, mp4 metadata
"""
