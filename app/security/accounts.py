"""Flask-AppBuilder's user forms and users API with OrderHub's password rule spelled out, and a
password set through the API ending the user's sessions like any other password change."""
from __future__ import annotations

from flask_appbuilder.fieldwidgets import BS3PasswordFieldWidget
from flask_appbuilder.forms import DynamicForm
from flask_appbuilder.security.views import ResetMyPasswordView, ResetPasswordView
from flask_appbuilder.validators import PasswordComplexityValidator
from flask_babel import lazy_gettext
from wtforms import PasswordField
from wtforms.validators import DataRequired, EqualTo

from app.security import sessions
from app.security.role_guard import UserApi
from app.security.passwords import RULE


def password_fields(description) -> dict:
    """The password and its confirmation, checked against the rule (FAB's complexity hook, set to
    app.security.login.password_complexity), the rule shown under the field."""
    return {
        "password": PasswordField(lazy_gettext("Password"),
                                  description=lazy_gettext(RULE),
                                  validators=[DataRequired(), PasswordComplexityValidator()],
                                  widget=BS3PasswordFieldWidget()),
        "conf_password": PasswordField(
            lazy_gettext("Confirm Password"),
            description=lazy_gettext("Please rewrite the user's password to confirm"),
            validators=[DataRequired(), EqualTo("password",
                                                message=lazy_gettext("Passwords must match"))],
            widget=BS3PasswordFieldWidget()),
    }


class PasswordRuleForm(DynamicForm):
    """FAB's reset form says "this application does not check this for you"; this one does."""

    password = password_fields(None)["password"]
    conf_password = password_fields(None)["conf_password"]


class OrderHubResetMyPasswordView(ResetMyPasswordView):
    class_permission_name = "ResetMyPasswordView"
    form = PasswordRuleForm


class OrderHubResetPasswordView(ResetPasswordView):
    class_permission_name = "ResetPasswordView"
    form = PasswordRuleForm


class UserApiEndingSessions(UserApi):
    """The guarded users API (built-in roles, the last admin, checked query arguments) whose
    password changes end the user's sessions."""

    def pre_update(self, item, data):
        """A password set here ends the user's sessions, in the same transaction as the change."""
        super().pre_update(item, data)
        if data.get("password"):
            sessions.revoke_all(self.datamodel.session, item.id, sessions.PASSWORD_CHANGED)
