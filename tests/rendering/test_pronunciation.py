"""The pronunciation dictionary: what the voice says changes, the captions do not."""

from __future__ import annotations

from pathlib import Path

from app.rendering import frontend, pronunciation, tts
from app.rendering.pronunciation import Dictionary, sound
from app.rendering.render import render
from app.rendering.script import Voice
from tests.rendering.conftest import TWO_LINES, write_script
from tests.rendering.test_render import parse_vtt

ROOT = Path(__file__).resolve().parents[2]


def shipped() -> Dictionary:
    dictionary, problems = pronunciation.load(ROOT / "videos" / "pronunciation.yaml")
    assert dictionary is not None, [str(p) for p in problems]
    return dictionary


def test_the_shipped_dictionary_fixes_what_open_jtalk_misreads():
    engine = frontend.open_jtalk()
    dictionary = shipped()
    active = dictionary.for_engine(engine)
    assert engine.g2p("8050問題") == "ハッセンゴジューモンダイ"  # why the entry exists
    assert active.apply("8050問題") == "ハチマルゴーマル問題"
    assert engine.g2p(active.apply("8050問題")) == "ハチマルゴーマルモンダイ"
    assert engine.g2p(active.apply("芦原の窓口")) == "アワラノマドグチ"
    assert engine.g2p(active.apply("そんな金、今すぐには")).startswith("ソンナカネ、")
    # Every programme term is listed, and each is read as listed once the dictionary is applied.
    for term in (
        "重層的支援体制整備事業",
        "福祉まるごと相談室",
        "ヤングケアラー",
        "国保税",
        "給水停止",
        "支援会議",
        "支援調整会議",
        "金津",
        "分納",
        "督促状",
        "110番",
        "119番",
        "滞納",
        "地方税法",
        "社会福祉協議会",
        "地域包括支援センター",
        "自立相談支援機関",
    ):
        assert term in dictionary.readings, term
        assert sound(engine.g2p(active.apply(term))) == sound(dictionary.readings[term]), term
    # Terms the engine already reads right keep its own accent: they are not replaced.
    assert "福祉まるごと相談室" not in active.readings and "110番" not in active.readings
    assert {"8050", "芦原", "そんな金"} <= set(active.readings)


def test_longest_term_first_and_numbers_only_whole():
    dictionary = Dictionary({"金": "キン", "そんな金": "ソンナカネ", "8050": "ハチマルゴーマル"})
    assert dictionary.apply("そんな金と金") == "ソンナカネとキン"
    assert (
        dictionary.apply("8050と８０５０、18050と80500")
        == "ハチマルゴーマルとハチマルゴーマル、18050と80500"
    )
    assert dictionary.spans("福祉の8050問題") == [(3, 7)]
    assert (
        dictionary.spoken("8050", reading="はちまるごーまる") == "はちまるごーまる"
    )  # reading: wins


def test_readings_compare_by_sound():
    assert sound("コクホゼイ") == sound("コクホゼー")
    assert sound("ヒャクトオバン") == sound("ヒャクトーバン")
    assert sound("ケイエイ") == "ケーエー"
    assert sound("ハチマルゴーマル") != sound("ハッセンゴジュー")


def test_a_broken_dictionary_is_reported_line_by_line(app, tmp_path):
    write_script(tmp_path)
    (tmp_path / "videos" / "pronunciation.yaml").write_text(
        '# comment\n"8050": ハチマルゴーマル\n8051: ハチマルゴーイチ\n芦原: あわら\n空:\n',
        encoding="utf-8",
    )
    result = app.test_cli_runner().invoke(args=["content", "check", "--root", str(tmp_path)])
    assert result.exit_code == 1, result.output
    path = tmp_path / "videos" / "pronunciation.yaml"
    lines = {line.split(": error")[0] for line in result.output.splitlines() if ": error" in line}
    assert lines == {f"{path}:3", f"{path}:4", f"{path}:5"}, result.output
    assert "8051" in result.output and "あわら" in result.output


def test_render_speaks_the_reading_and_captions_the_text(tmp_path):
    path = write_script(
        tmp_path, TWO_LINES.replace("督促状が届いたんです。", "8050問題のことで来ました。")
    )
    (tmp_path / "videos" / "pronunciation.yaml").write_text(
        '"8050": ハチマルゴーマル\n', encoding="utf-8"
    )
    result = render(path, width=320, height=180, fps=10)
    assert result.spoken[1] == "ハチマルゴーマル問題のことで来ました。"
    cues = parse_vtt((path.parent / "captions.ja.vtt").read_text(encoding="utf-8"))
    assert cues[-1][2] == "<v 佐藤 キヨ>8050問題のことで来ました。"
    # The audio is the dictionary's reading: its measured length is that of the reading, not
    # of the text as Open JTalk would read it on its own.
    voice = Voice(file="mei_normal", pitch=2, speed=0.9)
    with_reading = tts.synthesise(
        "ハチマルゴーマル問題のことで来ました。", voice, tmp_path / "a.wav"
    ).seconds
    without = tts.synthesise("8050問題のことで来ました。", voice, tmp_path / "b.wav").seconds
    start, end = result.speech[1]
    assert abs((end - start) - with_reading) < 0.001 and abs(with_reading - without) > 0.05


def test_readings_command_shows_terms_texts_and_script_lines(app):
    app.config["CONTENT_ROOT"] = ROOT
    runner = app.test_cli_runner()
    terms = runner.invoke(args=["videos", "readings"])
    assert terms.exit_code == 0, terms.output
    rows = {line.split("\t")[0]: line for line in terms.output.splitlines()}
    assert rows["8050"].split("\t")[1] == "ハチマルゴーマル" and "ハッセンゴジュー" in rows["8050"]
    assert rows["芦原"].split("\t")[1] == "アワラ"
    assert rows["福祉まるごと相談室"].split("\t")[1] == "フクシマルゴトソーダンシツ"

    text = runner.invoke(args=["videos", "readings", "芦原の8050問題"])
    assert text.exit_code == 0 and "アワラノハチマルゴーマルモンダイ" in text.output

    script = runner.invoke(args=["videos", "readings", "--script", "water-desk-roleplay"])
    assert script.exit_code == 0, script.output
    lines = script.output.splitlines()
    at = next(i for i, line in enumerate(lines) if line.endswith("そんな金、今すぐには……。"))
    assert lines[at].startswith(f"{ROOT / 'videos' / 'water-desk-roleplay' / 'script.yaml'}:")
    assert "ソンナカネ" in lines[at + 1]
    # 110番 is read as people say it (the script no longer forces a reading of its own).
    assert any("ヒャクトーバン" in line for line in lines)

    missing = runner.invoke(args=["videos", "readings", "--script", "no-such-script"])
    assert missing.exit_code != 0 and "no-such-script" in missing.output
