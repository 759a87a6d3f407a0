"""SCORM 1.2 packages in Chromium: packages written here call the run-time API from inside the
sandboxed frame; their completion reaches the learner's home and the HR dashboard."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.core.permissions import Role
from app.courses.models import Course
from app.scorm.models import ScormRuntime
from tests.browser.conftest import assert_accessible, sign_in
from tests.courses.support import sync, write_course
from tests.factories import PASSWORD, make_department, make_employee
from tests.scorm.packages import multi, single

COURSE = """
title: {{ja: "{title}"}}
items:
  - scorm: {slug}
required_for: {{all_staff: true}}
due_within_days: 30
objectives: [{{ja: "情報の扱いで守ることを説明できる"}}]
"""

ERROR_CALLS = """() => {
  const api = window.parent.API, out = {};
  const call = (name, f) => { const value = f(); out[name] = [value, api.LMSGetLastError()]; };
  call("read_only", () => api.LMSSetValue("cmi.core.student_id", "x"));
  call("write_only", () => api.LMSGetValue("cmi.core.exit"));
  call("data_type", () => api.LMSSetValue("cmi.core.score.raw", "high"));
  call("status_vocabulary", () => api.LMSSetValue("cmi.core.lesson_status", "done"));
  call("unknown", () => api.LMSGetValue("cmi.core.favourite_colour"));
  call("not_implemented", () => api.LMSGetValue("cmi.interactions._count"));
  call("keyword", () => api.LMSSetValue("cmi.core._children", "x"));
  call("twice", () => api.LMSInitialize(""));
  out.diagnostic = api.LMSGetDiagnostic("");
  out.string = api.LMSGetErrorString("403");
  out.children = api.LMSGetValue("cmi.core.score._children");
  out.credit = api.LMSGetValue("cmi.core.credit");
  return out;
}"""


@pytest.fixture
def city(app, db, tmp_path):
    tax = make_department(code="1040", name_ja="税務課")
    hr = make_department(code="1020", name_ja="人事課")
    learner = make_employee(department=tax, name="窓口 花子")
    admin = make_employee(department=hr, roles=[Role.TRAINING_ADMIN], name="人事 研修")
    root = tmp_path / "content"
    (root / "courses").mkdir(parents=True)
    single(root / "scorm" / "info-security.zip")
    multi(root / "scorm" / "privacy.zip")
    write_course(
        root,
        "info-security-course",
        COURSE.format(title="情報セキュリティ研修", slug="info-security"),
    )
    write_course(root, "privacy-course", COURSE.format(title="個人情報保護研修", slug="privacy"))
    from app.content import registry

    kind = registry.kind("scorm")
    assert kind.sync(kind.find(root), root).created == 2
    sync(app, root)
    return {"learner": learner, "admin": admin, "tax": tax}


def sco_frame(page):
    page.wait_for_function(
        "() => { const f = document.getElementById('scorm-frame'); "
        "return f && f.contentDocument && f.contentDocument.getElementById('result') "
        "&& f.contentDocument.getElementById('result').textContent !== ''; }"
    )
    return page.frame_locator("#scorm-frame")


def frame_of(page):
    return next(f for f in page.frames if "/scorm/files/" in f.url)


def runtime(db, sco):
    db.session.expire_all()
    return db.session.scalar(select(ScormRuntime).where(ScormRuntime.sco == sco))


def test_a_single_sco_package_runs_saves_resumes_and_completes(page, app, db, city):
    learner = city["learner"]
    sign_in(page, learner, PASSWORD)
    page.goto("/")
    page.locator('main a[href="/scorm/info-security"]').first.click()
    page.wait_for_url("**/scorm/info-security")
    frame = sco_frame(page)
    assert frame.locator("#result").inner_text() == "init:true"
    assert (
        frame.locator("#before").inner_text() == "|301|false|201"
    )  # before LMSInitialize; an argument
    assert frame.locator("#name").inner_text() == "窓口, 花子"
    assert frame.locator("#student").inner_text() == learner.staff_number
    assert frame.locator("#entry").inner_text() == "ab-initio"
    assert runtime(db, "sco-1").lesson_status == "incomplete"  # LMSInitialize was saved

    errors = frame_of(page).evaluate(ERROR_CALLS)
    assert errors["read_only"] == ["false", "403"]
    assert errors["write_only"] == ["", "404"]
    assert errors["data_type"] == ["false", "405"]
    assert errors["status_vocabulary"] == ["false", "405"]
    assert errors["unknown"] == ["", "201"]
    assert errors["not_implemented"] == ["", "401"]
    assert errors["keyword"] == ["false", "402"]
    assert errors["twice"] == ["false", "101"]
    assert errors["diagnostic"] == "101: General exception"
    assert errors["string"] == "Element is read only"
    assert (errors["children"], errors["credit"]) == ("raw,min,max", "credit")

    frame.locator("#next").click()
    assert frame.locator("#result").inner_text() == "commit:true"
    assert page.locator("#scorm-status").inner_text() == "保存しました。"
    saved = runtime(db, "sco-1")
    assert (saved.lesson_location, saved.suspend_data) == ("page-3", "answers=1,0,2")
    frame.locator("#finish").click()
    assert frame.locator("#result").inner_text() == "finish:true"
    after = frame_of(page).evaluate(
        "() => [window.parent.API.LMSGetValue('cmi.core.lesson_location'), window.parent.API.LMSGetLastError()]"
    )
    assert after == ["", "301"]  # finished: the SCO must initialize again
    assert runtime(db, "sco-1").total_seconds == 330.25

    page.reload()
    frame = sco_frame(page)
    assert frame.locator("#entry").inner_text() == "resume"
    assert frame.locator("#location").inner_text() == "page-3"
    assert frame.locator("#suspend").inner_text() == "answers=1,0,2"
    assert_accessible(page, "SCORM player")
    frame.locator("#pass").click()
    assert frame.locator("#result").inner_text() == "commit:true"
    frame.locator("#finish").click()
    assert frame.locator("#result").inner_text() == "finish:true"
    done = runtime(db, "sco-1")
    assert (done.lesson_status, done.score_raw) == ("passed", 85.0)

    page.goto("/")
    completed = page.locator("main .completed-list")
    assert "情報セキュリティ研修" in completed.inner_text()

    page.context.clear_cookies()
    sign_in(page, city["admin"], PASSWORD)
    course = db.session.scalar(select(Course).where(Course.slug == "info-security-course"))
    page.goto(f"/reports/?course={course.id}")
    row = page.locator("main tr", has_text="税務課").first
    assert "100%" in row.inner_text()


def test_a_multi_sco_package_completes_when_every_part_is_done(page, app, db, city):
    sign_in(page, city["learner"], PASSWORD)
    page.goto("/scorm/privacy")
    parts = page.get_by_role("navigation", name="この教材の章")
    assert parts.get_by_role("link").all_inner_texts() == [
        "第1章 個人情報とは",
        "第2章 窓口での取扱い",
    ]
    frame = sco_frame(page)
    frame.locator("#pass").click()
    assert frame.locator("#result").inner_text() == "commit:true"
    assert parts.locator('[data-sco="part-1"]').inner_text() == "修了"
    frame.locator("#finish").click()
    assert frame.locator("#result").inner_text() == "finish:true"

    page.goto("/")
    required = page.locator("main .course-card", has_text="個人情報保護研修")
    assert required.count() == 1  # one part of two: still to do
    page.goto("/scorm/privacy")  # carries on with the part not yet done
    assert page.locator("#scorm-frame").get_attribute("src").endswith("/ch2/index.html")
    frame = sco_frame(page)
    assert frame.locator("#entry").inner_text() == "ab-initio"
    frame.locator("#pass").click()
    frame.locator("#finish").click()
    assert frame.locator("#result").inner_text() == "finish:true"

    page.goto("/")
    assert page.locator("main .course-card", has_text="個人情報保護研修").count() == 0
    assert "個人情報保護研修" in page.locator("main .completed-list").inner_text()


def test_a_save_that_does_not_reach_the_portal_returns_false_and_says_so(page, app, db, city):
    sign_in(page, city["learner"], PASSWORD)
    page.goto("/scorm/info-security")
    frame = sco_frame(page)
    page.context.clear_cookies()  # signed out in another tab, say
    frame.locator("#next").click()
    assert frame.locator("#result").inner_text() == "commit:false"
    assert frame_of(page).evaluate("() => window.parent.API.LMSGetLastError()") == "101"
    assert "保存できませんでした" in page.locator("#scorm-status").inner_text()
    assert runtime(db, "sco-1").lesson_location == ""
    # the refused request is the only thing the console reports
    assert all("400" in message for message in page.recorder.console_errors)
    page.recorder.console_errors.clear()


def test_the_demo_package_pages_resume_and_its_test_passes_on_all_correct(page, app, db, city):
    from app.scorm.demo import load_demo

    load_demo()
    sign_in(page, city["learner"], PASSWORD)
    page.goto("/scorm/info-security-basics")
    part = page.frame_locator("#scorm-frame")
    part.get_by_role("button", name="次へ").click()
    assert part.locator("#page-no").inner_text() == "2 / 3"
    page.reload()  # left part-way: back on the same page
    part = page.frame_locator("#scorm-frame")
    assert part.locator("#page-no").inner_text() == "2 / 3"
    part.get_by_role("button", name="次へ").click()
    part.get_by_role("button", name="この章を終える").click()
    assert part.locator("#message").inner_text() == "この章は修了しました。"

    page.get_by_role("link", name="次の章へ：第2章 不審なメールと添付ファイル").click()
    part = page.frame_locator("#scorm-frame")
    part.get_by_role("button", name="次へ").click()
    part.get_by_role("button", name="次へ").click()
    part.get_by_label("リンクを開かず、情報政策課に連絡する").check()
    part.get_by_label("内容を見るために有効化する").check()
    part.get_by_label("LAN ケーブルを抜き、電源は切らずに情報政策課へ電話する").check()
    part.get_by_role("button", name="採点する").click()
    assert "得点 67 点" in part.locator("#message").inner_text()
    assert (
        runtime(db, "suspicious-mail").lesson_status == "failed"
    )  # the manifest's mastery score 80
    part.get_by_label("押さずに閉じ、情報政策課に連絡する").check()
    part.get_by_role("button", name="採点する").click()
    assert part.locator("#message").inner_text() == "合格です。この章は修了しました。"
    done = runtime(db, "suspicious-mail")
    assert (done.lesson_status, done.score_raw) == ("passed", 100.0)
    from app.scorm import service

    assert service.progress_for(city["learner"].id, ["info-security-basics"]) == {
        "info-security-basics": 1.0
    }


def test_a_package_finds_the_api_even_when_the_runtime_arrives_late(page, app, db, city):
    """On a busy network the package's page can load before the portal's run-time script."""
    import time as _time

    def late(route):
        _time.sleep(1.5)
        route.continue_()

    page.route("**/static/js/scorm-runtime.js*", late)
    sign_in(page, city["learner"], PASSWORD)
    page.goto("/scorm/privacy")
    frame = sco_frame(page)
    frame.locator("#pass").click()
    assert frame.locator("#result").inner_text() == "commit:true"
