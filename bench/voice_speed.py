"""What `grok publish --voice` costs at preview: the same scenes published without and with the
voice, each into a fresh folder, one after the other in one run (on a shared machine, compare the
two rows of one run, not runs).

    python bench/voice_speed.py [--scenes task snake clock-add] [--frames data/nanda.npz] [--quality preview] [--keep]

Prints, per mode: the time to speak the lines (piper, one process), to render the scenes, the whole
publish, the video's length and the CPU time of manim and piper (child processes).
"""

from __future__ import annotations

import argparse
import io
import resource
import shutil
import tempfile
import time
from pathlib import Path

from grok.publish.pipeline import EXPLAINER, Options, format_seconds, publish, read_record
from grok.publish.render import QUALITIES
from scenes.registry import NAMES, get_scene

REPO = Path(__file__).resolve().parent.parent


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scenes", nargs="+", default=["task", "snake", "clock-add"], choices=NAMES)
    parser.add_argument("--frames", type=Path, default=REPO / "data" / "nanda.npz")
    parser.add_argument("--quality", default="preview", choices=list(QUALITIES))
    parser.add_argument("--keep", action="store_true", help="Keep both published folders, to look and listen.")
    args = parser.parse_args()
    scenes = [get_scene(name) for name in args.scenes]
    print(f"scenes {', '.join(args.scenes)} from {args.frames.name} at {args.quality}")
    print(f"{'':<14} {'speech':>8} {'render':>10} {'publish':>10} {'video':>10} {'CPU (children)':>15}")
    for voice in (False, True):
        out = Path(tempfile.mkdtemp(prefix="voice-bench-"))
        options = Options(frames=args.frames, quality=args.quality, out_dir=out, scenes=scenes, voice=voice)
        start, cpu = time.perf_counter(), cpu_seconds()
        report = publish(options, out=io.StringIO())
        wall, cpu = time.perf_counter() - start, cpu_seconds() - cpu
        length = read_record(out / f"{EXPLAINER}.mp4")["seconds"]
        print(
            f"{'with voice' if voice else 'without':<14} {format_seconds(report.stages.get('speech', 0)):>8} "
            f"{format_seconds(report.stages['render scenes']):>10} {format_seconds(wall):>10} "
            f"{format_seconds(length):>10} {format_seconds(cpu):>15}" + (f"  kept in {out}" if args.keep else ""),
            flush=True,
        )
        if not args.keep:
            shutil.rmtree(out)


if __name__ == "__main__":
    main()
