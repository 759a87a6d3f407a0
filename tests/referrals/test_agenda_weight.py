"""The 支援調整会議 agenda at its heaviest: a full page of cases with long plan goals, two
agencies each, a third without consent (the legal-basis field) and some closure proposals
(their own decision form, in place of the generic one). The page, with the stylesheets and
scripts it loads and a CSRF token in every form, stays under 100 KB, and each item stays
within its share of it.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from app.casework import service as casework
from app.core import clock
from app.core.permissions import Role
from app.extensions import db
from app.referrals import cases, meetings, service
from tests.factories import login, make_department, make_employee
from tests.referrals.helpers import make_referral
from tests.reports.test_page_weight import weight

LIMIT = 100_000  # bytes: the page's HTML plus every stylesheet and script it loads
# Bytes of HTML per agenda item, on average over the page (2.7 KB here): a page of them, the
# page's own parts and its assets stay under LIMIT.
ITEM_LIMIT = 3_000
# The legal-basis field of an item's decision form: the generic one or the closure decision's.
LEGAL_BASIS_FIELD = r'<select[^>]* name="(?:item|closure)\d+-legal_basis"'

GOAL = (
    "長男の就労が安定し、世帯の家計が赤字にならない状態を半年続ける。母親の介護保険サービスの"
    "利用を始め、本人が一人で抱え込まずに相談できる相手を地域に二人以上持てるようにする。"
    "滞納している国民健康保険税と水道料金は分納の約束を守り、{i}か月ごとに状況を確かめる。"
)
AGENCIES = [
    ("あわら市社会福祉協議会", "家計改善支援と日常生活自立支援事業（金銭管理の同行）"),
    ("坂井地区広域連合 地域包括支援センター", "母親の要介護認定の申請と、ケアマネジャーへのつなぎ"),
]
CLOSING = (
    "就労が半年続き、家計も黒字になった。母親はデイサービスの利用を始め、社会福祉協議会が月に"
    "一度の見守りを続ける。相談室としての支援は終える。"
)


@pytest.fixture
def agenda(app):
    """A meeting whose agenda has a full first page and a second one."""
    office = make_department(name_ja="福祉まるごと相談室")
    worker, colleague = (
        make_employee(department=office, roles=[Role.CONSULTATION], name=name)
        for name in ("長谷川部 美智子", "五十嵐 健太郎")
    )
    for i in range(meetings.AGENDA_PAGE_SIZE + 3):
        consent = "refused" if i % 3 == 2 else "verbal"
        referral = make_referral(
            resident_name=f"長谷川部 千代子・健一郎 {i}",
            resident_kana=f"ハセガベ チヨコ {i}",
            consent=consent,
            legal_basis="child_abuse" if consent == "refused" else "consent",
        )
        case = service.triage(
            referral, "accept", "複数の課題", lead_worker_id=worker.id, actor_id=worker.id
        )
        for name, role in AGENCIES:
            cases.add_agency(case, name, role, actor_id=worker.id)
        cases.update_plan(
            case,
            lead_worker_id=worker.id,
            risk="medium",
            plan_goal=GOAL.format(i=i % 3 + 1),
            next_review_on=clock.today() + timedelta(days=20),
            flagged_for_meeting=True,
            actor_id=worker.id,
        )
        if i % 5 == 0:
            casework.record_review(
                case,
                casework.ReviewInput(
                    summary="就労と家計が安定した。",
                    ready=True,
                    criterion="handed_over",
                    closure_summary=CLOSING,
                    follow_up="あわら市社会福祉協議会 地域福祉課",
                    follow_up_on=clock.today() + timedelta(days=90),
                ),
                actor=worker,
            )
        db.session.commit()
    meeting = meetings.prepare(clock.today() + timedelta(days=7), actor_id=colleague.id)
    db.session.commit()
    return meeting, colleague


def test_a_full_agenda_page_stays_under_100_kb(app, client, agenda):
    meeting, chair = agenda
    login(client, chair)
    url = f"/consultation/meetings/{meeting.id}"
    for locale in ("ja", "en"):
        app.config["WTF_CSRF_ENABLED"] = False
        client.post("/language", data={"locale": locale})
        app.config["WTF_CSRF_ENABLED"] = True  # a token in every form, as in production
        try:
            page = client.get(url).get_data(as_text=True)
            html, assets = weight(client, url)
        finally:
            app.config["WTF_CSRF_ENABLED"] = False
        # The page is full and heavy: every item, the tokens, the proposals, the basis fields.
        items = re.findall(r'<section class="agenda-item".*?</section>', page, re.S)
        assert len(items) == meetings.AGENDA_PAGE_SIZE and "page=2" in page
        proposals = page.count('class="closure-proposal"')
        assert proposals >= 5
        # One decision form per item: a proposal's item has the closure-decision form alone.
        assert len(re.findall(r'-csrf_token" value="[^"]{20,}"', page)) == len(items)
        assert len(re.findall(LEGAL_BASIS_FIELD, page)) >= len(items) // 3
        assert assets > 5_000, assets  # the site's stylesheet and script counted
        assert html + assets < LIMIT, (locale, html, assets)
        per_item = sum(len(item.encode()) for item in items) / len(items)
        assert per_item < ITEM_LIMIT, (locale, per_item)


def test_the_support_meeting_basis_is_explained_once_and_marked_on_each_case(client, agenda):
    meeting, chair = agenda
    login(client, chair)
    page = client.get(f"/consultation/meetings/{meeting.id}").get_data(as_text=True)
    assert page.count('id="legal-basis-note"') == 1
    assert page.count("社会福祉法第106条の6）として検討します") == 1
    items = re.findall(r'<section class="agenda-item".*?</section>', page, re.S)
    unconsented = [item for item in items if re.search(LEGAL_BASIS_FIELD, item)]
    assert unconsented and len(unconsented) == page.count("<dd>本人拒否</dd>")
    assert all('href="#legal-basis-note"' in item for item in unconsented)
    assert page.count('href="#legal-basis-note"') == len(unconsented)
