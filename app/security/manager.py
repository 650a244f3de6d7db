"""OrderHub's security manager: the user and all their roles in one statement per request."""
from __future__ import annotations

from flask import current_app, redirect
from flask_appbuilder import Model
from flask_appbuilder.actions import action
from flask_appbuilder.security.views import (PermissionModelView, PermissionViewModelView,
                                             RoleModelView, UserDBModelView, UserGroupModelView,
                                             ViewMenuModelView)
from flask_babel import lazy_gettext
from flask_appbuilder.security.sqla.manager import SecurityManager
from flask_appbuilder.security.sqla.models import Group, User
from sqlalchemy import inspect
from sqlalchemy.orm import joinedload

from app.views.sort_keys import CheckedSort


# FAB's download endpoint answers any name that is not one of its upload file names with a 500,
# and users, roles and groups have no attachments: their views do not serve it.
NO_DOWNLOAD = {"download"}


class OrderHubUserDBModelView(CheckedSort, UserDBModelView):
    class_permission_name = "UserDBModelView"  # the permissions keep FAB's names
    exclude_route_methods = UserDBModelView.exclude_route_methods | NO_DOWNLOAD


class OrderHubGroupModelView(CheckedSort, UserGroupModelView):
    class_permission_name = "UserGroupModelView"
    exclude_route_methods = UserGroupModelView.exclude_route_methods | NO_DOWNLOAD


class OrderHubRoleModelView(CheckedSort, RoleModelView):
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
    permissionmodelview = _checked_sort(PermissionModelView)
    viewmenumodelview = _checked_sort(ViewMenuModelView)
    permissionviewmodelview = _checked_sort(PermissionViewModelView)
    # FAB's user statistics chart loads Google Charts from the internet, which a back office on
    # an intranet does not reach; the dashboard has its own charts.
    userstatschartview = None

    def get_user_by_id(self, pk):
        # Permission checks read user.roles (and group roles) many times a page; load them with the
        # user instead of one lazy query each.
        return self.session.get(
            self.user_model, pk,
            options=[joinedload(User.roles),
                     joinedload(User.groups).joinedload(Group.roles)])

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
