"""The system admin registers agencies and their staff's accounts; the command line does the same."""

from app.accounts import roster
from app.accounts import service as accounts
from app.accounts.models import Employee
from app.core.models import AuditEvent
from app.core.permissions import Permission, Role
from app.extensions import db
from app.partners.models import Agency, PartnerAccount
from tests.factories import login, make_employee


def test_the_admin_registers_an_agency_and_an_account_that_signs_in_to_the_partner_page(
    client, app
):
    admin = make_employee(roles=[Role.SYSTEM_ADMIN])
    login(client, admin)
    response = client.post(
        "/admin/agencies", data={"name": "NPO法人あわら若者サポート", "kind": "commissioned"}
    )
    assert response.status_code == 303
    agency = db.session.query(Agency).one()
    assert agency.kind == "commissioned"
    # The same name twice is refused with a message.
    again = client.post(
        "/admin/agencies", data={"name": "NPO法人あわら若者サポート", "kind": "commissioned"}
    )
    assert again.status_code == 400 and "すでに登録" in again.get_data(as_text=True)
    page = client.post(
        f"/admin/agencies/{agency.id}/accounts",
        data={"staff_number": "P0101", "name": "連携 一郎", "kana": "レンケイ イチロウ"},
    )
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "仮パスワード" in html
    import re

    temporary = re.search(r"仮パスワード（今だけ表示します）：(\S+)<", html).group(1)
    partner = db.session.query(Employee).filter_by(staff_number="P0101").one()
    assert partner.roles == {Role.LEARNER, Role.PARTNER} and partner.permissions == {
        Permission.VIEW_PARTNER_CASES
    }
    assert db.session.get(PartnerAccount, partner.id).agency_id == agency.id
    assert (
        db.session.query(AuditEvent)
        .filter_by(action="role.partner_granted", object_id=str(partner.id))
        .count()
        == 1
    )

    other = app.test_client()
    response = other.post("/login", data={"login": "P0101", "password": temporary})
    assert response.status_code == 302
    home = other.get("/")
    assert home.status_code == 302 and home.headers["Location"].endswith("/partners")
    assert other.get("/partners").status_code == 200

    # Deactivating the account ends its session at once.
    client.post(f"/admin/agencies/{agency.id}/accounts/{partner.id}/active")
    assert other.get("/partners").status_code == 302


def test_a_partner_account_cannot_be_given_other_roles(client):
    admin = make_employee(roles=[Role.SYSTEM_ADMIN])
    from tests.partners.helpers import make_agency, make_partner

    partner = make_partner(make_agency())
    login(client, admin)
    client.post(f"/admin/employees/{partner.id}/roles", data={"roles": ["consultation"]})
    db.session.refresh(partner)
    assert partner.roles == {Role.LEARNER, Role.PARTNER}
    import pytest

    with pytest.raises(accounts.RoleGrantRefused):
        accounts.set_roles(partner, {Role.PARTNER, Role.CONSULTATION}, actor=None)


def test_the_full_roster_import_leaves_partner_accounts_alone(app):
    from tests.partners.helpers import make_agency, make_partner

    partner = make_partner(make_agency())
    clerk = make_employee(staff_number="200001")
    csv = "職員番号,氏名,氏名カナ,所属コード,所属名,役職,メール\n200002,新人 太郎,シンジン タロウ,1040,税務課,主事,\n"
    summary = accounts.import_roster(roster.parse(csv.encode("utf-8")), deactivate_missing=True)
    assert summary.ok and summary.deactivated >= 1
    db.session.refresh(partner)
    db.session.refresh(clerk)
    assert partner.active and not clerk.active


def test_the_command_line_registers_agencies_and_accounts(app):
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=[
            "partners",
            "add-agency",
            "芦原地域包括支援センター",
            "--kind",
            "community_support_center",
        ]
    )
    assert result.exit_code == 0, result.output
    agency = db.session.query(Agency).one()
    result = runner.invoke(
        args=[
            "partners",
            "add-agency",
            "芦原地域包括支援センター",
            "--kind",
            "community_support_center",
        ]
    )
    assert result.exit_code != 0 and "すでに登録" in result.output
    result = runner.invoke(args=["partners", "add-agency", "どこか", "--kind", "nonsense"])
    assert result.exit_code != 0
    result = runner.invoke(
        args=[
            "partners",
            "add-account",
            str(agency.id),
            "P0201",
            "包括 次郎",
            "--kana",
            "ホウカツ ジロウ",
        ]
    )
    assert result.exit_code == 0 and "仮パスワード" in result.output
    listing = runner.invoke(args=["partners", "list"])
    assert "芦原地域包括支援センター" in listing.output and "P0201" in listing.output
    result = runner.invoke(args=["partners", "deactivate-account", "P0201"])
    assert result.exit_code == 0
    assert not db.session.query(Employee).filter_by(staff_number="P0201").one().active
