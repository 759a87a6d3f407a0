"""``flask content check PATH`` on files and folders outside the project (``tmp_path``).

A file's kind comes from its place in a content folder, or else from its content; a folder is
checked recursively; a path holding no content file is an error.
"""

import shutil
from pathlib import Path

import pytest

from tests.scorm import packages

PROJECT = Path(__file__).resolve().parents[2]
TESTS = PROJECT / "tests"
NO_CONTENT = "コンテンツのファイルがありません"


@pytest.fixture
def check(app):
    runner = app.test_cli_runner()

    def run(*args):
        return runner.invoke(args=["content", "check", *map(str, args)])

    return run


def test_a_loose_scenario_is_recognised_by_its_content_and_checked(check, tmp_path):
    path = tmp_path / "x" / "tax-desk-8050.yaml"
    path.parent.mkdir()
    shutil.copy(PROJECT / "scenarios" / "tax-desk-8050.yaml", path)
    result = check(path)
    assert result.exit_code == 0, result.output
    assert "scenarios 1" in result.output and "quizzes 0" in result.output
    assert "エラーはありません" in result.output

    path.write_text(path.read_text(encoding="utf-8").replace("\nid: tax-desk-8050", "\nid: x"))
    result = check(path)
    assert result.exit_code == 1
    assert f"{path}:2: error:" in result.output
    assert "エラーはありません" not in result.output


def test_a_loose_quiz_and_course_are_recognised(check, tmp_path):
    shutil.copy(PROJECT / "quizzes" / "tsunagu-basics.yaml", tmp_path)
    result = check(tmp_path / "tsunagu-basics.yaml")
    assert result.exit_code == 0, result.output
    assert "quizzes 1" in result.output and "scenarios 0" in result.output

    course = tmp_path / "desk-water.md"
    shutil.copy(PROJECT / "courses" / "desk-water.md", course)
    result = check(course)
    # its items are looked up in the project's content, where they exist
    assert result.exit_code == 0, result.output
    assert "courses 1" in result.output
    assert f"{course}: " in result.output  # the course's expected time

    course.write_text(
        course.read_text(encoding="utf-8").replace("water-desk-stop-notice", "no-such-scenario")
    )
    result = check(course)
    assert result.exit_code == 1
    assert "no-such-scenario" in result.output


def test_a_file_in_a_content_folder_is_checked_against_that_folder(check, tmp_path):
    tree = tmp_path / "tree"
    shutil.copytree(TESTS / "scenarios" / "content", tree)
    result = check(tree / "scenarios" / "practice-desk.yaml")
    assert result.exit_code == 0, result.output  # its image is in tree/scenarios/media
    assert "scenarios 1" in result.output

    # the same file outside any content folder: its image is looked up in the project's content
    loose = tmp_path / "loose" / "practice-desk.yaml"
    loose.parent.mkdir()
    shutil.copy(tree / "scenarios" / "practice-desk.yaml", loose)
    result = check(loose)
    assert result.exit_code == 1
    assert f"{loose}:" in result.output and "counter.svg" in result.output


def test_a_folder_is_checked_recursively(check, tmp_path):
    shutil.copytree(TESTS / "scenarios" / "content", tmp_path / "a" / "tree")
    deep = tmp_path / "b" / "c"
    deep.mkdir(parents=True)
    shutil.copy(TESTS / "quizzes" / "content" / "quizzes" / "practice-quiz.yaml", deep)
    (deep / "notes.yaml").write_text("todo: [one, two]\n", encoding="utf-8")
    (deep / "README.md").write_text("# Notes\n", encoding="utf-8")
    result = check(tmp_path)
    assert result.exit_code == 0, result.output
    assert "scenarios 1" in result.output and "quizzes 1" in result.output

    shutil.copytree(TESTS / "content_fixtures" / "scenarios", deep / "broken")
    result = check(tmp_path)
    assert result.exit_code == 1
    assert str(deep / "broken" / "unknown-target.yaml") + ":17: error:" in result.output


def test_a_video_folder_and_a_scorm_package_are_recognised(check, tmp_path):
    folder = tmp_path / "my-video"
    folder.mkdir()
    (folder / "video.yaml").write_text(
        'id: my-video\ntitle: {ja: "動画"}\nsource: source.mp4\n', encoding="utf-8"
    )
    result = check(folder)
    assert result.exit_code == 1  # the source it names is not there
    assert "videos 1" in result.output
    assert str(folder / "video.yaml") in result.output

    package = packages.single(tmp_path / "packages" / "info-security-2027.zip")
    result = check(package)
    assert result.exit_code == 0, result.output
    assert "scorm 1" in result.output

    bare = tmp_path / "packages" / "bare.zip"
    packages.write_package(bare, "研修", [], manifest_text="<manifest/>")
    result = check(bare)
    assert result.exit_code == 1
    assert str(bare) in result.output


def test_a_path_without_content_files_is_an_error(check, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    result = check(empty)
    assert result.exit_code == 1
    assert f"{empty} に{NO_CONTENT}" in result.output
    assert "エラーはありません" not in result.output

    (empty / "notes.yaml").write_text("todo: [one, two]\n", encoding="utf-8")
    (empty / "plain.md").write_text("---\ntitle: x\n---\n# x\n", encoding="utf-8")
    (empty / "other.zip").write_bytes(b"PK\x05\x06" + b"\0" * 18)  # an empty zip
    for path in (empty, empty / "notes.yaml", empty / "plain.md", empty / "other.zip"):
        result = check(path)
        assert result.exit_code == 1, path
        assert NO_CONTENT in result.output, path


def test_without_a_path_the_root_is_checked_and_must_hold_content(check, tmp_path):
    result = check("--root", tmp_path)
    assert result.exit_code == 1
    assert NO_CONTENT in result.output

    shutil.copytree(TESTS / "quizzes" / "content" / "quizzes", tmp_path / "quizzes")
    result = check("--root", tmp_path)
    assert result.exit_code == 0, result.output
    assert "quizzes 1" in result.output
