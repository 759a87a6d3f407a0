"""The story in Chromium: a tax-desk clerk refers a resident, the 相談室 accepts and reaches
them, the clerk sees つながりました, HR cannot open it. Also: offline draft, phone width,
XSS payloads staying inert, English, and axe on every page."""

from sqlalchemy import select

from app.core.permissions import Role
from app.referrals import service
from app.referrals.models import Referral, SupportCase
from tests.browser.conftest import assert_accessible, sign_in
from tests.factories import PASSWORD, make_department, make_employee

XSS = '<script>window.__xss=1</script><img src=x onerror="window.__xss=2">'


def sign_out(page):
    page.locator("header button.link-button").click()
    page.wait_for_url("**/login")


def fill_referral(page, observed="滞納分を小銭で支払われた。母親を一人にできないと話していた。"):
    page.fill("#resident_name", "粟田 花子")
    page.locator("#resident-more > summary").click()
    page.fill("#resident_kana", "アワタ ハナコ")
    page.select_option("#area", "金津地区")
    page.check("input[name=concerns][value=arrears]")
    page.check("input[name=concerns][value=care]")
    page.fill("#observed", observed)
    page.check("input[name=consent][value=verbal]")
    page.check("input[name=told_about_office][value=yes]")


def test_the_referral_story(page, app, db):
    tax = make_department(code="1040", name_ja="税務課", name_en="Taxation Division")
    office = make_department(code="3050", name_ja="福祉まるごと相談室")
    clerk = make_employee(department=tax, name="税務 窓口")
    worker = make_employee(department=office, roles=[Role.CONSULTATION], name="相談 主担当")
    supervisor = make_employee(department=office, roles=[Role.CONSULTATION], name="相談 係長")
    hr = make_employee(roles=[Role.TRAINING_ADMIN], name="人事 担当")

    # The clerk: keyboard shortcut → the quick form.
    sign_in(page, clerk, PASSWORD)
    page.keyboard.press("Alt+Shift+R")
    page.wait_for_url("**/refer")
    assert page.locator("h1").inner_text() == "住民を相談室につなぐ"
    assert_accessible(page, "quick form (ja)")
    assert page.locator("#call-now").is_hidden()
    page.check("input[name=urgency][value=life_risk]")
    assert (
        page.locator("#call-now").is_visible()
        and "内線 281" in page.locator("#call-now").inner_text()
    )
    page.check("input[name=urgency][value=routine]")
    assert page.locator("#call-now").is_hidden()
    page.check("input[name=consent][value=refused]")
    no_consent = page.locator("#no-consent-route")
    assert "担当業務で知ったこと" in no_consent.inner_text()
    assert no_consent.get_by_label("住民を特定しない相談").is_visible()
    assert_accessible(page, "quick form without consent")

    fill_referral(page, observed="滞納分を小銭で支払われた。" + XSS)
    page.get_by_text("電話番号・世帯の状況・関わっている機関（任意）").click()
    page.fill("#household", "母（80代）と二人暮らし" + XSS)
    page.fill("#agencies", XSS)
    assert page.locator("#no-consent-route").is_hidden()
    page.locator("#referral-submit").dblclick()  # a double click sends one referral
    page.wait_for_url("**/refer/sent/**")
    reference = page.locator("#reference").inner_text()
    assert reference.startswith(f"R-{service.today().year}-")
    assert "粟田" not in page.url
    assert_accessible(page, "referral sent")
    page.reload()  # reloading the confirmation sends nothing again
    db.session.expire_all()
    assert db.session.query(Referral).count() == 1
    page.goto("/refer/mine")
    assert "受付済" in page.locator("#my-referrals").inner_text()
    assert_accessible(page, "my referrals")
    sign_out(page)

    # The 相談室: inbox → triage → case → first contact.
    sign_in(page, worker, PASSWORD)
    assert "新しいつなぎ：1 件" in page.locator("main").inner_text()  # the office's home panel
    assert_accessible(page, "home with the referral panels")
    page.goto("/consultation/inbox")
    assert_accessible(page, "inbox")
    page.get_by_role("link", name=reference).click()
    assert page.evaluate("window.__xss") is None
    assert XSS in page.locator("#observed").inner_text()
    assert "母（80代）と二人暮らし" + XSS in page.locator("#referral-facts").inner_text()
    assert_accessible(page, "referral detail")
    page.check("input[name=action][value=accept]")
    page.select_option("#lead_worker_id", str(worker.id))
    page.fill("#reason", "税の滞納の背景に介護負担があるため。" + XSS)
    page.get_by_role("button", name="対応方針を保存する").click()
    page.wait_for_url("**/consultation/cases/**")
    assert_accessible(page, "case")
    page.select_option("#kind", "contact")
    page.fill("#body", "電話で本人と話し、来所の約束をした。" + XSS)
    page.get_by_role("button", name="支援経過に記録する").click()
    page.wait_for_load_state()
    assert "電話で本人と話し" in page.locator("#timeline").inner_text()
    page.get_by_text("関係機関を追加する").click()
    page.fill("#agency-name", "社会福祉協議会")
    page.fill("#agency-role", XSS)
    page.locator("#agency-name").press("Enter")
    page.wait_for_load_state()
    assert page.evaluate("window.__xss") is None
    case = db.session.scalar(select(SupportCase))
    case.next_review_on = (
        service.today().replace(day=1) if service.today().day > 1 else service.today()
    )
    db.session.commit()

    for url, what in [
        ("/consultation/cases", "cases"),
        ("/consultation/cases/stale", "stale"),
        ("/consultation/meetings", "meetings"),
        ("/consultation/statistics", "statistics"),
        ("/consultation/audit", "audit log"),
    ]:
        page.goto(url)
        assert page.evaluate("window.__xss") is None
        assert_accessible(page, what)
    page.goto("/consultation/meetings")
    page.get_by_role("button", name="次第を作成する").click()
    page.wait_for_url("**/consultation/meetings/*")
    assert case.reference in page.locator("main").inner_text()
    assert_accessible(page, "agenda")
    page.emulate_media(media="print")
    assert page.locator("main form").first.is_hidden() and page.locator("header").is_hidden()
    page.emulate_media(media="screen")
    # The audit log, searched by the number the clerk was given.
    page.goto("/consultation/audit")
    page.fill("#reference", reference.lower())
    page.locator("#reference").press("Enter")
    page.wait_for_url("**reference=*")
    events = page.locator("#audit-events").inner_text()
    assert "つなぎの閲覧" in events and "つなぎの送信" in events and case.reference in events
    assert "support_case" not in events and "{" not in events
    assert page.input_value("#reference") == reference.lower()
    assert_accessible(page, "audit log searched by reference")
    sign_out(page)

    # The clerk sees the loop closed, and nothing of the case.
    sign_in(page, clerk, PASSWORD)
    page.goto("/refer/mine")
    row = page.locator("#my-referrals tr", has_text=reference).inner_text()
    assert "つながりました" in row
    assert "電話" not in page.locator("main").inner_text()
    assert page.request.get(f"/consultation/cases/{case.id}").status == 403
    sign_out(page)

    # HR cannot open the referral or the case.
    sign_in(page, hr, PASSWORD)
    referral = db.session.scalar(select(Referral))
    for url in (
        f"/consultation/referrals/{referral.id}",
        f"/consultation/cases/{case.id}",
        "/consultation/inbox",
    ):
        response = page.request.get(url)
        assert response.status == 403 and "粟田" not in response.text()
    assert supervisor.id  # a second member of the office exists for closures


def test_english_offline_draft_and_phone(page, app, db, live_server):
    tax = make_department(code="1040", name_ja="税務課", name_en="Taxation Division")
    clerk = make_employee(department=tax)
    page.set_viewport_size({"width": 375, "height": 740})
    sign_in(page, clerk, PASSWORD)
    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    page.locator("#refer-button").click()
    page.wait_for_url("**/refer")
    assert page.locator("h1").inner_text() == "Refer a resident to the consultation office"
    assert page.evaluate(
        "document.documentElement.scrollWidth <= window.innerWidth"
    )  # no sideways scrolling
    assert_accessible(page, "quick form (en, phone)")
    fill_referral(page)

    # The connection drops: nothing is lost, nothing is sent.
    page.context.set_offline(True)
    page.locator("#referral-submit").click()
    assert "offline" in page.locator("#draft-status").inner_text()
    page.context.set_offline(False)
    db.session.expire_all()
    assert db.session.query(Referral).count() == 0

    page.goto("/refer")
    assert page.locator("#draft-offer").is_visible()
    page.get_by_role("button", name="Restore it").click()
    assert page.input_value("#resident_kana") == "アワタ ハナコ"
    assert page.is_checked("input[name=concerns][value=care]")
    page.locator("#referral-submit").click()
    page.wait_for_url("**/refer/sent/**")
    assert "The referral has been sent" in page.locator("h1").inner_text()
    assert (
        page.evaluate(
            "Object.keys(localStorage).filter(k => k.startsWith('tsunagu-referral-draft')).length"
        )
        == 0
    )
    page.goto("/refer/mine")
    assert "Received" in page.locator("#my-referrals").inner_text()
    assert_accessible(page, "my referrals (en)")
    db.session.expire_all()
    assert db.session.query(Referral).count() == 1
    reference = db.session.scalar(select(Referral)).reference
    sign_out(page)

    # The office in English: triage and first contact, on a phone.
    worker = make_employee(
        department=make_department(name_ja="福祉まるごと相談室"), roles=[Role.CONSULTATION]
    )
    worker.locale = "en"
    db.session.commit()
    sign_in(page, worker, PASSWORD)
    page.goto("/consultation/inbox")
    assert page.locator("h1").inner_text() == "Referral inbox"
    page.get_by_role("link", name=reference).click()
    assert_accessible(page, "referral detail (en, phone)")
    page.check("input[name=action][value=accept]")
    page.select_option("#lead_worker_id", str(worker.id))
    page.fill("#reason", "Arrears with a care burden behind them.")
    page.get_by_role("button", name="Save the decision").click()
    page.wait_for_url("**/consultation/cases/**")
    page.select_option("#kind", "visit")
    page.fill("#body", "Visited; met the resident and her mother.")
    page.get_by_role("button", name="Add to the timeline").click()
    page.wait_for_load_state()
    assert "Home visit" in page.locator("#timeline").inner_text()
    assert_accessible(page, "case (en, phone)")
    sign_out(page)
    sign_in(page, clerk, PASSWORD)
    page.goto("/refer/mine")
    assert "Resident reached" in page.locator("#my-referrals tr", has_text=reference).inner_text()


def test_resend_after_the_answer_was_lost_creates_one(page, app, db):
    clerk = make_employee(department=make_department(code="4040", name_ja="上下水道課"))
    sign_in(page, clerk, PASSWORD)
    page.goto("/refer")
    fill_referral(page, observed="検針時、郵便物がたまっていた。")

    def lose_the_answer(route):
        if route.request.method != "POST":
            return route.continue_()
        route.fetch()  # the portal receives and stores the referral…
        return route.abort()  # …but the answer never reaches the browser

    page.route("**/refer", lose_the_answer)
    page.locator("#referral-submit").click()
    page.wait_for_timeout(500)
    page.unroute("**/refer")
    page.recorder.console_errors.clear()  # the dropped connection above is intended
    db.session.expire_all()
    assert db.session.query(Referral).count() == 1

    page.goto("/refer")
    page.get_by_role("button", name="復元する").click()
    assert page.input_value("#observed") == "検針時、郵便物がたまっていた。"
    page.locator("#referral-submit").click()
    page.wait_for_url("**/refer/sent/**")
    db.session.expire_all()
    referral = db.session.scalar(select(Referral))
    assert db.session.query(Referral).count() == 1
    assert page.locator("#reference").inner_text() == referral.reference
