"""Demo data: users for each role and a small shop's worth of records, loaded once."""
from __future__ import annotations

import secrets

DEMO_USERS = [("admin", "Admin", "Quản trị"), ("supervisor", "Supervisor", "Trưởng nhóm"),
              ("clerk", "Clerk", "Nhân viên")]


def ensure_users(app, password: str | None) -> dict:
    """Create the demo users that are missing. A given password must pass the password rule for
    each of them (PasswordRejected otherwise); without one, a random one is generated."""
    sm = app.appbuilder.sm
    from app.security.passwords import check_password
    from app.security.sync import sync_roles
    sync_roles(app)
    created = []
    generated = False
    missing = [u for u, _, _ in DEMO_USERS if sm.find_user(username=u) is None]
    if missing and not password:
        password = _generated_password()
        generated = True
    for username in missing:
        check_password(password, username)
    for username, role_name, first in DEMO_USERS:
        if sm.find_user(username=username) is None:
            sm.add_user(username, first, role_name, f"{username}@orderhub.local",
                        sm.find_role(role_name), password=password)
            created.append(username)
    return {"users_created": created, "password_generated": generated and bool(created),
            "password": password if generated and created else None}


def _generated_password() -> str:
    from app.security.passwords import PasswordRejected, check_password
    while True:  # 16 random characters pass the rule but for a freak draw
        password = secrets.token_urlsafe(12)
        try:
            for username, _, _ in DEMO_USERS:
                check_password(password, username)
            return password
        except PasswordRejected:
            continue


def load_demo(app, password: str | None = None) -> dict:
    result = ensure_users(app, password)
    from app.demo_data import load_demo_data
    result.update(load_demo_data(app))
    return result
