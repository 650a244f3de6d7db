"""The shop cannot lock itself out: the built-in roles keep their names and exist, the last active
admin keeps the Admin role (and stays active and undeleted), through the panel, the security API
and any other path; role names and warehouse codes and names are required and trimmed."""
from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask_appbuilder.security.sqla.models import Role, User

from app.extensions import db
from app.models import Warehouse
from app.services.admin_lockout import BUILTIN_ROLES, LastAdmin
from tests.conftest import api_token, login
from tests.support.web_backends import any_web_app  # noqa: F401  (fixture)


def _ids(app):
    with app.app_context():
        roles = {r.name: r.id for r in db.session.scalars(sa.select(Role))}
        users = {u.username: u.id for u in db.session.scalars(sa.select(User))}
    return roles, users


def _admin_state(app):
    with app.app_context():
        db.session.expire_all()
        admin = db.session.scalars(sa.select(User).where(User.username == "admin")).one()
        return admin.active, sorted(r.name for r in admin.roles)


def test_built_in_roles_are_neither_renamed_nor_deleted_over_the_api(any_web_app):  # noqa: F811
    client = any_web_app.test_client()
    headers = api_token(client, "admin")
    roles, _ = _ids(any_web_app)
    for name in BUILTIN_ROLES:
        resp = client.put(f"/api/v1/security/roles/{roles[name]}", json={"name": "Renamed"},
                          headers=headers)
        assert resp.status_code == 400, (name, resp.json)
        assert "cannot be renamed" in str(resp.json["message"])
        resp = client.delete(f"/api/v1/security/roles/{roles[name]}", headers=headers)
        assert resp.status_code == 400, (name, resp.json)
        assert "cannot be deleted" in str(resp.json["message"])
    assert set(_ids(any_web_app)[0]) >= set(BUILTIN_ROLES)
    # The admin keeps every right (the fuzzer's rename took them all away).
    assert client.get("/api/v1/security/roles/", headers=headers).status_code == 200
    assert client.get("/api/v1/order/", headers=headers).status_code == 200


def test_role_names_are_required_and_trimmed(any_web_app):  # noqa: F811
    client = any_web_app.test_client()
    headers = api_token(client, "admin")
    for blank in ("", "   ", "\t"):
        resp = client.post("/api/v1/security/roles/", json={"name": blank}, headers=headers)
        assert resp.status_code == 400 and "name" in resp.json["message"], resp.json
    resp = client.post("/api/v1/security/roles/", json={"name": "  Kho Hà Nội  "}, headers=headers)
    assert resp.status_code == 201, resp.json
    role_id = resp.json["id"]
    assert _ids(any_web_app)[0].get("Kho Hà Nội") == role_id
    resp = client.put(f"/api/v1/security/roles/{role_id}", json={"name": "  "}, headers=headers)
    assert resp.status_code == 400 and "name" in resp.json["message"]
    resp = client.put(f"/api/v1/security/roles/{role_id}", json={"name": " Kho HN "},
                      headers=headers)
    assert resp.status_code == 200
    assert _ids(any_web_app)[0].get("Kho HN") == role_id
    assert client.delete(f"/api/v1/security/roles/{role_id}", headers=headers).status_code == 200


def test_the_last_admin_keeps_the_role_over_the_api(any_web_app):  # noqa: F811
    client = any_web_app.test_client()
    headers = api_token(client, "admin")
    roles, users = _ids(any_web_app)
    admin = users["admin"]
    refused = [
        client.put(f"/api/v1/security/users/{admin}", json={"roles": [roles["Clerk"]]},
                   headers=headers),
        client.put(f"/api/v1/security/users/{admin}", json={"active": False}, headers=headers),
        client.put(f"/api/v1/security/roles/{roles['Admin']}/users", json={"user_ids": []},
                   headers=headers),
        client.delete(f"/api/v1/security/users/{admin}", headers=headers),
    ]
    for resp in refused:
        assert resp.status_code == 400, resp.get_data(as_text=True)
        assert "Admin role" in str(resp.json["message"])
    assert _admin_state(any_web_app) == (True, ["Admin"])
    # With a second admin, the first may step down.
    resp = client.put(f"/api/v1/security/users/{users['supervisor']}",
                      json={"roles": [roles["Admin"]]}, headers=headers)
    assert resp.status_code == 200, resp.json
    resp = client.put(f"/api/v1/security/users/{admin}", json={"roles": [roles["Clerk"]]},
                      headers=headers)
    assert resp.status_code == 200, resp.json
    assert _admin_state(any_web_app) == (True, ["Clerk"])


def test_the_panel_refuses_in_the_readers_language(any_web_app):  # noqa: F811
    client = any_web_app.test_client()
    login(client, "admin")
    roles, users = _ids(any_web_app)
    client.get("/lang/vi")
    resp = client.post(f"/roles/edit/{roles['Admin']}", data={"name": "Sếp"},
                       follow_redirects=True)
    page = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "không thể đổi tên" in page, page[-3000:]
    resp = client.post(f"/roles/delete/{roles['Clerk']}", follow_redirects=True)
    assert "không thể xóa" in resp.get_data(as_text=True)
    resp = client.post(f"/users/delete/{users['admin']}", follow_redirects=True)
    assert "vai trò Admin" in resp.get_data(as_text=True)
    resp = client.post(f"/users/edit/{users['admin']}",
                       data={"first_name": "Admin", "last_name": "X", "username": "admin",
                             "email": "admin@orderhub.local", "roles": [roles["Clerk"]]},
                       follow_redirects=True)
    assert "vai trò Admin" in resp.get_data(as_text=True)
    assert _admin_state(any_web_app) == (True, ["Admin"])
    assert set(_ids(any_web_app)[0]) >= set(BUILTIN_ROLES)
    assert client.get("/users/list/").status_code == 200


def test_no_path_around_the_rule_leaves_the_shop_without_an_admin(any_web_app):  # noqa: F811
    """A script working on the session directly meets the same rule when it flushes."""
    with any_web_app.app_context():
        admin = db.session.scalars(sa.select(User).where(User.username == "admin")).one()
        admin.active = False
        with pytest.raises(LastAdmin):
            db.session.commit()
        db.session.rollback()
        clerk_role = db.session.scalars(sa.select(Role).where(Role.name == "Clerk")).one()
        with pytest.raises(Exception, match="built-in role Clerk cannot be deleted"):
            db.session.delete(clerk_role)
            db.session.flush()
        db.session.rollback()
    assert _admin_state(any_web_app) == (True, ["Admin"])


def test_warehouse_codes_and_names_are_required_and_trimmed(any_web_app):  # noqa: F811
    client = any_web_app.test_client()
    headers = api_token(client, "admin")
    for body, field in (({"code": "", "name": "Kho"}, "code"), ({"code": "  ", "name": "Kho"}, "code"),
                        ({"code": "HN", "name": " \t "}, "name")):
        resp = client.post("/api/v1/warehouse/", json={**body, "kind": "main"}, headers=headers)
        assert resp.status_code == 400 and field in resp.json["errors"], resp.json
    resp = client.post("/api/v1/warehouse/", json={"code": " HN ", "name": " Kho Hà Nội ",
                                                    "kind": "main"}, headers=headers)
    assert resp.status_code == 201, resp.json
    wid = resp.json["id"]
    resp = client.put(f"/api/v1/warehouse/{wid}", json={"code": "   "}, headers=headers)
    assert resp.status_code == 400 and "code" in resp.json["errors"]
    with any_web_app.app_context():
        wh = db.session.get(Warehouse, wid)
        assert (wh.code, wh.name) == ("HN", "Kho Hà Nội")
    panel = any_web_app.test_client()
    login(panel, "admin")
    resp = panel.post("/warehouseview/add", data={"code": "   ", "name": "Kho", "kind": "main"})
    assert resp.status_code == 200  # the form again, with the field's error
    with any_web_app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Warehouse)) == 1
