"""The built-in roles and the last admin, guarded in the security views and the security REST API
(``/api/v1/security/roles|users|groups``), with the refusal in the reader's words.

The rules are app.services.admin_lockout's (also enforced on every flush). Flask-AppBuilder's
security views flash ``str()`` of what ``pre_update``/``pre_delete`` raise, and its security APIs
answer 400 with the ``messages`` of a marshmallow ValidationError: ``Refused`` is both.
"""
from __future__ import annotations

import inspect

from flask_appbuilder.api import expose, safe
from flask_appbuilder.security.decorators import permission_name, protect
from flask_appbuilder.security.sqla.apis import GroupApi, RoleApi, UserApi
from flask_babel import gettext
from marshmallow import ValidationError as MarshmallowValidationError

from app.extensions import db
from app.services import admin_lockout
from app.services.errors import DomainError
from app.web.i18n import error_text


class Refused(MarshmallowValidationError):
    def __init__(self, exc: DomainError):
        field = getattr(exc, "field", None)
        self.text = error_text(exc)
        if field:
            self.text = f"{gettext(field.replace('_', ' ').capitalize())}: {self.text}"
        super().__init__({field: [error_text(exc)]} if field else [self.text])

    def __str__(self) -> str:
        return self.text


def _check(rule, *args, **kwargs) -> None:
    try:
        rule(*args, **kwargs)
    except DomainError as exc:
        db.session.rollback()
        raise Refused(exc) from None


class _FormFirst:
    """FAB copies a form onto the record field by field, and reading a relation on the way would
    flush the half-copied record (meeting the session's last line, in English): the record is
    checked whole in pre_update first."""

    def _edit(self, pk):
        with db.session.no_autoflush:
            return super()._edit(pk)

    def _add(self):
        with db.session.no_autoflush:
            return super()._add()


class RoleGuard(_FormFirst):
    """Mixed into the role view and API: built-in roles keep their name and exist; names trimmed."""

    def pre_add(self, item):
        _check(admin_lockout.check_role, item)
        super().pre_add(item)

    def pre_update(self, item, *args):
        _check(admin_lockout.check_role, item)
        _check(admin_lockout.check_an_admin_remains, db.session)
        super().pre_update(item, *args)

    def pre_delete(self, item):
        _check(admin_lockout.check_role, item, deleting=True)
        super().pre_delete(item)


class UserGuard(_FormFirst):
    """Mixed into the user view and API: the last active admin keeps the role, stays active and
    is not deleted."""

    def pre_update(self, item, *args):
        super().pre_update(item, *args)
        _check(admin_lockout.check_an_admin_remains, db.session)

    def pre_delete(self, item):
        _check(admin_lockout.check_an_admin_remains, db.session, deleting=item)
        super().pre_delete(item)


class GroupGuard(UserGuard):
    """Groups carry roles too: the same rule for the group view and API."""


class GuardedRestApi:
    """FAB's generic POST/PUT/DELETE call pre_add/pre_update/pre_delete outside any handler (a
    refusal would be a 500): answer 400 instead; so does a refusal of the session's last line."""

    def _refusals(self, call):
        try:
            return call()
        except Refused as exc:
            db.session.rollback()
            return self.response_400(message=exc.messages)
        except DomainError as exc:
            db.session.rollback()
            return self.response_400(message=error_text(exc))

    def post_headless(self):
        return self._refusals(super().post_headless)

    def put_headless(self, pk):
        return self._refusals(lambda: super(GuardedRestApi, self).put_headless(pk))

    def delete_headless(self, pk):
        return self._refusals(lambda: super(GuardedRestApi, self).delete_headless(pk))


class OrderHubRoleApi(RoleGuard, GuardedRestApi, RoleApi):
    @expose("/<int:role_id>/users", methods=["PUT"])
    @protect()
    @safe
    @permission_name("update_role_users")
    def update_role_users(self, role_id):
        return self._refusals(lambda: inspect.unwrap(RoleApi.update_role_users)(self, role_id))

    @expose("/<int:role_id>/groups", methods=["PUT"])
    @protect()
    @safe
    @permission_name("update_role_groups")
    def update_role_groups(self, role_id):
        return self._refusals(lambda: inspect.unwrap(RoleApi.update_role_groups)(self, role_id))

    update_role_users.__doc__ = RoleApi.update_role_users.__doc__
    update_role_groups.__doc__ = RoleApi.update_role_groups.__doc__


class OrderHubUserApi(UserGuard, GuardedRestApi, UserApi):
    pass


class OrderHubGroupApi(GroupGuard, GuardedRestApi, GroupApi):
    pass
