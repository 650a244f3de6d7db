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
from flask_appbuilder.security.sqla.apis import GroupApi as FabGroupApi
from flask_appbuilder.security.sqla.apis import RoleApi as FabRoleApi
from flask_appbuilder.security.sqla.apis import UserApi as FabUserApi
from flask_babel import gettext
from marshmallow import ValidationError as MarshmallowValidationError
from sqlalchemy import exc as sa_exc

from app.api.query_args import CheckedQueryArgs
from app.extensions import db
from app.services import admin_lockout
from app.services.errors import DomainError
from app.services.integrity import explain_integrity_error
from app.views.interface import MAX_ID, KeyCheckedInterface
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
    refusal would be a 500): answer 400 instead; so does a refusal of the session's last line.
    Records are looked up through KeyCheckedInterface, where an id no row can have is "not found"
    rather than a database overflow."""

    def __init__(self):
        self.datamodel = KeyCheckedInterface(self.datamodel.obj)
        super().__init__()

    def _fetch_entities(self, model_class, ids):
        return super()._fetch_entities(model_class, [i for i in ids if abs(i) <= MAX_ID])

    def _refusals(self, call):
        try:
            return call()
        except Refused as exc:
            db.session.rollback()
            return self.response_400(message=exc.messages)
        except DomainError as exc:
            db.session.rollback()
            return self.response_400(message=error_text(exc))
        except sa_exc.IntegrityError as exc:  # a related id that does not exist, a taken name
            db.session.rollback()
            err = explain_integrity_error(exc)
            return self.response(422, message=err.message, errors=err.errors)

    def post_headless(self):
        return self._refusals(super().post_headless)

    def put_headless(self, pk):
        return self._refusals(lambda: super(GuardedRestApi, self).put_headless(pk))

    def delete_headless(self, pk):
        return self._refusals(lambda: super(GuardedRestApi, self).delete_headless(pk))


class RoleApi(RoleGuard, GuardedRestApi, CheckedQueryArgs, FabRoleApi):
    """FAB's, under its own name (its endpoints and OpenAPI schemas keep their names)."""

    @expose("/<int:role_id>/users", methods=["PUT"])
    @protect()
    @safe
    @permission_name("update_role_users")
    def update_role_users(self, role_id):
        return self._refusals(lambda: inspect.unwrap(FabRoleApi.update_role_users)(self, role_id))

    @expose("/<int:role_id>/groups", methods=["PUT"])
    @protect()
    @safe
    @permission_name("update_role_groups")
    def update_role_groups(self, role_id):
        return self._refusals(lambda: inspect.unwrap(FabRoleApi.update_role_groups)(self, role_id))

    update_role_users.__doc__ = FabRoleApi.update_role_users.__doc__
    update_role_groups.__doc__ = FabRoleApi.update_role_groups.__doc__


class UserApi(UserGuard, GuardedRestApi, CheckedQueryArgs, FabUserApi):
    @expose("/<pk>", methods=("PUT",))
    @protect()
    @safe
    @permission_name("put")
    def put(self, pk):
        if self.datamodel.get(pk, self._base_filters) is None:  # FAB's own put crashes on it
            return self.response_404()
        return self._refusals(lambda: inspect.unwrap(FabUserApi.put)(self, pk))

    put.__doc__ = FabUserApi.put.__doc__


class GroupApi(GroupGuard, GuardedRestApi, CheckedQueryArgs, FabGroupApi):
    pass


def secured(api_class: type) -> type:
    """One of Flask-AppBuilder's own security APIs with a checked ``q`` and 4xx for refused
    writes, under the same name."""
    return type(api_class.__name__, (GuardedRestApi, CheckedQueryArgs, api_class), {})
