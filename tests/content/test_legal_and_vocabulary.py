"""Legal statements are marked and listed for the legal office; content names only what the form has."""

import csv
import io
import shutil
from pathlib import Path

import pytest

from app.config import PROJECT_ROOT
from app.content import legal, registry, vocabulary

SCENARIO = """\
id: marked
title: {ja: "税の窓口で"}
desk: {ja: "税務課 収納窓口"}
goals:
  - {ja: "税の秘密を守る"}  # legal: tax-secrecy
scoring: none
start: arrival
nodes:
  arrival:
    lines:
      - {speaker: 住民, text: {ja: "息子のことで困っとるんや。"}}
      - {speaker: ナレーション, text: {ja: "税の窓口で聞いた家族の事情も、地方税法第22条で守られます。"}}  # legal: tax-secrecy, no-consent
    choices:
      - text: {ja: "同意の状況を「本人拒否」と記録し、相談室のチラシを渡す"}
        next: done
        feedback: {ja: "見たこと・聞いたことは1～3行で書きます。"}
  done:
    ending:
      verdict: connected
      debrief: {ja: "本人の意思を尊重しました。"}
      tomorrow:
        - {ja: "チラシを手元に置く"}
"""


@pytest.fixture
def root(tmp_path):
    (tmp_path / "docs").mkdir()
    shutil.copy(PROJECT_ROOT / "docs" / "consent-model.md", tmp_path / "docs" / "consent-model.md")
    (tmp_path / "scenarios").mkdir()
    (tmp_path / "scenarios" / "marked.yaml").write_text(SCENARIO, encoding="utf-8")
    return tmp_path


def _write(root: Path, text: str) -> Path:
    path = root / "scenarios" / "marked.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _errors(app, root):
    with app.test_request_context():
        return [p for p in registry.check_all(root) if p.severity == "error"]


def test_the_model_names_its_clauses():
    clauses = legal.clauses(PROJECT_ROOT)
    for clause in (
        "purpose",
        "consent",
        "tax-secrecy",
        "no-consent",
        "support-meeting",
        "emergency",
        "child-abuse",
        "elder-abuse",
        "dv",
    ):
        assert clause in clauses


def test_marked_content_passes_and_is_listed(app, root):
    assert _errors(app, root) == []
    statements = [s for s in legal.statements(root) if s.path.is_relative_to(root)]
    assert [(s.line, s.clauses) for s in statements] == [
        (5, ("tax-secrecy",)),
        (12, ("tax-secrecy", "no-consent")),
    ]
    assert statements[1].text == "税の窓口で聞いた家族の事情も、地方税法第22条で守られます。"


def test_a_law_cited_without_a_marker_is_an_error_at_its_line(app, root):
    path = _write(root, SCENARIO.replace("  # legal: tax-secrecy, no-consent", ""))
    errors = _errors(app, root)
    assert [(p.path, p.line) for p in errors] == [(path, 12)]
    assert "legal" in errors[0].message and "地方税法第22条" in errors[0].message


def test_a_comment_may_mention_a_law(app, root):
    _write(root, "# 地方税法第22条の研修\n" + SCENARIO)
    assert _errors(app, root) == []


def test_an_unknown_clause_is_an_error(app, root):
    path = _write(
        root,
        SCENARIO.replace("legal: tax-secrecy, no-consent", "legal: tax-secrecy, anything-goes"),
    )
    errors = _errors(app, root)
    assert [(p.path, p.line) for p in errors] == [(path, 12)] and "anything-goes" in errors[
        0
    ].message


def test_the_legal_command_lists_every_statement_with_file_and_line(app, root):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["content", "legal", "--root", str(root)])
    assert result.exit_code == 0, result.output
    assert (
        "scenarios/marked.yaml:12\t[tax-secrecy, no-consent]\t税の窓口で聞いた家族の事情も"
        in result.output
    )
    assert (
        "tax-secrecy（税の秘密（地方税法第22条））：" in result.output
    )  # a count per clause of the model
    result = runner.invoke(
        args=["content", "legal", "--root", str(root), "--format", "csv", "--clause", "no-consent"]
    )
    rows = [
        r
        for r in csv.reader(io.StringIO(result.output.lstrip("\ufeff")))
        if not r[0].endswith(".py")
    ]
    assert rows == [
        ["file", "line", "clauses", "text"],
        [
            "scenarios/marked.yaml",
            "12",
            "tax-secrecy no-consent",
            "税の窓口で聞いた家族の事情も、地方税法第22条で守られます。",
        ],
    ]


def test_the_legal_csv_never_holds_a_formula(app, root):
    _write(
        root, SCENARIO.replace("税の窓口で聞いた家族の事情も", "=1+2 税の窓口で聞いた家族の事情も")
    )
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=["content", "legal", "--root", str(root), "--format", "csv", "--clause", "no-consent"]
    )
    rows = [
        r for r in csv.reader(io.StringIO(result.output.lstrip("\ufeff"))) if r[0].endswith(".yaml")
    ]
    assert rows[0][3].startswith("'=1+2 税の窓口で")


def test_the_shipped_form_wording_is_marked(app):
    listed = {s.path.name for s in legal.statements(PROJECT_ROOT)}
    assert "config.py" in listed  # the no-consent wording of the quick form (a setting's default)


@pytest.mark.parametrize(
    ("wrong", "expected"),
    [
        ("同意の状況を「本人拒否」", "同意の状態を「本人拒否」"),
        ("見たこと・聞いたことは1～3行", "「気づいたこと」欄は1～3行"),
        ("見たこと・聞いたことは1～3行", "見たこと・聞いたことは1～2行"),
        ("同意の状況を「本人拒否」", "緊急度「高」"),
        ("同意の状況を「本人拒否」", "同意の状況を「同意なし」"),
    ],
)
def test_content_that_names_what_the_form_does_not_have_fails(app, root, wrong, expected):
    path = _write(root, SCENARIO.replace(wrong, expected))
    errors = _errors(app, root)
    assert errors and {(p.path, p.line) for p in errors} == {
        (path, 14 if "本人拒否" in wrong else 16)
    }, [str(p) for p in errors]


def test_the_form_words_come_from_the_form(app):
    from app.referrals.vocabulary import quick_form

    with app.test_request_context():
        words = quick_form()
    assert words.fields["同意の状況"] == [
        "本人同意あり（書面）",
        "本人同意あり（口頭）",
        "未確認",
        "本人拒否",
    ]
    assert "命や安全に関わる" in words.fields["緊急度"]
    assert "見たこと・聞いたこと" in words.fields and words.line_range == (1, 3)
    found = vocabulary.check_line(
        words,
        "緊急度「早めに」、同意の状況は「本人同意あり（口頭）」、相談室からの連絡方法「電話」",
    )
    assert found == []
