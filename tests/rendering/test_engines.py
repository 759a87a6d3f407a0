"""The speech-engine registry: voices name their engine, lines reach it through one function,
and a missing engine is a clear message or, where the script allows it, a fallback."""

from __future__ import annotations

import subprocess
import wave
from pathlib import Path

import pytest

from app.rendering import engines, tools, tts
from app.rendering.render import ScriptInvalid, credit_lines, render
from app.rendering.script import Voice, parse
from tests.rendering.conftest import write_script

CAST = """\
id: engines
title: {{ja: "声の設定"}}
cast:
  職員:
    name: 山田
    voice: {first}
  住民:
    name: 佐藤
    voice:
      {second}
scenes:
  - setting: 窓口
    lines:
      - {{speaker: 職員, text: "110番ですね。", reading: "ひゃくとおばんですね。"}}
      - {{speaker: 住民, text: "はい。"}}
"""


def script_with(tmp_path: Path, first: str, second: str) -> Path:
    return write_script(tmp_path, CAST.format(first=first, second=second), "engines")


def problems_of(path: Path) -> list[str]:
    script, problems = parse(path, set(tools.installed_voices()))
    if script is not None:
        problems += engines.check(script, path)
    return [f"{p.line}: {p.severity}: {p.message}" for p in problems]


def _tone(text: str, voice: Voice, out: Path) -> tts.Speech:
    """A real (if plain) engine: a tone, a tenth of a second per character, made by ffmpeg."""
    seconds = 0.1 * len(text)
    subprocess.run(
        [
            "ffmpeg",
            "-v",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
            f"sine=frequency=440:duration={seconds}",
            "-ar",
            str(tts.SAMPLE_RATE),
            "-ac",
            "1",
            "-c:a",
            "pcm_s16le",
            str(out),
        ],
        check=True,
    )
    _tone.spoken.append(text)
    with wave.open(str(out)) as clip:
        return tts.Speech(out, clip.getnframes(), clip.getframerate())


def _absent() -> None:
    raise tools.ToolMissing("the absent engine is not installed (pip install absent)")


@pytest.fixture
def extra_engines():
    """Two engines registered through the registry, as a third engine would be: one that speaks, one absent."""
    _tone.spoken = []
    tone = engines.register(
        engines.Engine(
            "tone",
            "Tone",
            lambda: None,
            _tone,
            str,
            lambda voices: ["tone credit"],
            lambda: frozenset({"a4"}),
        )
    )
    absent = engines.register(
        engines.Engine(
            "absent",
            "Absent",
            _absent,
            _tone,
            str,
            lambda voices: ["absent credit"],
            lambda: frozenset({"x"}),
        )
    )
    yield tone, absent
    del engines.ENGINES["tone"], engines.ENGINES["absent"]


def test_open_jtalk_is_the_default_and_kokoro_is_registered():
    assert {"open_jtalk", "kokoro"} <= set(engines.ENGINES)
    assert Voice().engine == "open_jtalk"
    assert engines.engine_for(Voice()).name == "open_jtalk"


def test_voice_settings_are_parsed(tmp_path):
    path = script_with(
        tmp_path,
        "{engine: kokoro, name: jm_kumo, speed: 1.1, volume: -2}",
        "{file: mei_normal, pitch: 3}",
    )
    script, problems = parse(path)
    assert script is not None, problems
    voice = script.cast["職員"].voice
    assert (voice.engine, voice.name, voice.speed, voice.volume, voice.fallback) == (
        "kokoro",
        "jm_kumo",
        1.1,
        -2.0,
        "",
    )
    assert voice.line == 6
    assert script.cast["住民"].voice.engine == "open_jtalk"


@pytest.mark.parametrize(
    ("first", "message"),
    [
        ("{engine: espeak}", "6: error: cast `職員`: unknown speech engine 'espeak'"),
        (
            "{engine: 'two words'}",
            "6: error: cast `職員`, voice: `engine` must be a name such as kokoro, not 'two words'",
        ),
        ("{engine: kokoro}", "6: error: cast `職員`: a Kokoro voice needs a name"),
        (
            "{file: mei_normal, name: jm_kumo}",
            "6: error: cast `職員`: Open JTalk has no voice names",
        ),
        (
            "{engine: kokoro, name: jm_kumo, fallback: kokoro}",
            "6: error: cast `職員`: fallback 'kokoro' is not another speech engine",
        ),
        (
            "{file: mei_normal, pitch: 3}",
            "9: warning: cast `住民` speaks with the same voice as cast `職員`",
        ),
    ],
)
def test_voice_mistakes_are_reported_on_their_line(tmp_path, first, message):
    path = script_with(tmp_path, first, "{file: mei_normal, pitch: 3}")
    assert any(p.startswith(message) for p in problems_of(path)), problems_of(path)


def test_a_missing_engine_fails_with_a_clear_message(app, tmp_path, extra_engines):
    path = script_with(tmp_path, "{engine: absent, name: x}", "{file: mei_normal}")
    assert any(
        p.startswith(
            "6: warning: 登場人物 `職員`: Absent がインストールされていないため、動画を作成できません"
        )
        for p in problems_of(path)
    )
    with pytest.raises(tools.ToolMissing, match=r"pip install absent"):
        render(path, width=320, height=180, fps=10)
    assert not (path.parent / "source.mp4").exists()


def test_a_missing_engine_falls_back_when_the_script_says_so(app, tmp_path, extra_engines):
    path = script_with(tmp_path, "{engine: absent, name: x, fallback: tone}", "{file: mei_normal}")
    assert any(
        p.startswith(
            "6: warning: 登場人物 `職員`: Absent がインストールされていないため、代わりに tone で読み上げます"
        )
        for p in problems_of(path)
    )
    result = render(path, width=320, height=180, fps=10)
    assert result.status == "rendered"
    assert _tone.spoken == ["ひゃくとおばんですね。"]
    script, _problems = parse(path)
    assert "tone credit" in credit_lines(script) and "absent credit" not in credit_lines(script)


def test_every_line_reaches_its_engine_through_speak(app, tmp_path, extra_engines):
    path = script_with(tmp_path, "{engine: tone, name: a4}", "{engine: tone, name: a4, speed: 0.9}")
    result = render(path, width=320, height=180, fps=10)
    # The reading, not the caption, is what the voice is given; both lines by the same engine.
    assert _tone.spoken == [engines.prepare("ひゃくとおばんですね。"), engines.prepare("はい。")]
    assert [round(b - a, 2) for a, b in result.speech] == [1.1, 0.3]
    script, _problems = parse(path)
    assert credit_lines(script)[0] == "tone credit"
    assert not any("Open JTalk" in line for line in credit_lines(script))


def test_invalid_engine_settings_stop_the_render(app, tmp_path):
    path = script_with(tmp_path, "{engine: espeak}", "{file: mei_normal}")
    with pytest.raises(ScriptInvalid, match="'espeak' という読み上げエンジンはありません"):
        render(path, width=320, height=180, fps=10)


def test_open_jtalk_reading_comes_from_its_text_analysis():
    assert (
        engines.get("open_jtalk").reading("督促状が届いた。") == "トク’ソク ジョー ガ トドイ タ"
    )  # ’ marks the accent nucleus


def test_readings_command_prints_each_installed_engine(app):
    result = app.test_cli_runner().invoke(args=["videos", "readings", "督促状"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "督促状"
    open_jtalk = next(line for line in lines if line.startswith("  open_jtalk: "))
    assert open_jtalk.replace(" ", "") == "open_jtalk:トク’ソクジョー"
