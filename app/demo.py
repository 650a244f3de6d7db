"""Demo data: users for each role and a small shop's worth of records, loaded once."""
from __future__ import annotations

import secrets

DEMO_USERS = [("admin", "Admin", "Quản trị"), ("supervisor", "Supervisor", "Trưởng nhóm"),
              ("clerk", "Clerk", "Nhân viên")]


def ensure_users(app, password: str | None) -> dict:
    sm = app.appbuilder.sm
    from app.security.sync import sync_roles
    sync_roles(app)
    created = []
    generated = False
    if any(sm.find_user(username=u) is None for u, _, _ in DEMO_USERS) and not password:
        password = secrets.token_urlsafe(9)
        generated = True
    for username, role_name, first in DEMO_USERS:
        if sm.find_user(username=username) is None:
            sm.add_user(username, first, role_name, f"{username}@orderhub.local",
                        sm.find_role(role_name), password=password)
            created.append(username)
    return {"users_created": created, "password_generated": generated and bool(created),
            "password": password if generated and created else None}


def load_demo(app, password: str | None = None) -> dict:
    result = ensure_users(app, password)
    from app.demo_data import load_demo_data
    result.update(load_demo_data(app))
    return result
