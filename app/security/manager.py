"""OrderHub's security manager: the user and all their roles in one statement per request."""
from __future__ import annotations

from flask import current_app
from flask_appbuilder import Model
from flask_appbuilder.security.sqla.manager import SecurityManager
from flask_appbuilder.security.sqla.models import Group, User
from sqlalchemy import inspect
from sqlalchemy.orm import joinedload


class OrderHubSecurityManager(SecurityManager):
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
