"""Helpers shared by the courses and reports tests: a content root with the shipped courses
and stand-in files for the videos, scenarios and quizzes they refer to."""

from __future__ import annotations

import shutil
from pathlib import Path

from app.core.signals import learning_item_completed, learning_item_started
from app.extensions import db as _db

PROJECT = Path(__file__).resolve().parents[2]
SHIPPED = PROJECT / "courses"

#: every item the shipped courses refer to (stand-ins are written for these)
STARTER_ITEMS = {
    "video": ["tax-desk-roleplay", "water-desk-roleplay", "after-referral"],
    "scenario": [
        "tax-desk-8050",
        "water-desk-stop-notice",
        "resident-desk-young-carer",
        "refusal-and-consent",
        "resident-desk-death-notice",
    ],
    "quiz": ["tsunagu-basics"],
}
#: what the core all-staff course is agreed to hold
CORE_ITEMS = {
    "reading": ["why-every-desk"],
    "video": ["tax-desk-roleplay"],
    "scenario": ["tax-desk-8050"],
    "quiz": ["tsunagu-basics"],
}

#: a stand-in video's captions end at 60 s; a stand-in scenario is one step; a quiz one question
STAND_IN_CAPTIONS = "WEBVTT\n\n00:00:00.000 --> 00:01:00.000\nテスト\n"
STAND_IN_SCENARIO = """
scoring: none
start: s
nodes:
  s:
    lines: [{speaker: 住民, text: {ja: "こんにちは"}}]
    choices: [{text: {ja: "はい"}, next: e, feedback: {ja: "よい"}}]
  e:
    ending: {verdict: connected, debrief: {ja: "おわり"}, tomorrow: [{ja: "明日"}]}
"""
STAND_IN_QUIZ = """
questions:
  - {id: q1, type: single, text: {ja: "問"}, options: [{id: a, text: {ja: "答"}, correct: true}]}
"""


def stand_in_items(root: Path, items: dict[str, list[str]] = STARTER_ITEMS) -> None:
    """Write minimal files where the other content kinds keep theirs (path convention only)."""
    for slug in items.get("video", []):
        (root / "videos" / slug).mkdir(parents=True, exist_ok=True)
        (root / "videos" / slug / "video.yaml").write_text(
            f'id: {slug}\ntitle: {{ja: "動画 {slug}"}}\n', encoding="utf-8"
        )
        (root / "videos" / slug / "captions.ja.vtt").write_text(STAND_IN_CAPTIONS, encoding="utf-8")
    for kind, folder, body in (
        ("scenario", "scenarios", STAND_IN_SCENARIO),
        ("quiz", "quizzes", STAND_IN_QUIZ),
    ):
        for slug in items.get(kind, []):
            (root / folder).mkdir(parents=True, exist_ok=True)
            (root / folder / f"{slug}.yaml").write_text(
                f'id: {slug}\ntitle: {{ja: "題 {slug}", en: "T {slug}"}}\n{body}', encoding="utf-8"
            )


def content_root(tmp_path: Path, *, shipped: bool = True) -> Path:
    root = tmp_path / "content"
    (root / "courses").mkdir(parents=True)
    if shipped:
        for path in SHIPPED.glob("*.md"):
            if path.name.lower() != "readme.md":
                shutil.copy(path, root / "courses" / path.name)
    stand_in_items(root)
    return root


def write_course(root: Path, slug: str, front: str, body: str = "") -> Path:
    path = root / "courses" / f"{slug}.md"
    path.write_text(f"---\n{front.strip()}\n---\n{body}", encoding="utf-8")
    return path


def sync(app, root: Path):
    """Validate and load the courses under ``root``, then announce it as a content sync.

    Only the courses kind runs: the items are stand-ins that satisfy the course validator's
    path convention, not the other kinds' own validators.
    """
    from app.content import registry
    from app.core.signals import content_synced

    kind = registry.kind("courses")
    paths = kind.find(root)
    problems = kind.check(paths, root)
    assert [p for p in problems if p.severity == "error"] == []
    result = kind.sync(paths, root)
    content_synced.send(app)
    return [result]


def complete(app, employee, kind: str, slug: str, version: int = 1) -> None:
    """What an area does when an item is completed: the signal, then its own commit."""
    learning_item_completed.send(
        app, employee_id=employee.id, kind=kind, slug=slug, version=version
    )
    _db.session.commit()


def start(app, employee, kind: str, slug: str, version: int = 1) -> None:
    learning_item_started.send(app, employee_id=employee.id, kind=kind, slug=slug, version=version)
    _db.session.commit()


def complete_course(app, employee, course) -> None:
    """Send the signals the other areas send, and mark the readings read, item by item."""
    from app.courses import service

    for item in course.items:
        if item["kind"] == "reading":
            service.mark_reading_done(employee, course, item["slug"])
        else:
            complete(app, employee, item["kind"], item["slug"])
