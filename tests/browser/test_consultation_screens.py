"""The 相談室's screens in Chromium: the triage form shows only the part the chosen decision
needs — by the stylesheet alone, so also with scripts switched off."""

import pytest

from app.referrals.models import SupportCase
from tests.browser.conftest import assert_accessible, sign_in
from tests.factories import PASSWORD
from tests.referrals.helpers import make_referral, office_staff

PARTS = {"accept": "#lead_worker_id", "link": "#case_id", "redirect": "#redirected_to"}


def _shown(page) -> list[str]:
    return [action for action, selector in PARTS.items() if page.locator(selector).is_visible()]


@pytest.mark.parametrize("scripts", [True, False], ids=["with-scripts", "without-scripts"])
def test_the_triage_form_shows_only_what_the_decision_needs(browser, live_server, db, scripts):
    (worker,) = office_staff()
    referral = make_referral()
    context = browser.new_context(
        base_url=live_server.url, locale="ja-JP", java_script_enabled=scripts
    )
    page = context.new_page()
    try:
        sign_in(page, worker, PASSWORD)
        page.goto(f"/consultation/referrals/{referral.id}")
        assert _shown(page) == []
        for action in ("link", "redirect", "info_only", "accept"):
            page.check(f"input[name=action][value={action}]")
            assert _shown(page) == ([action] if action in PARTS else [])
        assert_accessible(page, "triage, accept chosen") if scripts else None
        page.select_option("#lead_worker_id", str(worker.id))
        page.fill("#reason", "複数の課題があるため。")
        page.get_by_role("button", name="対応方針を保存する").click()
        page.wait_for_url("**/consultation/cases/**")
        assert db.session.query(SupportCase).one().lead_worker_id == worker.id
    finally:
        context.close()


def test_a_failed_decision_shows_the_part_with_its_error(page, db):
    (worker,) = office_staff()
    referral = make_referral()
    sign_in(page, worker, PASSWORD)
    page.goto(f"/consultation/referrals/{referral.id}")
    page.check("input[name=action][value=redirect]")
    page.fill("#reason", "高齢者の見守りのため。")
    page.get_by_role("button", name="対応方針を保存する").click()
    page.wait_for_load_state()
    assert _shown(page) == ["redirect"]
    assert "機関名を入力してください" in page.locator(".triage-part--redirect").inner_text()
    assert page.input_value("#reason") == "高齢者の見守りのため。"
    # The refused decision is answered 400, which Chromium reports on the console: expected here.
    assert all("400" in e for e in page.recorder.console_errors)
    page.recorder.console_errors.clear()
