from app.accounts.models import Employee
from app.core.models import AuditEvent
from app.core.permissions import Role
from tests.factories import login, make_employee


def test_search_edit_roles_and_deactivate(client, db):
    admin = make_employee(roles=[Role.SYSTEM_ADMIN])
    target = make_employee(name="検索 花子", name_kana="ケンサク ハナコ")
    login(client, admin)
    page = client.get("/admin/employees?q=ケンサク").get_data(as_text=True)
    assert "検索 花子" in page and f">{admin.staff_number}<" not in page

    client.post(
        f"/admin/employees/{target.id}/roles", data={"roles": ["training_admin", "content_admin"]}
    )
    db.session.refresh(target)
    assert target.roles == {Role.LEARNER, Role.TRAINING_ADMIN, Role.CONTENT_ADMIN}

    client.post(f"/admin/employees/{target.id}/active")
    db.session.refresh(target)
    assert target.active is False
    assert db.session.get(Employee, target.id) is not None  # never deleted
    actions = {e.action for e in db.session.query(AuditEvent).filter_by(object_id=str(target.id))}
    assert {"roles.changed", "employee.deactivated"} <= actions


def test_admin_cannot_lock_themselves_out(client, db):
    admin = make_employee(roles=[Role.SYSTEM_ADMIN])
    login(client, admin)
    client.post(f"/admin/employees/{admin.id}/roles", data={"roles": []})
    client.post(f"/admin/employees/{admin.id}/active")
    db.session.refresh(admin)
    assert Role.SYSTEM_ADMIN in admin.roles and admin.active


def test_temporary_password_is_shown_once_and_works(client, db):
    admin = make_employee(roles=[Role.SYSTEM_ADMIN])
    target = make_employee(password=False)
    login(client, admin)
    html = client.post(f"/admin/employees/{target.id}/password").get_data(as_text=True)
    import re

    temporary = re.search(r'id="temporary-password">([^<]+)<', html).group(1)
    db.session.refresh(target)
    assert target.check_password(temporary)
    assert temporary not in client.get(f"/admin/employees/{target.id}").get_data(as_text=True)


def test_audit_events_cannot_be_changed(db):
    import pytest

    from app.core import audit
    from app.core.models import AuditLogIsAppendOnly

    event = audit.record("probe", "thing", 1)
    db.session.commit()
    event.action = "tampered"
    with pytest.raises(AuditLogIsAppendOnly):
        db.session.commit()
    db.session.rollback()
    db.session.delete(event)
    with pytest.raises(AuditLogIsAppendOnly):
        db.session.commit()
    db.session.rollback()
