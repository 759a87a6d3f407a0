"""The scenario and quiz validators against deliberately broken files, one per defect kind.

Each file in ``tests/content_fixtures/{scenarios,quizzes}/`` says in its header what the
validator must report (``# expect: …``) and marks the line it must point at (``# <- defect``).
"""

import re
from pathlib import Path

import pytest

from app.content import registry
from app.quizzes import content as quiz_content
from app.scenarios import content as scenario_content

ROOT = Path(__file__).resolve().parents[1] / "content_fixtures"
FIXTURES = sorted((ROOT / "scenarios").glob("*.yaml")) + sorted((ROOT / "quizzes").glob("*.yaml"))


@pytest.fixture(scope="module")
def problems():
    """The validators' findings, in English (the fixture files state their expectations in English)."""
    from flask import Flask
    from flask_babel import Babel, force_locale

    bare = Flask(__name__)
    Babel(bare)
    with bare.app_context(), force_locale("en"):
        found = scenario_content.check(scenario_content.find(ROOT), ROOT)
        found += quiz_content.check(quiz_content.find(ROOT), ROOT)
    return found


def _expectation(path: Path):
    text = path.read_text(encoding="utf-8")
    expected = re.search(r"^# expect: (.*)$", text, re.M).group(1).strip()
    marked = [i + 1 for i, line in enumerate(text.splitlines()) if line.endswith("# <- defect")]
    return expected, (marked[0] if marked else None)


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_each_defect_is_reported_at_its_line(path, problems):
    expected, line = _expectation(path)
    mine = [p for p in problems if p.path == path and p.severity == "error"]
    if not expected:  # the first of a pair of files (the duplicate id is reported on the second)
        assert mine == []
        return
    matching = [p for p in mine if expected in p.message]
    assert matching, f"expected “{expected}” in {[str(p) for p in mine]}"
    problem = matching[0]
    if line is not None:
        assert problem.line == line, str(problem)
    else:
        assert problem.line is not None
    assert problem.hint, "every message says how to fix it"
    assert str(problem).startswith(f"{path}:{problem.line}: error: ")


def test_there_is_a_fixture_per_defect_kind():
    names = {p.stem for p in FIXTURES}
    for kind in (
        "unknown-target",
        "unreachable-node",
        "no-way-out",
        "no-ending",
        "pass-mark-above-maximum",
        "duplicate-node-id",
        "duplicate-file-id-b",
        "missing-media",
        "missing-japanese-title",
        "duplicate-question-id",
        "duplicate-option-id",
        "draw-more-than-pool",
        "core-more-than-draw",
        "quiz-yaml-syntax",
        "yaml-syntax",
    ):
        assert kind in names


def test_check_command_prints_file_line_and_fails(app):
    runner = app.test_cli_runner()
    target = ROOT / "scenarios" / "unknown-target.yaml"
    result = runner.invoke(args=["content", "check", str(target), "--root", str(ROOT)])
    assert result.exit_code == 1
    # operators read the messages in Japanese, the default language
    assert (
        f"{target}:17: error: ノード `arrival` の選択肢 1 の `next`: ノード `conected` がありません"
        in result.output
    )
    assert "`connected` の誤りではありませんか？" in result.output


def test_check_command_passes_on_valid_content(app):
    runner = app.test_cli_runner()
    for root in (
        Path(__file__).resolve().parents[1] / "scenarios" / "content",
        Path(__file__).resolve().parents[1] / "quizzes" / "content",
    ):
        result = runner.invoke(args=["content", "check", "--root", str(root)])
        assert result.exit_code == 0, result.output


def test_shipped_content_has_no_errors(app):
    """The repository's own scenarios/ and quizzes/ (and every other registered kind) pass."""
    problems = registry.check_all(Path(app.config["CONTENT_ROOT"]))
    errors = [str(p) for p in problems if p.severity == "error"]
    assert errors == []


def test_sync_refuses_nothing_half_loaded(app, db):
    """``content sync`` over a root with errors loads nothing."""
    from app.scenarios.models import Scenario

    found, results = registry.sync_all(ROOT)
    assert results == [] and any(p.severity == "error" for p in found)
    assert db.session.query(Scenario).count() == 0


@pytest.mark.parametrize(
    ("kind", "module"), [("scenarios", scenario_content), ("quizzes", quiz_content)]
)
def test_the_readme_example_is_valid(kind, module, tmp_path):
    readme = (Path(__file__).resolve().parents[2] / kind / "README.md").read_text(encoding="utf-8")
    example = re.search(r"```yaml\n(.*?)```", readme, re.S).group(1)
    file_id = re.search(r"^id: (\S+)", example, re.M).group(1)
    (tmp_path / kind / "media").mkdir(parents=True)
    (tmp_path / kind / "media" / "counter.svg").write_text(
        "<svg xmlns='http://www.w3.org/2000/svg'/>"
    )
    (tmp_path / kind / f"{file_id}.yaml").write_text(example, encoding="utf-8")
    problems = module.check(module.find(tmp_path), tmp_path)
    assert [str(p) for p in problems] == []


def test_sync_command_loads_and_is_idempotent(app, db):
    from app.quizzes.models import Quiz, QuizVersion
    from app.scenarios.models import Scenario, ScenarioVersion

    runner = app.test_cli_runner()
    for root in (
        Path(__file__).resolve().parents[1] / "scenarios" / "content",
        Path(__file__).resolve().parents[1] / "quizzes" / "content",
    ):
        first = runner.invoke(args=["content", "sync", "--root", str(root)])
        assert first.exit_code == 0, first.output
        second = runner.invoke(args=["content", "sync", "--root", str(root)])
        assert second.exit_code == 0, second.output
    assert (
        db.session.query(Scenario).count() == 1 and db.session.query(ScenarioVersion).count() == 1
    )
    assert db.session.query(Quiz).count() == 1 and db.session.query(QuizVersion).count() == 1
    # a sync over a root without the scenario retires it (its history stays)
    runner.invoke(
        args=[
            "content",
            "sync",
            "--root",
            str(Path(__file__).resolve().parents[1] / "quizzes" / "content"),
        ]
    )
    db.session.expire_all()
    assert db.session.query(Scenario).one().active is False
    assert db.session.query(ScenarioVersion).count() == 1


@pytest.mark.parametrize(
    ("name", "line", "english", "japanese"),
    [
        (
            "scenarios/bad-verdict.yaml",
            26,
            "node `connected`, ending: `verdict` is 'success'",
            "ノード `connected` の ending の `verdict` の 'success' は使えない値です",
        ),
        (
            "scenarios/unknown-target.yaml",
            17,
            "node `arrival`, choice 1: `next` names node `conected`, which does not exist",
            "ノード `arrival` の選択肢 1 の `next`: ノード `conected` がありません",
        ),
        (
            "quizzes/quiz-unknown-key.yaml",
            5,
            "the quiz: unknown key `pass_percentage`",
            "クイズ: `pass_percentage` という項目はありません",
        ),
        (
            "quizzes/duplicate-option-id.yaml",
            14,
            "question `first`: option id `a` is used twice (first on line 13)",
            "問題 `first`: 選択肢の id `a` が重複しています（最初は 13 行目）",
        ),
    ],
)
def test_messages_in_japanese_and_english(app, name, line, english, japanese):
    from flask_babel import force_locale

    path = ROOT / name
    module = quiz_content if name.startswith("quizzes") else scenario_content
    with app.app_context():
        for locale, message in (("en", english), ("ja", japanese)):
            with force_locale(locale):
                found = [str(p) for p in module.check_file(path, ROOT)[0]]
            assert any(p.startswith(f"{path}:{line}: error: {message}") for p in found), found
