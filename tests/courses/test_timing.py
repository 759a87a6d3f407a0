"""A course's expected time, computed from its items: the figures, the max_minutes check,
the pages that show it, and the shipped core course's budget."""

import shutil
import subprocess
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from app.courses import content, timing
from app.courses.models import Course
from tests.courses.support import PROJECT, SHIPPED, sync, write_course
from tests.factories import login, make_department, make_employee

# Every text below has a counted length, so the expected seconds can be written out:
# reading 500 characters; scenario best path 170 characters in 2 steps; quiz 3 drawn.
SCENARIO = f"""
id: practice
title: {{ja: "練習"}}
scoring: dynamic
pass_score: 2
start: a
nodes:
  a:
    lines: [{{speaker: 住民, text: {{ja: "{"あ" * 50}"}}}}]
    choices:
      - {{text: {{ja: "{"い" * 10}"}}, next: b, score: 2, feedback: {{ja: "{"う" * 10}"}}}}
      - {{text: {{ja: "{"え" * 10}"}}, next: end, score: 5, critical: true, feedback: {{ja: "{"お" * 10}"}}}}
      - {{text: {{ja: "{"か" * 10}"}}, next: end, score: 0, feedback: {{ja: "{"き" * 10}"}}}}
  b:
    lines: [{{speaker: 住民, text: {{ja: "{"く" * 20}"}}}}]
    choices:
      - {{text: {{ja: "{"け" * 10}"}}, next: end, score: 1, feedback: {{ja: "{"こ" * 10}"}}}}
  end:
    lines: [{{speaker: 住民, text: {{ja: "{"さ" * 10}"}}}}]
    ending: {{verdict: connected, debrief: {{ja: "{"し" * 20}"}}, tomorrow: [{{ja: "{"す" * 10}"}}]}}
"""
QUIZ = 'id: basics\ntitle: {ja: "基本"}\ndraw: 3\nquestions:\n' + "".join(
    f'  - {{id: q{n}, type: single, text: {{ja: "問{n}"}}, options: [{{id: a, text: {{ja: "答"}}, correct: true}}]}}\n'
    for n in range(5)
)
FRONT = """
title: {ja: "時間の計算"}
objectives: [{ja: "目標"}]
items:
  - reading: intro
  - scenario: practice
  - quiz: basics
  - video: desk-video
  - video: extra-video
    optional: true
required_for: {all_staff: true}
"""
BODY = "紹介\n\n<!-- reading: intro -->\n## 読みもの\n" + "あ" * 250 + "\n\n" + "い" * 250 + "\n"


def captions(end: str) -> str:
    return f"WEBVTT\n\n00:00:00.000 --> {end}\nせりふ\n"


@pytest.fixture
def root(tmp_path) -> Path:
    root = tmp_path / "content"
    for folder in ("courses", "scenarios", "quizzes"):
        (root / folder).mkdir(parents=True)
    (root / "scenarios" / "practice.yaml").write_text(SCENARIO, encoding="utf-8")
    (root / "quizzes" / "basics.yaml").write_text(QUIZ, encoding="utf-8")
    for slug, end in (("desk-video", "00:01:30.000"), ("extra-video", "00:01:00.000")):
        (root / "videos" / slug).mkdir(parents=True)
        (root / "videos" / slug / "video.yaml").write_text(
            f'title: {{ja: "{slug}"}}\n', encoding="utf-8"
        )
        (root / "videos" / slug / "captions.ja.vtt").write_text(captions(end), encoding="utf-8")
    write_course(root, "timed", FRONT, BODY)
    return root


def test_each_item_kind_is_timed_by_the_documented_rule(app, root):
    spent = content.expected_time(content.parse_file(root / "courses" / "timed.md"), root)
    assert [(i.kind, i.seconds, i.basis, i.optional) for i in spent.items] == [
        ("reading", 60.0, "computed", False),  # 500 characters at 500 a minute
        ("scenario", 40.4, "computed", False),  # 170 characters (20.4 s) + 2 steps × 10 s
        ("quiz", 135, "computed", False),  # 3 drawn × 45 s
        ("video", 90.0, "captions", False),  # no media yet: the captions' end
        ("video", 60.0, "captions", True),
    ]
    assert spent.seconds == pytest.approx(325.4)  # the optional video is not counted
    assert spent.minutes == 6 and spent.complete


def test_the_best_path_passes_scores_highest_and_avoids_critical_choices():
    import yaml

    definition = yaml.safe_load(SCENARIO)
    steps = timing.best_path(definition)
    assert [(s.node, s.choice) for s in steps] == [("a", 0), ("b", 0)]
    assert sum(timing.char_count(t) for t in timing.path_text(definition, steps)) == 170


def test_max_minutes_fails_the_check_with_file_and_line(app, root):
    path = write_course(root, "timed", FRONT + "max_minutes: 5\n", BODY)
    errors = [p for p in content.check_file(path, root) if p.severity == "error"]
    assert [(p.line, "約 6 分で、max_minutes: 5 を超えています" in p.message) for p in errors] == [
        (12, True)
    ]
    assert "scenario practice 0:40" in errors[0].hint
    write_course(root, "timed", FRONT + "max_minutes: 6\n", BODY)
    assert [p for p in content.check_file(path, root) if p.severity == "error"] == []


def test_an_unknown_video_length_is_a_warning_under_max_minutes(app, root):
    (root / "videos" / "desk-video" / "captions.ja.vtt").unlink()
    path = write_course(root, "timed", FRONT + "max_minutes: 25\n", BODY)
    problems = content.check_file(path, root)
    assert [(p.severity, p.line) for p in problems] == [("warning", 12)]
    assert "がわからない項目があります" in problems[0].message


def test_content_check_prints_each_course_s_expected_time(app, root):
    result = app.test_cli_runner().invoke(args=["content", "check", "--root", str(root)])
    assert (
        "timed.md: 所要時間の目安 約6分 — reading intro 1:00, scenario practice 0:40, quiz basics 2:15"
        in result.output
    )
    assert "video extra-video 1:00 [captions] （任意のため数えません）" in result.output


def test_a_source_file_is_measured_with_ffprobe(app, root):
    if shutil.which("ffmpeg") is None:
        pytest.skip("ffmpeg is not installed")
    folder = root / "videos" / "desk-video"
    subprocess.run(
        [
            "ffmpeg",
            "-v",
            "error",
            "-f",
            "lavfi",
            "-i",
            "testsrc2=size=160x90:rate=10",
            "-t",
            "2",
            "-pix_fmt",
            "yuv420p",
            str(folder / "source.mp4"),
        ],
        check=True,
    )
    seconds, basis = timing.video_seconds_from_files(folder)
    assert basis == "ffprobe" and seconds == pytest.approx(2.0, abs=0.1)


def test_sync_prefers_the_ingested_lesson_s_measured_duration(app, db, root):
    from app.videos.models import Video

    db.session.add(
        Video(
            slug="desk-video",
            title_ja="動画",
            version=1,
            published_at=datetime(2026, 12, 1),
            duration=100.0,
        )
    )
    db.session.commit()
    sync(app, root)
    course = db.session.scalar(select(Course).where(Course.slug == "timed"))
    video = next(i for i in course.items if i["slug"] == "desk-video")
    assert (video["seconds"], video["basis"]) == (100.0, "measured")
    assert (
        course.expected_time.seconds == pytest.approx(335.4) and course.expected_time.minutes == 6
    )


def test_course_page_and_home_show_the_expected_time_and_objectives(app, db, client, root):
    learner = make_employee(department=make_department(code="1020", name_ja="人事課"))
    sync(app, root)
    login(client, learner)
    page = client.get("/courses/timed").get_data(as_text=True)
    assert "所要時間の目安 約6分" in page
    assert "任意の項目は含みません" in page
    assert "この研修で身につけること" in page and "<li>目標</li>" in page
    assert "約3分" in page  # the quiz's own time (2:15, rounded up)
    assert "所要時間の目安 約6分" in client.get("/").get_data(as_text=True)
    assert "所要時間の目安 約6分" in client.get("/courses/").get_data(as_text=True)


def test_a_required_course_needs_objectives(app, root):
    path = write_course(root, "timed", FRONT.replace('objectives: [{ja: "目標"}]\n', ""), BODY)
    errors = [p for p in content.check_file(path, root) if p.severity == "error"]
    assert [
        (p.line, "学習目標（受講者ができるようになること）が必要です" in p.message) for p in errors
    ] == [(10, True)]
    optional = write_course(root, "optional", 'title: {ja: "任意"}\nitems:\n  - quiz: basics\n')
    assert content.check_file(optional, root) == []


def test_the_shipped_core_course_fits_in_25_minutes(app):
    course = content.parse_file(SHIPPED / "all-staff-tsunagu.md")
    assert course.meta["max_minutes"] == 25 and course.meta["recertify_every"] == 12
    spent = content.expected_time(course, PROJECT)
    assert spent.complete, content.breakdown(spent)
    assert 15 <= spent.minutes <= 25, content.breakdown(spent)
    assert [
        p
        for p in content.check_file(SHIPPED / "all-staff-tsunagu.md", PROJECT)
        if p.severity == "error"
    ] == []
