"""The role-play scripts page in Chromium: accessible, the Render button, live progress."""

from playwright.sync_api import expect

from app.core.permissions import Role
from app.extensions import db
from app.rendering.models import RenderJob, RenderStatus
from tests.browser.conftest import assert_accessible, sign_in
from tests.factories import PASSWORD, make_employee
from tests.rendering.conftest import SMALL, write_script


def test_content_admin_renders_a_script_and_watches_progress(page, app, tmp_path):
    app.config.update(SMALL, CONTENT_ROOT=tmp_path)
    write_script(tmp_path)
    write_script(tmp_path, "id: other\ntitle: {ja: 別の台本}\n", "other")
    admin = make_employee(roles=[Role.CONTENT_ADMIN])
    sign_in(page, admin, PASSWORD)
    page.get_by_role("link", name="ロールプレイ台本").click()
    assert page.get_by_role("heading", name="ロールプレイ台本").is_visible()
    row = page.locator("#script-two-lines")
    assert "まだ作成していません" in row.inner_text()
    assert "台本に誤りがあります" in page.locator("#script-other").inner_text()
    assert_accessible(page, "scripts page")

    row.get_by_role("button", name="作成").click()
    page.wait_for_load_state()
    row = page.locator("#script-two-lines")
    assert "動画は最新です" in row.inner_text()
    assert row.locator("progress").get_attribute("value") == "100"
    assert (tmp_path / "videos" / "two-lines" / "source.mp4").exists()
    assert_accessible(page, "scripts page after rendering")

    # A job still running is followed live by the page's script.
    job = RenderJob(
        script_id="two-lines",
        status=RenderStatus.RUNNING,
        progress=0.4,
        phase="speech",
        requested_by_id=admin.id,
    )
    db.session.add(job)
    db.session.commit()
    page.reload()
    row = page.locator("#script-two-lines")
    assert row.locator("progress").get_attribute("value") == "40"
    job.status, job.progress, job.message = RenderStatus.DONE, 1.0, "完了しました"
    db.session.commit()
    expect(row.locator("[data-role=label]")).to_have_text("作成済み")
    expect(row.locator("progress")).to_have_attribute("value", "100")
    assert row.locator("[data-role=message]").inner_text() == "完了しました"
