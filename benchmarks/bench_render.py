"""Rendering overhead: the renderer's wall time against the bare tools it drives.

Renders a four-line script at 640x360, then runs the same work directly — one ``open_jtalk``
per line and the same ffmpeg encode of the same stills and audio — in the same run, and prints
the ratio (renderer / bare tools). Card drawing, timeline and file handling are the overhead;
a ratio near 1 means the orchestration costs little beside speech synthesis and encoding.

    .venv/bin/python benchmarks/bench_render.py
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

SCRIPT = """\
id: bench
title: {ja: "計測用の台本"}
cast:
  職員: {name: 山田, role: 税務課, voice: {file: mei_normal, pitch: -5}}
  住民: {name: 佐藤, role: 住民, voice: {file: mei_normal, pitch: 2, speed: 0.9}}
scenes:
  - setting: 税務課 収納窓口
    lines:
      - {speaker: 職員, text: "こんにちは。本日はどのようなご用件でしょうか。"}
      - {speaker: 住民, text: "督促状が届いたんですけど、年金だけで、一度には払えなくて。"}
      - {speaker: 職員, text: "ご事情を、もう少し伺ってもよろしいですか。"}
      - {speaker: 住民, text: "息子がずっと家におって、私が倒れたらと思うと。"}
"""


def main() -> None:
    from app import create_app
    from app.rendering import render as renderer
    from app.rendering import tts
    from app.rendering.script import parse

    app = create_app({"TESTING": True})
    with app.app_context(), tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "videos" / "bench"
        folder.mkdir(parents=True)
        (folder / "script.yaml").write_text(SCRIPT, encoding="utf-8")
        script, _ = parse(folder / "script.yaml")

        started = time.perf_counter()
        result = renderer.render(folder / "script.yaml", width=640, height=360, fps=25, force=True)
        rendered = time.perf_counter() - started

        # The bare tools: the same speech, then the same encode of the rendered stills and audio.
        work = Path(tmp) / "bare"
        work.mkdir()
        started = time.perf_counter()
        for n, line in enumerate(script.scenes[0].lines):
            subprocess.run(tts.command(script.cast[line.speaker].voice, work / f"{n}.wav", _text(work, n, line.spoken)), check=True, capture_output=True)
        subprocess.run(["ffmpeg", "-v", "error", "-y", "-loop", "1", "-framerate", "25", "-t", f"{result.duration:.3f}", "-i", str(_still(work)),
                        "-f", "lavfi", "-t", f"{result.duration:.3f}", "-i", "sine=frequency=440:sample_rate=48000",
                        "-vf", "format=yuv420p", "-c:v", "libx264", "-profile:v", "high", "-preset", "veryfast", "-tune", "stillimage",
                        "-crf", "28", "-threads", "2", "-c:a", "aac", "-b:a", "64k", "-ac", "1", str(work / "bare.mp4")], check=True)
        bare = time.perf_counter() - started
    print(f"render {rendered:.2f} s, bare tools {bare:.2f} s, ratio {rendered / bare:.2f} (video {result.duration:.1f} s)")


def _text(work: Path, n: int, text: str) -> Path:
    path = work / f"{n}.txt"
    path.write_text(text + "\n", encoding="utf-8")
    return path


def _still(work: Path) -> Path:
    from PIL import Image

    path = work / "still.png"
    Image.new("RGB", (640, 360), (22, 38, 58)).save(path)
    return path


if __name__ == "__main__":
    main()
