"""OrderHub's security manager: the user and all their roles in one statement per request;
sign-in limits, the password rule and server-side sessions (app/security/login.py, sessions.py)."""
from __future__ import annotations

import logging

import click
from flask import current_app, has_request_context, redirect
from flask_appbuilder import Model
from flask_appbuilder.actions import action
from flask_appbuilder.security.views import (PermissionModelView, PermissionViewModelView,
                                             RoleModelView, UserDBModelView, UserGroupModelView,
                                             ViewMenuModelView)
from flask_babel import lazy_gettext
from flask_appbuilder.security.sqla.manager import SecurityManager
from flask_appbuilder.security.sqla.models import Group, User

from app.models import Warehouse
from sqlalchemy import inspect
from sqlalchemy.orm import joinedload
from flask_appbuilder.security.sqla.apis import PermissionApi, PermissionViewMenuApi, ViewMenuApi

from app.security import role_guard
from app.security.role_guard import GroupGuard, RoleGuard, UserGuard, secured

from app.security import login, sessions
from app.security.accounts import (OrderHubResetMyPasswordView, OrderHubResetPasswordView,
                                   UserApiEndingSessions, password_fields)
from app.security.passwords import PasswordRejected, check_password
from app.security.token_api import OrderHubSecurityApi

log = logging.getLogger(__name__)

from app.views.sort_keys import CheckedSort


# FAB's download endpoint answers any name that is not one of its upload file names with a 500,
# and users, roles and groups have no attachments: their views do not serve it.
NO_DOWNLOAD = {"download"}


class OrderHubUserDBModelView(UserGuard, CheckedSort, UserDBModelView):
    class_permission_name = "UserDBModelView"  # the permissions keep FAB's names
    exclude_route_methods = UserDBModelView.exclude_route_methods | NO_DOWNLOAD
    add_form_extra_fields = password_fields(lazy_gettext("The user's password for authentication"))


class OrderHubGroupModelView(GroupGuard, CheckedSort, UserGroupModelView):
    class_permission_name = "UserGroupModelView"
    exclude_route_methods = UserGroupModelView.exclude_route_methods | NO_DOWNLOAD


class OrderHubRoleModelView(RoleGuard, CheckedSort, RoleModelView):
    """FAB's role view, whose "copy role" crashed when run on one role from its page (it expects
    a list there) and on a second copy of the same role (the name is taken)."""

    class_permission_name = "RoleModelView"
    exclude_route_methods = RoleModelView.exclude_route_methods | NO_DOWNLOAD
    # Built-in roles carry the matrix's regular expressions; both kinds of role show their
    # permissions as resources and actions (templates/appbuilder/general/widgets/roles/).

    @action("copyrole", lazy_gettext("Copy Role"), lazy_gettext("Copy the selected roles?"),
            icon="fa-copy", single=False)
    def copy_role(self, items):
        self.update_redirect()
        for item in items if isinstance(items, list) else [items]:
            name, n = f"{item.name} copy", 2
            while self.appbuilder.sm.find_role(name) is not None:
                name, n = f"{item.name} copy {n}", n + 1
            new_role = item.__class__(name=name)
            new_role.permissions = list(item.permissions)
            self.datamodel.add(new_role)
        return redirect(self.get_redirect())


def _checked_sort(view):
    """FAB's own list view, same name (same endpoints and permissions), sorting checked."""
    return type(view.__name__, (CheckedSort, view), {})


class OrderHubSecurityManager(SecurityManager):
    rolemodelview = OrderHubRoleModelView
    userdbmodelview = OrderHubUserDBModelView
    groupmodelview = OrderHubGroupModelView
    # Built-in roles and the last admin stay (app/security/role_guard.py).
    role_api = role_guard.RoleApi
    group_api = role_guard.GroupApi
    # Every list's ``q`` is checked (app/api/query_args.py), refused writes answer 4xx.
    permission_api = secured(PermissionApi)
    view_menu_api = secured(ViewMenuApi)
    permission_view_menu_api = secured(PermissionViewMenuApi)
    permissionmodelview = _checked_sort(PermissionModelView)
    viewmenumodelview = _checked_sort(ViewMenuModelView)
    permissionviewmodelview = _checked_sort(PermissionViewModelView)
    # FAB's user statistics chart loads Google Charts from the internet, which a back office on
    # an intranet does not reach; the dashboard has its own charts.
    userstatschartview = None
    security_api = OrderHubSecurityApi
    user_api = UserApiEndingSessions
    resetpasswordview = OrderHubResetPasswordView
    resetmypasswordview = OrderHubResetMyPasswordView

    # --- sign-in, sessions, passwords ------------------------------------------------------------
    def register_views(self):
        super().register_views()
        login.install(self)

    def create_login_manager(self, app):
        manager = super().create_login_manager(app)
        manager.user_loader(self.load_browser_user)
        return manager

    def load_browser_user(self, pk):
        """A session cookie signs its user in only while its server-side session is live."""
        user = self.load_user(pk)
        if user is None or not login.browser_session_is_live(self.session, user.id):
            return None
        return user

    def create_jwt_manager(self, app):
        manager = super().create_jwt_manager(app)
        manager.token_in_blocklist_loader(self.token_revoked)
        return manager

    def token_revoked(self, _header, payload) -> bool:
        user_id = str(payload.get("sub", ""))
        return not user_id.isdigit() or sessions.active(
            self.session, payload.get("sid"), int(user_id)) is None

    def auth_user_db(self, username, password):
        user = super().auth_user_db(username, password)
        if user is None:
            login.mark_login_failed()  # counts towards the per-user limit
        return user

    def on_user_logout(self, user) -> None:
        login.end_browser_session(self.session)

    def reset_password(self, userid, password):
        """A new password ends every session and refresh token of the user (the browser that
        changed its own password carries on in a new session)."""
        user = self.get_user_by_id(userid)
        _refuse_weak(password, user.username if user is not None else None)
        sessions.revoke_all(self.session, user.id, sessions.PASSWORD_CHANGED)
        super().reset_password(userid, password)  # commits the password and the revocations at once
        login.renew_browser_session(self.session, user.id)
        self.session.commit()

    def add_user(self, username, first_name, last_name, email, role=None, password="",
                 hashed_password="", *args, **kwargs):
        if password and not hashed_password:
            _refuse_weak(password, username)
        return super().add_user(username, first_name, last_name, email, role, password,
                                hashed_password, *args, **kwargs)

    def get_user_by_id(self, pk):
        # Permission checks read user.roles (and group roles) many times a page; load them with the
        # user instead of one lazy query each.
        return self.session.get(
            self.user_model, pk,
            options=[joinedload(User.roles),
                     joinedload(User.groups).joinedload(Group.roles),
                     joinedload(User.assigned_warehouses).load_only(Warehouse.id)])

    def create_db(self) -> None:
        """Create missing tables and the role rows, nothing more.

        FAB would also store each built-in role's regular expressions as permission rows; they are
        never read (built-in roles are checked in memory against the matrix in roles.py), and on
        PostgreSQL the longer ones do not fit ab_permission.name and fail at every start.
        """
        if not current_app.config.get("FAB_CREATE_DB", True):
            return
        engine = self.session.get_bind(mapper=None, clause=None)
        if "ab_user" not in inspect(engine).get_table_names():
            Model.metadata.create_all(engine)
        for name in list(self.builtin_roles) + [self.auth_role_admin, self.auth_role_public]:
            if self.find_role(name) is None:
                self.add_role(name)


def _refuse_weak(password: str, username: str | None) -> None:
    """The forms and the API check the rule before this; the CLI (``flask fab create-user``,
    ``reset-password``) and code reach it here."""
    try:
        check_password(password, username)
    except PasswordRejected as exc:
        if has_request_context():
            raise
        raise click.ClickException(f"Password refused: {exc.message}") from None
