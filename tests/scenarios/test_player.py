"""Playing a scenario through the portal's pages: one step at a time, feedback, endings, resume."""

import re

from sqlalchemy import select

from app.core.permissions import Role
from app.core.signals import learning_item_completed, learning_item_started
from app.scenarios import service
from app.scenarios.models import ScenarioAttempt, ScenarioChoice
from tests.factories import login, make_employee


def _state(html):
    attempt = re.search(r'name="attempt" value="(\d+)"', html).group(1)
    node = re.search(r'name="node" value="([^"]+)"', html).group(1)
    step = re.search(r'name="step" value="(\d+)"', html).group(1)
    return {"attempt": attempt, "node": node, "step": step}


def _choose(client, index):
    html = client.get("/scenarios/practice-desk").get_data(as_text=True)
    return client.post("/scenarios/practice-desk/choose", data={**_state(html), "choice": index})


def test_play_to_the_connected_ending(client, practice):
    learner = make_employee()
    login(client, learner)
    intro = client.get("/scenarios/practice-desk").get_data(as_text=True)
    assert "練習：収納窓口で" in intro and "滞納の背景にある困りごとに気づく" in intro
    client.post("/scenarios/practice-desk/start")
    step = client.get("/scenarios/practice-desk").get_data(as_text=True)
    assert "息子の分まで払っていて" in step and "住民" in step
    assert 'src="/scenarios/media/counter.svg"' in step and 'alt="収納窓口のカウンター"' in step
    response = _choose(client, 0)
    assert response.status_code == 302
    page = client.get("/scenarios/practice-desk").get_data(as_text=True)
    assert "よい問いかけです" in page  # immediate feedback on the choice
    assert "私の年金だけで暮らしています" in page
    response = _choose(client, 0)
    assert "/results/" in response.headers["Location"]
    result = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "つなげた" in result
    assert "5 点中 5 点（合格点 4 点）" in result
    assert "滞納の理由をひとこと尋ねる" in result  # 明日の窓口で
    assert "本人の同意を得てつなぐ" in result  # the path with its feedback
    attempt = service.finished_attempts(learner.id, practice)[0]
    assert (attempt.verdict, attempt.score, attempt.passed) == ("connected", 5, True)


def test_partial_and_missed_endings_and_the_pass_mark(client, practice):
    learner = make_employee()
    login(client, learner)
    client.post("/scenarios/practice-desk/start")
    _choose(client, 0)
    _choose(client, 1)  # partial: 2 + 1 = 3 < pass mark 4
    attempt = service.finished_attempts(learner.id, practice)[0]
    assert (attempt.verdict, attempt.score, attempt.passed) == ("partial", 3, False)
    result = client.get(f"/scenarios/practice-desk/results/{attempt.id}").get_data(as_text=True)
    assert "一部つなげた" in result and "相談室のチラシを手元に置く" in result

    client.post("/scenarios/practice-desk/start")
    _choose(client, 1)
    _choose(client, 1)
    attempt = service.finished_attempts(learner.id, practice)[0]
    assert (attempt.verdict, attempt.passed) == ("missed", False)
    assert "見逃した" in client.get(f"/scenarios/practice-desk/results/{attempt.id}").get_data(
        as_text=True
    )


def test_resume_where_the_learner_left(client, practice):
    learner = make_employee()
    login(client, learner)
    client.post("/scenarios/practice-desk/start")
    _choose(client, 0)
    other = client.application.test_client()
    login(other, learner)
    page = other.get("/scenarios/practice-desk").get_data(as_text=True)
    assert "私の年金だけで暮らしています" in page
    assert _state(page)["step"] == "1"


def test_stale_or_double_submit_records_nothing(client, practice, db):
    learner = make_employee()
    login(client, learner)
    client.post("/scenarios/practice-desk/start")
    html = client.get("/scenarios/practice-desk").get_data(as_text=True)
    state = _state(html)
    client.post("/scenarios/practice-desk/choose", data={**state, "choice": 0})
    client.post(
        "/scenarios/practice-desk/choose", data={**state, "choice": 1}
    )  # the same page again
    assert db.session.scalar(select(db.func.count(ScenarioChoice.id))) == 1
    response = client.post(
        "/scenarios/practice-desk/choose",
        data={**_state(client.get("/scenarios/practice-desk").get_data(as_text=True)), "choice": 9},
    )
    assert response.status_code == 302
    assert db.session.scalar(select(db.func.count(ScenarioChoice.id))) == 1


def test_back_navigation_keeps_the_choice_on_record(client, practice, db):
    learner = make_employee()
    login(client, learner)
    client.post("/scenarios/practice-desk/start")
    _choose(client, 1)
    html = client.get("/scenarios/practice-desk").get_data(as_text=True)
    assert "戻る" in html
    state = _state(html)
    client.post(
        "/scenarios/practice-desk/back", data={"attempt": state["attempt"], "step": state["step"]}
    )
    html = client.get("/scenarios/practice-desk").get_data(as_text=True)
    assert _state(html)["node"] == "arrival" and _state(html)["step"] == "0"
    choices = db.session.scalars(select(ScenarioChoice)).all()
    assert len(choices) == 1 and choices[0].undone_at is not None
    _choose(client, 0)
    _choose(client, 0)
    attempt = service.finished_attempts(learner.id, practice)[0]
    assert attempt.score == 5  # the taken-back choice does not count


def test_another_learners_attempt_is_not_shown(client, practice):
    owner = make_employee()
    login(client, owner)
    client.post("/scenarios/practice-desk/start")
    _choose(client, 1)
    _choose(client, 1)
    attempt = service.finished_attempts(owner.id, practice)[0]
    intruder = client.application.test_client()
    login(intruder, make_employee())
    assert intruder.get(f"/scenarios/practice-desk/results/{attempt.id}").status_code == 404
    html = intruder.get("/scenarios/practice-desk").get_data(as_text=True)
    assert "はじめる" in html and "これまでの結果" not in html


def test_signals_started_once_and_completed_once_per_version(client, practice):
    learner = make_employee()
    login(client, learner)
    started, completed = [], []

    def on_started(sender, **kw):
        started.append(kw)

    def on_completed(sender, **kw):
        completed.append(kw)

    learning_item_started.connect(on_started)
    learning_item_completed.connect(on_completed)
    try:
        for _ in range(2):
            client.post("/scenarios/practice-desk/start")
            _choose(client, 0)
            _choose(client, 0)
    finally:
        learning_item_started.disconnect(on_started)
        learning_item_completed.disconnect(on_completed)
    expected = {
        "employee_id": learner.id,
        "kind": "scenario",
        "slug": "practice-desk",
        "version": 1,
    }
    assert started == [expected]
    assert completed == [expected]


def test_progress_for(client, practice):
    learner = make_employee()
    login(client, learner)
    assert service.progress_for(learner.id, ["practice-desk", "no-such"]) == {"practice-desk": 0.0}
    client.post("/scenarios/practice-desk/start")
    assert service.progress_for(learner.id, ["practice-desk"]) == {"practice-desk": 0.5}
    _choose(client, 0)
    _choose(client, 1)  # finished, not passed
    assert service.progress_for(learner.id, ["practice-desk"]) == {"practice-desk": 0.5}
    client.post("/scenarios/practice-desk/start")
    _choose(client, 0)
    _choose(client, 0)
    assert service.progress_for(learner.id, ["practice-desk"]) == {"practice-desk": 1.0}


def test_list_page_and_report(client, practice):
    learner = make_employee()
    login(client, learner)
    listing = client.get("/scenarios/").get_data(as_text=True)
    assert "練習：収納窓口で" in listing and "未着手" in listing
    assert "/scenarios/reports" not in listing
    assert client.get("/scenarios/practice-desk/report").status_code == 403
    client.post("/scenarios/practice-desk/start")
    _choose(client, 1)
    _choose(client, 0)
    _choose(client, 0)

    admin = client.application.test_client()
    login(admin, make_employee(roles=[Role.CONTENT_ADMIN]))
    report = admin.get("/scenarios/practice-desk/report").get_data(as_text=True)
    assert "分納の手続きだけを案内する" in report
    # each choice at arrival was taken once: 50% each
    assert report.count('value="50"') >= 2
    assert learner.name not in report
    hr = client.application.test_client()
    login(hr, make_employee(roles=[Role.TRAINING_ADMIN]))
    assert hr.get("/scenarios/reports").status_code == 200


def test_unknown_scenario_is_404(client, practice):
    login(client, make_employee())
    assert client.get("/scenarios/nope").status_code == 404
    assert client.post("/scenarios/nope/start").status_code == 404


def test_attempts_keep_their_version(client, practice, tmp_path, app, db):
    """A changed file is a new version; an attempt in progress carries on with its own."""
    import shutil

    from app.scenarios import content

    learner = make_employee()
    login(client, learner)
    client.post("/scenarios/practice-desk/start")
    _choose(client, 0)
    root = tmp_path / "root"
    shutil.copytree(app.config["CONTENT_ROOT"], root)
    path = root / "scenarios" / "practice-desk.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            "私の年金だけで暮らしています", "私の年金だけが頼りです"
        ),
        encoding="utf-8",
    )
    result = content.sync(content.find(root), root)
    assert (result.created, result.updated) == (0, 1)
    assert content.sync(content.find(root), root).unchanged == 1  # idempotent
    page = client.get("/scenarios/practice-desk").get_data(as_text=True)
    assert "私の年金だけで暮らしています" in page  # still version 1
    attempt = db.session.scalar(select(ScenarioAttempt))
    assert attempt.version.number == 1
    client.post("/scenarios/practice-desk/start")
    _choose(client, 0)
    assert "私の年金だけが頼りです" in client.get("/scenarios/practice-desk").get_data(as_text=True)


def test_japanese_content_is_marked_as_such_in_the_english_interface(client, practice):
    login(client, make_employee())
    client.post("/language", data={"locale": "en"})
    client.post("/scenarios/practice-desk/start")
    html = client.get("/scenarios/practice-desk").get_data(as_text=True)
    assert '<h1 lang="en">Practice: at the collection desk</h1>' in html
    assert '<span class="dialogue__text" lang="ja">息子の分まで払っていて' in html
    assert "What do you do?" in html


def test_no_back_button_when_the_scenario_does_not_allow_it(client, app, tmp_path, db):
    import shutil

    from app.scenarios import content
    from tests.scenarios.conftest import FIXTURE_ROOT

    root = tmp_path / "root"
    shutil.copytree(FIXTURE_ROOT, root)
    path = root / "scenarios" / "practice-desk.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("allow_back: true", "allow_back: false"),
        encoding="utf-8",
    )
    app.config["CONTENT_ROOT"] = root
    content.sync(content.find(root), root)
    login(client, make_employee())
    client.post("/scenarios/practice-desk/start")
    _choose(client, 1)
    html = client.get("/scenarios/practice-desk").get_data(as_text=True)
    assert "1つ前に戻る" not in html
    state = _state(html)
    client.post(
        "/scenarios/practice-desk/back", data={"attempt": state["attempt"], "step": state["step"]}
    )
    assert (
        _state(client.get("/scenarios/practice-desk").get_data(as_text=True))["node"]
        == "payment-only"
    )
    assert (
        db.session.scalar(
            select(db.func.count(ScenarioChoice.id)).where(ScenarioChoice.undone_at.is_not(None))
        )
        == 0
    )
