"""Tiny scripts and a shared two-line render (320x180, 10 fps) for the rendering tests."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

TWO_LINES = """\
id: two-lines
title: {ja: "二行の確認", en: "Two lines"}
description: {ja: "試験用の短い台本です。"}
cast:
  職員:
    name: 山田
    role: 税務課 職員
    voice: {file: mei_normal, pitch: -5, speed: 1.0, alpha: 0.5}
  住民:
    name: 佐藤 キヨ
    role: 住民
    voice: {file: mei_normal, pitch: 2, speed: 0.9}
scenes:
  - setting: 税務課 収納窓口
    title: 窓口で
    lines:
      - {speaker: 職員, text: "こんにちは。ご用件をお聞かせください。", pause: 0.5}
      - {speaker: 住民, text: "督促状が届いたんです。", pause: 1.0}
"""

SMALL = {"RENDER_WIDTH": 320, "RENDER_HEIGHT": 180, "RENDER_FPS": 10}


def write_script(root: Path, text: str = TWO_LINES, script_id: str = "two-lines") -> Path:
    folder = root / "videos" / script_id
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "script.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    """One render of the two-line script, shared by the module's tests."""
    from app.rendering.render import render

    root = tmp_path_factory.mktemp("content")
    path = write_script(root)
    phases = []
    result = render(
        path, width=320, height=180, fps=10, progress=lambda f, p: phases.append((f, p))
    )
    result.phases = phases
    return result


@pytest.fixture
def small_render(app, tmp_path):
    """The app rendering into a temporary content root, at the tiny test size."""
    app.config.update(SMALL, CONTENT_ROOT=tmp_path)
    yield tmp_path
    shutil.rmtree(tmp_path / "videos", ignore_errors=True)
