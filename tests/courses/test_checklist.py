"""The printable checklist: its text from the course file, the settings from the portal."""

from tests.courses.support import content_root, sync, write_course
from tests.factories import login, make_department, make_employee


def learner_with_courses(app, tmp_path):
    learner = make_employee(department=make_department(code="1040", name_ja="税務課"))
    root = content_root(tmp_path)
    sync(app, root)
    return learner, root


def test_checklist_shows_the_consent_question_three_cases_and_the_settings(
    app, db, client, tmp_path
):
    app.config.update(
        REFERRAL_OFFICE_EXTENSION="内線 999",
        REFERRAL_OFFICE_HOURS="平日 9:00～16:00",
        REFERRAL_AFTER_HOURS="宿日直へ<b>",
        REFERRAL_EMERGENCY_NUMBERS="110 / 119",
    )
    learner, _root = learner_with_courses(app, tmp_path)
    login(client, learner)
    response = client.get("/courses/checklist")
    assert response.status_code == 302 and response.headers["Location"].endswith(
        "/courses/all-staff-tsunagu/checklist"
    )
    html = client.get("/courses/all-staff-tsunagu/checklist").get_data(as_text=True)
    assert "相談室の職員からご連絡してもよろしいでしょうか" in html
    for case in ("同意あり", "同意なし", "同意より優先する義務", "未確認", "本人拒否"):
        assert case in html
    assert "内線 999" in html and "平日 9:00～16:00" in html and "110 / 119" in html
    assert "宿日直へ&lt;b&gt;" in html  # settings are text, never markup
    # Emergency first: the call-now box comes before the checklist's body.
    assert html.index("110 / 119") < html.index("相談室の職員からご連絡してもよろしいでしょうか")
    assert "{{" not in html


def test_readings_show_the_settings_in_place_of_their_tokens(app, db, client, tmp_path):
    app.config["REFERRAL_OFFICE_EXTENSION"] = "内線 999"
    learner, _root = learner_with_courses(app, tmp_path)
    login(client, learner)
    html = client.get("/courses/all-staff-tsunagu/reading/why-every-desk").get_data(as_text=True)
    assert "まず119番・110番。そのあと上司と相談室（内線 999）へ。" in html
    assert "{{" not in html


def test_home_links_the_checklist_and_it_needs_a_sign_in(app, db, client, tmp_path):
    learner, _root = learner_with_courses(app, tmp_path)
    assert client.get("/courses/all-staff-tsunagu/checklist").status_code in (302, 401)
    login(client, learner)
    assert 'href="/courses/all-staff-tsunagu/checklist"' in client.get("/").get_data(as_text=True)
    assert 'href="/courses/all-staff-tsunagu/checklist"' in client.get(
        "/courses/all-staff-tsunagu"
    ).get_data(as_text=True)
    assert client.get("/courses/desk-tax-insurance/checklist").status_code == 404  # it has none


def test_checklist_and_token_problems_name_the_line(app, tmp_path):
    from flask_babel import force_locale

    from app.courses import content

    root = content_root(tmp_path, shipped=False)
    front = 'title: {ja: "t"}\nitems:\n  - reading: intro\nchecklist: missing\n'
    path = write_course(
        root, "bad", front, "<!-- reading: intro -->\n## 題\n相談室（{{ office_extention }}）\n"
    )

    def errors(locale):
        with force_locale(locale):
            found = content.check_file(path, root)
        return [(p.line, p.message, p.hint) for p in found if p.severity == "error"]

    assert errors("en") == [
        (
            5,
            "the course: `checklist` names reading `missing`, which does not exist",
            "Add a line <!-- reading: missing --> followed by its text.",
        ),
        (9, "unknown setting {{ office_extention }}", "Did you mean `office_extension`?"),
    ]
    assert errors("ja") == [
        (
            5,
            "研修 の `checklist`: reading `missing` がありません",
            "<!-- reading: missing --> の行を書き、その下に本文を書いてください。",
        ),
        (
            9,
            "{{ office_extention }} という設定はありません",
            "`office_extension` の誤りではありませんか？",
        ),
    ]
