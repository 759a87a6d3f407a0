"""In Chromium: a partner agency's day (a shared case, a visit recorded, nothing else to be
found) and an office lead's (every caseload, a handover, a closure proposal decided at the
支援調整会議)."""

from datetime import timedelta

from app.casework import service as casework
from app.core import clock
from app.core.permissions import Role
from app.extensions import db
from app.partners import service as partners
from app.referrals import cases, service
from app.referrals.models import CaseEntry, SupportCase
from tests.browser.conftest import assert_accessible, sign_in
from tests.factories import PASSWORD, make_department, make_employee
from tests.partners.helpers import make_agency, make_partner
from tests.referrals.helpers import make_referral


def sign_out(page):
    page.locator("header button.link-button").click()
    page.wait_for_url("**/login")


def _case(worker, agency=None, role="見守り・訪問", **referral):
    case = service.triage(
        make_referral(**referral), "accept", "新規", lead_worker_id=worker.id, actor_id=worker.id
    )
    if agency is not None:
        cases.add_agency(case, "", role, agency.id, actor_id=worker.id)
    db.session.commit()
    return case


def test_a_partners_day(page, app):
    office = make_department(code="3050", name_ja="福祉まるごと相談室")
    worker = make_employee(department=office, roles=[Role.CONSULTATION], name="相談 主担当")
    council = make_agency()
    other_agency = make_agency("芦原地域包括支援センター", "community_support_center")
    shared = _case(worker, council)
    shared.plan_goal = "家計を立て直し、地域とのつながりを取り戻す。"
    db.session.commit()
    partners.set_sharing(
        shared,
        council.id,
        fields=["area", "household", "plan_goal"],
        entry_ids=[],
        support_meeting_member=False,
        actor=worker,
    )
    db.session.commit()
    elsewhere = _case(
        worker, other_agency, resident_name="別件 次郎", resident_kana="ベッケン ジロウ"
    )
    partner = make_partner(council, "P0101")

    sign_in(page, partner, PASSWORD)
    page.wait_for_url("**/partners")
    assert shared.reference in page.locator("#partner-cases").inner_text()
    assert elsewhere.reference not in page.locator("main").inner_text()
    nav = page.locator("header nav").inner_text()
    assert "共有ケース" in nav and "受付" not in nav and "統計" not in nav
    assert_accessible(page, "partner's shared cases")

    page.get_by_role("link", name=shared.reference).click()
    page.wait_for_url(f"**/partners/cases/{shared.id}")
    main = page.locator("main").inner_text()
    assert "粟田 花子" in main and "家計を立て直し" in main and "見守り・訪問" in main
    assert "滞納" not in main  # what the desk wrote in the referral is never shown
    assert_accessible(page, "partner's case")

    page.select_option("#kind", "visit")
    page.fill("#body", "自宅を訪問し、本人と玄関先で話した。次回は来週。")
    page.get_by_role("button", name="主担当に送る").click()
    page.wait_for_url(f"**/partners/cases/{shared.id}#timeline")
    assert "相談室の主担当に届きます" in page.locator("main").inner_text()
    assert "玄関先で話した" in page.locator("#timeline").inner_text()

    # Nothing else is there to be found.
    assert page.request.get(f"/partners/cases/{elsewhere.id}").status == 404
    for url in (
        "/consultation/inbox",
        f"/consultation/cases/{shared.id}",
        "/consultation/statistics",
        "/consultation/partner-updates",
        "/refer",
        "/admin/agencies",
    ):
        response = page.request.get(url)
        assert response.status == 403 and "粟田" not in response.text(), url
    sign_out(page)

    # The visit is in the lead worker's queue.
    sign_in(page, worker, PASSWORD)
    page.goto("/consultation/partner-updates")
    assert "玄関先で話した" in page.locator("#partner-updates").inner_text()
    assert_accessible(page, "partner updates")
    page.get_by_role("button", name="確認済みにする").click()
    page.wait_for_url("**/consultation/partner-updates")
    assert "新しい報告はありません" in page.locator("main").inner_text()
    entry = db.session.query(CaseEntry).filter_by(case_id=shared.id, kind="visit").one()
    assert entry.agency_id == council.id and entry.acknowledged_by_id == worker.id


def test_an_office_leads_day(page, app):
    office = make_department(code="3050", name_ja="福祉まるごと相談室")
    lead = make_employee(
        department=office, roles=[Role.CONSULTATION, Role.CONSULTATION_LEAD], name="統括 室長補佐"
    )
    busy = make_employee(
        department=office, roles=[Role.CONSULTATION], name="相談 多忙", name_kana="ソウダン タボウ"
    )
    free = make_employee(
        department=office, roles=[Role.CONSULTATION], name="相談 余裕", name_kana="ソウダン ヨユウ"
    )
    agency = make_agency()
    long_case = _case(busy, agency)
    long_case.opened_at = clock.utcnow() - timedelta(days=400)
    long_case.next_review_on = clock.today() - timedelta(days=5)
    db.session.commit()
    ready = _case(busy, agency, resident_name="終結 予定", resident_kana="シュウケツ ヨテイ")
    _case(free)
    casework.record_review(
        ready,
        casework.ReviewInput(
            summary="家計が安定し、社協の見守りに移る。",
            ready=True,
            criterion="handed_over",
            closure_summary="社会福祉協議会に引き継ぎ、見守りを続ける。",
            follow_up="あわら市社会福祉協議会",
            follow_up_on=clock.today() + timedelta(days=90),
        ),
        actor=busy,
    )
    db.session.commit()

    sign_in(page, lead, PASSWORD)
    page.goto("/casework/caseloads")
    row = page.locator("#caseloads tr", has_text="相談 多忙").inner_text()
    assert "2" in row
    assert page.locator("#caseloads meter").count() >= 2
    assert_accessible(page, "caseloads")
    page.get_by_role("link", name="相談 多忙").click()
    page.wait_for_url(f"**/casework/caseloads/{busy.id}")
    table = page.locator("#caseload").inner_text()
    assert long_case.reference in table and "長期" in table and "期限超過" in table
    assert_accessible(page, "a worker's caseload")

    # Handover of the long case to the colleague with room.
    page.locator("#caseload tr", has_text=long_case.reference).get_by_role(
        "link", name="引き継ぐ"
    ).click()
    page.wait_for_url(f"**/casework/cases/{long_case.id}/handover")
    assert_accessible(page, "handover")
    page.select_option("#to_worker_id", str(free.id))
    page.fill("#note", "長男の就労支援を継続中。次回は社協と同行訪問の予定。")
    page.get_by_role("button", name="引き継ぐ").click()
    page.wait_for_url(f"**/consultation/cases/{long_case.id}#timeline")
    assert "相談 余裕" in page.locator("#lead-worker").inner_text()
    assert "社協と同行訪問" in page.locator("#timeline").inner_text()

    # The meeting: the closure proposal is on the agenda and the meeting closes the case.
    page.goto("/consultation/meetings")
    page.get_by_role("button", name="次第を作成する").click()
    page.wait_for_url("**/consultation/meetings/*")
    proposal = page.locator(f"#closure-proposal-{ready.id}")
    assert "社会福祉協議会に引き継ぎ" in proposal.inner_text()
    assert_accessible(page, "agenda with a closure proposal")
    proposal.get_by_label("提案どおり終結する").check()
    proposal.locator("textarea").fill(
        "終結とする。社協が見守りを続け、3か月後に相談室が様子を確かめる。"
    )
    proposal.get_by_role("button", name="提案への決定を記録").click()
    page.wait_for_url("**/consultation/meetings/*")
    assert "会議の決定でケースを終結しました" in page.locator("main").inner_text()
    db.session.expire_all()
    closed = db.session.get(SupportCase, ready.id)
    assert closed.status == "closed" and closed.closure_reason == "handed_over"
    assert closed.closure_requested_by_id == busy.id and closed.closure_approved_by_id == lead.id
