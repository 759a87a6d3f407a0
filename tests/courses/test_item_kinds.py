"""Learning-item kinds come from one registry: a kind declared here, in a test module, is listed
by courses, played from the learner's home and counted on the HR matrix like the shipped ones."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.content import items
from app.core.permissions import Role
from app.courses import content
from app.courses.models import Assignment, Course
from tests.courses.support import complete, content_root, start, sync, write_course
from tests.factories import login, make_department, make_employee

COURSE = """
title: {ja: "窓口カードの研修", en: "Desk card training"}
items:
  - reading: intro
  - handout: desk-card
required_for: {all_staff: true}
due_within_days: 30
objectives: [{ja: "窓口カードを使って相談室へつなげる", en: "Connect with the desk card"}]
"""
BODY = "<!-- reading: intro -->\n## はじめに\n窓口カードの使い方を学びます。\n"


def handout_files(root: Path, slug: str) -> list[Path]:
    return [root / "handouts" / f"{slug}.yaml"]


HANDOUT = items.LearningItemKind(
    name="handout",
    label=_l("Handout"),
    file_format="handouts/<id>.yaml",
    player_endpoint="handouts.view",
    completion=_l("read"),
    files=handout_files,
    seconds=lambda root, slug, context: (120.0, "computed"),
)


@pytest.fixture
def handouts(app):
    """The test kind, with its own player page, added to this app only."""
    app.add_url_rule("/handouts/<slug>", "handouts.view", lambda slug: f"handout {slug}")
    items.register(app, HANDOUT)
    return HANDOUT


def course_root(tmp_path: Path) -> Path:
    root = content_root(tmp_path, shipped=False)
    (root / "handouts").mkdir()
    (root / "handouts" / "desk-card.yaml").write_text(
        'title: {ja: "窓口カード", en: "Desk card"}\n', encoding="utf-8"
    )
    write_course(root, "desk-card-course", COURSE, BODY)
    return root


def problems(root: Path) -> list[str]:
    with force_locale("en"):
        return [str(p) for p in content.check_file(root / "courses" / "desk-card-course.md", root)]


def test_an_unregistered_kind_is_not_a_course_item(app, tmp_path):
    root = course_root(tmp_path)
    assert any("exactly one of" in p for p in problems(root))
    assert "handout" not in items.kinds()


def test_a_registered_kind_is_checked_by_its_own_convention(app, handouts, tmp_path):
    root = course_root(tmp_path)
    assert problems(root) == []
    (root / "handouts" / "desk-card.yaml").unlink()
    assert any(
        "names handout `desk-card`, which does not exist — Add handouts/desk-card.yaml" in p
        for p in problems(root)
    )


def test_a_registered_kind_shows_on_the_learners_home_and_the_hr_matrix(
    app, db, client, handouts, tmp_path
):
    tax = make_department(code="1040", name_ja="税務課")
    learner = make_employee(department=tax, name="窓口 花子")
    admin = make_employee(department=tax, roles=[Role.TRAINING_ADMIN], name="人事 研修")
    sync(app, course_root(tmp_path))
    course = db.session.scalar(select(Course).where(Course.slug == "desk-card-course"))
    handout = next(i for i in course.items if i["kind"] == "handout")
    assert (
        handout["title_ja"] == "窓口カード" and handout["seconds"] == 120.0
    )  # the kind's title and timing rule

    login(client, learner)
    start(app, learner, "reading", "desk-card-course/intro")
    complete(app, learner, "reading", "desk-card-course/intro")
    home = client.get("/").get_data(as_text=True)
    assert "窓口カードの研修" in home
    assert 'href="/handouts/desk-card"' in home  # continue with the next item, played by its kind
    detail = client.get("/courses/desk-card-course").get_data(as_text=True)
    assert '<span class="tag">Handout</span>' in detail
    assert "Handout：readときに完了です。" in detail  # the kind's own words for completion

    complete(app, learner, "handout", "desk-card")
    row = db.session.scalar(
        select(Assignment).where(
            Assignment.employee_id == learner.id, Assignment.course_id == course.id
        )
    )
    assert row.status == "completed"
    client.post("/logout")
    login(client, admin)
    dashboard = client.get(f"/reports/?course={course.id}").get_data(as_text=True)
    assert "窓口カードの研修" in dashboard
    from app.reports import service

    matrix = service.matrix(service.Scope(everything=True), course_id=course.id)
    assert matrix.grand_total[course.id].completed == 1 and matrix.grand_total[course.id].total == 2


def test_completion_quizzes_counts_only_assessed_kinds(app, handouts, tmp_path):
    root = course_root(tmp_path)
    write_course(root, "desk-card-course", COURSE + "completion: quizzes\n", BODY)
    assert any(
        "completion: quizzes needs at least one assessed item (quiz)" in p for p in problems(root)
    )
