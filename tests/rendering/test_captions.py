"""Caption layout and reading speed: two lines of twenty, broken between phrases, readable."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.rendering import captions, frontend, pronunciation
from app.rendering.cards import NO_END, NO_START
from app.rendering.render import render
from app.rendering.script import parse
from tests.rendering.conftest import TWO_LINES, write_script
from tests.rendering.test_render import parse_vtt

ROOT = Path(__file__).resolve().parents[2]
STARTERS = ["tax-desk-roleplay", "water-desk-roleplay", "after-referral"]


def shipped_lines() -> list[str]:
    texts = []
    for video_id in STARTERS:
        script, _problems = parse(ROOT / "videos" / video_id / "script.yaml")
        texts += [u.caption for scene in script.scenes for u in script.utterances(scene)]
    return texts


ENGINE = frontend.open_jtalk()
DICTIONARY, _ = pronunciation.load(ROOT / "videos" / "pronunciation.yaml")
SENTENCES = shipped_lines() + [
    "本人の同意あり、電話での連絡を希望されています。",
    "8050問題の世帯から、令和6年度の国保税10,000円を分納したいと相談があり、芦原の公民館で会うことにしました。",
    "福祉まるごと相談室と地域包括支援センターと社会福祉協議会が、重層的支援体制整備事業の支援会議で話し合います。",
]


def assert_well_formed(text: str) -> list[tuple[str, ...]]:
    words = ENGINE.words(text)
    keep = DICTIONARY.spans(text)
    cues = captions.layout(text, words, keep)
    assert "".join("".join(lines) for lines in cues) == text
    word_starts = {w.start for w in words}
    position = 0
    for lines in cues:
        assert 1 <= len(lines) <= captions.MAX_LINES, cues
        for line in lines:
            assert captions.width(line) <= captions.LINE_WIDTH, (line, cues)
            if position:
                # A break falls between words, never inside a word, number or dictionary term,
                # and no line starts with 。、」ー or a small kana, nor ends with 「.
                assert position in word_starts, (text[position:], cues)
                assert not any(a < position < b for a, b in keep), (text[position:], cues)
                assert line[0] not in NO_START and text[position - 1] not in NO_END, cues
            position += len(line)
    return cues


@pytest.mark.parametrize("text", SENTENCES)
def test_every_shipped_line_is_laid_out_by_the_rules(text):
    assert_well_formed(text)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(SENTENCES), min_size=1, max_size=3))
def test_layout_rules_hold_for_any_run_of_real_sentences(parts):
    assert_well_formed("".join(parts))


def test_names_verbs_and_numbers_stay_whole():
    for text, whole in [
        (
            "市役所には、福祉まるごと相談室があります。介護やひきこもりのことなど、いくつもの困りごとを、まとめて相談できます。",
            "福祉まるごと相談室",
        ),
        (
            "税務課から一件、届いています。本人の同意あり、電話での連絡を希望されています。",
            "希望されています。",
        ),
        (
            "この世帯は、いわゆる8050問題で、息子さんは五十代、お母さんは八十代です。",
            "8050問題で、",
        ),
        ("滞納額は合計で1,234,567円になり、分納の誓約書をいただきました。", "1,234,567円"),
    ]:
        lines = [line for cue in assert_well_formed(text) for line in cue]
        assert any(whole in line for line in lines), lines


def test_phrases_break_before_content_words_only():
    text = "本人の同意あり、電話での連絡を希望されています。"
    assert captions.phrases(text, ENGINE.words(text)) == [
        "本人の",
        "同意",
        "あり、",
        "電話での",
        "連絡を",
        "希望されています。",
    ]
    text = "検針の記録では、ここ三か月、お水の使用量がずいぶん減っているようです。"
    assert captions.phrases(text, ENGINE.words(text)) == [
        "検針の",
        "記録では、",
        "ここ三か月、",
        "お水の",
        "使用量が",
        "ずいぶん",
        "減っているようです。",
    ]


def test_a_long_line_is_split_into_cues_at_sentence_ends():
    text = "同じ住民、同じ相談に、二人の職員が対応します。違いは、職員が気づいたかどうかです。"
    cues = assert_well_formed(text)
    assert cues == [
        ("同じ住民、同じ相談に、", "二人の職員が対応します。"),
        ("違いは、職員が気づいたかどうかです。",),
    ]


def test_reading_length_ignores_punctuation_and_spaces():
    assert captions.counted("「はい、 わかりました。」……") == 8


def test_timing_shares_the_speech_and_extends_into_the_pause():
    text = "同じ住民、同じ相談に、二人の職員が対応します。違いは、職員が気づいたかどうかです。"
    cues = captions.line_cues(text, ENGINE.words(text), [], 10.0, 6.0, 8.0)
    assert [c.lines for c in cues] == assert_well_formed(text)
    assert cues[0].start == 10.0 and cues[-1].end <= 18.0
    assert (
        cues[0].end == cues[1].start and cues[1].start >= 10.0 + 6.0 * 0.45
    )  # when its words start
    assert all(c.cps <= captions.MAX_CPS for c in cues)
    assert cues[-1].end > 16.0  # past the speech, into the pause, to be readable
    # Time to spare is not used up: a short line ends when it reads at the target speed.
    short = captions.line_cues("はい。", ENGINE.words("はい。"), [], 0.0, 0.8, 5.0)
    assert short[0].end == pytest.approx(0.8)


def test_rendered_captions_follow_the_rules(tmp_path):
    long_line = "検針の記録では、ここ三か月、お水の使用量がずいぶん減っているようです。お変わりはありませんか。"
    path = write_script(
        tmp_path,
        TWO_LINES.replace("督促状が届いたんです。", long_line).replace("pause: 1.0", "pause: 2.0"),
    )
    result = render(path, width=320, height=180, fps=10)
    cues = parse_vtt((path.parent / "captions.ja.vtt").read_text(encoding="utf-8"))
    assert len(cues) == 3  # the long line became two cues
    spoken_start, spoken_end = result.speech[1]
    assert cues[1][0] == pytest.approx(spoken_start, abs=0.002) and cues[1][1] == cues[2][0]
    assert spoken_end - 0.002 <= cues[2][1] <= spoken_end + 2.0
    for start, end, text in cues:
        body = text.split(">", 1)[1].split("\n")
        assert len(body) <= 2 and all(captions.width(line) <= 20 for line in body)
        assert captions.counted("".join(body)) / (end - start) <= captions.MAX_CPS
    assert (
        "".join(cues[1][2].split(">", 1)[1].split("\n"))
        + "".join(cues[2][2].split(">", 1)[1].split("\n"))
        == long_line
    )


FAST = TWO_LINES.replace("speed: 0.9}", "speed: 2.0}").replace(
    '"督促状が届いたんです。", pause: 1.0}',
    '"督促状が届いたんですけど、年金だけではどうしても払えなくて、息子の分もかかるもんで、毎月少しずつなら払えるかと思って来ました。", pause: 0.0}',
)


def test_content_check_reports_unreadable_captions_at_the_script_line(app, tmp_path):
    write_script(tmp_path, FAST)
    path = tmp_path / "videos" / "two-lines" / "script.yaml"
    result = app.test_cli_runner().invoke(args=["content", "check", "--root", str(tmp_path)])
    assert result.exit_code == 1, result.output
    errors = [line for line in result.output.splitlines() if ": error" in line]
    # Reported in the app's language (Japanese by default): 字幕 = caption.
    assert errors and all(line.startswith(f"{path}:18: error: 字幕：毎秒") for line in errors), (
        result.output
    )
    assert "caption:" in errors[0].split(" — ")[1]

    # A condensed caption: is the fix.
    write_script(
        tmp_path,
        FAST.replace(
            ", pause: 0.0}", ', caption: "年金だけでは払えず、分納の相談に。", pause: 0.0}'
        ),
    )
    fixed = app.test_cli_runner().invoke(args=["content", "check", "--root", str(tmp_path)])
    assert fixed.exit_code == 0, fixed.output
    assert f"{path}:18:" not in fixed.output


def test_plain_vtt_files_are_warned_about_at_their_line(app, tmp_path):
    folder = tmp_path / "videos" / "made-elsewhere"
    folder.mkdir(parents=True)
    shutil.copyfile(ROOT / "videos" / "tax-desk-roleplay" / "source.mp4", folder / "source.mp4")
    (folder / "video.yaml").write_text('title: {ja: "よそで作った動画"}\n', encoding="utf-8")
    (folder / "captions.ja.vtt").write_text(
        "WEBVTT\n\n"
        "1\n00:00:01.000 --> 00:00:04.000\nこんにちは。\n\n"
        "2\n00:00:04.000 --> 00:00:06.000\n<v 山田>上下水道課の料金窓口に、給水停止予告通知を\n持った男性が来られました。\n\n"
        "3\n00:00:06.000 --> 00:00:07.000\n一行目\n二行目\n三行目\n",
        encoding="utf-8",
    )
    result = app.test_cli_runner().invoke(args=["content", "check", "--root", str(tmp_path)])
    assert result.exit_code == 0, result.output
    vtt = folder / "captions.ja.vtt"
    warnings = [line for line in result.output.splitlines() if line.startswith(str(vtt))]
    assert any(line.startswith(f"{vtt}:8: warning: 字幕：毎秒 16.0 字") for line in warnings), (
        warnings
    )
    assert any(
        line.startswith(f"{vtt}:8: warning: 字幕：字幕の1行が 21 字") for line in warnings
    ), warnings
    assert any(line.startswith(f"{vtt}:13: warning: 字幕：3 行の字幕") for line in warnings), (
        warnings
    )
    assert not any(line.startswith(f"{vtt}:4:") for line in warnings)
    assert any(
        line.startswith(f"{vtt}: warning: 字幕：読む速さの中央値が毎秒 9.0 字") for line in warnings
    ), warnings


def test_shipped_content_passes_the_caption_check(app):
    result = app.test_cli_runner().invoke(args=["content", "check", "--root", str(ROOT)])
    assert result.exit_code == 0, result.output
