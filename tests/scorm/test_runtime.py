"""Loading packages (upload, content folder), serving their files sandboxed, and the run-time
data a SCO saves: checked again on the server, completion reaching the courses."""

from __future__ import annotations

import io

from sqlalchemy import select

from app.content import registry
from app.core.permissions import Role
from app.courses.models import Assignment, Course
from app.scorm import service
from app.scorm.models import SOURCE_UPLOAD, ScormPackage, ScormRuntime
from tests.courses.support import sync, write_course
from tests.factories import login, make_department, make_employee
from tests.scorm.packages import multi, single

COURSE = """
title: {ja: "情報セキュリティ研修", en: "Information security"}
items:
  - scorm: info-security
required_for: {all_staff: true}
due_within_days: 30
objectives: [{ja: "情報資産の扱いを説明できる"}]
"""


def load(tmp_path, slug="info-security", maker=single, **kwargs):
    loaded = service.load_zip(maker(tmp_path / f"{slug}.zip", **kwargs), slug, source=SOURCE_UPLOAD)
    service.db.session.commit()
    return loaded


def post(client, loaded, sco="sco-1", event="commit", **values):
    return client.post(
        f"/scorm/{loaded.package.slug}/{loaded.version.id}/{sco}/commit",
        json={"event": event, "values": values},
    )


def test_the_admin_uploads_a_package_and_a_bad_one_is_explained(app, db, client, tmp_path):
    admin = make_employee(roles=[Role.CONTENT_ADMIN])
    login(client, admin)
    bad = client.post(
        "/scorm/admin",
        data={"slug": "broken", "file": (io.BytesIO(b"not a zip"), "broken.zip")},
        content_type="multipart/form-data",
    )
    assert bad.status_code == 422
    assert "ファイルが zip 形式ではありません" in bad.get_data(as_text=True)
    assert db.session.scalar(select(ScormPackage)) is None
    good = client.post(
        "/scorm/admin",
        data={"slug": "info-security", "file": (single(tmp_path / "p.zip").open("rb"), "p.zip")},
        content_type="multipart/form-data",
    )
    assert good.status_code == 302
    package = db.session.scalar(select(ScormPackage))
    assert (package.slug, package.title_ja, package.source) == (
        "info-security",
        "情報セキュリティ研修 2027",
        SOURCE_UPLOAD,
    )
    assert "「情報セキュリティ研修 2027」を読み込みました（第 1 版、1 章）" in client.get(
        "/scorm/admin"
    ).get_data(as_text=True)


def test_only_content_admins_load_packages(app, client):
    login(client, make_employee())
    assert client.get("/scorm/admin").status_code == 403


def test_package_files_are_served_to_staff_under_their_own_policy(app, db, client, tmp_path):
    loaded = load(tmp_path)
    # unpacked beside the videos, where the media backup finds it
    assert (
        app.config["MEDIA_ROOT"] / "scorm" / loaded.version.checksum / "content" / "index.html"
    ).is_file()
    url = f"/scorm/files/{loaded.version.id}/content/index.html"
    assert client.get(url).status_code == 302  # signed-out staff go to the sign-in page
    login(client, make_employee())
    with client.get(url) as response:
        assert response.status_code == 200 and b"findAPI" in response.data
        policy = response.headers["Content-Security-Policy"]
        assert (
            "frame-ancestors 'self'" in policy
            and "sandbox allow-scripts allow-same-origin" in policy
        )
        assert response.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert client.get(f"/scorm/files/{loaded.version.id}/../../secret_key").status_code == 404
    player = client.get("/scorm/info-security")
    assert (
        player.headers["X-Frame-Options"] == "DENY"
        and "frame-ancestors 'none'" in player.headers["Content-Security-Policy"]
    )
    assert f'src="/scorm/files/{loaded.version.id}/content/index.html"' in player.get_data(
        as_text=True
    )


def test_the_server_checks_every_value_again_and_keeps_nothing_of_a_refused_call(
    app, db, client, tmp_path
):
    loaded = load(tmp_path)
    learner = make_employee()
    login(client, learner)
    assert post(client, loaded, event="initialize").json["lesson_status"] == "incomplete"
    refused = post(
        client, loaded, **{"cmi.core.lesson_location": "p2", "cmi.core.score.raw": "lots"}
    )
    assert refused.status_code == 400 and refused.json["error"] == 405
    assert post(client, loaded, **{"cmi.core.student_id": "999"}).json["error"] == 201
    assert post(client, loaded, **{"cmi.core.lesson_status": "not attempted"}).json["error"] == 405
    assert post(client, loaded, **{"cmi.core.session_time": "5 minutes"}).json["error"] == 405
    row = db.session.scalar(select(ScormRuntime))
    assert row.lesson_location == "" and row.score_raw is None
    post(
        client,
        loaded,
        event="finish",
        **{"cmi.core.session_time": "00:05:30.25", "cmi.core.exit": "suspend"},
    )
    post(client, loaded, event="finish", **{"cmi.core.session_time": "0001:00:00"})
    db.session.expire_all()
    assert db.session.scalar(select(ScormRuntime)).total_seconds == 3930.25
    assert (
        service.launch_values(learner, loaded.version, loaded.version.scos[0])[
            "cmi.core.total_time"
        ]
        == "0001:05:30.25"
    )


def test_the_mastery_score_decides_passed_or_failed(app, db, client, tmp_path):
    loaded = load(tmp_path, mastery="80")
    login(client, make_employee())
    assert (
        post(
            client, loaded, **{"cmi.core.score.raw": "75", "cmi.core.lesson_status": "completed"}
        ).json["lesson_status"]
        == "failed"
    )
    assert post(client, loaded, **{"cmi.core.score.raw": "80"}).json["lesson_status"] == "passed"


def test_completion_reaches_the_course_only_when_every_sco_is_done(app, db, client, tmp_path):
    department = make_department(code="1040", name_ja="税務課")
    learner = make_employee(department=department, name="窓口 花子")
    loaded = load(tmp_path, maker=multi)
    root = tmp_path / "content"
    (root / "courses").mkdir(parents=True)
    write_course(root, "info-security-course", COURSE)
    (root / "scorm").mkdir()
    multi(root / "scorm" / "info-security.zip")
    sync(app, root)
    course = db.session.scalar(select(Course).where(Course.slug == "info-security-course"))
    assert course.items[0]["title_ja"] == "個人情報保護研修"  # from the package's manifest
    login(client, learner)
    post(client, loaded, sco="part-1", event="initialize")
    post(client, loaded, sco="part-1", **{"cmi.core.lesson_status": "completed"})
    row = db.session.scalar(select(Assignment).where(Assignment.employee_id == learner.id))
    assert row.status == "in_progress"
    assert service.progress_for(learner.id, ["info-security"]) == {"info-security": 0.5}
    post(
        client,
        loaded,
        sco="part-2",
        **{"cmi.core.lesson_status": "passed", "cmi.core.score.raw": "90"},
    )
    db.session.expire_all()
    row = db.session.scalar(select(Assignment).where(Assignment.employee_id == learner.id))
    assert row.status == "completed"
    assert service.progress_for(learner.id, ["info-security"]) == {"info-security": 1.0}


def test_the_content_folder_loads_versions_and_retires_its_own_packages(app, db, tmp_path):
    root = tmp_path / "content"
    kind = registry.kind("scorm")
    single(root / "scorm" / "info-security.zip")
    (root / "scorm" / "Bad Name.zip").write_bytes(b"junk")
    problems = [str(p) for p in kind.check(kind.find(root), root)]
    assert any("Bad Name.zip" in p and "パッケージ ID として使えません" in p for p in problems)
    assert any("Bad Name.zip" in p and "zip 形式ではありません" in p for p in problems)
    (root / "scorm" / "Bad Name.zip").unlink()
    assert kind.sync(kind.find(root), root).created == 1
    assert kind.sync(kind.find(root), root).unchanged == 1
    single(root / "scorm" / "info-security.zip", title="情報セキュリティ研修 2028")
    kind.sync(kind.find(root), root)
    package = service.get_by_slug("info-security")
    assert (package.current_number, package.title_ja) == (2, "情報セキュリティ研修 2028")
    load(tmp_path, slug="uploaded")
    (root / "scorm" / "info-security.zip").unlink()
    kind.sync(kind.find(root), root)
    assert [p.slug for p in service.active_packages()] == ["uploaded"]


def test_the_package_list_reads_a_fixed_number_of_statements(app, db, client, tmp_path):
    from sqlalchemy import event

    from app.extensions import db as _db

    login(client, make_employee())
    load(tmp_path, slug="first")

    def count() -> tuple[int, str]:
        statements = []
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(_db.engine, "before_cursor_execute", listener)
        try:
            response = client.get("/scorm/")
        finally:
            event.remove(_db.engine, "before_cursor_execute", listener)
        return len(statements), response.get_data(as_text=True)

    before, html = count()
    assert "情報セキュリティ研修 2027" in html and "未着手" in html
    loaded = load(tmp_path, slug="second", maker=multi)
    post(client, loaded, sco="part-1", event="initialize")
    after, html = count()
    assert after == before
    assert "受講中" in html


def test_a_course_may_list_a_package_loaded_on_the_admin_page(app, db, tmp_path):
    from app.courses import content

    root = tmp_path / "content"
    (root / "courses").mkdir(parents=True)
    path = write_course(root, "info-security-course", COURSE)
    assert any(
        "scorm `info-security` がありません — scorm/info-security.zip を追加" in str(p)
        for p in content.check_file(path, root)
    )
    load(tmp_path)  # uploaded, not in the content folder
    assert [str(p) for p in content.check_file(path, root)] == []
    sync(app, root)
    course = db.session.scalar(select(Course).where(Course.slug == "info-security-course"))
    assert course.items[0]["title_ja"] == "情報セキュリティ研修 2027"


def test_reconcile_records_a_package_completion_the_courses_missed(app, db, client, tmp_path):
    from app.courses import service as courses
    from app.courses.models import ItemProgress

    learner = make_employee()
    loaded = load(tmp_path, maker=multi)
    login(client, learner)
    post(client, loaded, sco="part-1", **{"cmi.core.lesson_status": "completed"})
    assert service.completions() == []  # one part of two
    post(client, loaded, sco="part-2", **{"cmi.core.lesson_status": "passed"})
    assert service.completions() == [(learner.id, "info-security", 1)]
    db.session.execute(
        ItemProgress.__table__.delete()
    )  # e.g. the courses' tables restored from an older backup
    db.session.commit()
    assert courses.reconcile().repaired == {"scorm": 1}
    progress = db.session.scalar(select(ItemProgress).where(ItemProgress.kind == "scorm"))
    assert (progress.slug, progress.completed_version) == ("info-security", 1)
    assert courses.reconcile().repaired == {}
