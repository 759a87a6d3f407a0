"""Playing role-play scenarios in Chromium: every kind of ending, keyboard use, axe on each page."""

from pathlib import Path

import pytest

from app.config import PROJECT_ROOT
from app.core.permissions import Role
from app.scenarios import content, service
from tests.browser.conftest import assert_accessible, sign_in
from tests.factories import PASSWORD, make_employee
from tests.scenarios.conftest import FIXTURE_ROOT, sync_fixture_scenarios
from tests.scenarios.test_shipped_content import route_to


@pytest.fixture
def practice(app):
    app.config["CONTENT_ROOT"] = FIXTURE_ROOT
    sync_fixture_scenarios()
    return service.get_active("practice-desk")


def click_and_wait(page, locator):
    """Click a button that submits a form, and wait for the page it leads to."""
    with page.expect_navigation():
        locator.click()


def choose(page, text: str):
    click_and_wait(page, page.get_by_role("button", name=text))


def test_play_to_each_kind_of_ending(page, practice):
    learner = make_employee()
    sign_in(page, learner, PASSWORD)
    page.get_by_role("navigation", name="メイン").get_by_role("link", name="ロールプレイ").click()
    page.wait_for_url("**/scenarios/")
    assert page.get_by_role("heading", level=1).inner_text() == "ロールプレイ・シナリオ"
    assert_accessible(page, "scenario list")
    page.get_by_role("link", name="練習：収納窓口で").click()
    page.wait_for_url("**/scenarios/practice-desk")
    assert page.get_by_text("滞納の背景にある困りごとに気づく").is_visible()
    assert_accessible(page, "scenario intro")
    click_and_wait(page, page.get_by_role("button", name="はじめる"))
    assert page.get_by_text("息子の分まで払っていて、もう手が回らなくて……。").is_visible()
    assert page.locator(".scene-image img").evaluate("img => img.complete && img.naturalWidth > 0")
    assert_accessible(page, "scenario step")

    # Keyboard only: the number keys choose by the position shown (the order is the attempt's own).
    key = page.locator('button.choice[value="0"]').get_attribute("data-key")
    page.keyboard.press(key)
    page.wait_for_url("**/scenarios/practice-desk#feedback")
    feedback = page.locator("#feedback")
    assert "よい問いかけです" in feedback.inner_text()
    assert page.evaluate("document.activeElement.id") == "feedback"
    assert_accessible(page, "step with feedback")
    # Focus the choice and press Enter
    page.locator('button.choice[value="0"]').focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/results/*")
    verdict = page.locator(".verdict")
    assert "つなげた" in verdict.inner_text() and "5 点中 5 点" in verdict.inner_text()
    assert page.get_by_role("heading", name="明日の窓口で").is_visible()
    assert page.get_by_text("本人の同意を得てつなぐ、理想的な対応です。").first.is_visible()
    assert_accessible(page, "scenario result")

    click_and_wait(page, page.get_by_role("button", name="もう一度挑戦する"))
    choose(page, "「息子さんのことを、もう少し聞かせていただけますか」と尋ねる")
    choose(page, "「大変ですね」と共感だけして、手続きに戻る")
    assert "一部つなげた" in page.locator(".verdict").inner_text()
    assert "まだ合格していません" in page.locator(".verdict").inner_text()

    click_and_wait(page, page.get_by_role("button", name="もう一度挑戦する"))
    choose(page, "分納の手続きだけを案内する")
    choose(page, "そのまま見送る")
    assert "見逃した" in page.locator(".verdict").inner_text()
    assert_accessible(page, "missed ending")


def test_back_button_and_resume(page, practice):
    learner = make_employee()
    sign_in(page, learner, PASSWORD)
    page.goto("/scenarios/practice-desk")
    click_and_wait(page, page.get_by_role("button", name="はじめる"))
    choose(page, "分納の手続きだけを案内する")
    assert page.get_by_text("……わかりました。").is_visible()
    click_and_wait(page, page.get_by_role("button", name="1つ前に戻る"))
    assert page.get_by_text("息子の分まで払っていて").is_visible()
    choose(page, "「息子さんのことを、もう少し聞かせていただけますか」と尋ねる")
    page.goto("/")  # leave mid-way …
    page.goto("/scenarios/practice-desk")  # … and come back
    assert page.get_by_text("私の年金だけで暮らしています。").is_visible()
    assert page.locator("form.choices input[name=step]").get_attribute("value") == "1"


def test_works_without_javascript(browser, live_server, practice):
    learner = make_employee()
    context = browser.new_context(
        base_url=live_server.url, java_script_enabled=False, locale="ja-JP"
    )
    page = context.new_page()
    try:
        sign_in(page, learner, PASSWORD)
        page.goto("/scenarios/practice-desk")
        click_and_wait(page, page.get_by_role("button", name="はじめる"))
        choose(page, "「息子さんのことを、もう少し聞かせていただけますか」と尋ねる")
        choose(page, "相談室のことを説明し、つないでよいか同意を確認する")
        assert "つなげた" in page.locator(".verdict").inner_text()
    finally:
        context.close()


def test_choice_report_is_accessible(page, practice):
    learner = make_employee()
    sign_in(page, learner, PASSWORD)
    page.goto("/scenarios/practice-desk")
    click_and_wait(page, page.get_by_role("button", name="はじめる"))
    choose(page, "分納の手続きだけを案内する")
    click_and_wait(page, page.get_by_role("button", name="ログアウト"))  # as a shared desk would
    sign_in(page, make_employee(roles=[Role.CONTENT_ADMIN]), PASSWORD)
    page.goto("/scenarios/")
    page.get_by_role("link", name="職員がつまずく場面：選択状況レポート").click()
    page.wait_for_url("**/scenarios/reports")
    assert_accessible(page, "reports list")
    page.get_by_role("link", name="練習：収納窓口で").click()
    page.wait_for_url("**/practice-desk/report")
    assert "分納の手続きだけを案内する" in page.locator("main").inner_text()
    assert_accessible(page, "choice report")


SHIPPED = content.find(PROJECT_ROOT)


@pytest.mark.skipif(not SHIPPED, reason="no scenarios shipped yet")
@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_shipped_scenario_to_each_ending(page, app, path: Path):
    app.config["CONTENT_ROOT"] = PROJECT_ROOT
    content.sync([path], PROJECT_ROOT)
    definition = service.current_version(service.get_active(path.stem)).definition
    sign_in(page, make_employee(), PASSWORD)
    endings = [n for n, node in definition["nodes"].items() if "ending" in node]
    for number, ending in enumerate(endings):
        page.goto(f"/scenarios/{path.stem}")
        click_and_wait(
            page, page.locator("main form button[type=submit]").first
        )  # はじめる / もう一度挑戦する
        node_id = definition["start"]
        for index in route_to(definition, ending):
            assert page.locator("input[name=node]").get_attribute("value") == node_id
            if number == 0 and node_id == definition["start"]:
                assert_accessible(page, f"{path.stem} first step")
            click_and_wait(
                page, page.locator(f'button.choice[value="{index}"]')
            )  # by the file's index: the shown order is shuffled
            node_id = definition["nodes"][node_id]["choices"][index]["next"]
        verdict = definition["nodes"][ending]["ending"]["verdict"]
        label = {"connected": "つなげた", "partial": "一部つなげた", "missed": "見逃した"}[verdict]
        assert page.locator(".verdict__value").inner_text() == label
        if number == 0:
            assert_accessible(page, f"{path.stem} result")
