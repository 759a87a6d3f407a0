"""Offline referral drafts hold residents' data: gone after signing out, and after a day."""

from app.referrals.models import Referral
from tests.browser.conftest import sign_in
from tests.browser.test_referrals import fill_referral, sign_out
from tests.factories import PASSWORD, make_department, make_employee

DRAFT_KEYS = "Object.keys(localStorage).filter(k => k.startsWith('tsunagu-referral-draft-'))"


def _keep_a_draft_offline(page, clerk):
    sign_in(page, clerk, PASSWORD)
    page.goto("/refer")
    fill_referral(page)
    page.context.set_offline(True)
    page.locator("#referral-submit").click()
    page.wait_for_function(f"{DRAFT_KEYS}.length === 1")
    page.context.set_offline(False)


def test_signing_out_clears_the_draft(page, app, db):
    clerk = make_employee(department=make_department(name_ja="税務課"))
    _keep_a_draft_offline(page, clerk)
    assert "粟田" in page.evaluate(f"localStorage.getItem({DRAFT_KEYS}[0])")
    page.evaluate("localStorage.setItem('unrelated-setting', '1')")
    sign_out(page)
    assert page.evaluate(DRAFT_KEYS) == []
    # Chromium honoured Clear-Site-Data: the whole origin's storage went, not only the drafts.
    assert page.evaluate("localStorage.getItem('unrelated-setting')") is None
    assert db.session.query(Referral).count() == 0


def test_the_sign_in_page_clears_drafts_where_clear_site_data_is_ignored(page, app, db):
    # Over plain HTTP on an intranet host name, browsers ignore Clear-Site-Data.
    @app.after_request
    def drop_clear_site_data(response):
        response.headers.pop("Clear-Site-Data", None)
        return response

    clerk = make_employee(department=make_department(name_ja="税務課"))
    _keep_a_draft_offline(page, clerk)
    page.evaluate("localStorage.setItem('unrelated-setting', '1')")
    sign_out(page)
    assert page.evaluate("localStorage.getItem('unrelated-setting')") == "1"
    assert page.evaluate(DRAFT_KEYS) == []
    # A later visit to the sign-in page (not after a sign-out) leaves a fresh draft alone.
    page.evaluate(
        "localStorage.setItem('tsunagu-referral-draft-7', JSON.stringify({saved_at: Date.now(), fields: {}}))"
    )
    page.goto("/login")
    assert page.evaluate(DRAFT_KEYS) == ["tsunagu-referral-draft-7"]


def test_drafts_older_than_a_day_expire(page, app, db):
    page.goto("/login")
    page.evaluate("""() => {
        const day = 24 * 60 * 60 * 1000;
        localStorage.setItem('tsunagu-referral-draft-1', JSON.stringify({saved_at: Date.now() - day - 60000, fields: {}}));
        localStorage.setItem('tsunagu-referral-draft-2', JSON.stringify({saved_at: Date.now() - day + 60000, fields: {}}));
        localStorage.setItem('tsunagu-referral-draft-3', JSON.stringify({resident_name: ['no date']}));
    }""")
    page.reload()
    assert page.evaluate(DRAFT_KEYS) == ["tsunagu-referral-draft-2"]
