"""Sign in, switch language, sign out, accessibility and the closed-network rule, in Chromium."""

from app.core.permissions import Role
from tests.browser.conftest import assert_accessible, sign_in
from tests.factories import PASSWORD, make_department, make_employee


def test_sign_in_switch_language_sign_out(page, app):
    person = make_employee(name="窓口 花子")
    page.goto("/login")
    assert page.locator("html").get_attribute("lang") == "ja"
    assert_accessible(page, "login (ja)")
    sign_in(page, person, PASSWORD)
    assert page.locator("h1").inner_text() == "窓口 花子 さん、こんにちは"
    assert_accessible(page, "home (ja)")

    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("button", name="Sign out").is_visible()
    assert_accessible(page, "home (en)")

    page.reload()  # the choice is remembered
    assert page.locator("html").get_attribute("lang") == "en"
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/login")
    assert page.get_by_role("heading", name="Sign in").is_visible()
    page.goto("/")
    assert "/login" in page.url


def test_wrong_password_message_is_announced(page, app):
    person = make_employee()
    page.goto("/login")
    page.fill("#login", person.staff_number)
    page.fill("#password", "wrong-password")
    page.click("main button[type=submit]")
    alert = page.get_by_role("alert")
    assert "正しくありません" in alert.inner_text()
    assert_accessible(page, "login error")


def test_admin_pages_are_accessible_and_keyboard_usable(page, app):
    tax = make_department(code="1040", name_ja="税務課", name_en="Taxation Division")
    admin = make_employee(roles=[Role.SYSTEM_ADMIN, Role.TRAINING_ADMIN], department=tax)
    make_employee(department=tax, name="検索 対象", name_kana="ケンサク タイショウ")
    sign_in(page, admin, PASSWORD)
    page.goto("/admin/employees")
    assert_accessible(page, "employees")
    page.fill("#q", "ケンサク")
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    page.locator("table a").first.focus()
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    assert page.locator("h1").inner_text().startswith("検索 対象")
    assert_accessible(page, "employee")
    page.goto("/admin/roster")
    assert_accessible(page, "roster upload")
    page.goto("/account/password")
    assert_accessible(page, "change password")


def test_skip_link_and_visible_focus(page, app):
    person = make_employee()
    sign_in(page, person, PASSWORD)
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert "本文へ移動" in focused
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"


def test_the_axe_check_itself_catches_a_violation(page, app):
    import pytest

    page.goto("/login")
    page.evaluate(
        "document.querySelector('main').insertAdjacentHTML('beforeend', '<input id=unlabelled>')"
    )
    with pytest.raises(AssertionError, match="label"):
        assert_accessible(page)
