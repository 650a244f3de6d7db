"""The shop never locks itself out: the built-in roles keep their names and exist, and at least one
active user keeps the Admin role — whatever path a change takes (the panel, the security API, a
script). Role names are required and trimmed.

The views and APIs check first, to answer in the reader's words (app/security/role_guard.py); the
session listeners (installed with the others by app.services.hooks) are the last line for any other
path.
"""
from __future__ import annotations

import sqlalchemy as sa
from flask_appbuilder.security.sqla.models import Group, Role, User
from sqlalchemy.orm import Session

from app.security.roles import ROLE_NAMES
from app.services.errors import N_, DomainError
from app.services.record_rules import required_text

ADMIN = "Admin"
BUILTIN_ROLES = (*ROLE_NAMES, "Public")


class ProtectedRole(DomainError):
    translatable = ("role",)


class LastAdmin(DomainError):
    pass


LAST_ADMIN = N_("At least one active user must keep the Admin role: give it to someone else first.")


def stored_name(role: Role) -> str | None:
    """The role's name as the database has it (before any unsaved rename)."""
    history = sa.inspect(role).attrs.name.history
    if history.deleted:
        return history.deleted[0]
    return role.name if sa.inspect(role).persistent else None


def check_role(role: Role, deleting: bool = False) -> None:
    """A built-in role is neither renamed nor deleted; a role's name is required and trimmed."""
    original = stored_name(role)
    if original in BUILTIN_ROLES:
        if deleting:
            raise ProtectedRole(N_("The built-in role %(role)s cannot be deleted."), role=original)
        if (role.name or "").strip() != original:
            raise ProtectedRole(N_("The built-in role %(role)s cannot be renamed."), role=original)
    if not deleting:
        required_text(role, "name")


def _holds_admin(user: User, gone) -> bool:
    if user.active is False or user is gone:
        return False
    roles = [r for r in user.roles or [] if r is not gone]
    roles += [r for g in getattr(user, "groups", None) or [] if g is not gone
              for r in g.roles or [] if r is not gone]
    return any(r.name == ADMIN for r in roles)


def check_an_admin_remains(session: Session, deleting=None) -> None:
    """Refuse when, with the unsaved changes in ``session`` (and the user, role or group
    ``deleting`` gone), no active user would hold the Admin role any more. Reads the session's own
    objects, changes included."""
    with session.no_autoflush:
        users = session.scalars(sa.select(User)).all()
        if not any(_holds_admin(u, deleting) for u in users):
            raise LastAdmin(LAST_ADMIN)


# --- the last line: every flush ---------------------------------------------------------------
_WATCHED = {User: ("roles", "groups", "active"), Role: ("user", "groups", "name"),
            Group: ("users", "roles")}


def _touches_access(session: Session) -> bool:
    for obj in session.deleted:
        if isinstance(obj, (User, Role, Group)):
            return True
    for obj in session.dirty:
        attrs = _WATCHED.get(type(obj)) or next(
            (v for k, v in _WATCHED.items() if isinstance(obj, k)), None)
        if attrs and any(sa.inspect(obj).attrs[a].history.has_changes() for a in attrs):
            return True
    return False


def _admin_count(session: Session) -> int:
    admin_role = Role.name == ADMIN
    return session.scalar(sa.select(sa.func.count(User.id)).where(
        sa.or_(User.active.is_(True), User.active.is_(None)),
        sa.or_(User.roles.any(admin_role), User.groups.any(Group.roles.any(admin_role)))))


def before_flush(session: Session, flush_context, instances) -> None:
    for obj in session.deleted:
        if isinstance(obj, Role):
            check_role(obj, deleting=True)
    for obj in session.dirty:
        if isinstance(obj, Role) and sa.inspect(obj).attrs.name.history.has_changes():
            check_role(obj)
    if _touches_access(session):
        with session.no_autoflush:
            session.info["admins_before_flush"] = _admin_count(session)


def after_flush(session: Session, flush_context) -> None:
    before = session.info.pop("admins_before_flush", None)
    if before and not _admin_count(session):
        raise LastAdmin(LAST_ADMIN)

