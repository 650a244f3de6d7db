"""OrderHub's security manager: the user and all their roles in one statement per request."""
from __future__ import annotations

from flask_appbuilder.security.sqla.manager import SecurityManager
from flask_appbuilder.security.sqla.models import Group, User
from sqlalchemy.orm import joinedload


class OrderHubSecurityManager(SecurityManager):
    def get_user_by_id(self, pk):
        # Permission checks read user.roles (and group roles) many times a page; load them with the
        # user instead of one lazy query each.
        return self.session.get(
            self.user_model, pk,
            options=[joinedload(User.roles),
                     joinedload(User.groups).joinedload(Group.roles)])
