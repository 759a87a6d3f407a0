"""The demo's information-security package is a valid SCORM 1.2 package, loaded once."""

from app.scorm import package as packages
from app.scorm import service
from app.scorm.demo import DEMO_SLUG, PACKAGES, load_demo, zip_folder


def test_the_demo_package_is_checked_like_any_other(app, tmp_path):
    checked = packages.inspect(zip_folder(PACKAGES / DEMO_SLUG, tmp_path / "p.zip"))
    assert checked.title == "情報セキュリティ基礎研修（全職員）"
    assert [(s.identifier, s.mastery_score) for s in checked.scos] == [
        ("lock-and-password", None),
        ("suspicious-mail", 80.0),
    ]


def test_loading_the_demo_twice_adds_nothing_the_second_time(app, db):
    assert "created" in load_demo()
    assert "unchanged" in load_demo()
    assert service.get_active(DEMO_SLUG).current_number == 1
