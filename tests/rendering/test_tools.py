"""A missing program, dictionary, voice or font is a clear message naming the package."""

from __future__ import annotations

import os
import shutil

import pytest

from app.rendering import tools
from app.rendering.render import render
from tests.rendering.conftest import write_script


def _bin_with(tmp_path, *programs):
    folder = tmp_path / "bin"
    folder.mkdir()
    for name in programs:
        os.symlink(shutil.which(name), folder / name)
    return str(folder)


def test_no_open_jtalk_names_the_debian_package(app, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", _bin_with(tmp_path, "ffmpeg", "ffprobe"))
    with pytest.raises(tools.ToolMissing) as caught:
        render(write_script(tmp_path), width=320, height=180, fps=10)
    assert "apt-get install open-jtalk" in str(caught.value)


def test_no_ffmpeg_names_the_debian_package(app, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", _bin_with(tmp_path, "open_jtalk"))
    with pytest.raises(tools.ToolMissing, match="ffmpeg"):
        render(write_script(tmp_path), width=320, height=180, fps=10)
    assert not (tmp_path / "videos" / "two-lines" / "source.mp4").exists()


def test_no_dictionary_no_font_no_voice(app, tmp_path, monkeypatch):
    path = write_script(tmp_path)
    app.config["RENDER_JTALK_DICT"] = str(tmp_path / "nowhere")
    with pytest.raises(tools.ToolMissing, match="open-jtalk-mecab-naist-jdic"):
        render(path, width=320, height=180, fps=10)
    del app.config["RENDER_JTALK_DICT"]

    app.config["RENDER_FONT_BOLD"] = str(tmp_path / "NoSuchFont.ttc")
    with pytest.raises(tools.ToolMissing, match="fonts-noto-cjk"):
        render(path, width=320, height=180, fps=10)
    del app.config["RENDER_FONT_BOLD"]

    monkeypatch.setattr(tools, "voice_dirs", lambda: [tmp_path / "no-voices"])
    with pytest.raises(tools.ToolMissing, match="pyopenjtalk-plus"):
        tools.voice("mei_normal")


def test_the_voice_is_found_offline_in_the_installed_wheel():
    voices = tools.installed_voices()
    assert "mei_normal" in voices
    assert voices["mei_normal"].stat().st_size > 100_000
    assert (voices["mei_normal"].parent / "LICENSE_mei_normal.htsvoice").read_text().count(
        "Creative Commons Attribution 3.0"
    ) == 1


def test_cli_reports_a_missing_tool_without_a_traceback(app, tmp_path, monkeypatch):
    path = write_script(tmp_path)
    monkeypatch.setenv("PATH", _bin_with(tmp_path, "ffmpeg", "ffprobe"))
    result = app.test_cli_runner().invoke(args=["videos", "render", str(path)])
    assert result.exit_code == 1
    assert "open-jtalk" in result.output and "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
