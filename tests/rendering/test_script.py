"""The script validator (file:line messages), Japanese line breaking and glyph coverage."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.content import registry
from app.rendering import cards, tools
from app.rendering.pronunciation import Dictionary
from app.rendering.script import parse
from tests.rendering.conftest import TWO_LINES, write_script

ROOT = Path(__file__).resolve().parents[2]

BROKEN = """\
id: broken
title: {en: "No Japanese title"}
cast:
  職員:
    name: 山田
    voice: {file: mei_normal, pitch: 40, speed: fast}
scenes:
  - setting: 税務課 収納窓口
    lines:
      - {speaker: 職員, text: "こんにちは。"}
      - {speaker: 課長, text: "どうしましたか。"}
      - {speaker: 職員, text: "   "}
      - {speaker: 職員, text: "お待ちください。", pause: long}
      - {speaker: 職員, text: {en: "English only"}}
      - {speaker: 職員, text: "はい。", colour: red}
"""


def messages(problems):
    return {(p.line, p.message) for p in problems if p.severity == "error"}


def test_a_good_script_has_no_errors(tmp_path):
    script, problems = parse(write_script(tmp_path), {"mei_normal"})
    assert [p for p in problems if p.severity == "error"] == []
    assert list(script.cast) == ["職員", "住民"]
    assert [line.speaker for line in script.scenes[0].lines] == ["職員", "住民"]
    assert script.scenes[0].lines[1].pause == 1.0


def test_broken_script_is_reported_line_by_line(tmp_path):
    script, problems = parse(write_script(tmp_path, BROKEN, "broken"), {"mei_normal"})
    assert script is None
    found = messages(problems)
    assert found == {
        (2, "the script: `title`: the Japanese text (`ja`) is missing or empty"),
        (6, "cast `職員`, voice: `pitch` must be at most 24"),
        (6, "cast `職員`, voice: `speed` must be a number, not 'fast'"),
        (11, "scene 1, line 2: `speaker` names cast member `課長`, which does not exist"),
        (12, "scene 1, line 3: `text` is empty"),
        (13, "scene 1, line 4: `pause` must be a number, not 'long'"),
        (14, "scene 1, line 5: `text`: the Japanese text (`ja`) is missing or empty"),
        (15, "scene 1, line 6: unknown key `colour`"),
    }


def test_broken_script_messages_in_japanese(app, tmp_path):
    from flask_babel import force_locale

    path = write_script(tmp_path, BROKEN, "broken")
    with app.app_context(), force_locale("ja"):
        problems = parse(path, {"mei_normal"})[1]
    assert [str(p) for p in problems if p.line == 11] == [
        f"{path}:11: error: 場面 1 のせりふ 2 の `speaker`: 登場人物 `課長` がありません"
        " — 次のいずれかにしてください: 職員。"
    ]
    assert (6, "登場人物 `職員` の voice の `pitch` は 24 以下にしてください") in messages(problems)


def test_id_must_match_the_folder_and_voices_must_exist(tmp_path):
    path = write_script(
        tmp_path,
        TWO_LINES.replace("file: mei_normal, pitch: 2", "file: takumi_normal, pitch: 2"),
        "other-name",
    )
    _script, problems = parse(path, {"mei_normal"})
    found = messages(problems)
    assert (1, "id 'two-lines' differs from the folder name 'other-name'") in found
    assert (12, "cast `住民`: voice 'takumi_normal' is not installed") in found


def test_yaml_syntax_errors_have_a_line(tmp_path):
    _script, problems = parse(
        write_script(tmp_path, TWO_LINES + "  - {speaker: 職員, text: [unclosed\n"), set()
    )
    assert (
        problems[0].line is not None
        and problems[0].line >= 20
        and problems[0].message.startswith("YAML: ")
    )


def test_content_check_command_reports_file_and_line(app, tmp_path):
    write_script(tmp_path, BROKEN, "broken")
    write_script(tmp_path)
    result = app.test_cli_runner().invoke(args=["content", "check", "--root", str(tmp_path)])
    assert result.exit_code == 1
    assert (
        f"{tmp_path / 'videos' / 'broken' / 'script.yaml'}:11: error: 場面 1 のせりふ 2 の `speaker`: 登場人物 `課長` がありません"
        in result.output
    )
    assert "two-lines/script.yaml: warning: 動画はまだ生成されていません" in result.output
    assert "video-scripts 2" in result.output


def test_missing_glyph_is_a_validation_error_with_its_line(app, tmp_path):
    path = write_script(
        tmp_path, TWO_LINES.replace("督促状が届いたんです。", "督促状が届いたんです🙂")
    )
    problems = registry.kind("video-scripts").check([path], tmp_path)
    errors = [p for p in problems if p.severity == "error"]
    assert len(errors) == 1 and errors[0].line == 18 and "U+1F642" in errors[0].message
    assert "の字形がありません" in errors[0].message and "空の四角" in errors[0].hint


def test_every_shipped_script_is_valid_and_drawable(app):
    paths = registry.kind("video-scripts").find(ROOT)
    assert {p.parent.name for p in paths} >= {
        "tax-desk-roleplay",
        "water-desk-roleplay",
        "after-referral",
    }
    problems = registry.kind("video-scripts").check(paths, ROOT)
    assert [str(p) for p in problems if p.severity == "error"] == []
    for path in paths:
        script, _ = parse(path)
        for text in script.texts():
            assert cards.missing_glyphs(text) == [], text


def test_cards_refuse_characters_the_font_lacks(app, tmp_path):
    assert cards.missing_glyphs("税務課の窓口「ここがポイント」") == []
    assert cards.missing_glyphs("窓口🙂で🙂") == ["🙂"]
    painter = cards.CardPainter(320, 180)
    with pytest.raises(cards.GlyphMissing, match=re.escape("🙂 (U+1F642)")):
        painter.line(tmp_path / "card.png", "税務課", "山田", "職員", "blue", "こんにちは🙂")
    assert not (tmp_path / "card.png").exists()
    painter.line(tmp_path / "card.png", "税務課", "山田", "職員", "blue", "こんにちは")
    assert (tmp_path / "card.png").stat().st_size > 0
    assert tools.font().name.startswith("NotoSansCJK")


JAPANESE = st.text(
    alphabet="あいうえおかきくけこ税務課窓口。、」）！？ーっゃ「（ab1 ", min_size=0, max_size=60
)


@given(JAPANESE, st.integers(min_value=3, max_value=12))
def test_line_breaking_follows_kinsoku(text, width):
    lines = cards.wrap(text, len, width)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")
    for n, line in enumerate(lines):
        if n > 0:
            assert line[0] not in cards.NO_START, lines
        if n < len(lines) - 1:
            assert line[-1] not in cards.NO_END, lines
        # Only hanging punctuation (or one long Latin word) may pass the width.
        core = line.rstrip("".join(cards.NO_START)).lstrip("".join(cards.NO_END))
        assert len(core) <= width or re.fullmatch(r"[A-Za-z0-9'.,%-]+", core), lines


def test_line_breaking_examples():
    assert cards.wrap("分納の手続きだけで、終わらせない。", len, 8) == [
        "分納の手続きだけ",
        "で、終わらせない。",
    ]
    assert cards.wrap("窓口で「ここがポイント」です", len, 4) == [
        "窓口で",
        "「ここが",
        "ポイント」",
        "です",
    ]
    assert cards.wrap("税務課の窓口では「分納の手続きだけ」で終わりがちです。", len, 8) == [
        "税務課の窓口では",
        "「分納の手続きだ",
        "け」で終わりがち",
        "です。",
    ]


def test_reading_overrides_what_the_voice_says(tmp_path):
    text = (
        TWO_LINES.replace("cast:\n", "narrator: 職員\ncast:\n", 1).replace(
            '"督促状が届いたんです。", pause: 1.0}',
            '"すぐに119番へ。", reading: "すぐに、いちいちきゅう番へ。", pause: 1.0}',
        )
        + "    key_points:\n      - {text: 119番, reading: いちいちきゅう番}\n      - 手続きだけで終わらせない\n"
    )
    script, problems = parse(write_script(tmp_path, text), {"mei_normal"})
    assert [p for p in problems if p.severity == "error"] == []
    line = script.scenes[0].lines[1]
    assert (line.text, line.caption, line.spoken) == (
        "すぐに119番へ。",
        "すぐに119番へ。",
        "すぐに、いちいちきゅう番へ。",
    )
    assert script.scenes[0].key_points == ("119番", "手続きだけで終わらせない")
    assert script.scenes[0].key_point_readings == ("いちいちきゅう番", "")
    # The line's own reading wins over the pronunciation dictionary; other lines use the dictionary.
    dictionary = Dictionary({"119番": "ヒャクジュウキュウバン", "手続き": "テツヅキ"})
    said = {
        u.text: dictionary.spoken(u.text, u.reading) for u in script.utterances(script.scenes[0])
    }
    assert said["すぐに119番へ。"] == "すぐに、いちいちきゅう番へ。"
    assert said["119番"] == "いちいちきゅう番"
    assert said["手続きだけで終わらせない"] == "テツヅキだけで終わらせない"
