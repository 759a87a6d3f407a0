"""A learner in Chromium: the home panel, a reading, completion, the printable certificate."""

from sqlalchemy import select

from app.courses.models import Course
from tests.browser.conftest import assert_accessible, sign_in
from tests.courses.support import complete, content_root, sync
from tests.factories import PASSWORD, make_department, make_employee


def test_learner_follows_the_course_and_prints_the_certificate(page, app, db, tmp_path):
    tax = make_department(code="1040", name_ja="税務課")
    learner = make_employee(department=tax, name="窓口 花子")
    sync(app, content_root(tmp_path))
    # The course's videos are stand-ins here, not converted lessons: show them as not yet
    # available rather than linking to a player that has nothing to play.
    app.view_functions.pop("videos.watch")
    sign_in(page, learner, PASSWORD)

    panel = page.locator("section.course-panel")
    assert panel.get_by_role("heading", name="必修研修").is_visible()
    assert panel.locator("progress").count() == 2
    assert_accessible(page, "home with required courses")

    card = panel.locator("li.course-card", has_text="全職員研修")
    assert "所要時間の目安 約" in card.inner_text()
    card.get_by_role("link", name="続きから：気づいて、つなぐ ― どの窓口にもできること").click()
    page.wait_for_url("**/reading/why-every-desk")
    assert (
        page.get_by_role("heading", level=1).inner_text()
        == "気づいて、つなぐ ― どの窓口にもできること"
    )
    assert_accessible(page, "reading")
    page.get_by_role("button", name="読みました").click()
    page.wait_for_url(
        "**/courses/all-staff-tsunagu"
    )  # the next item (a video) is not on this portal yet
    assert page.get_by_role("status").first.inner_text() == "読了として記録しました。"
    assert "受講中" in page.locator("dl.facts").inner_text()
    assert_accessible(page, "course page")

    # The video, scenario and quiz areas report completions through their signals; the
    # last one completes the course.
    course = db.session.scalar(select(Course).where(Course.slug == "all-staff-tsunagu"))
    for item in course.items:
        if item["kind"] != "reading":
            complete(app, learner, item["kind"], item["slug"])
    page.goto("/courses/all-staff-tsunagu")
    assert "修了" in page.locator("dl.facts").inner_text()

    page.goto("/")
    completed = page.locator("ul.completed-list li", has_text="全職員研修")
    assert "修了" in completed.inner_text()
    completed.get_by_role("link", name="修了証").click()
    page.wait_for_url("**/certificate")
    certificate = page.locator("article.certificate")
    assert "窓口 花子" in certificate.inner_text() and "全職員研修" in certificate.inner_text()
    assert_accessible(page, "certificate")
    page.emulate_media(media="print")
    assert not page.locator("header.site-header").is_visible()
    assert not page.get_by_role("button", name="印刷する").is_visible()
    assert certificate.is_visible()


def test_course_list_and_assignment_page_are_accessible(page, app, db, tmp_path):
    from app.core.permissions import Role

    hr = make_department(code="1020", name_ja="人事課")
    admin = make_employee(department=hr, roles=[Role.TRAINING_ADMIN], name="人事 研修")
    sync(app, content_root(tmp_path))
    sign_in(page, admin, PASSWORD)
    page.get_by_role("link", name="わたしの研修").click()
    page.wait_for_url("**/courses/")
    assert page.get_by_role("heading", name="受講が必要な研修").is_visible()
    assert page.get_by_role(
        "heading", name="その他の研修"
    ).is_visible()  # 窓口編 is not required in 人事課
    assert_accessible(page, "my training")
    page.get_by_role("link", name="研修の割当て").click()
    page.wait_for_url("**/courses/admin/assignments")
    assert_accessible(page, "assignments")
    page.get_by_role("button", name="今すぐ割当てルールを適用する").click()
    assert "割当てルールを適用しました" in page.get_by_role("status").first.inner_text()


def test_the_checklist_prints_on_one_a4_page(page, app, db, tmp_path):
    import re

    tax = make_department(code="1040", name_ja="税務課")
    learner = make_employee(department=tax, name="窓口 花子")
    sync(app, content_root(tmp_path))
    sign_in(page, learner, PASSWORD)
    page.get_by_role("link", name="印刷用 窓口チェックリスト（気づいて、つなぐ）").first.click()
    page.wait_for_url("**/courses/all-staff-tsunagu/checklist")
    checklist = page.locator("article.checklist")
    assert "相談室の職員からご連絡してもよろしいでしょうか" in checklist.inner_text()
    assert app.config["REFERRAL_OFFICE_EXTENSION"] in checklist.inner_text()
    assert_accessible(page, "checklist")
    page.emulate_media(media="print")
    assert not page.locator("header.site-header").is_visible()
    assert not page.get_by_role("button", name="印刷する").is_visible()
    pdf = page.pdf(format="A4", print_background=True)
    pages = len(re.findall(rb"/Type\s*/Page(?!s)", pdf))
    assert pages == 1, f"the checklist prints on {pages} A4 pages"
