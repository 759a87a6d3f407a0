"""The "videos" content kind (content check / sync) and the demo loader."""

from pathlib import Path

from sqlalchemy import func, select

from app.content import registry
from app.content.cli import content_cli
from app.videos.cli import demo_loader
from app.videos.content import load_spec
from app.videos.models import Video
from tests.videos.conftest import make_video_folder


def problems_for(folder: Path) -> list[str]:
    return [
        f"{p.line}: {p.message}"
        for p in load_spec(folder / "video.yaml")[1]
        if p.severity == "error"
    ]


def test_messages_follow_the_language(app, clips):
    from flask_babel import force_locale

    folder = make_video_folder(
        Path(app.config["CONTENT_ROOT"]),
        "no-title",
        clips["normal"],
        yaml_text='title: {en: "x"}\n',
    )
    with app.test_request_context(), force_locale("en"):
        assert (
            "1: the video: `title`: the Japanese text (`ja`) is missing or empty"
            in problems_for(folder)
        )


def test_the_kind_is_registered(app):
    assert registry.kind("videos").name == "videos"


def test_a_good_folder_has_no_problems(app, clips):
    folder = make_video_folder(
        Path(app.config["CONTENT_ROOT"]), "tax-desk-roleplay", clips["normal"]
    )
    spec, problems = load_spec(folder / "video.yaml")
    assert problems == [] and spec.slug == "tax-desk-roleplay"
    assert set(spec.captions) == {"ja", "en"} and spec.completion_threshold == 0.8
    assert [c["at"] for c in spec.chapters] == [0.0, 1.0]


def test_renderer_layout_without_captions_key_is_found_by_convention(app, clips):
    root = Path(app.config["CONTENT_ROOT"])
    folder = make_video_folder(
        root, "after-referral", clips["normal"], yaml_text='title: {ja: "つないだ後"}\n'
    )
    spec, problems = load_spec(folder / "video.yaml")
    assert problems == []
    assert spec.source.name == "source.mp4" and spec.captions["ja"].name == "captions.ja.vtt"


def test_a_single_captions_file_is_the_japanese_one(app, clips):
    folder = make_video_folder(
        Path(app.config["CONTENT_ROOT"]),
        "after-referral",
        clips["normal"],
        yaml_text="title: つないだ後\ncaptions: captions.ja.vtt\n",
    )
    spec, problems = load_spec(folder / "video.yaml")
    assert (
        problems == []
        and spec.title_ja == "つないだ後"
        and spec.captions["ja"].name == "captions.ja.vtt"
    )


def test_missing_media_captions_and_japanese_title_are_reported_with_lines(app, clips):
    root = Path(app.config["CONTENT_ROOT"])
    folder = make_video_folder(
        root,
        "broken",
        clips["normal"],
        captions=False,
        yaml_text=(
            "id: broken\n"
            'title: {en: "English only"}\n'
            "source: missing.mp4\n"
            "captions:\n  ja: captions.ja.vtt\n"
            "completion_threshold: 2\n"
        ),
    )
    found = problems_for(folder)
    assert "2: 動画 の `title`: 日本語の文（`ja`）がないか、空です" in found
    assert "3: 動画ファイル 'missing.mp4' がありません" in found
    assert "5: captions.ja: ファイル 'captions.ja.vtt' がありません" in found
    assert "6: 動画 の `completion_threshold` は 1 以下にしてください" in found


def test_captions_that_do_not_parse_point_at_the_caption_file(app, clips):
    folder = make_video_folder(Path(app.config["CONTENT_ROOT"]), "bad-captions", clips["normal"])
    (folder / "captions.ja.vtt").write_text(
        "WEBVTT\n\n00:00:01.000 -> oops\n字幕\n", encoding="utf-8"
    )
    problems = load_spec(folder / "video.yaml")[1]
    assert any(
        p.path.name == "captions.ja.vtt"
        and p.line == 3
        and p.message.startswith("字幕を読み取れません: ")
        for p in problems
    )


def test_missing_japanese_captions_and_bad_yaml(app, clips):
    root = Path(app.config["CONTENT_ROOT"])
    folder = make_video_folder(
        root, "no-ja", clips["normal"], captions=False, yaml_text='title: {ja: "題"}\n'
    )
    assert any("日本語字幕が必要です" in p for p in problems_for(folder))
    folder = make_video_folder(root, "bad-yaml", clips["normal"], yaml_text="title: [unclosed\n")
    assert any(p.startswith("2: YAML の書き方の誤り: ") for p in problems_for(folder))


def test_content_check_and_sync_commands(app, db, clips):
    root = Path(app.config["CONTENT_ROOT"])
    make_video_folder(root, "tax-desk-roleplay", clips["normal"])
    runner = app.test_cli_runner()
    result = runner.invoke(content_cli, ["check", "--root", str(root)])
    assert result.exit_code == 0, result.output
    result = runner.invoke(content_cli, ["sync", "--root", str(root)])
    assert result.exit_code == 0, result.output
    assert "videos：新規 1" in result.output
    assert db.session.scalar(select(Video.version).where(Video.slug == "tax-desk-roleplay")) == 1
    result = runner.invoke(content_cli, ["sync", "--root", str(root)])
    assert (
        "videos：新規 0、更新 0、変更なし 1" in result.output
    )  # nothing new: identical sources are skipped
    (root / "videos" / "tax-desk-roleplay" / "captions.ja.vtt").unlink()
    result = runner.invoke(content_cli, ["check", "--root", str(root)])
    assert result.exit_code == 1 and "captions.ja" in result.output


def test_demo_loader_with_no_folders_and_without_ffmpeg(app, db, clips):
    assert "動画フォルダはまだありません" in demo_loader()
    make_video_folder(Path(app.config["CONTENT_ROOT"]), "tax-desk-roleplay", clips["normal"])
    app.config["FFMPEG_BIN"] = "/nonexistent/ffmpeg"
    message = demo_loader()
    assert "ffmpeg がインストールされていない" in message
    assert db.session.scalar(select(func.count()).select_from(Video)) == 0


def test_demo_loader_ingests_every_folder_once(app, db, clips):
    root = Path(app.config["CONTENT_ROOT"])
    make_video_folder(root, "tax-desk-roleplay", clips["normal"])
    make_video_folder(
        root, "broken", clips["normal"], captions=False, yaml_text='title: {ja: "題"}\n'
    )
    assert demo_loader() == "研修動画: 新規 1 件、更新 0 件、変更なし 0 件、失敗 1 件。"
    assert demo_loader() == "研修動画: 新規 0 件、更新 0 件、変更なし 1 件、失敗 1 件。"


def test_a_video_still_converting_says_so_instead_of_404(app, db, client):
    from app.videos.models import Video
    from tests.factories import login, make_employee

    db.session.add(Video(slug="still-converting", title_ja="変換中の動画"))
    db.session.commit()
    login(client, make_employee())
    response = client.get("/videos/still-converting")
    assert response.status_code == 503
    assert "視聴の準備中" in response.get_data(as_text=True)
    assert client.get("/videos/no-such-video").status_code == 404


def test_a_broken_chapter_is_reported_at_its_line_in_japanese_and_english(app, clips):
    from flask_babel import force_locale

    folder = make_video_folder(
        Path(app.config["CONTENT_ROOT"]),
        "chapters",
        clips["normal"],
        yaml_text=(
            'title: {ja: "章"}\n'
            "chapters:\n"
            '  - {at: "0:00", title: {ja: "はじめ"}}\n'
            '  - {at: "soon", title: {ja: "つぎ"}}\n'
            "captoins: {ja: captions.ja.vtt}\n"
        ),
    )
    path = folder / "video.yaml"
    expected = {
        "en": [
            f"{path}:4: error: chapter 2: `at` must be a time such as 1:23, not 'soon'"
            ' — Write `at: "1:23"` (minutes:seconds) or seconds.',
            f"{path}:5: warning: the video: unknown key `captoins` — Did you mean `captions`?",
        ],
        "ja": [
            f"{path}:4: error: チャプター 2 の `at` は 1:23 のような時刻で書いてください（'soon' になっています）"
            ' — `at: "1:23"`（分:秒）または秒数で書いてください。',
            f"{path}:5: warning: 動画: `captoins` という項目はありません — `captions` の誤りではありませんか？",
        ],
    }
    for locale, lines in expected.items():
        with force_locale(locale):
            found = [str(p) for p in load_spec(path)[1]]
        assert all(line in found for line in lines), found
