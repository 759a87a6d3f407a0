"""Linking a referral to an existing case: the picker searches instead of listing every case."""

from __future__ import annotations

from app.extensions import db
from app.referrals import cases, service
from tests.factories import login
from tests.referrals.helpers import make_referral, office_staff


def _case(worker, **kw):
    case = service.triage(
        make_referral(**kw), "accept", "新規", lead_worker_id=worker.id, actor_id=worker.id
    )
    db.session.commit()
    return case


def _options(page: str) -> str:
    return page.split('id="case_id"')[1].split("</select>")[0]


def test_picker_offers_recent_cases_of_the_same_area_not_every_case(client, db):
    (worker,) = office_staff()
    here = _case(
        worker, resident_name="北潟 一郎", resident_kana="キタガタ イチロウ", area="北潟地区"
    )
    elsewhere = _case(
        worker, resident_name="吉崎 二郎", resident_kana="ヨシザキ ジロウ", area="吉崎地区"
    )
    referral = make_referral(
        resident_name="波松 三郎", resident_kana="ナミマツ サブロウ", area="北潟地区"
    )
    login(client, worker)
    options = _options(client.get(f"/consultation/referrals/{referral.id}").get_data(as_text=True))
    assert here.reference in options and "北潟 一郎" in options
    assert elsewhere.reference not in options and "吉崎 二郎" not in options


def test_picker_finds_by_reference_number_and_by_kana(client, db):
    (worker,) = office_staff()
    target = _case(
        worker, resident_name="吉崎 二郎", resident_kana="ヨシザキ ジロウ", area="吉崎地区"
    )
    other = _case(
        worker, resident_name="細呂木 四郎", resident_kana="ホソロギ シロウ", area="細呂木地区"
    )
    referral = make_referral(
        resident_name="波松 三郎", resident_kana="ナミマツ サブロウ", area="北潟地区"
    )
    login(client, worker)
    url = f"/consultation/referrals/{referral.id}"

    number = int(target.reference.rsplit("-", 1)[1])
    for query in (target.reference, target.reference.lower().replace("-", "－"), str(number)):
        page = client.post(url, data={"lookup-case_query": query}).get_data(as_text=True)
        assert target.reference in _options(page) and other.reference not in _options(page), query

    page = client.post(url, data={"lookup-case_query": "ヨシザキ ジロウ"}).get_data(as_text=True)
    assert target.reference in _options(page) and other.reference not in _options(page)
    assert "lookup-result" in page
    page = client.post(url, data={"lookup-case_query": "ダレモイナイ"}).get_data(as_text=True)
    assert target.reference not in _options(page) and "見つかりません" in page


def test_a_found_case_can_be_linked_and_a_hidden_one_too(client, db):
    """The triage form accepts the case the clerk found, though it is not among the defaults."""
    (worker,) = office_staff()
    target = _case(
        worker, resident_name="吉崎 二郎", resident_kana="ヨシザキ ジロウ", area="吉崎地区"
    )
    referral = make_referral(
        resident_name="波松 三郎", resident_kana="ナミマツ サブロウ", area="北潟地区"
    )
    login(client, worker)
    response = client.post(
        f"/consultation/referrals/{referral.id}/triage",
        data={"action": "link", "reason": "同一世帯と確認", "case_id": target.id},
    )
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(type(referral), referral.id).case_id == target.id


def test_find_for_link_never_offers_anonymised_cases(db):
    (worker,) = office_staff()
    case = _case(worker, resident_kana="ヨシザキ ジロウ")
    case.anonymised_at = case.opened_at
    db.session.commit()
    assert cases.find_for_link(case.reference) == []
    assert cases.linkable(case.id) is None
