"""The courses/ format: validation with file:line, the shipped courses, idempotent sync."""

from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.content import registry
from app.courses import content
from app.courses.models import Course, CourseVersion
from tests.courses.support import (
    CORE_ITEMS,
    PROJECT,
    SHIPPED,
    STARTER_ITEMS,
    content_root,
    write_course,
)

GOOD = """
title: {ja: "テスト講座", en: "Test course"}
items:
  - video: tax-desk-roleplay
  - reading: intro
  - quiz: tsunagu-basics
required_for:
  all_staff: true
due_within_days: 30
objectives: [{ja: "目標", en: "Goal"}]
"""
BODY = "はじめに\n\n<!-- reading: intro -->\n## 読みもの\n本文です。\n"


def problems_of(path: Path, root: Path) -> list[str]:
    return [str(p) for p in content.check_file(path, root)]


def test_the_shipped_courses_are_valid_against_their_items(app, tmp_path):
    root = content_root(tmp_path)
    problems = registry.kind("courses").check(content.find(root), root)  # items are stand-ins
    assert [str(p) for p in problems] == []
    slugs = [p.stem for p in content.find(root)]
    assert {
        "all-staff-tsunagu",
        "desk-tax-insurance",
        "desk-water",
        "desk-resident",
        "manager-tsunagu",
    } <= set(slugs)


def test_the_shipped_starter_course_uses_the_agreed_items():
    course = content.parse_file(SHIPPED / "all-staff-tsunagu.md")
    listed = {(content.item_kind(i), i[content.item_kind(i)]) for i in course.meta["items"]}
    wanted = {(kind, slug) for kind, slugs in CORE_ITEMS.items() for slug in slugs}
    assert wanted <= listed
    assert {slug for kind, slug in listed if kind == "reading"} <= set(course.readings)
    assert course.meta["required_for"]["all_staff"] is True


def test_the_shipped_courses_resolve_in_the_project(app):
    missing = [
        path
        for kind, slugs in STARTER_ITEMS.items()
        for slug in slugs
        for path in [content.reference_path(PROJECT, kind, slug)]
        if not any(p.exists() for p in path)
    ]
    if missing:
        pytest.skip(
            f"the referenced videos/scenarios/quizzes are not in this checkout yet ({len(missing)} missing, e.g. {missing[0][0].relative_to(PROJECT)})"
        )
    assert [str(p) for p in registry.check_all(PROJECT, SHIPPED) if p.severity == "error"] == []


def test_a_good_file_has_no_problems(tmp_path):
    root = content_root(tmp_path, shipped=False)
    assert problems_of(write_course(root, "good", GOOD, BODY), root) == []


@pytest.mark.parametrize(
    ("front", "body", "line", "words"),
    [
        (
            GOOD.replace("all_staff: true", "all_staff: true\n  everyone: yes"),
            BODY,
            9,
            "unknown key `everyone`",
        ),
        (GOOD + "requried_for: {}\n", BODY, 11, "Did you mean `required_for`?"),
        (
            GOOD.replace("video: tax-desk-roleplay", "video: no-such-video"),
            BODY,
            4,
            "videos/no-such-video/video.yaml",
        ),
        (GOOD.replace("quiz: tsunagu-basics", "quiz: nope"), BODY, 6, "quizzes/nope.yaml"),
        (GOOD, "本文だけ\n", 5, "names reading `intro`, which does not exist"),
        (GOOD + "due_on: 2026-09-30\n", BODY, 9, "either `due_on` or `due_within_days`"),
        (GOOD.replace("all_staff: true", "roles: [mayor]"), BODY, 8, "role 1 is 'mayor'"),
        (
            GOOD.replace(
                'title: {ja: "テスト講座", en: "Test course"}', 'title: {en: "Only English"}'
            ),
            BODY,
            2,
            "the Japanese text (`ja`) is missing",
        ),
        (GOOD + "id: other\n", BODY, 11, "differs from the file name"),
        (
            GOOD.replace(
                "  - quiz: tsunagu-basics", "  - quiz: tsunagu-basics\n    scenario: tax-desk-8050"
            ),
            BODY,
            6,
            "exactly one of",
        ),
        (GOOD + "completion: sometimes\n", BODY, 11, "`completion` is 'sometimes'"),
        (GOOD.replace("due_within_days: 30", "due_within_days: -3"), BODY, 9, "due_within_days"),
        (GOOD + "recertify_every: often\n", BODY, 11, "recertify_every"),
        (GOOD.replace("items:", "items: [oops\n"), BODY, None, "YAML"),
    ],
)
def test_problems_name_the_file_line_and_what_to_do(tmp_path, front, body, line, words):
    root = content_root(tmp_path, shipped=False)
    path = write_course(root, "broken", front, body)
    problems = content.check_file(path, root)
    errors = [p for p in problems if p.severity == "error"]
    assert errors, "expected an error"
    assert any(words in p.message or words in str(p) for p in errors), [str(p) for p in errors]
    if line is not None:
        assert any(p.line == line and words in str(p) for p in errors), [str(p) for p in errors]
    assert all(str(p).startswith(str(path)) for p in errors)


def test_a_file_without_front_matter_or_not_utf8_is_a_message(tmp_path):
    root = content_root(tmp_path, shipped=False)
    plain = root / "courses" / "plain.md"
    plain.write_text("# ただのMarkdown\n", encoding="utf-8")
    assert "front matter" in problems_of(plain, root)[0] and problems_of(plain, root)[0].startswith(
        f"{plain}:1:"
    )
    sjis = root / "courses" / "sjis.md"
    sjis.write_bytes("---\ntitle: 研修\n---\n".encode("cp932"))
    assert "UTF-8" in problems_of(sjis, root)[0]


def test_an_unlisted_reading_is_a_warning(tmp_path):
    root = content_root(tmp_path, shipped=False)
    path = write_course(root, "extra", GOOD, BODY + "\n<!-- reading: spare -->\n## 予備\n本文\n")
    problems = content.check_file(path, root)
    assert [(p.severity, p.line) for p in problems] == [
        ("warning", 8 + GOOD.strip().count("\n") + 2)
    ]


def test_content_check_command_reports_file_line(app, tmp_path):
    root = content_root(tmp_path, shipped=False)
    write_course(root, "broken", GOOD.replace("quiz: tsunagu-basics", "quiz: nope"), BODY)
    result = app.test_cli_runner().invoke(args=["content", "check", "--root", str(root)])
    assert result.exit_code == 1
    # operators read the messages in Japanese, the default language
    assert "broken.md:6: error: 項目 3 の `quiz`: quiz `nope` がありません" in result.output


def test_sync_is_idempotent_and_versions_changes(app, db, tmp_path):
    root = content_root(tmp_path, shipped=False)
    path = write_course(root, "versioned", GOOD, BODY)
    sync_ = registry.kind("courses").sync
    first = sync_(content.find(root), root)
    assert (first.created, first.updated) == (1, 0)
    again = sync_(content.find(root), root)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)
    course = db.session.scalar(select(Course).where(Course.slug == "versioned"))
    assert course.version == 1
    # The referenced files' titles are shown for the items.
    assert [i["title_ja"] for i in course.items] == [
        "動画 tax-desk-roleplay",
        "読みもの",
        "題 tsunagu-basics",
    ]

    path.write_text(
        path.read_text(encoding="utf-8").replace("本文です。", "本文を改めました。"),
        encoding="utf-8",
    )
    changed = sync_(content.find(root), root)
    assert changed.updated == 1
    db.session.refresh(course)
    assert course.version == 2
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(CourseVersion)
            .where(CourseVersion.course_id == course.id)
        )
        == 2
    )
    assert "本文を改めました" in course.items[1]["html"]

    path.unlink()
    sync_(content.find(root), root)
    db.session.refresh(course)
    assert course.active is False


def test_readings_are_sanitised(app, db, tmp_path):
    root = content_root(tmp_path, shipped=False)
    write_course(
        root,
        "unsafe",
        GOOD,
        '<!-- reading: intro -->\n## 危ない\n<script>alert(1)</script>\n<p style="color:red" onclick="x()">本文</p>\n',
    )
    registry.kind("courses").sync(content.find(root), root)
    html = db.session.scalar(select(Course).where(Course.slug == "unsafe")).items[1]["html"]
    assert "<script" not in html and "onclick" not in html and "style=" not in html
    assert "本文" in html


@pytest.mark.parametrize(
    ("front", "line", "english", "japanese"),
    [
        (
            GOOD + "requried_for: {}\n",
            11,
            "the course: unknown key `requried_for` — Did you mean `required_for`?",
            "研修: `requried_for` という項目はありません — `required_for` の誤りではありませんか？",
        ),
        (
            GOOD + "order: first\n",
            11,
            "the course: `order` must be a whole number, not 'first'",
            "研修 の `order` は整数で書いてください（'first' になっています）",
        ),
        (
            GOOD.replace("video: tax-desk-roleplay", "video: tax-desk-roleplai"),
            4,
            "item 1: `video` names video `tax-desk-roleplai`, which does not exist"
            " — Did you mean `tax-desk-roleplay`? Add videos/tax-desk-roleplai/video.yaml",
            "項目 1 の `video`: video `tax-desk-roleplai` がありません"
            " — `tax-desk-roleplay` の誤りではありませんか？ videos/tax-desk-roleplai/video.yaml を追加",
        ),
    ],
)
def test_messages_in_japanese_and_english(app, tmp_path, front, line, english, japanese):
    from flask_babel import force_locale

    root = content_root(tmp_path, shipped=False)
    path = write_course(root, "broken", front, BODY)
    for locale, expected in (("en", english), ("ja", japanese)):
        with force_locale(locale):
            found = [str(p) for p in content.check_file(path, root)]
        assert any(p.startswith(f"{path}:{line}: error: {expected}") for p in found), found
