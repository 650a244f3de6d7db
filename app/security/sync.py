"""Apply the declared permission matrix to the database: the role rows exist, and roles defined in
code carry no stray database permissions (an old grant made by hand is removed)."""
from __future__ import annotations

from app.security.roles import ROLE_NAMES, fab_roles


def sync_roles(app) -> dict:
    sm = app.appbuilder.sm
    report = {}
    for name in ROLE_NAMES + ("Public",):
        role = sm.find_role(name) or sm.add_role(name)
        stray = list(role.permissions or [])
        if stray:
            role.permissions = []
            sm.session.commit()
        report[name] = {"rules": len(fab_roles().get(name, [])), "stray_removed": len(stray)}
    return report
