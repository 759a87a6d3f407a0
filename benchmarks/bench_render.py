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
    import contextlib
    import types

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
        work = Path(tmp) / "work"
        work.mkdir()

        @contextlib.contextmanager
        def kept_directory(prefix=""):
            yield str(work)  # keep the renderer's stills, audio and concat list for the baseline

        renderer.tempfile = types.SimpleNamespace(
            TemporaryDirectory=kept_directory, TemporaryFile=tempfile.TemporaryFile
        )
        started = time.perf_counter()
        result = renderer.render(folder / "script.yaml", width=640, height=360, fps=25, force=True)
        rendered = time.perf_counter() - started
        renderer.tempfile = tempfile

        # The bare tools on the same inputs: the same speech, then the same encode command.
        concat = work / "cards.ffconcat"
        frames = round(
            sum(
                float(line.split()[1])
                for line in concat.read_text().splitlines()
                if line.startswith("duration")
            )
            * 25
        )
        started = time.perf_counter()
        for n, line in enumerate(script.scenes[0].lines):
            text = work / f"bare{n}.txt"
            text.write_text(line.spoken + "\n", encoding="utf-8")
            subprocess.run(
                tts.command(script.cast[line.speaker].voice, work / f"bare{n}.wav", text),
                check=True,
                capture_output=True,
            )
        command = renderer.encode_command(
            concat, work / "audio.wav", work / "bare.mp4", 25, frames, result.duration
        )
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
        bare = time.perf_counter() - started
    print(
        f"render {rendered:.2f} s, bare tools {bare:.2f} s, ratio {rendered / bare:.2f} (video {result.duration:.1f} s)"
    )


if __name__ == "__main__":
    main()
