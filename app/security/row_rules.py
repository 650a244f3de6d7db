"""Row-level rules: who is limited to which warehouses (the rule itself, per model, is in
app/security/scope.py), and the audit rows only an admin may see.

A clerk with no assignment, a supervisor and an admin see everything.
"""
from __future__ import annotations

from flask import g, has_request_context
from flask_appbuilder.models.filters import BaseFilter
from flask_appbuilder.models.sqla.filters import get_field_setup_query


UNRESTRICTED_ROLES = {"Admin", "Supervisor"}


def assigned_warehouse_ids() -> list[int] | None:
    """The warehouses the signed-in user is limited to, or None when there is no limit."""
    if not has_request_context():
        return None
    if "orderhub_warehouse_scope" in g.__dict__:
        return g.orderhub_warehouse_scope
    user = getattr(g, "user", None)
    scope = None
    if user is not None and getattr(user, "is_authenticated", False):
        roles = {r.name for r in user.roles}
        if not roles & UNRESTRICTED_ROLES:
            # Loaded with the user (app/security/manager.py get_user_by_id): no query here.
            ids = [w.id for w in user.assigned_warehouses]
            scope = ids or None
    g.orderhub_warehouse_scope = scope
    return scope


# Audit rows of records only an admin may see (users, roles, provider credentials' accounts).
ADMIN_ONLY_TABLES = ("ab_user", "ab_role", "provider_account")


def is_admin() -> bool:
    user = getattr(g, "user", None) if has_request_context() else None
    return bool(user is not None and getattr(user, "is_authenticated", False)
                and any(r.name == "Admin" for r in user.roles))


class AdminOnlyTables(BaseFilter):
    """Hides rows about users, roles and credentials from everyone but an admin."""

    name = "Visible to me"
    arg_name = "adm"

    def apply(self, query, value):
        if is_admin():
            return query
        query, field = get_field_setup_query(query, self.model, self.column_name)
        return query.filter(field.notin_(ADMIN_ONLY_TABLES))


def admin_only_tables(column: str = "table_name") -> list:
    return [[column, AdminOnlyTables, None]]
