"""The quick form by keyboard alone, measured: from the header button to a sent referral in
at most 40 key presses (text typed into fields is not counted, every other key is), the first
field focused on arrival, and after a failed send an error summary that takes focus and leads
to each field."""

from app.referrals.models import Referral
from tests.browser.conftest import assert_accessible, sign_in
from tests.factories import PASSWORD, make_department, make_employee

KEY_BUDGET = 40


class Keyboard:
    """Presses keys and counts them; typing text into a field is not counted as presses."""

    def __init__(self, page):
        self.page = page
        self.presses = 0
        self.tabs = 0

    def press(self, key: str, times: int = 1):
        for _ in range(times):
            self.page.keyboard.press(key)
            self.presses += 1
            self.tabs += key == "Tab"

    def type(self, text: str):
        self.page.keyboard.type(text)

    def focused(self) -> str:
        return self.page.evaluate("document.activeElement.id || document.activeElement.tagName")

    def tab_to(self, element_id: str, limit: int = 20) -> int:
        """Tab until the element has focus; returns how many Tabs it took."""
        for count in range(1, limit + 1):
            self.press("Tab")
            if self.focused() == element_id:
                return count
        raise AssertionError(
            f"{element_id} not reached in {limit} Tabs (focus on {self.focused()})"
        )


def test_a_minimal_referral_by_keyboard_alone(page, app, db):
    clerk = make_employee(department=make_department(name_ja="税務課"))
    sign_in(page, clerk, PASSWORD)
    keys = Keyboard(page)
    page.locator("#refer-button").focus()  # wherever the clerk is, the header button

    keys.press("Enter")
    page.wait_for_url("**/refer")
    assert keys.focused() == "resident_name"  # no Tabs needed to reach the first field
    keys.type("粟田 花子")
    assert keys.tab_to("observed") <= 3  # the number, then the collapsed resident details
    keys.type("窓口で、母親の介護で仕事を辞めたと話していた。")
    keys.tab_to("consent-0")
    keys.press("ArrowDown")  # 同意あり（口頭）
    keys.tab_to("told_about_office-0")
    keys.press("Space")  # 伝えた
    keys.tab_to("referral-submit")
    keys.press("Enter")
    page.wait_for_url("**/refer/sent/**")

    assert keys.presses <= KEY_BUDGET, f"{keys.presses} key presses ({keys.tabs} Tabs)"
    referral = db.session.query(Referral).one()
    assert referral.consent == "verbal" and referral.told_about_office is True
    assert referral.urgency == "routine" and referral.preferred_contact == "phone"
    print(f"keyboard-only minimal referral: {keys.presses} key presses, {keys.tabs} Tabs")


def test_required_and_optional_are_marked_before_sending(page, app, db):
    clerk = make_employee(department=make_department(name_ja="税務課"))
    sign_in(page, clerk, PASSWORD)
    page.goto("/refer")
    label = lambda selector: page.locator(selector).text_content()  # noqa: E731
    assert "必須" in label("label[for=observed]")
    for group in ("consent", "told_about_office", "urgency", "preferred_contact"):
        assert "必須" in label(f"#{group}-group legend"), group
    assert "どちらか必須" in label("label[for=resident_name]") and "どちらか必須" in label(
        "label[for=desk_number]"
    )
    for optional in ("resident_kana", "area", "birth_date", "phone", "household", "agencies"):
        assert "任意" in label(f"label[for={optional}]"), optional
    assert "任意" in label("fieldset.concerns legend")
    # What a minimal referral does not need starts collapsed.
    assert page.locator("#resident_kana").is_hidden() and page.locator("#household").is_hidden()
    # The hint and the error ask for the same length.
    assert "1～3行で" in page.locator("#observed-hint").inner_text()
    assert_accessible(page, "quick form with badges")


def test_a_failed_send_focuses_the_error_summary_and_its_links_lead_to_the_fields(page, app, db):
    clerk = make_employee(department=make_department(name_ja="税務課"))
    sign_in(page, clerk, PASSWORD)
    page.goto("/refer")
    page.locator("#resident-more > summary").click()
    page.select_option("#area", "金津地区")  # kept after the failed send, its section still open
    page.locator("#referral-submit").click()
    page.wait_for_load_state()

    summary = page.locator("#error-summary")
    assert page.evaluate("document.activeElement.id") == "error-summary"
    links = summary.locator("a")
    targets = [links.nth(i).get_attribute("href") for i in range(links.count())]
    assert targets == ["#resident_name", "#observed", "#consent-0", "#told_about_office-0"]
    text = summary.inner_text()
    assert "見たことや聞いたことを1～3行で入力してください。" in text
    assert page.locator("#resident-more").get_attribute("open") is not None
    assert page.input_value("#area") == "金津地区"
    assert_accessible(page, "quick form with errors")

    keys = Keyboard(page)
    keys.press("Tab")
    keys.press("Tab")  # the second link: 見たこと・聞いたこと
    keys.press("Enter")
    assert keys.focused() == "observed"
    summary.locator("a[href='#consent-0']").click()
    assert keys.focused() == "consent-0"
    assert db.session.query(Referral).count() == 0
